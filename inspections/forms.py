import uuid

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Button, Div, Field, Fieldset, Size
from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import User
from core import uploads
from core.forms import GovukDateField, GovukForm, PrivateFileField, submit_button
from forces.models import Force

from .models import (
    GRADE_MEANINGS,
    Document,
    FactualAccuracyPoint,
    Finding,
    Grade,
    Inspection,
    Interview,
    Participant,
    Topic,
    evidence_label,
)


def _inspectors():
    return User.objects.filter(
        role__in=[User.Role.INSPECTOR, User.Role.LEAD_INSPECTOR], is_active=True
    ).order_by("full_name")


def _evidence_field(label: str) -> forms.ModelMultipleChoiceField:
    """Checkboxes of this inspection's evidence; _evidence_choices() fills them."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        # The one way a listed item stops being valid (found by a review).
        error_messages={
            "invalid_choice": "Something you ticked was deleted a moment ago. "
            "Check the list and save again"
        },
    )


class InspectionPlanForm(GovukForm):
    """Schedule an inspection, or change its plan."""

    submit_label = "Save inspection"
    force = forms.ModelChoiceField(
        label="Force",
        queryset=Force.objects.order_by("short_name"),
        empty_label="Choose a force",
        error_messages={"required": "Select the force to inspect"},
    )
    kind = forms.ChoiceField(
        label="Type of inspection",
        choices=[(kind.value, kind.label) for kind in Inspection.SCHEDULED_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of inspection"},
    )
    fieldwork_start = GovukDateField(
        label="Fieldwork starts",
        what="the date fieldwork starts",
        help_text="For example, 12 1 2027",
    )
    fieldwork_end = GovukDateField(label="Fieldwork ends", what="the date fieldwork ends")
    lead_inspector = forms.ModelChoiceField(
        label="Lead inspector",
        queryset=User.objects.none(),
        empty_label="Choose a lead inspector",
        error_messages={"required": "Select the lead inspector"},
    )
    team = forms.ModelMultipleChoiceField(
        label="Team",
        help_text="Select everyone who will work on this inspection.",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, fixed_force: Force | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_inspector"].queryset = _inspectors().filter(role=User.Role.LEAD_INSPECTOR)
        self.fields["team"].queryset = _inspectors()
        self.fields["team"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.get_role_display()})"
        )
        if fixed_force is not None:
            del self.fields["force"]
            self.helper.layout.fields.pop(0)
            # Changing a plan: the plan as the page showed it (services.plan_version).
            self.fields["seen"] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.helper.layout.insert(len(self.helper.layout.fields) - 1, Field("seen"))
        kind = self.initial.get("kind")
        if kind and kind not in Inspection.SCHEDULED_KINDS:
            # A plan stored with a kind no longer scheduled keeps it when changed.
            self.fields["kind"].choices = [
                *self.fields["kind"].choices,
                (kind, Inspection.Kind(kind).label),
            ]


class LeadInspectorForm(GovukForm):
    """An admin gives an inspection past fieldwork another lead inspector."""

    submit_label = "Change lead inspector"
    lead_inspector = forms.ModelChoiceField(
        label="New lead inspector",
        queryset=User.objects.none(),
        empty_label="Choose a lead inspector",
        error_messages={"required": "Select the new lead inspector"},
    )
    reason = forms.CharField(
        label="Why is the lead inspector changing?",
        help_text="This is kept on the inspection's record with the change.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={
            "required": "Enter why the lead inspector is changing",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )
    # The lead as the page showed them (their id).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_inspector"].queryset = (
            _inspectors()
            .filter(role=User.Role.LEAD_INSPECTOR)
            .exclude(pk=inspection.lead_inspector_id)
        )


class InspectionCancelForm(GovukForm):
    """Why an admin calls off a planned inspection (services.inspection_cancel)."""

    submit_label = "Cancel inspection"
    reason = forms.CharField(
        label="Why is this inspection being cancelled?",
        help_text="The force’s leads and the inspection team will see this on the "
        "inspection’s page. It is not put in emails.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why the inspection is being cancelled"},
    )
    # The plan as the page showed it (services.cancel_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A dangerous action: a warning button, never the default (ui.md).
        self.helper.layout[-1] = submit_button(
            self.submit_name, self.submit_label, css_class="govuk-button--warning"
        )


class JudgmentForm(GovukForm):
    submit_label = "Save draft"
    # The second button: saves what is on the page, then submits it, so
    # nothing changed on the page is left behind.
    SUBMIT = "submit_for_moderation"
    # Neither is required for a draft (work in progress is kept); both are
    # for submitting (clean).
    grade = forms.ChoiceField(
        label="Grade",
        choices=[Choice(g.value, g.label, hint=GRADE_MEANINGS[g]) for g in Grade],
        widget=forms.RadioSelect,
        required=False,
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Explain the grade against the assessment criteria, citing the evidence.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        required=False,
        error_messages={"max_length": "The rationale must be 10,000 characters or fewer"},
    )
    cites_case_reviews = forms.BooleanField(
        label="This judgment cites the case file review figures", required=False
    )
    interviews = _evidence_field("Interviews cited as evidence")
    documents = _evidence_field("Documents cited as evidence")
    # The judgment's version as the page showed it (services.seen_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, inspection: Inspection, rated_by_case_reviews: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        _evidence_choices(self, inspection)
        if not rated_by_case_reviews:
            # Case file reviews do not rate leadership: there are no figures
            # to cite (found by the grading review).
            _drop(self, "cites_case_reviews")
        self.helper.layout[0] = Field.radios("grade", legend_size=Size.MEDIUM)
        save = self.helper.layout.fields.pop()
        self.helper.layout.extend(
            [
                HTML('<div class="govuk-button-group">'),
                save,
                submit_button(
                    self.SUBMIT,
                    "Save and submit for moderation",
                    css_class="govuk-button--secondary",
                ),
                HTML("</div>"),
            ]
        )

    def clean(self):
        data = super().clean()
        grade, rationale = data.get("grade"), (data.get("rationale") or "").strip()
        if self.SUBMIT in self.data:
            if not grade:
                self.add_error("grade", "Select a grade")
            if not rationale and "rationale" not in self.errors:
                self.add_error("rationale", "Enter the rationale for the grade")
        elif not grade and not rationale and "rationale" not in self.errors:
            self.add_error(
                "grade", "Select a grade, or write some of the rationale, to save a draft"
            )
        return data


def _evidence_choices(form: forms.Form, inspection: Inspection) -> None:
    """Offer only this inspection's evidence; drop the question when there is none."""
    for name, queryset in (
        ("interviews", inspection.interviews.prefetch_related("participants")),
        ("documents", inspection.documents.all()),
    ):
        items = list(queryset)
        if items:
            form.fields[name].queryset = queryset
            form.fields[name].label_from_instance = evidence_label
        else:
            _drop(form, name)


