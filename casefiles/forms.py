import codecs
import copy
import csv
import io

from crispy_forms_gds.layout import HTML, Button, ConditionalQuestion, Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from core.forms import (
    ConditionalRadios,
    GovukForm,
    GovukMessagesMixin,
    PrivateFileField,
    submit_button,
)
from core.text import as_compared
from core.uploads import describe_limits

from .caselist import check_headings
from .models import (
    PRACTICE_POINTS,
    REVIEWED_TOPICS,
    TOPIC_RATING_CHOICES,
    Answer,
    CaseCategory,
    CaseRating,
)
from .sampling import MAX_SEED
from .services import CASE_LIST_MAX_BYTES, review_missing_answers, topic_fields

HEADER_PEEK_BYTES = 64 * 1024


def _numeric_input() -> forms.TextInput:
    # GOV.UK asks for a text input with a numeric keypad, not type="number".
    return forms.TextInput(
        attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-5"}
    )


class CaseSearchForm(GovukMessagesMixin, forms.Form):
    """Find a case on a list of thousands by the force's reference, or the
    start of it (a force asks about one case; an inspector checks one)."""

    reference = forms.CharField(label="Case reference", required=False, max_length=50)

    def filter(self, cases):
        """A reference too long to be one (or with a NUL byte) finds nothing."""
        if not self.is_bound or not self.data.get("reference", "").strip():
            return cases
        if not self.is_valid():
            return cases.none()
        return cases.filter(reference__istartswith=self.cleaned_data["reference"].strip())


class CaseListUploadForm(GovukForm):
    submit_label = "Upload and import"

    case_list = PrivateFileField(
        kinds=["csv"],
        max_bytes=CASE_LIST_MAX_BYTES,
        served=False,  # read by the import, never downloaded (see casefiles.services)
        label="Upload the case list",
        help_text=f"{describe_limits(['csv'], CASE_LIST_MAX_BYTES)}, saved as CSV UTF-8, "
        "with the headings in the template.",
        error_messages={"required": "Select a CSV file"},
    )

    def clean_case_list(self):
        upload = self.cleaned_data["case_list"]
        # Check the headings now, so the commonest mistakes show beside the field;
        # the import checks the whole file again, row by row.
        head = upload.read(HEADER_PEEK_BYTES)
        upload.seek(0)
        # UTF-8 already (check_upload read it all); a cut character may end the peek.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        try:
            # newline="" as the import reads it: any line ending, old Mac ones too.
            headings = next(csv.reader(io.StringIO(text, newline="")), [])
        except csv.Error:
            raise ValidationError(
                "The file could not be read as CSV: save it as CSV UTF-8 and try again"
            ) from None
        if not any(h.strip() for h in headings):
            raise ValidationError("The first row of the file must be the column headings")
        _, errors = check_headings(headings)
        if errors:
            raise ValidationError(errors)
        return upload


NO_SAMPLE_SIZE = "Enter a sample size for at least one category"


