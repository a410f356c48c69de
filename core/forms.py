"""The one GOV.UK form base every form in the service builds on."""

import re
import uuid
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from crispy_forms_gds.layout import ConditionalRadios as GdsConditionalRadios
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.utils.functional import lazy

from . import uploads
from .audit import WHAT_HAPPENED, what_happened
from .text import read_as_typed


def posted_answers(request, form: forms.Form) -> list[tuple[str, str]]:
    """What the form posted, carried through a check page as hidden inputs:
    its fields' own names only (a date's day, month and year as name_0...),
    every value of a field with several (a team)."""
    names = re.compile("|".join(rf"{re.escape(name)}(_[0-2])?" for name in form.fields))
    return [
        (name, value)
        for name, values in request.POST.lists()
        if names.fullmatch(name)
        for value in values
    ]


class ConditionalRadios(GdsConditionalRadios):
    """Radios with a question revealed under an option (GOV.UK's
    "conditionally revealing a related question"), whose legend is
    `legend_size`: crispy-forms-gds's own takes no size. Give each option by
    its label, or as crispy-forms-gds's ConditionalQuestion(label, *fields) to reveal fields
    under it. templates/gds/layout/conditional_question.html draws them."""

    def __init__(self, field: str, *choices, legend_size: str = Size.SMALL):
        super().__init__(field, *choices)
        self.legend_size = legend_size

    def render(self, form, context, *args, **kwargs):
        with context.push(legend_size=Size.for_legend(self.legend_size)):
            return super().render(form, context, *args, **kwargs)


def submit_button(name: str, label: str, **kwargs) -> Button:
    """A form's button. A second click within a second of the first is
    ignored (GOV.UK Frontend's prevent-double-click); the services still
    refuse a repeat that gets through, as a duplicate or a stale change."""
    return Button(name, label, data_prevent_double_click="true", **kwargs)


_DJANGO_CHOICE_MESSAGES = {
    forms.ChoiceField.default_error_messages["invalid_choice"],
    forms.ModelChoiceField.default_error_messages["invalid_choice"],
    forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"],
}
_DJANGO_PK_MESSAGE = forms.ModelMultipleChoiceField.default_error_messages["invalid_pk_value"]


def govuk_messages(field: forms.Field) -> None:
    """The Design System's words where a form left Django's: found by an
    exploratory review, 'Ensure this value has at most 2000 characters (it
    has 2001).' and 'Select a valid choice...' reached people. A message a
    form gives itself is kept."""
    label = str(field.label or "").strip()
    # "Why is the lead inspector changing?" or "Enter the code..." read badly
    # before "must be...".
    asks = label.endswith("?") or label.split(" ", 1)[0] in ("Enter", "Select")
    what = "Your answer" if not label or asks else label
    messages = field.error_messages
    max_length = getattr(field, "max_length", None)
    if max_length is not None and "max_length" not in messages:
        messages["max_length"] = f"{what} must be {max_length:,} characters or fewer"
    if messages.get("invalid_choice") in _DJANGO_CHOICE_MESSAGES:
        required = messages.get("required", "")
        if required.startswith("Select"):
            messages["invalid_choice"] = required
        elif label and what != "Your answer":
            # GOV.UK's "Select", as the rest of the service's options say;
            # not SQL, though ruff's S608 reads "Select ... from" as a query.
            messages["invalid_choice"] = f"Select {what[0].lower()}{what[1:]} from the list"  # noqa: S608  # nosec B608 - words, not SQL
        else:
            messages["invalid_choice"] = "Select one of the options"
    if messages.get("invalid_pk_value") == _DJANGO_PK_MESSAGE:
        messages["invalid_pk_value"] = messages["invalid_choice"]
    if "null_characters_not_allowed" not in messages and isinstance(field, forms.CharField):
        messages["null_characters_not_allowed"] = (
            f"{what} must not contain a null character (a character that cannot be printed)"
        )


FILE_NOT_KEPT = "Select the file again – it is not kept when there is a problem on the page"


class TextAsReadBoundField(BoundField):
    """A field's answer read as people see it, for the service's forms and the
    Django admin's alike."""

    @property
    def data(self):
        """A textarea's line breaks as one character each. Browsers send them
        as CR LF, two, where GOV.UK's character count on the page counts one:
        500 characters by the count, over a few lines, were refused as too
        long (found by the bad input review).

        And text a field strips of spaces is read as typed (read_as_typed):
        without characters that show as nothing at its ends, and without
        the direction controls that would show it in another order anywhere
        in it. Not a password's (strip=False), kept as typed."""
        data = super().data
        if not isinstance(data, str):
            return data
        if isinstance(self.field.widget, forms.Textarea):
            data = data.replace("\r\n", "\n")
        if getattr(self.field, "strip", False):
            data = read_as_typed(data)
        return data