def _drop(form: forms.Form, name: str) -> None:
    """A question the form does not ask, from its fields and its layout."""
    del form.fields[name]
    form.helper.layout.fields = [
        f for f in form.helper.layout.fields if getattr(f, "fields", [None])[0] != name
    ]


class ReturnJudgmentForm(GovukForm):
    submit_label = "Return to the inspector"
    submit_name = "return"
    comment = forms.CharField(
        label="Comment for the inspector",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter a comment for the inspector"},
    )
    # The judgment as the page showed it: the comment is about that grade.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Beside "Agree the judgment", the page's one primary button: returning
        # is the other answer, not the default (GOV.UK: one primary call to action).
        self.helper.layout[-1] = submit_button(
            self.submit_name, self.submit_label, css_class="govuk-button--secondary"
        )


class FindingForm(GovukForm):
    submit_label = "Save finding"
    kind = forms.ChoiceField(
        label="Type of finding",
        choices=Finding.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of finding"},
    )
    topic = forms.ChoiceField(
        label="Topic",
        choices=[("", "Choose a topic"), *Topic.choices],
        error_messages={"required": "Select the topic"},
    )
    summary = forms.CharField(
        label="Summary",
        help_text="One sentence, as it will appear in the report.",
        max_length=200,
        error_messages={
            "required": "Enter a summary of the finding",
            "max_length": "The summary must be 200 characters or fewer",
        },
    )
    detail = forms.CharField(
        label="Detail",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        error_messages={
            "required": "Enter the detail of the finding",
            "max_length": "The detail must be 10,000 characters or fewer",
        },
    )
    reported_to_force_on = GovukDateField(
        label="Date reported to the force",
        what="the date the cause of concern was reported to the force",
        help_text="Only for an accelerated cause of concern. For example, 27 3 2026",
        required=False,
    )
    interviews = _evidence_field("Interviews cited as evidence")
    documents = _evidence_field("Documents cited as evidence")
    # When changing a finding: its version as the page showed it.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        _evidence_choices(self, inspection)


class RecommendationForm(GovukForm):
    submit_label = "Add recommendation"
    text = forms.CharField(
        label="Recommendation",
        help_text="For example: Within six months, the force should…",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter the recommendation",
            "max_length": "The recommendation must be 2,000 characters or fewer",
        },
    )


