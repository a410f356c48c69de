from crispy_forms_gds.layout import Field, Size
from django import forms
from django.conf import settings

from core.forms import FilterFormMixin, GovukDateField, GovukForm, PrivateFileField

from .models import Notice, PlanResponse, PostInspectionVisit
from .pcc_response import pcc_response_problems
from .services import PLAN_DOCUMENT_KINDS


class PlanDocumentForm(GovukForm):
    submit_label = "Upload document"

    def __init__(self, *args, plan_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].label = f"Upload the {plan_label.lower()}"

    document = PrivateFileField(label="Upload the action plan", kinds=PLAN_DOCUMENT_KINDS)


class ResponseForm(GovukForm):
    submit_label = "Save response"

    action = forms.CharField(
        label="What the force will do",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter what the force will do"},
    )
    owner_role = forms.CharField(
        label="Role of the person responsible",
        help_text="For example, head of public protection. Give the role, not a name.",
        max_length=120,
        error_messages={"required": "Enter the role of the person responsible"},
    )
    target_on = GovukDateField(
        what="the target date", label="Target date", help_text="For example, 27 3 2027"
    )
    status = forms.ChoiceField(
        label="Status",
        choices=PlanResponse.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status of this action"},
    )
    # The draft's response as the page showed it (core.stale.row_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    layout_fields = [
        Field.textarea("action"),
        Field.text("owner_role"),
        Field("target_on", legend_size=Size.SMALL),
        Field.radios("status", legend_size=Size.SMALL, inline=False),
        Field("seen"),
    ]