class GovukBoundField(TextAsReadBoundField):
    """A field drawn without the browser's maxlength, which Django adds for a
    max_length: it cuts pasted text short without a word (a rationale pasted
    from a draft lost its end, and was saved as if whole). GOV.UK asks for no
    maxlength; the form refuses too long a value with its own message, and
    counts as the page's character count does (data)."""

    def build_widget_attrs(self, attrs, widget=None):
        return {**super().build_widget_attrs(attrs, widget), "maxlength": False}


class GovukMessagesMixin:
    """The Design System's words for Django's own messages (govuk_messages).
    Given as the form is cleaned, so a field a form adds after its own
    __init__ (the interview's participant rows) has them too.

    Browsers never fill a file input in again: when the page comes back with
    a problem, a file that was chosen is gone. An optional upload (a copy of
    a document) would then be saved without it at the next try, and nobody
    told. So a file that was chosen, and had no problem of its own, gets
    FILE_NOT_KEPT beside it whenever the form has another error, found as it
    is cleaned or added later by a service (add_service_errors)."""

    bound_field_class = GovukBoundField

    def full_clean(self):
        for field in self.fields.values():
            govuk_messages(field)
        self._cleaned = False
        super().full_clean()
        self._cleaned = True
        self._choices_in_govuk_words()
        self._ask_for_files_again()

    def add_error(self, field, error):
        super().add_error(field, error)
        if getattr(self, "_cleaned", False):
            self._ask_for_files_again()

    def _choices_in_govuk_words(self) -> None:
        """A force or a person chosen with a NUL byte in its value: Django
        checks for one before anything else, in its own words ("Null
        characters are not allowed."), which no error_messages can change
        (found by the bad input review). It is not one of the options."""
        for name, errors in (self._errors or {}).items():
            field = self.fields.get(name)
            if not isinstance(field, forms.ModelChoiceField):
                continue
            codes = [getattr(error, "code", None) for error in errors.data]
            if "null_characters_not_allowed" in codes:
                errors.data = [
                    error
                    for error, code in zip(errors.data, codes, strict=True)
                    if code != "null_characters_not_allowed"
                ] + [ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")]

    def _ask_for_files_again(self) -> None:
        if not self._errors or not self.files:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.FileField):
                continue
            errors = self._errors.get(name)
            if errors is None and self.files.get(self.add_prefix(name)):
                self._errors[name] = self.error_class([FILE_NOT_KEPT], renderer=self.renderer)
            elif errors is not None and len(errors) > 1 and FILE_NOT_KEPT in errors.data:
                # A problem with the file itself came after (from a service):
                # that is what to say, not only to choose it again.
                errors.data.remove(FILE_NOT_KEPT)


class GovukFormMixin(GovukMessagesMixin):
    """Adds a crispy-forms-gds helper: fields in order, then one submit button.

    Set ``submit_label`` to say what the button does ("Save grade"), and
    ``layout_fields`` to lay fields out with Field.radios() and friends.
    """

    submit_label = "Continue"
    submit_name = "submit"
    layout_fields: list | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = True
        # The service checks every answer and says what is wrong in GOV.UK
        # words: the browser's own checks (an email field's) would stop the
        # form first, with a tooltip and no error summary.
        self.helper.attrs = {"novalidate": ""}
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        fields = self.layout_fields or [self.default_layout(name) for name in self.fields]
        self.helper.layout = Layout(*fields, submit_button(self.submit_name, self.submit_label))

    def default_layout(self, name: str):
        widget = self.fields[name].widget
        if isinstance(widget, forms.RadioSelect):
            return Field.radios(name, legend_size=Size.SMALL)
        if isinstance(self.fields[name], DateInputField):
            return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return Field.checkboxes(name, legend_size=Size.SMALL)
        return Field(name)


def add_service_errors(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """A service's refusal on the form: each message beside the field it names
    (or, by `aliases`, the form's own name for it: {"published_on": "date"})
    when the form has that field, otherwise at the top. (form.add_error(None,
    error) raises ValueError for a field the form lacks: a 500.)"""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


_UUID = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE
)