# An interview offers this many participant rows at first; "Add another
# participant" adds one at a time, up to the most a focus group could have.
PARTICIPANT_ROWS = 3
MAX_PARTICIPANTS = 30
ADD_PARTICIPANT = "add_participant"


class InterviewForm(GovukForm):
    """An interview or discussion. Participants by role and organisation only.

    Bound with ``adding`` (the "Add another participant" button), the form
    only draws itself again with one more row: nothing is checked, so no
    error shows, and it is never valid, so nothing is saved.
    """

    submit_label = "Save interview"
    held_on = GovukDateField(
        label="Date of the interview",
        what="the date of the interview",
        help_text="For example, 27 3 2026",
    )
    topics = forms.MultipleChoiceField(
        label="Topics covered",
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the topics the interview covered"},
    )
    notes = forms.CharField(
        label="Notes",
        help_text="Do not write the names of participants or of any child.",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        error_messages={"max_length": "Notes must be 20,000 characters or fewer"},
    )

    def __init__(self, *args, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.adding = adding and self.is_bound
        self.rows = self._row_count()
        if self.is_bound:
            self.data = self.data.copy()
            self.data["participant_rows"] = str(self.rows)
        self.fields["participant_rows"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=self.rows
        )
        submit = self.helper.layout.pop()
        for n in range(1, self.rows + 1):
            self.fields[f"participant_{n}_role"] = forms.CharField(
                label="Role",
                help_text="For example, detective inspector. Not their name.",
                required=False,
                max_length=120,
                error_messages={
                    "max_length": f"Participant {n}'s role must be 120 characters or fewer"
                },
            )
            self.fields[f"participant_{n}_organisation"] = forms.ChoiceField(
                label="Organisation",
                choices=[("", "Choose an organisation"), *Participant.Organisation.choices],
                required=False,
            )
            if self.adding and n == self.rows:
                # The redrawn page opens at the row just added, in focus, as
                # the MOJ add-another pattern does. (Not by an address
                # fragment: Chrome ignores autofocus on a page that has one.)
                self.fields[f"participant_{n}_role"].widget.attrs["autofocus"] = True
            self.helper.layout.append(
                Fieldset(
                    Field(f"participant_{n}_role"),
                    Field(f"participant_{n}_organisation"),
                    legend=f"Participant {n}",
                    legend_size=Size.MEDIUM,
                    css_id=f"participant-{n}",
                )
            )
        self.helper.layout.append(Field("participant_rows"))
        if self.rows < MAX_PARTICIPANTS:
            # Enter in a field presses a form's first button: make that one
            # save, unseen and out of the tab order, not add a row.
            self.helper.layout.append(
                HTML(
                    f'<button type="submit" name="{self.submit_name}" class="govuk-visually-hidden"'
                    f' tabindex="-1" aria-hidden="true">{self.submit_label}</button>'
                )
            )
            # On a line of its own, above the save button.
            add = Button.secondary(ADD_PARTICIPANT, "Add another participant")
            self.helper.layout.append(Div(add))
        self.helper.layout.append(submit)

    def _row_count(self) -> int:
        """The rows the page had (its hidden count, kept within bounds), one more
        when adding; unbound, a row for each participant given as initial."""
        source = self.data if self.is_bound else self.initial
        try:
            rows = int(source.get("participant_rows", PARTICIPANT_ROWS))
        except (TypeError, ValueError):
            rows = PARTICIPANT_ROWS
        rows = min(max(rows, PARTICIPANT_ROWS), MAX_PARTICIPANTS)
        return min(rows + 1, MAX_PARTICIPANTS) if self.adding else rows

    def clean_held_on(self):
        return _not_in_the_future(self.cleaned_data["held_on"], "The date of the interview")

    def full_clean(self):
        if self.adding:
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.adding and super().is_valid()

    def clean(self):
        data = super().clean()
        participants, rows_started = [], False
        for n in range(1, self.rows + 1):
            if f"participant_{n}_role" in self.errors:
                # Too long: the field's own error says so. Its value is not in
                # cleaned_data, so it would otherwise read as missing too.
                rows_started = True
                continue
            role = (data.get(f"participant_{n}_role") or "").strip()
            organisation = data.get(f"participant_{n}_organisation")
            rows_started = rows_started or bool(role or organisation)
            if role and not organisation:
                self.add_error(
                    f"participant_{n}_organisation", f"Select participant {n}'s organisation"
                )
            elif organisation and not role:
                self.add_error(f"participant_{n}_role", f"Enter participant {n}'s role")
            elif role:
                participants.append((role, organisation))
        # Said with the page's other errors, not after they are put right: only
        # a row begun (its own error says what it lacks) is not called missing.
        if not rows_started:
            self.add_error("participant_1_role", "Enter the role of at least one participant")
        data["participants"] = participants
        return data


class InterviewChangeForm(InterviewForm):
    """Changing an interview: its answers as saved, a row for each participant."""

    submit_label = "Save changes"
    # The interview's version as the page showed it (services.seen_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, interview: Interview, seen: str, **kwargs):
        participants = list(interview.participants.all())
        initial = {
            "held_on": interview.held_on,
            "topics": interview.topics,
            "notes": interview.notes,
            "seen": seen,
            "participant_rows": len(participants),
        }
        for n, participant in enumerate(participants, start=1):
            initial[f"participant_{n}_role"] = participant.role
            initial[f"participant_{n}_organisation"] = participant.organisation
        super().__init__(*args, initial=initial, **kwargs)


class DocumentForm(GovukForm):
    submit_label = "Save document"
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Never a child’s name, or anything else that identifies a child",
        error_messages={
            "required": "Enter the title of the document",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of document",
        choices=Document.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of document"},
    )
    received_on = GovukDateField(
        label="Date received",
        what="the date the document was received",
        help_text="For example, 27 3 2026",
    )
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
        error_messages={"max_length": "Notes must be 20,000 characters or fewer"},
    )
    file = PrivateFileField(
        label="Upload a copy (optional)", kinds=Document.FILE_KINDS, required=False
    )

    def clean_received_on(self):
        return _not_in_the_future(
            self.cleaned_data["received_on"], "The date the document was received"
        )