class CaseReplaceForm(GovukForm):
    submit_label = "Replace the case"

    reason = forms.CharField(
        label="Why are you replacing this case?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, it is not a child protection case, or the force cannot find "
        "the file. This is kept on the inspection’s record.",
        max_length=2000,
        error_messages={
            "required": "Enter why you are replacing this case",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
    layout_fields = [Field.textarea("reason", max_characters=2000)]


class CaseTakeOutForm(GovukForm):
    submit_label = "Take the case out of the sample"

    reason = forms.CharField(
        label="Why are you taking this case out of the sample?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, it is not a child protection case, or the force cannot find "
        "the file. This is kept on the inspection’s record.",
        max_length=2000,
        error_messages={
            "required": "Enter why you are taking this case out of the sample",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
    layout_fields = [Field.textarea("reason", max_characters=2000)]


class SampleDrawForm(GovukForm):
    submit_label = "Draw the sample"

    seed = forms.IntegerField(
        label="Seed (optional)",
        required=False,
        min_value=1,
        max_value=MAX_SEED,
        help_text="Leave blank and the service will choose one. To repeat an earlier draw, "
        "enter its seed and the same sample sizes.",
        widget=_numeric_input(),
        error_messages={
            "invalid": "The seed must be a whole number",
            "min_value": "The seed must be 1 or more",
            "max_value": f"The seed must be {MAX_SEED:,} or less",
        },
    )
    reason = forms.CharField(
        label="Why are you drawing the sample again?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is kept on the inspection’s record.",
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    # The latest draw as the page showed it (services.draw_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, population: list[tuple[CaseCategory, int, int]], redraw: bool, **kwargs
    ):
        """population: (category, cases that may be drawn, cases taken out of
        the sample, which are never drawn again) for each category."""
        super().__init__(*args, **kwargs)
        self.population = population
        self.redraw = redraw
        size_fields = {}
        for category, count, out in population:
            name = category.name[0].lower() + category.name[1:]
            cases = f"{count:,} case{'s' if count != 1 else ''}"
            hint, has = f"{cases} in the list", f"the list has {cases} in that category"
            if out:
                were = "was" if out == 1 else "were"
                hint = f"{cases} in the list can be drawn: {out:,} {were} taken out of the sample"
                has = f"{cases} in that category can be drawn"
            size_fields[f"size_{category.slug}"] = forms.IntegerField(
                label=category.name,
                required=False,
                min_value=0,
                max_value=count,
                help_text=hint,
                widget=_numeric_input(),
                error_messages={
                    "invalid": f"The sample size for {name} must be a whole number",
                    "min_value": f"The sample size for {name} must be 0 or more",
                    "max_value": f"The sample size for {name} must be {count:,} or fewer: {has}",
                },
            )
        self.fields = {**size_fields, "seed": self.fields["seed"], "seen": self.fields["seen"]}
        if redraw:
            # A copy, as Django gives each form of its fields: crispy-forms
            # writes into the widget as it draws, and web serves several
            # requests at once in a process.
            self.fields["reason"] = copy.deepcopy(self.base_fields["reason"])
        self.helper.layout = Layout(
            Fieldset(
                *[Field.text(name) for name in size_fields],
                legend="Sample size for each category",
                legend_size=Size.MEDIUM,
            ),
            Field.text("seed"),
            Field("seen"),
            *([Field.textarea("reason", max_characters=2000)] if redraw else []),
            submit_button("submit", "Draw the sample again" if redraw else self.submit_label),
        )

    def clean_reason(self):
        reason = self.cleaned_data.get("reason", "").strip()
        if self.redraw and not reason:
            raise ValidationError("Enter why you are drawing the sample again")
        return reason

    def clean(self):
        data = super().clean()
        # Asked whatever else is wrong (a redraw's missing reason), so every
        # problem is listed at once (found by the case files review).
        size_errors = any(name.startswith("size_") for name in self.errors)
        if not size_errors and not any(self.sizes().values()):
            if not self.population:
                raise ValidationError(NO_SAMPLE_SIZE)
            # Beside the first size, where the error summary's link lands
            # (found by the hostile-input review: only the summary said it).
            self.add_error(f"size_{self.population[0][0].slug}", NO_SAMPLE_SIZE)
        return data

    def sizes(self) -> dict[str, int]:
        return {
            category.slug: self.cleaned_data.get(f"size_{category.slug}") or 0
            for category, _, _ in self.population
        }


LEFT_THE_SAMPLE = "A selected case is no longer in the sample: select the cases again"


class AssignCasesForm(GovukMessagesMixin, forms.Form):
    """Bulk assignment from the sample page: checkboxes in the table, then a reviewer."""

    cases = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Cases",
        error_messages={
            "required": "Select at least one case to assign",
            # The sample was drawn again in another tab since the page was drawn.
            "invalid_choice": LEFT_THE_SAMPLE,
            "invalid_pk_value": LEFT_THE_SAMPLE,
        },
    )
    reviewer = forms.ModelChoiceField(
        queryset=None,
        label="Assign the selected cases to",
        empty_label="Choose a reviewer",
        error_messages={
            "required": "Select who will review the cases",
            "invalid_choice": "Select a reviewer on the inspection team",
        },
    )

    def __init__(self, *args, cases, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["reviewer"].queryset = reviewers


class AssignCaseForm(GovukForm):
    submit_label = "Assign case"

    reviewer = forms.ModelChoiceField(
        queryset=None,
        label="Who will review this case?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select who will review this case"},
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.helper.layout = Layout(
            Field.radios("reviewer", legend_size=Size.MEDIUM),
            submit_button("submit", self.submit_label),
        )


class CaseReviewForm(GovukForm):
    """The structured review. Every answer may be left blank in a draft; all
    are needed to continue to check your answers."""

    SAVE = "save"
    CONTINUE = "continue"

    overall_rating = forms.ChoiceField(
        label="Overall, how well did the force handle this case?",
        choices=CaseRating.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        # As long as the other notes fields (found by a review: no limit at all).
        max_length=20000,
        error_messages={"max_length": "Notes must be 20,000 characters or fewer"},
        help_text="Do not include the child’s name or any detail that could identify them.",
    )

    def __init__(self, *args, complete: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        fields = {"overall_rating": self.fields["overall_rating"]}
        layout = [Field.radios("overall_rating", legend_size=Size.MEDIUM)]
        for topic in REVIEWED_TOPICS:
            rating, observation = topic_fields(topic)
            fields[rating] = forms.ChoiceField(
                label=f"Rating for {topic.label.lower()}",
                choices=TOPIC_RATING_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
            fields[observation] = forms.CharField(
                label="Observation",
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="A sentence or two on what the force did well or should have done.",
                # Four fields share the label: the error summary says which one.
                error_messages={
                    "max_length": f"The observation on {topic.label.lower()} "
                    "must be 500 characters or fewer"
                },
            )
            layout.append(
                Fieldset(
                    Field.radios(rating, legend_size=Size.SMALL),
                    Field.textarea(observation, max_characters=500),
                    legend=topic.label,
                    legend_size=Size.MEDIUM,
                    css_id=f"topic-{topic.value}",
                )
            )
        points = []
        for field, question in PRACTICE_POINTS:
            fields[field] = forms.ChoiceField(
                label=question, choices=Answer.choices, widget=forms.RadioSelect, required=False
            )
            points.append(Field.radios(field, legend_size=Size.SMALL, small=True))
        layout.append(
            Fieldset(
                *points, legend="Key practice points", legend_size=Size.MEDIUM, css_id="practice"
            )
        )
        fields["notes"] = self.fields["notes"]
        layout.append(Field.textarea("notes"))
        # The review's version as this page showed it (services.review_version).
        fields["seen"] = forms.CharField(widget=forms.HiddenInput, required=False)
        layout.append(Field("seen"))
        self.fields = fields
        self.helper.layout = Layout(
            *layout,
            HTML('<div class="govuk-button-group">'),
            submit_button(self.CONTINUE, "Continue"),
            Button.secondary(self.SAVE, "Save and come back later"),
            HTML("</div>"),
        )

    def clean(self):
        data = super().clean()
        if self.complete:
            for field, message in review_missing_answers(data).items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data


class SecondReviewForm(GovukForm):
    """Agree with the first rating, or, revealed under No (GOV.UK's
    conditionally revealed question), give a different rating and why."""

    submit_label = "Save second review"
    AGREE, DISAGREE = "Yes, I agree", "No, I would rate the case differently"

    agrees = forms.TypedChoiceField(
        label="Do you agree with the overall rating?",
        choices=[("yes", AGREE), ("no", DISAGREE)],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you agree with the overall rating"},
    )
    rating = forms.ChoiceField(
        label="What is your rating of the case?",
        choices=CaseRating.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Why do you rate the case differently?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        # As long as the review's notes (found by the case files review: no limit at all).
        max_length=20000,
        error_messages={"max_length": "The reason must be 20,000 characters or fewer"},
    )

    def __init__(self, data=None, *args, **kwargs):
        # With Yes chosen, the rating and reason revealed under No are hidden,
        # not answers: a browser still sends what was typed there before the
        # lead changed their mind, and they are dropped here, as GOV.UK's
        # conditionally revealed questions are (refused, they were errors
        # beside fields the page had hidden).
        if data is not None and data.get("agrees") == "yes":
            data = data.copy()
            for name in ("rating", "reason"):
                data.pop(name, None)
        super().__init__(data, *args, **kwargs)
        self.helper.layout = Layout(
            ConditionalRadios(
                "agrees",
                self.AGREE,
                ConditionalQuestion(
                    self.DISAGREE,
                    Field.radios("rating", legend_size=Size.SMALL),
                    Field.textarea("reason"),
                ),
                legend_size=Size.MEDIUM,
            ),
            submit_button("submit", self.submit_label),
        )


class CaseCategoryForm(GovukForm):
    submit_label = "Save category"

    name = forms.CharField(
        label="Category name",
        max_length=120,
        error_messages={
            "required": "Enter the category name",
            "max_length": "The category name must be 120 characters or fewer",
        },
    )
    is_active = forms.BooleanField(
        label="Accept this category in new case lists", required=False, initial=True
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, category: CaseCategory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        if category is None:
            del self.fields["is_active"]
            del self.fields["seen"]
            self.helper.layout = Layout(Field.text("name"), submit_button("submit", "Add category"))

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        # Compared as people read them (as_compared): a name with a zero-width
        # space inside passed as new. The categories are a short list.
        others = CaseCategory.objects.values_list("name", flat=True)
        if self.category is not None:
            others = others.exclude(pk=self.category.pk)
        if as_compared(name) in {as_compared(other) for other in others}:
            raise ValidationError("A category with this name already exists")
        return name