# Dates the service accepts: every programme date falls well inside, and the
# deadlines derived from them (core.deadlines) stay real dates.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def check_date_range(value: date | None, what: str) -> date | None:
    """The date, or a GOV.UK message naming it if it is outside the service's years."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            f"{what[0].upper()}{what[1:]} must be between 1 January 2000 and 31 December 2099"
        )
    return value


# Months by name and abbreviation, in English whatever the server's locale.
_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_MONTHS = {
    **{name: n for n, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: n for n, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}


class GovukDateField(DateInputField):
    """A GOV.UK date input (day, month, year) with the Design System's messages.

    ``what`` completes them: "Enter {what}" when nothing is entered, "{What}
    must include a month" (or "a day and year") when a part is missing,
    "{What} must be a real date" otherwise. One message per problem, as
    GOV.UK asks; the parts it is about are marked in error.
    """

    PARTS = ("day", "month", "year")

    def __init__(self, *, what: str, **kwargs):
        # The parts are checked together in compress, so a missing part gives
        # one message naming every missing part, not one message for each.
        kwargs["require_all_fields"] = False
        super().__init__(**kwargs)
        self.what = what
        subject = what[0].upper() + what[1:]
        self.real_date = f"{subject} must be a real date"
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"Enter {what}"
        # A month may be its name or abbreviation, as GOV.UK asks ("April", "Apr").
        patterns = (r"^[0-9]{1,2}$", r"^([0-9]{1,2}|[A-Za-z]{3,9})$", r"^[0-9]{4}$")
        for field, pattern in zip(self.fields, patterns, strict=True):
            field.required = False
            field.validators = [RegexValidator(pattern, self.real_date)]
        # "26" for 2026: the Design System's own words say what to fix.
        self.fields[2].validators = [
            RegexValidator(r"^[0-9]+$", self.real_date),
            RegexValidator(
                r"^([0-9]{4}|.*[^0-9].*)$", f"The year of {what} must include 4 numbers"
            ),
        ]

    def compress(self, data_list):
        day, month, year = data_list or ("", "", "")
        if not (day or month or year):
            if self.required:
                # Parts of only spaces or line breaks pass MultiValueField's
                # own check for a missing value, then clean to nothing.
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [n for n, value in enumerate(data_list) if not value]
        if missing:
            # An optional date partly filled in is an error too, rather than
            # quietly no date.
            names = " and ".join(self.PARTS[n] for n in missing)
            message = f"{self.what[0].upper()}{self.what[1:]} must include a {names}"
            # Every missing part is marked in error; the error summary gives
            # the message once, linked to the first (core.templatetags.govuk).
            for n in missing:
                self.fields[n].widget.errors = [message]
            raise ValidationError(message, code="incomplete")
        month = _MONTHS.get(month.lower(), month)
        try:
            value = date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError):
            raise ValidationError(self.real_date, code="invalid") from None
        return check_date_range(value, self.what)


class PrivateFileField(forms.FileField):
    """A GOV.UK file upload whose file is checked by core.uploads.check_upload.

    Errors from the checks land on the field, so they show next to it and in
    the error summary. The hint says the accepted types and size before the
    user chooses. A plain FileInput: ClearableFileInput's "clear" checkbox
    and link to the current file make no sense for private files.
    """

    widget = forms.FileInput

    def __init__(self, *, kinds, max_bytes: int | None = None, served: bool = True, **kwargs):
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes
        self.served = served
        # Lazy, so the hint follows UPLOAD_MAX_BYTES as it is when rendered.
        kwargs.setdefault("help_text", lazy(uploads.describe_limits, str)(self.kinds, max_bytes))
        kwargs["error_messages"] = {
            "required": uploads.SELECT,
            "empty": uploads.EMPTY,
            "invalid": uploads.NOT_UPLOADED,
            "missing": uploads.NOT_UPLOADED,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        extensions = (ext for kind in self.kinds for ext in uploads.KINDS[kind].extensions)
        return {**super().widget_attrs(widget), "accept": ",".join(extensions)}

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            uploads.check_upload(
                upload, kinds=self.kinds, max_bytes=self.max_bytes, served=self.served
            )
        return upload


class TypedDateField(forms.DateField):
    """An optional date typed in one box, as 31/12/2026. A date written so
    that cannot be (31/02/2026) is told it must be a real date, as GOV.UK
    asks; anything else is shown the format (found by the admin review)."""

    _SHAPED = re.compile(r"\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*")

    def __init__(self, *, label: str, what: str):
        super().__init__(
            label=label,
            required=False,
            input_formats=["%d/%m/%Y", "%Y-%m-%d"],
            help_text="For example, 31/12/2026",
            error_messages={
                "invalid": f"Enter the {what} in the format 31/12/2026",
                "unreal": f"The {what} must be a real date",
            },
        )

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            if isinstance(value, str) and self._SHAPED.fullmatch(value):
                raise ValidationError(self.error_messages["unreal"], code="unreal") from None
            raise


class AuditSearchForm(GovukMessagesMixin, forms.Form):
    """Filters for the audit trail. Invalid values are reported, not guessed."""

    user = forms.CharField(label="Person (name or email)", required=False, max_length=254)
    force = forms.ModelChoiceField(
        label="Force", queryset=None, required=False, empty_label="All forces"
    )
    inspection = forms.CharField(
        label="Inspection",
        required=False,
        max_length=500,
        help_text="Paste the address of the inspection's page, or the reference in it",
    )
    what = forms.ChoiceField(
        label="What happened",
        required=False,
        choices=[("", "Everything"), *((key, label) for key, (label, _) in WHAT_HAPPENED.items())],
    )
    since = TypedDateField(label="From", what="from date")
    until = TypedDateField(label="To", what="to date")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The to date must be the same as or after the from date")
        return data

    def __init__(self, *args, **kwargs):
        from forces.models import Force

        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = Force.objects.order_by("short_name")
        for field in self.fields.values():
            css = "govuk-select" if isinstance(field.widget, forms.Select) else "govuk-input"
            field.widget.attrs["class"] = css

    def clean_inspection(self):
        """The inspection's reference, found in a pasted address or on its own."""
        text = self.cleaned_data["inspection"].strip()
        if not text:
            return None
        found = _UUID.search(text)
        if not found:
            raise ValidationError(
                "Enter the address of the inspection's page, or the reference in it"
            )
        return uuid.UUID(found.group(0))

    def filter(self, events):
        if not self.is_bound:
            return events
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["user"]:
            person = data["user"].strip()
            if "@" in person:
                # An email address names one person: "inspector@…" must not
                # also find "lead.inspector@…".
                events = events.filter(actor__email__iexact=person)
            else:
                events = events.filter(
                    Q(actor__full_name__icontains=person) | Q(actor__email__icontains=person)
                )
        if data["force"]:
            # And the force's own record's changes (forces.services), which
            # do not hold the force, so a force added by mistake can go.
            own = Q(object_type="forces.force", object_id=str(data["force"].pk))
            events = events.filter(Q(force=data["force"]) | own)
        if data["inspection"]:
            events = events.filter(inspection_id=data["inspection"])
        if data["what"]:
            events = events.filter(what_happened(data["what"]))
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
        return events