class DocumentChangeForm(DocumentForm):
    """Changing a document, and what becomes of its file: kept, replaced or
    removed, the record staying. Plain radios, then the file input, used
    (and needed) only to replace it: GOV.UK's conditional reveal is not
    worth its script for one field."""

    KEEP, REPLACE, REMOVE = "keep", "replace", "remove"
    submit_label = "Save changes"
    field_order = ["title", "kind", "received_on", "notes", "file_action", "file"]
    file_action = forms.ChoiceField(
        label="What do you want to do with the file?",
        choices=[
            Choice(KEEP, "Keep the file"),
            Choice(REPLACE, "Replace it with a new file"),
            Choice(
                REMOVE,
                "Remove the file",
                hint="The record of the document stays. The file is deleted for good.",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to keep, replace or remove the file"},
    )
    # The document's version as the page showed it (services.seen_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, document: Document, seen: str, **kwargs):
        self.current_file = document.stored_file
        if self.current_file is None:
            # No file to keep or remove: the upload stays optional, as when recording.
            self.base_fields = {k: v for k, v in self.base_fields.items() if k != "file_action"}
        initial = {
            "title": document.title,
            "kind": document.kind,
            "received_on": document.received_on,
            "notes": document.notes,
            "file_action": self.KEEP,
            "seen": seen,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if self.current_file is not None:
            # Escaped here: crispy-forms-gds draws hints as they are.
            self.fields["file_action"].help_text = format_html(
                "The current file is {}.", self.current_file.original_name
            )
            self.fields["file"].label = "New file"
            self.fields["file"].help_text = (
                "Only if you are replacing the file. "
                + uploads.describe_limits(Document.FILE_KINDS)
            )

    def clean(self):
        data = super().clean()
        action, upload = data.get("file_action"), data.get("file")
        if self.current_file is None or "file" in self.errors:
            return data
        if action == self.REPLACE and not upload:
            self.add_error("file", "Select the new file")
        elif action in (self.KEEP, self.REMOVE) and upload:
            self.add_error(
                "file_action", "Select ‘Replace it with a new file’ to use the file you chose"
            )
        return data

    def changes_to_file(self) -> dict:
        """The upload and remove_file arguments of services.document_update."""
        action = self.cleaned_data.get("file_action")
        replacing = self.current_file is None or action == self.REPLACE
        return {
            "upload": self.cleaned_data["file"] if replacing else None,
            "remove_file": action == self.REMOVE,
        }


def _not_in_the_future(value, what: str):
    """Evidence records what has happened: its date is today or before (London)."""
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{what} must be today or in the past")
    return value


class DateForm(GovukForm):
    """One date for a lifecycle step, e.g. the date the force received the report."""

    date = GovukDateField(label="Date", what="the date")

    def __init__(self, *args, label: str, what: str, submit_label: str, hint: str = "", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["date"] = GovukDateField(label=label, what=what, help_text=hint)


class CorrectDatesForm(GovukForm):
    """An admin corrects the date the force received the report and, once
    published, the publication date; the deadlines follow (services.corrected_dates)."""

    received_on = GovukDateField(
        label="Date the force received the report for pre-publication checks",
        what="the date the force received the report",
    )
    published_on = GovukDateField(label="Date of publication", what="the publication date")
    reason = forms.CharField(
        label="Why are the dates being corrected?",
        help_text="This is kept on the inspection's record with the change.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter why the dates are being corrected"},
    )
    # The dates as the page showed them (services.dates_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, published: bool, **kwargs):
        if not published:
            # Before the layout is made from the fields.
            self.base_fields = {k: v for k, v in self.base_fields.items() if k != "published_on"}
        super().__init__(*args, **kwargs)


# Pre-publication (factual accuracy) checks ----------------------------------

ELSEWHERE = "elsewhere"


class FactualPointForm(GovukForm):
    """A factual accuracy point the force raises on the draft report. `where`
    is 'judgment:<topic>', 'finding:<id>' or 'elsewhere'; clean() gives the
    topic and finding the service takes."""

    submit_label = "Save as a draft"
    where = forms.ChoiceField(
        label="Which part of the report is the point about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select which part of the report the point is about"},
    )
    inaccuracy = forms.CharField(
        label="What is factually inaccurate?",
        help_text="Quote or describe what the report says.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": "Enter what is factually inaccurate",
            "max_length": "What is inaccurate must be 5,000 characters or fewer",
        },
    )
    correction = forms.CharField(
        label="What should the report say instead?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": "Enter the correction you suggest",
            "max_length": "The correction must be 5,000 characters or fewer",
        },
    )
    evidence = forms.CharField(
        label="Evidence for the correction (optional)",
        help_text="For example, the policy, data or record that shows it. "
        "Do not give a child's name or details that could identify them.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        error_messages={"max_length": "The evidence must be 5,000 characters or fewer"},
    )
    # The draft as the page showed it (services.seen_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, judgments, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings = {str(finding.pk): finding for finding in findings}
        self.fields["where"].choices = [
            *(
                (f"judgment:{j.topic}", f"{j.get_topic_display()} graded judgment")
                for j in judgments
            ),
            *(
                (f"finding:{pk}", f"{finding.get_kind_display()}: {finding.summary}")
                for pk, finding in self.findings.items()
            ),
            (ELSEWHERE, "Elsewhere in the report"),
        ]
        self.helper.layout[0] = Field.radios("where", legend_size=Size.MEDIUM)

    def clean(self):
        data = super().clean()
        kind, _, value = (data.get("where") or "").partition(":")
        data["topic"] = value if kind == "judgment" else ""
        data["finding"] = self.findings.get(value) if kind == "finding" else None
        return data