class ReviewForm(GovukForm):
    submit_label = "Save decision"

    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(ACCEPT, "Accept this version"), (RETURN, "Return it to the force with comments")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you accept or return this version"},
    )
    comment = forms.CharField(
        label="Comments for the force",
        help_text="Required if you return the plan: say what the force must change.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )

    def clean(self):
        data = super().clean()
        comment = data.get("comment", "")
        if (
            data.get("decision") == self.RETURN
            and "comment" not in self.errors
            and not comment.strip()
        ):
            self.add_error("comment", "Enter comments to tell the force what to change")
        return data


class VisitScheduleForm(GovukForm):
    submit_label = "Continue"

    visit_on = GovukDateField(
        what="the date of the visit",
        label="Date of the visit",
        help_text="For example, 27 3 2027",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = settings.PROGRAMME_RULES["VISIT_NOTICE_DAYS"]
        self.fields[
            "visit_on"
        ].help_text = f"The force must have at least {days} days' notice. For example, 27 3 2027"


class AdminVisitScheduleForm(VisitScheduleForm):
    """Only an admin may allow short notice, and must give the reason."""

    short_notice_reason = forms.CharField(
        label="Reason for short notice",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = settings.PROGRAMME_RULES["VISIT_NOTICE_DAYS"]
        self.fields[
            "short_notice_reason"
        ].help_text = f"Only if the visit is less than {days} days away. The reason is recorded."


class VisitRecordForm(GovukForm):
    submit_label = "Save visit record"

    people_interviewed = forms.MultipleChoiceField(
        label="Who did you interview?",
        choices=PostInspectionVisit.Interviewee.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select who you interviewed"},
    )
    other_people_interviewed = forms.CharField(
        label="Roles of other officers and staff interviewed",
        help_text="Roles, not names. For example, detective inspector, MASH.",
        required=False,
        max_length=200,
    )
    documents_reviewed = forms.CharField(
        label="Documents reviewed",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter the documents you reviewed"},
    )
    feedback = forms.CharField(
        label="Feedback given to the force",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Enter the feedback you gave"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=PostInspectionVisit.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the visit"},
    )
    re_inspection_start = GovukDateField(
        what="the start of re-inspection fieldwork",
        label="Re-inspection fieldwork starts",
        help_text="Only if you recommend a full re-inspection. For example, 27 3 2027",
        required=False,
    )
    re_inspection_end = GovukDateField(
        what="the end of re-inspection fieldwork",
        label="Re-inspection fieldwork ends",
        required=False,
    )
    # The visit's version as the page showed it (core.stale.row_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    layout_fields = [
        Field.checkboxes("people_interviewed", legend_size=Size.SMALL),
        Field.text("other_people_interviewed"),
        Field.textarea("documents_reviewed"),
        Field.textarea("feedback"),
        Field.radios("outcome", legend_size=Size.SMALL),
        Field("re_inspection_start", legend_size=Size.SMALL),
        Field("re_inspection_end", legend_size=Size.SMALL),
        Field("seen"),
    ]

    def __init__(self, *args, re_inspection_planned: bool = False, **kwargs):
        if re_inspection_planned:
            # Its dates are the re-inspection's own now; the page shows them.
            self.layout_fields = [
                f for f in self.layout_fields if not str(f.fields[0]).startswith("re_inspection_")
            ]
        super().__init__(*args, **kwargs)
        if re_inspection_planned:
            del self.fields["re_inspection_start"], self.fields["re_inspection_end"]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == PostInspectionVisit.Outcome.FULL_RE_INSPECTION:
            for name in ("re_inspection_start", "re_inspection_end"):
                if name in self.fields and not data.get(name) and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        other = PostInspectionVisit.Interviewee.OTHER
        if (
            other in data.get("people_interviewed", [])
            and "other_people_interviewed" not in self.errors
            and not data.get("other_people_interviewed")
        ):
            self.add_error(
                "other_people_interviewed",
                "Enter the roles of the other officers and staff you interviewed",
            )
        if (
            data.get("other_people_interviewed")
            and "people_interviewed" not in self.errors
            and other not in data.get("people_interviewed", [])
        ):
            # Kept without the tick, the record read as if they were not
            # interviewed and listed their roles (found by the bad input review).
            self.add_error(
                "people_interviewed",
                "Select other officers and staff if you interviewed them, "
                "or delete the roles you entered",
            )
        return data


class VisitCancelForm(GovukForm):
    submit_label = "Cancel the visit"
    reason = forms.CharField(
        label="Why is the visit cancelled?",
        help_text="The force will see this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why the visit is cancelled",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class PccResponseForm(GovukForm):
    """When the police and crime commissioner published their response, and where."""

    submit_label = "Save response"

    published_on = GovukDateField(
        what="the date the response was published",
        label="When was the response published?",
        help_text="For example, 3 3 2027",
    )
    url = forms.CharField(
        label="Web address of the response (optional)",
        help_text="Where the commissioner published it, starting with https://",
        required=False,
        max_length=500,
        # Not from the label, whose "(optional)" is no part of the thing's
        # name (found by the force lead review).
        error_messages={"max_length": "The web address must be 500 characters or fewer"},
        widget=forms.URLInput(attrs={"spellcheck": "false"}),
    )
    # The response as the page showed it (pcc_response.pcc_response_version).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    layout_fields = [
        Field("published_on", legend_size=Size.SMALL),
        Field.text("url"),
        Field("seen"),
    ]

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection

    def clean(self):
        """Every problem at once, as GOV.UK asks: the service's rules for each
        answer given (it checks them again as it saves)."""
        data = super().clean()
        problems = pcc_response_problems(
            self.inspection, published_on=data.get("published_on"), url=data.get("url", "")
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class NoticeFilterForm(FilterFormMixin, forms.Form):
    """Narrows someone's notifications to one force, or to what they are
    about (found by the lists review: an admin is sent every force's overdue
    notices, page after page of 25, with nothing to find one force's by).
    A force lead's are all their own force's: they choose what about only.
    A value not offered (an old link) is left out, the rest kept."""

    force = forms.ModelChoiceField(
        label="Force", queryset=None, required=False, empty_label="All forces"
    )
    about = forms.ChoiceField(
        label="About",
        required=False,
        choices=[("", "Everything"), *Notice.Subject.choices],
    )
    show = forms.ChoiceField(
        required=False, choices=[("all", "all"), ("unread", "unread")], widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        from forces.models import Force

        super().__init__(*args, **kwargs)
        if user.is_force_lead:
            del self.fields["force"]
        else:
            self.fields["force"].queryset = Force.objects.order_by("short_name")
            self.fields["force"].label_from_instance = lambda force: force.short_name
        for name in ("force", "about"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "govuk-select"

    def chosen(self) -> dict:
        """The valid choices given, by name."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def filter(self, notices):
        chosen = self.chosen()
        if "force" in chosen:
            notices = notices.filter(inspection__force=chosen["force"])
        if "about" in chosen:
            notices = notices.filter(subject=chosen["about"])
        return notices