# The kinds of change an inspection's history shows (not people's access,
# forces, retention, nor downloads, which it leaves out).
INSPECTION_HISTORY_KINDS = [
    "grades",
    "findings",
    "case_files",
    "evidence",
    "report",
    "schedule",
    "follow_up",
]


class FilterFormMixin:
    """A form of filters over a list: a value not valid (an old bookmark, an
    edited address) is left out of cleaned_data and the rest kept, as each
    filter form's own methods say. So no field is marked in error: nothing on
    the page would say why (found by the accessibility review: the select was
    aria-invalid, pointing at an error message never written)."""

    def full_clean(self):
        super().full_clean()
        self._errors = ErrorDict()


class HistoryFilterForm(FilterFormMixin, GovukMessagesMixin, forms.Form):
    """What happened, to narrow an inspection's history (found by the lists
    review: hundreds of events, 50 a page, and no way to find the grades
    returned in moderation)."""

    what = forms.ChoiceField(
        label="What happened",
        required=False,
        choices=[
            ("", "Everything"),
            *((key, WHAT_HAPPENED[key][0]) for key in INSPECTION_HISTORY_KINDS),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].widget.attrs["class"] = "govuk-select"

    def filter(self, events):
        """The events of the kind chosen; all of them for none, or for a
        kind not offered (an old link), which the page then says."""
        if self.is_valid() and self.cleaned_data.get("what"):
            return events.filter(what_happened(self.cleaned_data["what"]))
        return events

    @property
    def chosen(self) -> str:
        """The label of the kind shown, or "" for everything."""
        if self.is_valid() and self.cleaned_data.get("what"):
            return WHAT_HAPPENED[self.cleaned_data["what"]][0]
        return ""