class FactualSendForm(GovukForm):
    """Check your answers, then send: the ids of the points checked."""

    points = forms.CharField(widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, count: int, **kwargs):
        self.submit_label = f"Send {count} point{'s' if count != 1 else ''} to the inspectorate"
        super().__init__(*args, **kwargs)

    def clean_points(self):
        try:
            return [uuid.UUID(value) for value in self.cleaned_data["points"].split(",")]
        except ValueError:
            raise forms.ValidationError("Check your points and send again") from None


class FactualResponseForm(GovukForm):
    submit_label = "Save response"
    response = forms.ChoiceField(
        label="Is the point accepted?",
        choices=FactualAccuracyPoint.Response.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the point is accepted"},
    )
    explanation = forms.CharField(
        label="Explanation for the force",
        help_text=(
            "The force will read this. Say what was corrected, if anything; "
            "it is needed if the point is not accepted."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        error_messages={"max_length": "The explanation must be 5,000 characters or fewer"},
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout[0] = Field.radios("response", legend_size=Size.MEDIUM)
        # "Explain why the point is not accepted" is the service's rule
        # (factual_accuracy.factual_point_respond), shown beside this field.


class FindingWordingForm(GovukForm):
    """A finding's words, corrected at pre-publication checks."""

    submit_label = "Save correction"
    summary = FindingForm.base_fields["summary"]
    detail = FindingForm.base_fields["detail"]
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class JudgmentWordingForm(GovukForm):
    """A graded judgment's rationale, corrected at pre-publication checks."""

    submit_label = "Save correction"
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10000,
        error_messages={
            "required": "Enter the rationale for the grade",
            "max_length": "The rationale must be 10,000 characters or fewer",
        },
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
