from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import template_localtime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actionplans.models import Notice
from actionplans.notices import told_sentence
from actionplans.services import DRAFT_ACTIONS, followup_context
from casefiles.models import REVIEWED_TOPICS
from casefiles.selectors import review_progress, topic_figures
from casefiles.services import SECOND_REVIEW_MOVED
from core import audit, background, fragments, uploads
from core.forms import HistoryFilterForm, add_service_errors, posted_answers
from core.links import ANY, url_maker
from core.models import AuditEvent
from core.stale import offer_to_replace
from core.templatetags.govuk import action_label, audit_value, govuk_date, govuk_datetime, humanise
from core.text import read_as_typed
from forces.forms import ForceFilterForm

from . import reports, services, tracker
from .access import can_moderate, can_work_on, get_inspection_for_user, require_inspectorate
from .forms import (
    ADD_PARTICIPANT,
    CorrectDatesForm,
    DateForm,
    DocumentChangeForm,
    DocumentForm,
    FindingForm,
    InspectionCancelForm,
    InspectionPlanForm,
    InterviewChangeForm,
    InterviewForm,
    JudgmentForm,
    LeadInspectorForm,
    RecommendationForm,
    ReturnJudgmentForm,
)
from .models import (
    Document,
    Finding,
    Grade,
    Inspection,
    Interview,
    Judgment,
    Participant,
    Recommendation,
    ReportFile,
    Topic,
    evidence_label,
    topic_labels,
)
from .programme import programme

Stage = Inspection.Stage

# The inspection's overview shows its latest events; its history page the rest.
OVERVIEW_EVENTS = 10
HISTORY_PAGE_SIZE = 50


def _apply(form, call) -> bool:
    """Run a service; turn its ValidationError into form errors. True on success."""
    try:
        call()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


def _require_admin(request: HttpRequest) -> None:
    if request.user.is_force_lead:
        raise Http404
    if not request.user.is_admin:
        raise PermissionDenied


# The programme --------------------------------------------------------------


def programme_view(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    filters = ForceFilterForm(request.GET or None)
    data = filters.valid_data()
    due = request.GET.get("due", "")
    sort = request.GET.get("sort", "due")
    context = {
        "filters": filters,
        "due": due,
        "sort": sort,
        "sort_query": filters.sort_query(due=due),
        "cadence_years": settings.PROGRAMME_RULES["CADENCE_YEARS"],
    }
    return fragments.render(
        request,
        "inspections/programme.html",
        context,
        body=lambda: {
            "rows": programme(
                today=timezone.localdate(),
                region=data.get("region", ""),
                country=data.get("country", ""),
                due=due if due in ("due", "not_due") else "",
                sort=sort,
            )
        },
    )


def inspection_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = InspectionPlanForm(request.POST or None, initial={"force": request.GET.get("force")})
    if _plan_posted(request, form):
        plan = dict(form.cleaned_data)  # a refusal takes its field out of cleaned_data
        if scheduled := _scheduled_already(request, plan):
            return scheduled  # the back button, sent again
        if check := _plan_check(request, form):
            return check
        if _apply(
            form,
            lambda: setattr(
                form,
                "created",
                services.inspection_schedule(**plan, by=request.user),
            ),
        ):
            messages.success(request, f"{form.created} scheduled")
            return redirect(form.created)
        if scheduled := _scheduled_already(request, plan):
            return scheduled  # a second click that waited for the first
    return render(request, "inspections/plan_form.html", {"form": form})


def _scheduled_already(request: HttpRequest, plan: dict) -> HttpResponse | None:
    """The open inspection with just this plan, if there is one: scheduling
    sent again (a second click, the back button) goes to it, saying so,
    rather than refusing it as another open inspection of the force."""
    same = Inspection.objects.open().filter(
        force=plan["force"],
        kind=plan["kind"],
        fieldwork_start=plan["fieldwork_start"],
        fieldwork_end=plan["fieldwork_end"],
        lead_inspector=plan["lead_inspector"],
    )
    team = {member.pk for member in plan["team"]} - {plan["lead_inspector"].pk}
    inspection = next((i for i in same if {m.pk for m in i.team.all()} == team), None)
    if inspection is None:
        return None
    messages.info(request, f"{inspection} is scheduled already, with this plan")
    return redirect(inspection)


def _plan_posted(request: HttpRequest, form: InspectionPlanForm) -> bool:
    """A valid plan posted to be saved (or checked), not sent back to change."""
    return request.method == "POST" and "change" not in request.POST and form.is_valid()


def _plan_check(
    request: HttpRequest, form: InspectionPlanForm, inspection: Inspection | None = None
) -> HttpResponse | None:
    """The check page, with a warning, before a plan whose fieldwork starts
    before today is saved; the form again if the plan must fail; None to
    save it now (no warning, or confirmed on the check page)."""
    if "confirm" in request.POST:
        return None
    data = form.cleaned_data
    warning = services.fieldwork_start_warning(
        fieldwork_start=data["fieldwork_start"],
        today=timezone.localdate(),
        recorded=inspection.fieldwork_start if inspection else None,
    )
    handing_back = _handing_back(form, inspection)
    if warning is None and not handing_back:
        return None
    context = {"form": form, "inspection": inspection}
    force = data["force"] if inspection is None else inspection.force
    names = ("kind", "fieldwork_start", "fieldwork_end", "lead_inspector")
    plan = {name: data[name] for name in names}
    if not _apply(
        form,
        lambda: services.inspection_plan_check(
            force=force, team=data["team"], inspection=inspection, **plan
        ),
    ):
        return render(request, "inspections/plan_form.html", context)
    context |= {"force": force, "warning": warning, "answers": posted_answers(request, form)}
    context["hand_back_warning"] = services.hand_back_warning(handing_back)
    context["kind"] = Inspection.Kind(data["kind"]).label
    # The team as it will be saved: the lead, if ticked there too, leads it.
    context["team"] = [m for m in data["team"] if m.pk != data["lead_inspector"].pk]
    return render(request, "inspections/plan_check.html", context)


def _handing_back(form: InspectionPlanForm, inspection: Inspection | None) -> list:
    """Whose case file reviews, and how many, saving the plan would hand back
    (services.plan_cases_to_hand_back): none for a new inspection."""
    if inspection is None:
        return []
    data = form.cleaned_data
    return services.plan_cases_to_hand_back(
        inspection, lead_inspector=data["lead_inspector"], team=data["team"]
    )


def inspection_dates(request: HttpRequest, inspection_id) -> HttpResponse:
    """An admin corrects a trigger date: the form, then a check of every date
    that changes with it (the deadlines derived again), then the change."""
    inspection = get_inspection_for_user(request, inspection_id)
    _require_admin(request)
    if inspection.received_for_checks_on is None or inspection.stage == Inspection.Stage.CLOSED:
        raise Http404("No dates to correct")  # and no link to here
    published = inspection.published_on is not None
    initial = {
        "received_on": inspection.received_for_checks_on,
        "published_on": inspection.published_on,
    }
    seen = services.dates_version(inspection)
    form = CorrectDatesForm(
        request.POST or None, initial={**initial, "seen": seen}, published=published
    )
    if request.method == "POST" and "change" not in request.POST and form.is_valid():
        data = form.cleaned_data
        # Only what was changed, so a refusal names the date that was edited.
        dates = {
            name: data.get(name) if data.get(name) != initial[name] else None for name in initial
        }
        try:
            after = services.corrected_dates(inspection, **dates)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            changes = [
                (label, getattr(inspection, field), after[field])
                for field, label in services.DATE_FIELDS
                if after[field] != getattr(inspection, field)
            ]
            # The same dates again from a page drawn before a correction since
            # is a second click on Save: the service says they are saved.
            second_click = "confirm" in request.POST and data["seen"] not in ("", seen)
            if not changes and not second_click:
                form.add_error(
                    "received_on", "Enter a different date: these are the dates already recorded"
                )
            elif "confirm" in request.POST:
                if corrected := _correct_dates(request, form, inspection, dates):
                    return corrected
            else:
                context = {
                    "inspection": inspection,
                    "changes": changes,
                    "reason": data["reason"],
                    "answers": posted_answers(request, form),
                }
                return render(request, "inspections/dates_check.html", context)
    return render(request, "inspections/dates_form.html", {"inspection": inspection, "form": form})


def _correct_dates(
    request: HttpRequest, form, inspection: Inspection, dates
) -> HttpResponse | None:
    """Correct the dates, checked again under the row lock: a change committed
    since the page was drawn (another admin's correction) can still refuse
    it. None to draw the form again, saying why."""
    data = form.cleaned_data
    try:
        corrected = services.inspection_correct_dates(
            inspection=inspection,
            by=request.user,
            reason=data["reason"],
            seen=data["seen"] or None,
            **dates,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        # The service read the dates afresh into `inspection`.
        offer_to_replace(form, services.STALE_DATES, lambda: services.dates_version(inspection))
        return None
    if corrected:
        messages.success(request, "Dates corrected. The deadlines that depend on them have changed")
    else:  # a second click on Save: corrected already
        messages.info(request, "The dates already say this: there were no changes to save")
    return redirect(inspection)


def inspection_edit(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = get_inspection_for_user(request, inspection_id)
    _require_admin(request)
    if why := services.plan_fixed(inspection):
        # Cancelled, or past fieldwork (a page drawn before, the back button,
        # a bookmark): the inspection's page, saying why, rather than a plan
        # form, and a check page to confirm, for a change that must fail.
        messages.info(request, why)
        return redirect(inspection)
    initial = {
        "kind": inspection.kind,
        "fieldwork_start": inspection.fieldwork_start,
        "fieldwork_end": inspection.fieldwork_end,
        "lead_inspector": inspection.lead_inspector,
        "team": list(inspection.team.all()),
        "seen": services.plan_version(inspection),
    }
    form = InspectionPlanForm(request.POST or None, initial=initial, fixed_force=inspection.force)
    if _plan_posted(request, form):
        if check := _plan_check(request, form, inspection):
            return check
        plan = {**form.cleaned_data, "seen": form.cleaned_data["seen"] or None}
        handing_back = _handing_back(form, inspection)
        if _apply(
            form,
            lambda: services.inspection_update_plan(inspection=inspection, **plan, by=request.user),
        ):
            messages.success(request, "Inspection plan saved" + _handed_back(handing_back))
            return redirect(inspection)
        # The service read the plan afresh into `inspection`.
        offer_to_replace(
            form, services.STALE_PLAN_CHANGE, lambda: services.plan_version(inspection)
        )
    return render(request, "inspections/plan_form.html", {"form": form, "inspection": inspection})


def _handed_back(handing_back: list) -> str:
    """The case file reviews handed back, for the plan's confirmation."""
    if not handing_back:
        return ""
    total = sum(cases for _, cases in handing_back)
    names = " and ".join(person.full_name for person, _ in handing_back)
    reviews = f"{total} case file review{'s' if total != 1 else ''}"
    return (
        f". {reviews} of {names}, not submitted, {'are' if total != 1 else 'is'} no "
        "longer assigned, and the lead inspector has been told to assign "
        f"{'them' if total != 1 else 'it'} again"
    )


def _leads_already(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    """The lead chosen leads it already (a second click, the back button)."""
    name = inspection.lead_inspector.full_name
    messages.info(request, f"{name} leads this inspection")
    return redirect(inspection)


def inspection_lead(request: HttpRequest, inspection_id) -> HttpResponse:
    """An admin gives an inspection past fieldwork another lead inspector."""
    inspection = get_inspection_for_user(request, inspection_id)
    _require_admin(request)
    if not inspection.lead_changeable:
        # Before moderation the plan page changes the lead; a closed
        # inspection keeps its own. No link leads here then.
        raise Http404("No lead inspector to change here")
    if request.POST.get("lead_inspector") == str(inspection.lead_inspector_id):
        return _leads_already(request, inspection)  # the back button, sent again
    seen = str(inspection.lead_inspector_id)
    form = LeadInspectorForm(request.POST or None, inspection=inspection, initial={"seen": seen})
    if form.is_valid():
        change = {**form.cleaned_data, "seen": form.cleaned_data["seen"] or None}
        if _apply(
            form,
            lambda: services.inspection_change_lead(
                inspection=inspection, **change, by=request.user
            ),
        ):
            messages.success(
                request, f"{change['lead_inspector'].full_name} now leads this inspection"
            )
            return redirect(inspection)
        if inspection.lead_inspector_id == change["lead_inspector"].pk:  # a second click
            return _leads_already(request, inspection)
        # The service read the lead afresh into `inspection`.
        offer_to_replace(form, services.STALE_LEAD, lambda: str(inspection.lead_inspector_id))
    context = {
        "form": form,
        "inspection": inspection,
        # Found by a review: an empty list, and a button that could only refuse.
        "no_one_else": not form.fields["lead_inspector"].queryset.exists(),
        "hand_back_warning": services.hand_back_warning(
            services.lead_change_cases_to_hand_back(inspection),
            saving="Changing the lead inspector",
        ),
    }
    return render(request, "inspections/lead_form.html", context)


def inspection_cancel(request: HttpRequest, inspection_id) -> HttpResponse:
    """An admin calls off a planned inspection: why, a warning of what follows,
    then the inspection page. Once it is cancelled, or fieldwork has started
    (a second click, or a page drawn before), it says so on the inspection page."""
    inspection = get_inspection_for_user(request, inspection_id)
    _require_admin(request)
    form = InspectionCancelForm(
        request.POST or None, initial={"seen": services.cancel_version(inspection)}
    )
    if inspection.stage == Stage.PLANNED and form.is_valid():
        try:
            services.inspection_cancel(
                inspection=inspection,
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"] or None,
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            offer_to_replace(form, services.STALE_PLAN, lambda: services.cancel_version(inspection))
        else:
            messages.success(request, _cancelled_message(inspection))
            return redirect(inspection)
    if inspection.stage != Stage.PLANNED:  # the service read it afresh, if it ran
        why = services.ALREADY_CANCELLED if inspection.is_cancelled else services.NOT_CANCELLABLE
        messages.info(request, why)
        return redirect(inspection)
    context = {"inspection": inspection, "form": form, "team": list(inspection.team.all())}
    return render(request, "inspections/cancel.html", context)


def _cancelled_message(inspection: Inspection) -> str:
    told = Notice.objects.filter(inspection=inspection, kind=Notice.Kind.INSPECTION_CANCELLED)
    said = told_sentence(told, inspection=inspection, force_words="the force’s leads", team=True)
    return f"Inspection cancelled. {said}"


# The inspection page ------------------------------------------------------


def inspection_detail(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = get_inspection_for_user(request, inspection_id)
    user = request.user
    if user.is_force_lead:
        return fragments.render(
            request,
            "inspections/detail_force.html",
            {"inspection": inspection},
            body=lambda: {
                **_report_context(inspection, shown=inspection.force_sees_findings),
                **followup_context(inspection=inspection, user=user),
            },
        )
    return fragments.render(
        request,
        "inspections/detail.html",
        {"inspection": inspection},
        body=lambda: _detail_context(inspection, user),
    )


def _detail_context(inspection: Inspection, user) -> dict:
    judgments = list(inspection.judgments.all())
    judgment_url = url_maker("inspections:judgment", inspection.pk, ANY)
    for judgment in judgments:
        judgment.url = judgment_url(judgment.topic)  # its get_absolute_url()
    findings = services.finding_rows(inspection)
    evidence = services.evidence_counts(inspection)
    # One more than the overview shows, to know whether to link to the rest.
    latest = list(_history(inspection)[: OVERVIEW_EVENTS + 1])
    return {
        **followup_context(inspection=inspection, user=user),
        "case_figures": review_progress(inspection),
        "judgments": judgments,
        "findings_count": len(findings),
        "interviews_count": evidence["interviews"],
        "documents_count": evidence["documents"],
        "blockers": services.publication_blockers(
            inspection, judgments=judgments, findings=findings
        ),
        "can_moderate": can_moderate(user, inspection),
        "can_work_on": can_work_on(user, inspection),
        "team_names": list(inspection.team.values_list("full_name", flat=True)),
        # Moderation starts once every topic is put forward: until then, which.
        "not_put_forward": [
            j for j in judgments if j.status in (Judgment.Status.NOT_STARTED, Judgment.Status.DRAFT)
        ],
        # The latest of what happened to the inspection; the rest on its
        # history page.
        "timeline": _timeline(latest[:OVERVIEW_EVENTS]),
        "more_history": len(latest) > OVERVIEW_EVENTS,
    }


def _history(inspection: Inspection):
    """What happened to the inspection, newest first. Who took copies of its
    files, and the force's drafting of its plans, are on the audit trail
    (admins') only: the plan's submission says what went in. So is the case
    a second review moved to before its review was in: its reviewer is on
    the team, and must not know."""
    return (
        AuditEvent.objects.filter(inspection_id=inspection.pk)
        .exclude(action__in=("file.downloaded", SECOND_REVIEW_MOVED, *DRAFT_ACTIONS))
        .select_related("actor")
        .order_by("-at", "-id")
    )


@require_GET
def inspection_history(request: HttpRequest, inspection_id) -> HttpResponse:
    """Everything that happened to the inspection, 50 to a page, where the
    overview shows the latest ten: the team reads back what changed in
    moderation, which only admins could otherwise find (on the audit trail).
    The inspectorate's, like the evidence: never a force's."""
    inspection = _evidence_page(request, inspection_id)
    filters = HistoryFilterForm(request.GET)
    events = filters.filter(_history(inspection))
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "inspection": inspection,
        "filters": filters,
        "page_obj": page,
        "timeline": _timeline(page.object_list),
    }
    return render(request, "inspections/history.html", context)


def _timeline(events) -> list[dict]:
    """What _timeline.html shows of each audit event, as plain values: what
    the filters action_label, govuk_datetime, humanise and audit_value give,
    and its time as {{ at|date:"c" }} writes it."""
    return [
        {
            "object_repr": event.object_repr,
            "action": action_label(event.action),
            # Told apart from a namesake on the team (audit.person).
            "by": audit.person(event.actor) if event.actor else "the system",
            "at_iso": date_filter(template_localtime(event.at), "c"),
            "at": govuk_datetime(event.at),
            "changes": [
                (humanise(field), audit_value(_nth(change, 0)), audit_value(_nth(change, 1)))
                for field, change in (event.changes or {}).items()
            ],
            "comment": "" if _comment_among_changes(event) else event.comment,
        }
        for event in events
    ]


def _comment_among_changes(event) -> bool:
    """A judgment returned records the lead's comment as the change to its
    moderation comment too: shown once, not twice (found by a review)."""
    change = (event.changes or {}).get("moderation_comment")
    return bool(event.comment) and _nth(change, 1) == event.comment


def _nth(change, n: int):
    """change[n], or "" as the template's {{ change.n }} gives for none."""
    try:
        return change[n]
    except (IndexError, KeyError, TypeError):
        return ""


def _report_context(inspection: Inspection, *, shown: bool) -> dict:
    """Grades and findings as the report will show them, or none (a force lead
    sees them only from pre-publication checks on), as plain values. Each
    judgment carries its topic's findings, in the PDF's order (as
    reports.in_report_order gives it), and each finding its recommendations,
    numbered through the report as the PDF numbers them: the template loops
    over them without filtering or querying."""
    if not shown:
        return {"inspection": inspection, "judgments": [], "findings": []}
    topics, grades = dict(Topic.choices), dict(Grade.choices)
    judgments = [
        {
            "topic": topic,
            "topic_label": topics.get(topic, topic),
            "grade": grade,
            "grade_label": grades.get(grade, grade),
            "rationale": rationale,
            "report_findings": [],
        }
        for topic, grade, rationale in inspection.judgments.values_list(
            "topic", "grade", "rationale"
        )
    ]
    findings = _finding_rows(inspection, links=False)
    by_topic: dict[str, list[dict]] = {}
    number = 0
    in_order = reports.in_report_order(
        findings, topic_of=itemgetter("topic"), kind_of=itemgetter("kind_value")
    )
    for topic, _, items in in_order:
        for finding in items:
            for recommendation in finding["recommendations"]:
                number += 1
                recommendation["number"] = number
            by_topic.setdefault(topic.value, []).append(finding)
    for judgment in judgments:
        judgment["report_findings"] = by_topic.get(judgment["topic"], [])
    return {
        "inspection": inspection,
        "judgments": judgments,
        "findings": findings,
        "draft_marking": reports.draft_marking(inspection),
    }


def report_view(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = get_inspection_for_user(request, inspection_id)
    # A cancelled inspection has no report, for anyone (found by the outputs
    # review: its team saw a draft of five topics not graded).
    shown = not inspection.is_cancelled and (
        not request.user.is_force_lead or inspection.force_sees_findings
    )
    return fragments.render(
        request,
        "inspections/report.html",
        {"inspection": inspection},
        body=lambda: _report_context(inspection, shown=shown),
    )


# Lifecycle ----------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    title: str
    service: Callable
    from_stage: str
    # What the step does, said before it is taken; {names} are filled from
    # settings.PROGRAMME_RULES, so the page says what the service will do.
    what: str
    done: Callable[[Inspection], str]  # the banner once it is done
    # (the service's name for the date, its label, its name in messages, a hint)
    date_field: tuple[str, str, str, str] | None = None
    admin_only: bool = False


TRANSITIONS = {
    "start-fieldwork": Transition(
        "Start fieldwork",
        services.inspection_start_fieldwork,
        Stage.PLANNED,
        "The team can then record interviews and documents, review case files and "
        "grade the 5 topics.",
        lambda i: "Fieldwork started",
    ),
    "start-moderation": Transition(
        "Start moderation",
        services.inspection_start_moderation,
        Stage.FIELDWORK,
        "The lead inspector can then agree each graded judgment, or return it to "
        "the inspector with a comment. Inspectors can no longer change the grades.",
        lambda i: "Moderation started: the lead inspector can now agree or return each judgment",
    ),
    "send-for-checks": Transition(
        "Send the report for pre-publication checks",
        services.inspection_send_for_checks,
        Stage.MODERATION,
        "The force will see the draft report, with its grades and findings, and its "
        "action plan will be due {ACTION_PLAN_DAYS} days after the date it received the report.",
        lambda i: (
            "Report sent for pre-publication checks. "
            f"The force’s action plan is due on {govuk_date(i.action_plan_due_on)}"
        ),
        (
            "received_on",
            "Date the force received the report",
            "the date the force received the report",
            "For example, 2 3 2026",
        ),
    ),
    "publish": Transition(
        "Publish the report",
        services.inspection_publish,
        Stage.PRE_PUBLICATION,
        "The force’s updated action plan will be due {updated_action_plan_period} after "
        "the publication date.",
        lambda i: (
            f"Report published on {govuk_date(i.published_on)}. The force’s updated "
            f"action plan is due on {govuk_date(i.updated_action_plan_due_on)}"
        ),
        (
            "published_on",
            "Publication date",
            "the publication date",
            "The day the report is published. For example, 1 4 2026",
        ),
    ),
    "start-follow-up": Transition(
        "Start follow-up",
        services.inspection_start_follow_up,
        Stage.PUBLISHED,
        "Follow-up tracks the force’s action plans and the post-inspection visits "
        "until an admin closes the inspection.",
        lambda i: "Follow-up started",
    ),
    "close": Transition(
        "Close the inspection",
        services.inspection_close,
        Stage.FOLLOW_UP,
        "The inspection will take no more evidence, action plans or visits. Its case "
        "review notes and files will be deleted under the retention policy, "
        "{RETENTION_MONTHS} months after the date it closed.",
        lambda i: f"Inspection closed on {govuk_date(i.closed_on)}",
        ("closed_on", "Date closed", "the date the inspection closed", "For example, 1 9 2026"),
        admin_only=True,
    ),
}
STAGE_ORDER = list(Stage.values)


def _in_weeks(days: int) -> str:
    """The methodology's "eight weeks" (as 8 weeks), when the days make weeks."""
    if days % 7:
        return f"{days} day{pluralize(days)}"
    return f"{days // 7} week{pluralize(days // 7)}"


def _taken(inspection: Inspection, step: Transition) -> bool:
    """Whether the inspection has moved past the stage the step is taken at."""
    return STAGE_ORDER.index(inspection.stage) > STAGE_ORDER.index(step.from_stage)


def _already_taken(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    """A step sent again once it was taken (a second click, the back button,
    another person first): the inspection page, saying so, not an error."""
    if inspection.is_cancelled:
        messages.info(request, "The inspection was cancelled, so it takes no more steps")
    else:
        stage = inspection.get_stage_display()
        messages.info(
            request, f"This step has been taken: the inspection is at the ‘{stage}’ stage"
        )
    return redirect(inspection)


def transition(request: HttpRequest, inspection_id, action: str) -> HttpResponse:
    """Check-your-answers page for a lifecycle step, then the step itself.
    A step that cannot be taken (taken already, not yet due, or something
    still to do) says why, and offers no button."""
    inspection = get_inspection_for_user(request, inspection_id)
    if action not in TRANSITIONS:
        raise Http404
    if not (request.user.is_admin or can_moderate(request.user, inspection)):
        if request.user.is_force_lead:
            raise Http404
        raise PermissionDenied
    step = TRANSITIONS[action]
    if step.admin_only and not request.user.is_admin and request.method == "POST":
        raise PermissionDenied
    date_field = step.date_field
    form = None
    if date_field:
        form = DateForm(
            request.POST or None,
            label=date_field[1],
            what=date_field[2],
            hint=date_field[3],
            submit_label=step.title,
        )
    errors: list[str] = []
    if request.method == "POST" and _taken(inspection, step):
        return _already_taken(request, inspection)  # the back button, sent again
    if request.method == "POST" and (form is None or form.is_valid()):
        kwargs = {date_field[0]: form.cleaned_data["date"]} if form else {}
        try:
            step.service(inspection=inspection, by=request.user, **kwargs)
        except ValidationError as error:
            if _taken(inspection, step):  # read afresh: a second click, or another person
                return _already_taken(request, inspection)
            if form is None:
                errors = error.messages
            else:  # the service names the date by its own name (published_on, say)
                add_service_errors(form, error, aliases={date_field[0]: "date"})
        else:
            messages.success(request, step.done(inspection))
            return redirect(inspection)
    if action in ("send-for-checks", "publish"):
        blockers = services.publication_blockers(inspection)
    elif action == "start-moderation":
        blockers = services.moderation_blockers(inspection)
    else:
        blockers = []
    here, there = STAGE_ORDER.index(inspection.stage), STAGE_ORDER.index(step.from_stage)
    context = {
        "inspection": inspection,
        "title": step.title,
        "what": step.what.format(
            **settings.PROGRAMME_RULES,
            updated_action_plan_period=_in_weeks(
                settings.PROGRAMME_RULES["UPDATED_ACTION_PLAN_DAYS"]
            ),
        ),
        "not_theirs": step.admin_only and not request.user.is_admin,
        "action": action,
        "form": form,
        "errors": errors,
        "taken": here > there,
        "too_soon": here < there,
        "from_stage": Stage(step.from_stage).label,
        # The step that can be taken now, if any.
        "next_step": next(
            (
                (name, s.title)
                for name, s in TRANSITIONS.items()
                if s.from_stage == inspection.stage and (request.user.is_admin or not s.admin_only)
            ),
            None,
        ),
        "blockers": blockers,
        # Started before its planned start, fieldwork cannot be undone, and an
        # inspection in fieldwork can no longer be cancelled (found by the
        # admin review: offered months early, one click was for good).
        "starts_later": action == "start-fieldwork"
        and inspection.fieldwork_start > timezone.localdate(),
    }
    return render(request, "inspections/transition.html", context)


# Graded judgments ---------------------------------------------------------


def _judgment_for(request: HttpRequest, inspection_id, topic: str) -> Judgment:
    inspection = get_inspection_for_user(request, inspection_id)
    require_inspectorate(request, inspection)
    judgment = get_object_or_404(inspection.judgments, topic=topic)
    judgment.inspection = inspection
    return judgment


def judgment_detail(request: HttpRequest, inspection_id, topic: str) -> HttpResponse:
    judgment = _judgment_for(request, inspection_id, topic)
    inspection = judgment.inspection
    if request.method == "POST" and not can_work_on(request.user, inspection):
        raise PermissionDenied
    if request.method != "POST":
        # Read-only, the page has no form, so none of the evidence queries
        # that would fill its choices.
        editable = _editable(request.user, judgment)
        return fragments.render(
            request,
            "inspections/judgment.html",
            {"inspection": inspection, "judgment": judgment},
            body=lambda: _judgment_context(
                request, judgment, _judgment_form(judgment, None) if editable else None
            ),
        )
    if not _editable(request.user, judgment):
        # A stale page (submitted, agreed or moved on in another tab): the
        # read-only page has no form to show the refusal beside.
        messages.error(request, _not_changed(judgment, "your changes were not saved"))
        return redirect(judgment)
    form = _judgment_form(judgment, request.POST)
    submit = JudgmentForm.SUBMIT in request.POST

    def save() -> None:
        services.judgment_save(
            judgment=judgment,
            grade=form.cleaned_data["grade"],
            rationale=form.cleaned_data["rationale"],
            cites_case_reviews=form.cleaned_data.get("cites_case_reviews", False),
            interviews=form.cleaned_data.get("interviews", []),
            documents=form.cleaned_data.get("documents", []),
            by=request.user,
            seen=form.cleaned_data["seen"] or None,
        )
        if submit:
            services.judgment_submit(judgment=judgment, by=request.user)

    if form.is_valid():
        # Saved and submitted together, or neither.
        if _apply(form, transaction.atomic(save) if submit else save):
            done = "submitted for moderation" if submit else "draft saved"
            messages.success(request, f"{judgment.get_topic_display()}: {done}")
            if (
                not submit
                and judgment.grade == Grade.INADEQUATE
                and not services.topic_has_concern(inspection, judgment.topic)
            ):
                messages.info(
                    request,
                    "Inadequate needs a cause of concern on this topic: record it "
                    "before you submit the judgment",
                )
            return redirect(judgment)
        if submit:
            judgment.refresh_from_db(fields=["status"])  # the save was rolled back too
        _offer_to_replace(form, judgment, services.STALE_JUDGMENT)
    if not _editable(request.user, judgment):
        # Refused because, while it waited for the inspection's lock, the
        # judgment was submitted or the stage moved on (the service read both
        # afresh into these objects): the read-only page has no form for it.
        messages.error(request, _not_changed(judgment, "your changes were not saved"))
        return redirect(judgment)
    return render(request, "inspections/judgment.html", _judgment_context(request, judgment, form))


def _offer_to_replace(form, obj, stale: str) -> None:
    """After a refusal because someone else saved first (a judgment, finding,
    interview, document or factual accuracy point): core.stale.offer_to_replace."""

    def version() -> str:
        obj.refresh_from_db(fields=["updated_at"])
        return services.seen_version(obj)

    offer_to_replace(form, stale, version)


def _not_changed(judgment: Judgment, what: str) -> str:
    inspection = judgment.inspection
    if inspection.stage not in services.GRADING_STAGES:
        why = f"the inspection is at the ‘{inspection.get_stage_display()}’ stage"
    else:
        why = f"the judgment is {judgment.get_status_display().lower()}"
    return f"{judgment.get_topic_display()}: {what}, because {why}"


def _judgment_form(judgment: Judgment, data) -> JudgmentForm:
    initial = {
        "grade": judgment.grade,
        "rationale": judgment.rationale,
        "cites_case_reviews": judgment.cites_case_reviews,
        "interviews": list(judgment.interviews.all()),
        "documents": list(judgment.documents.all()),
        "seen": services.seen_version(judgment),
    }
    return JudgmentForm(
        data,
        initial=initial,
        inspection=judgment.inspection,
        rated_by_case_reviews=judgment.topic in REVIEWED_TOPICS,
    )


def _editable(user, judgment: Judgment) -> bool:
    """Whether the grading page shows the form (otherwise the judgment, read-only)."""
    return (
        can_work_on(user, judgment.inspection)
        and judgment.inspection.stage in services.GRADING_STAGES
        and judgment.status not in (Judgment.Status.SUBMITTED, Judgment.Status.FINAL)
    )


def _judgment_context(request, judgment: Judgment, form, return_form=None) -> dict:
    inspection = judgment.inspection
    findings_editable = (
        can_work_on(request.user, inspection) and inspection.stage in services.EDITABLE_STAGES
    )
    findings, version_rows = _topic_findings(inspection, judgment.topic, links=findings_editable)
    # What Agree and Return agree or return: the judgment, the findings listed
    # and their recommendations.
    seen = services.moderation_version(judgment, version_rows)
    return_form = return_form or ReturnJudgmentForm(initial={"seen": seen})
    return_form.helper.form_action = reverse(
        "inspections:judgment_moderate", args=[inspection.pk, judgment.topic]
    )
    editable = form is not None and _editable(request.user, judgment)
    return {
        "inspection": inspection,
        "judgment": judgment,
        "form": form,
        "editable": editable,
        "rated_by_case_reviews": judgment.topic in REVIEWED_TOPICS,
        **({} if editable else _cited_evidence(judgment)),
        "can_moderate": can_moderate(request.user, inspection)
        and inspection.stage in services.GRADING_STAGES,
        "return_form": return_form,
        "seen": seen,
        "findings": findings,
        "findings_editable": findings_editable,
        "topic_figures": topic_figures(inspection, judgment.topic),
        "history": _timeline(AuditEvent.objects.for_object(judgment).select_related("actor")),
    }


def _cited_evidence(judgment: Judgment) -> dict:
    """The interviews and documents the judgment cites, named as the form
    names them, for the page without the form: the lead inspector agrees or
    returns the grade against them. Three queries."""
    interview_url = url_maker("inspections:interview", judgment.inspection_id, ANY)
    return {
        "cited_interviews": [
            {"label": evidence_label(interview), "url": interview_url(interview.pk)}
            for interview in judgment.interviews.prefetch_related("participants")
        ],
        "cited_documents": [evidence_label(document) for document in judgment.documents.all()],
    }


def _topic_findings(inspection: Inspection, topic: str, *, links: bool) -> list[dict]:
    """The findings on a topic as the grading page lists them (kind's label,
    summary and, with links, the link to change each), and the rows
    services.moderation_version reads of them: one query."""
    kinds = dict(Finding.Kind.choices)
    change_url = url_maker("inspections:finding_edit", inspection.pk, ANY)
    rows = list(services.topic_findings_version_rows(inspection.pk, topic, shown=True))
    findings = {
        pk: {
            "kind": kinds.get(kind, kind),
            "summary": summary,
            "change_url": change_url(pk) if links else None,
        }
        for pk, kind, summary, *_ in rows
    }
    return list(findings.values()), [tuple(row[3:]) for row in rows]


@require_POST
def judgment_submit(request: HttpRequest, inspection_id, topic: str) -> HttpResponse:
    judgment = _judgment_for(request, inspection_id, topic)
    if not can_work_on(request.user, judgment.inspection):
        raise PermissionDenied
    try:
        services.judgment_submit(judgment=judgment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{judgment.get_topic_display()}: submitted for moderation")
    return redirect(judgment)


@require_POST
def judgment_moderate(request: HttpRequest, inspection_id, topic: str) -> HttpResponse:
    judgment = _judgment_for(request, inspection_id, topic)
    if not can_moderate(request.user, judgment.inspection):
        raise PermissionDenied
    if "agree" in request.POST:
        return _agree(request, judgment)
    return _return(request, judgment)


def _agree(request: HttpRequest, judgment: Judgment) -> HttpResponse:
    name = judgment.get_topic_display()
    try:
        services.judgment_agree(
            judgment=judgment, by=request.user, seen=request.POST.get("seen") or None
        )
    except ValidationError as error:
        if judgment.status == Judgment.Status.FINAL:  # read afresh: a second click
            messages.info(request, f"{name}: already agreed. The judgment is final")
        else:
            messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{name}: agreed. The judgment is final")
    return redirect(judgment)


def _return(request: HttpRequest, judgment: Judgment) -> HttpResponse:
    if not _returnable(judgment):
        return _not_returned(request, judgment)  # a stale page, or a second click
    return_form = ReturnJudgmentForm(request.POST)
    if return_form.is_valid():
        data = return_form.cleaned_data
        if _apply(
            return_form,
            lambda: services.judgment_return(
                judgment=judgment,
                comment=data["comment"],
                by=request.user,
                seen=data["seen"] or None,
            ),
        ):
            messages.success(request, f"{judgment.get_topic_display()}: returned to the inspector")
            return redirect(judgment)
        if not _returnable(judgment):  # read afresh: returned meanwhile, or the stage moved on
            return _not_returned(request, judgment)
        # Changed since the page was drawn: the comment is kept, beside the
        # judgment as it is now, to be sent again or changed.
        offer_to_replace(return_form, services.STALE_RETURN, lambda: _moderated_now(judgment))
    context = _judgment_context(request, judgment, None, return_form=return_form)
    return render(request, "inspections/judgment.html", context)


def _moderated_now(judgment: Judgment) -> str:
    judgment.refresh_from_db(fields=["updated_at"])
    return services.moderation_version(judgment)


def _not_returned(request: HttpRequest, judgment: Judgment) -> HttpResponse:
    """The judgment can no longer be returned: a second click on Return (the
    same comment, returned already) is told so calmly; otherwise, why not."""
    # As the form reads it, and the first click saved it
    # (core.forms.GovukBoundField.data): the browser sends CR LF, and
    # invisible characters at its ends and direction controls are left out.
    comment = read_as_typed(request.POST.get("comment", "").replace("\r\n", "\n"))
    if judgment.status == Judgment.Status.RETURNED and judgment.moderation_comment == comment:
        name = judgment.get_topic_display()
        messages.info(request, f"{name}: already returned to the inspector")
    else:
        messages.error(request, _not_changed(judgment, "not returned"))
    return redirect(judgment)


def _returnable(judgment: Judgment) -> bool:
    return (
        judgment.status in (Judgment.Status.SUBMITTED, Judgment.Status.FINAL)
        and judgment.inspection.stage in services.GRADING_STAGES
    )


# Findings -----------------------------------------------------------------


def _findings_frozen(request: HttpRequest, inspection: Inspection) -> HttpResponse | None:
    """Outside the stages in which findings change, their forms (which could
    never be saved) are not drawn: the findings page says why instead."""
    if inspection.stage in services.EDITABLE_STAGES:
        return None
    messages.info(
        request,
        "Findings and recommendations cannot be changed at the "
        f"‘{inspection.get_stage_display()}’ stage",
    )
    return redirect("inspections:findings", inspection.pk)


def _evidence_closed(request: HttpRequest, inspection: Inspection) -> HttpResponse | None:
    """A closed or cancelled inspection takes no more evidence: back to the evidence page."""
    if not inspection.has_ended:
        return None
    messages.info(request, services.evidence_ended(inspection))
    return redirect("inspections:evidence", inspection.pk)


def _evidence_page(request: HttpRequest, inspection_id, *, edit=False) -> Inspection:
    inspection = get_inspection_for_user(request, inspection_id)
    require_inspectorate(request, inspection)
    if (edit or request.method == "POST") and not can_work_on(request.user, inspection):
        raise PermissionDenied
    return inspection


def findings_list(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = _evidence_page(request, inspection_id)
    return fragments.render(
        request,
        "inspections/findings.html",
        {"inspection": inspection},
        body=lambda: _findings_context(inspection, request.user),
    )


def _findings_context(inspection: Inspection, user) -> dict:
    may_change = can_work_on(user, inspection)
    editable = inspection.stage in services.EDITABLE_STAGES
    return {
        "findings": _finding_rows(inspection, links=may_change and editable),
        "can_work_on": may_change,
        "editable": editable,
    }


FINDING_ROW_FIELDS = ("pk", "topic", "kind", "summary", "detail", "reported_to_force_on")


def _finding_rows(inspection: Inspection, *, links: bool) -> list[dict]:
    """One row a finding, in report order, as plain values: its topic's and
    kind's labels, its date as govuk_date gives it, its recommendations, and
    (with links) the links to change them. Two queries, as with its
    recommendations prefetched."""
    topics, kinds = dict(Topic.choices), dict(Finding.Kind.choices)
    rows = {
        pk: {
            "topic": topic,
            "topic_label": topics.get(topic, topic),
            "kind": kinds.get(kind, kind),
            "kind_value": kind,
            "summary": summary,
            "detail": detail,
            "reported_to_force_on": govuk_date(reported_to_force_on),
            "is_concern": kind in Finding.CONCERN_KINDS,
            "recommendations": [],
        }
        for pk, topic, kind, summary, detail, reported_to_force_on in (
            inspection.findings.values_list(*FINDING_ROW_FIELDS)
        )
    }
    if rows:
        recommendations = Recommendation.objects.filter(finding_id__in=list(rows)).values_list(
            "finding_id", "pk", "text"
        )
        remove_url = url_maker("inspections:recommendation_delete", inspection.pk, ANY)
        for finding_id, pk, text in recommendations:
            rows[finding_id]["recommendations"].append(
                {"text": text, "remove_url": remove_url(pk) if links else None}
            )
    if links:
        change_url = url_maker("inspections:finding_edit", inspection.pk, ANY)
        delete_url = url_maker("inspections:finding_delete", inspection.pk, ANY)
        add_url = url_maker("inspections:recommendation_new", inspection.pk, ANY)
        for pk, row in rows.items():
            row["change_url"], row["delete_url"] = change_url(pk), delete_url(pk)
            row["add_recommendation_url"] = add_url(pk)
    return list(rows.values())


def _finding_kwargs(form) -> dict:
    data = form.cleaned_data
    return {
        "topic": data["topic"],
        "kind": data["kind"],
        "summary": data["summary"],
        "detail": data["detail"],
        "reported_to_force_on": data["reported_to_force_on"],
        "interviews": data.get("interviews", []),
        "documents": data.get("documents", []),
    }


def finding_new(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = _evidence_page(request, inspection_id, edit=True)
    if frozen := _findings_frozen(request, inspection):
        return frozen
    form = FindingForm(
        request.POST or None, inspection=inspection, initial={"topic": request.GET.get("topic")}
    )
    if form.is_valid() and _apply(
        form,
        lambda: setattr(
            form,
            "created",
            services.finding_create(
                inspection=inspection, **_finding_kwargs(form), by=request.user
            ),
        ),
    ):
        messages.success(request, f"{form.created.get_kind_display()} added")
        if form.created.is_concern:
            return redirect("inspections:recommendation_new", inspection.pk, form.created.pk)
        return redirect("inspections:findings", inspection.pk)
    return render(
        request, "inspections/finding_form.html", {"inspection": inspection, "form": form}
    )


def _finding_in(inspection: Inspection, finding_id) -> Finding:
    finding = get_object_or_404(inspection.findings, pk=finding_id)
    finding.inspection = inspection
    return finding


def _gone(request: HttpRequest, inspection: Inspection, model, pk, message: str, level: int):
    """A post about a finding or recommendation deleted meanwhile (in another
    tab, by someone else, or Delete pressed again): the findings page, saying
    so, rather than a bare 'Page not found' with what was typed lost (found by
    reviews). None for a GET, or a row still there. `inspection` is the one
    the view loaded through its door (_evidence_page, edit=True)."""
    if request.method != "POST":
        return None
    inspection_of = "finding__inspection" if model is Recommendation else "inspection"
    if model.objects.filter(pk=pk, **{inspection_of: inspection}).exists():
        return None
    messages.add_message(request, level, message)
    return redirect("inspections:findings", inspection.pk)


def finding_edit(request: HttpRequest, inspection_id, finding_id) -> HttpResponse:
    lost = "This finding was deleted, so your changes were not saved"
    inspection = _evidence_page(request, inspection_id, edit=True)
    if gone := _gone(request, inspection, Finding, finding_id, lost, messages.ERROR):
        return gone
    finding = _finding_in(inspection, finding_id)
    if frozen := _findings_frozen(request, finding.inspection):
        return frozen
    initial = {
        "topic": finding.topic,
        "kind": finding.kind,
        "summary": finding.summary,
        "detail": finding.detail,
        "reported_to_force_on": finding.reported_to_force_on,
        "interviews": list(finding.interviews.all()),
        "documents": list(finding.documents.all()),
        "seen": services.seen_version(finding),
    }
    form = FindingForm(request.POST or None, initial=initial, inspection=finding.inspection)
    if form.is_valid():
        seen = form.cleaned_data["seen"] or None
        kwargs = _finding_kwargs(form)
        if _apply(
            form,
            lambda: services.finding_update(finding=finding, **kwargs, by=request.user, seen=seen),
        ):
            messages.success(request, "Finding saved")
            return redirect("inspections:findings", finding.inspection_id)
        _offer_to_replace(form, finding, services.STALE_FINDING)
    context = {
        "inspection": finding.inspection,
        "form": form,
        "finding": finding,
        "history": _finding_history(finding),
    }
    return render(request, "inspections/finding_form.html", context)


def _finding_history(finding: Finding) -> list[dict]:
    """Who changed the finding, and added its recommendations, and when: the
    team reads what the lead inspector changed in moderation, as on a
    judgment's page. (A recommendation removed is on the inspection's own
    history: its row, which named its finding, has gone.)"""
    recommendations = AuditEvent.objects.filter(
        object_type=Recommendation._meta.label_lower,
        object_id__in=[str(pk) for pk in finding.recommendations.values_list("pk", flat=True)],
    )
    events = AuditEvent.objects.for_object(finding) | recommendations
    return _timeline(events.select_related("actor"))


def _confirm_delete(
    request,
    *,
    delete,
    done: str,
    template: str,
    context: dict,
    back: str = "inspections:findings",
    gone=None,
    version=None,
):
    """A page that asks first (GET); its post calls `delete(seen)` and goes
    back (to the findings, or the page named by `back`), or shows the
    service's refusal on the same page. `seen` is what the page carried back
    of `version()`, the version of what it showed, or None. `gone()`, asked
    after a refusal, answers for a row deleted meanwhile (a second click
    that waited for the first)."""
    back_url = reverse(back, args=[context["inspection"].pk])
    error = None
    if request.method == "POST":
        try:
            delete(request.POST.get("seen") or None)
        except ValidationError as e:
            if gone is not None and (response := gone()):
                return response
            error = " ".join(e.messages)
        else:
            messages.success(request, done)
            return redirect(back_url)
    # After a refusal, as it is now: the service read it again.
    seen = version() if version else None
    return render(
        request, template, {**context, "error": error, "back_url": back_url, "seen": seen}
    )


def finding_delete(request: HttpRequest, inspection_id, finding_id) -> HttpResponse:
    done = "This finding has already been deleted"
    inspection = _evidence_page(request, inspection_id, edit=True)

    def gone():
        return _gone(request, inspection, Finding, finding_id, done, messages.INFO)

    if response := gone():
        return response
    finding = _finding_in(inspection, finding_id)
    if frozen := _findings_frozen(request, finding.inspection):
        return frozen
    return _confirm_delete(
        request,
        delete=lambda seen: services.finding_delete(finding=finding, by=request.user, seen=seen),
        done="Finding deleted",
        template="inspections/finding_delete.html",
        context={
            "inspection": finding.inspection,
            "finding": finding,
            "question": "Are you sure you want to delete this finding?",
        },
        gone=gone,
        version=lambda: services.finding_delete_version(finding),
    )


def recommendation_new(request: HttpRequest, inspection_id, finding_id) -> HttpResponse:
    lost = "This cause of concern was deleted, so your recommendation was not saved"
    inspection = _evidence_page(request, inspection_id, edit=True)
    if gone := _gone(request, inspection, Finding, finding_id, lost, messages.ERROR):
        return gone
    finding = _finding_in(inspection, finding_id)
    if frozen := _findings_frozen(request, finding.inspection):
        return frozen
    form = RecommendationForm(request.POST or None)
    if form.is_valid() and _apply(
        form,
        lambda: services.recommendation_add(
            finding=finding, text=form.cleaned_data["text"], by=request.user
        ),
    ):
        messages.success(request, "Recommendation added")
        return redirect("inspections:findings", finding.inspection_id)
    context = {"inspection": finding.inspection, "finding": finding, "form": form}
    return render(request, "inspections/recommendation_form.html", context)


@require_http_methods(["GET", "POST"])
def recommendation_delete(request: HttpRequest, inspection_id, recommendation_id) -> HttpResponse:
    """Asks first (GET), as deleting a finding does; the post removes it."""
    done = "This recommendation has already been removed"
    pk = recommendation_id
    inspection = _evidence_page(request, inspection_id, edit=True)

    def gone():
        return _gone(request, inspection, Recommendation, pk, done, messages.INFO)

    if response := gone():
        return response
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("finding"),
        pk=recommendation_id,
        finding__inspection=inspection,
    )
    if frozen := _findings_frozen(request, inspection):
        return frozen
    recommendation.finding.inspection = inspection
    return _confirm_delete(
        request,
        # A recommendation is never changed, only added or removed: no version.
        delete=lambda _seen: services.recommendation_delete(
            recommendation=recommendation, by=request.user
        ),
        done="Recommendation removed",
        template="inspections/recommendation_delete.html",
        context={
            "inspection": inspection,
            "recommendation": recommendation,
            "question": "Are you sure you want to remove this recommendation?",
        },
        gone=gone,
    )


# Evidence -----------------------------------------------------------------


# Each list of the evidence page, this many to a page of its own.
EVIDENCE_PAGE_SIZE = 50


def evidence_list(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = _evidence_page(request, inspection_id)
    return fragments.render(
        request,
        "inspections/evidence.html",
        {"inspection": inspection},
        body=lambda: _evidence_context(inspection, request),
    )


def _evidence_context(inspection: Inspection, request: HttpRequest) -> dict:
    """The interviews and the documents, each a page of its own (found by the
    lists review: 120 interviews on one page), with their counts."""
    interviews = Paginator(
        inspection.interviews.order_by("-held_on", "-created_at", "pk").values_list(
            "pk", "held_on", "topics"
        ),
        EVIDENCE_PAGE_SIZE,
    ).get_page(request.GET.get("interviews_page"))
    documents = Paginator(
        inspection.documents.order_by("-received_on", "title", "pk").values_list(
            *DOCUMENT_ROW_FIELDS
        ),
        EVIDENCE_PAGE_SIZE,
    ).get_page(request.GET.get("documents_page"))
    return {
        "interviews": _interview_rows(inspection, interviews.object_list),
        "interviews_page": interviews,
        "documents": _document_rows(inspection, documents.object_list),
        "documents_page": documents,
        # A closed or cancelled inspection takes no more evidence.
        "can_record": can_work_on(request.user, inspection) and not inspection.has_ended,
    }


def _interview_rows(inspection: Inspection, interviews) -> list[dict]:
    """One row an interview of `interviews` ((pk, held_on, topics) each), as
    plain values: its date as govuk_date gives it, its participants as
    str(Participant) gives them, its topics' labels, and its links. One
    query for the participants."""
    rows = {
        pk: {
            "held_on": govuk_date(held_on),
            "topic_labels": topic_labels(topics),
            "participant_names": [],
        }
        for pk, held_on, topics in interviews
    }
    if rows:
        participants = Participant.objects.filter(interview_id__in=list(rows)).values_list(
            "interview_id", "role", "organisation"
        )
        organisations = dict(Participant.Organisation.choices)
        for interview_id, role, organisation in participants:
            label = organisations.get(organisation, organisation)
            rows[interview_id]["participant_names"].append(f"{role} ({label})")
    url = url_maker("inspections:interview", inspection.pk, ANY)
    change_url = url_maker("inspections:interview_edit", inspection.pk, ANY)
    delete_url = url_maker("inspections:interview_delete", inspection.pk, ANY)
    for pk, row in rows.items():
        row["url"], row["change_url"], row["delete_url"] = url(pk), change_url(pk), delete_url(pk)
    return list(rows.values())


DOCUMENT_ROW_FIELDS = (
    "pk",
    "title",
    "notes",
    "kind",
    "received_on",
    "stored_file_id",
    "stored_file__original_name",
)


def _document_rows(inspection: Inspection, documents) -> list[dict]:
    """One row a document of `documents` (DOCUMENT_ROW_FIELDS each), as plain
    values: its kind's label, its date as govuk_date gives it, its file's
    name, and its links (a download link only with a file)."""
    kinds = dict(Document.Kind.choices)
    download_url = url_maker("inspections:document_download", inspection.pk, ANY)
    change_url = url_maker("inspections:document_edit", inspection.pk, ANY)
    delete_url = url_maker("inspections:document_delete", inspection.pk, ANY)
    return [
        {
            "title": title,
            "notes": notes,
            "kind": kinds.get(kind, kind),
            "received_on": govuk_date(received_on),
            "download_url": download_url(pk) if stored_file_id else None,
            "file_name": file_name,
            "change_url": change_url(pk),
            "delete_url": delete_url(pk),
        }
        for pk, title, notes, kind, received_on, stored_file_id, file_name in documents
    ]


def _answers(form, fields: list[str]) -> dict:
    return {field: form.cleaned_data[field] for field in fields}


INTERVIEW_ANSWERS = ["held_on", "topics", "notes", "participants"]
DOCUMENT_ANSWERS = ["title", "kind", "received_on", "notes"]


def interview_new(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = _evidence_page(request, inspection_id, edit=True)
    if closed := _evidence_closed(request, inspection):
        return closed
    form = InterviewForm(request.POST or None, adding=ADD_PARTICIPANT in request.POST)
    if form.is_valid() and _apply(
        form,
        lambda: services.interview_record(
            inspection=inspection, **_answers(form, INTERVIEW_ANSWERS), by=request.user
        ),
    ):
        messages.success(request, "Interview recorded")
        return redirect("inspections:evidence", inspection.pk)
    return render(
        request, "inspections/interview_form.html", {"inspection": inspection, "form": form}
    )


def _evidence_items(inspection: Inspection, what: str):
    """The inspection's interviews or documents, with what their pages show."""
    if what == "interview":
        return inspection.interviews.prefetch_related("participants")
    return inspection.documents.select_related("stored_file")


def _evidence_to_change(
    request: HttpRequest, inspection_id, item_id, what: str
) -> tuple[Interview | Document | None, HttpResponse | None]:
    """The interview or document to change, or the page to show instead: the
    evidence list once the inspection is closed or the item deleted since
    the page was drawn, or why it cannot change (services.interview_update)."""
    inspection = _evidence_page(request, inspection_id, edit=True)
    if closed := _evidence_closed(request, inspection):
        return None, closed
    item = _evidence_items(inspection, what).filter(pk=item_id).first()
    if item is None and request.method == "POST":
        messages.error(request, f"This {what} was deleted, so your changes were not saved")
        return None, redirect("inspections:evidence", inspection.pk)
    if item is None:
        raise Http404(f"No such {what}")
    if held := services.evidence_held_by(item):
        context = {
            "inspection": inspection,
            "item": item,
            "what": what,
            "citing": held,
            "why": services.evidence_held_why(inspection, held),
            "until": inspection.stage in services.EDITABLE_STAGES
            and services.evidence_held_until(held),
        }
        return None, render(request, "inspections/evidence_frozen.html", context)
    return item, None


def _save_change(form, item: Interview | Document, update, stale: str) -> dict | None:
    """A valid form's answers saved by `update(seen=...)`, a service that
    returns the changes it recorded ({} for none); None when not saved, the
    form then showing why (a page drawn before another's save keeps what was
    typed, and saving it again replaces theirs: _offer_to_replace)."""
    if not form.is_valid():
        return None
    changes = {}
    seen = form.cleaned_data["seen"] or None
    if _apply(form, lambda: changes.update(update(seen=seen))):
        return changes
    _offer_to_replace(form, item, stale)
    return None


def _say_changed(request: HttpRequest, changes: dict, what: str) -> None:
    if changes:
        messages.success(request, f"{what} changed")
    else:
        messages.info(request, f"{what} already says this: there were no changes to save")


@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, inspection_id, interview_id) -> HttpResponse:
    interview, elsewhere = _evidence_to_change(request, inspection_id, interview_id, "interview")
    if elsewhere:
        return elsewhere
    seen = services.seen_version(interview)
    adding = ADD_PARTICIPANT in request.POST
    form = InterviewChangeForm(request.POST or None, interview=interview, seen=seen, adding=adding)
    changes = _save_change(
        form,
        interview,
        lambda seen: services.interview_update(
            interview=interview, **_answers(form, INTERVIEW_ANSWERS), by=request.user, seen=seen
        ),
        services.STALE_INTERVIEW,
    )
    if changes is not None:
        _say_changed(request, changes, "Interview")
        return redirect("inspections:interview", interview.inspection_id, interview.pk)
    context = {"inspection": interview.inspection, "form": form, "interview": interview}
    return render(request, "inspections/interview_form.html", context)


def interview_detail(request: HttpRequest, inspection_id, interview_id) -> HttpResponse:
    inspection = _evidence_page(request, inspection_id)
    interview = get_object_or_404(
        inspection.interviews.prefetch_related("participants", "judgments", "findings"),
        pk=interview_id,
    )
    can_change = (
        can_work_on(request.user, inspection)
        and not inspection.has_ended
        # Cited by what can no longer change: it stays as it is (found by a review).
        and not services.evidence_held_by(interview)
    )
    context = {"inspection": inspection, "interview": interview, "can_change": can_change}
    return render(request, "inspections/interview.html", context)


def document_new(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = _evidence_page(request, inspection_id, edit=True)
    if closed := _evidence_closed(request, inspection):
        return closed
    form = DocumentForm(request.POST or None, request.FILES or None)
    if form.is_valid() and _apply(
        form,
        lambda: services.document_record(
            inspection=inspection,
            **_answers(form, DOCUMENT_ANSWERS),
            upload=form.cleaned_data["file"],
            by=request.user,
        ),
    ):
        messages.success(request, "Document recorded")
        return redirect("inspections:evidence", inspection.pk)
    return render(
        request, "inspections/document_form.html", {"inspection": inspection, "form": form}
    )


@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, inspection_id, document_id) -> HttpResponse:
    document, elsewhere = _evidence_to_change(request, inspection_id, document_id, "document")
    if elsewhere:
        return elsewhere
    seen = services.seen_version(document)
    form = DocumentChangeForm(
        request.POST or None, request.FILES or None, document=document, seen=seen
    )
    changes = _save_change(
        form,
        document,
        lambda seen: services.document_update(
            document=document,
            **_answers(form, DOCUMENT_ANSWERS),
            **form.changes_to_file(),
            by=request.user,
            seen=seen,
        ),
        services.STALE_DOCUMENT,
    )
    if changes is not None:
        _say_changed(request, changes, f"Document ‘{document}’")
        return redirect("inspections:evidence", document.inspection_id)
    context = {"inspection": document.inspection, "form": form, "document": document}
    return render(request, "inspections/document_form.html", context)


def _evidence_delete(request: HttpRequest, inspection_id, item_id, what: str) -> HttpResponse:
    """Ask, then delete an interview or a document (services.evidence_delete)."""
    inspection = _evidence_page(request, inspection_id, edit=True)
    if closed := _evidence_closed(request, inspection):
        return closed
    items = _evidence_items(inspection, what).prefetch_related("judgments", "findings")

    def gone() -> HttpResponse | None:
        # Deleted already (Delete sent again, a second click that waited
        # for the first): the evidence page, saying so, not 'Page not found'.
        if request.method != "POST" or items.filter(pk=item_id).exists():
            return None
        messages.info(request, f"This {what} has already been deleted")
        return redirect("inspections:evidence", inspection.pk)

    if response := gone():
        return response
    item = get_object_or_404(items, pk=item_id)
    done = f"{item} deleted" if what == "interview" else f"Document ‘{item}’ deleted"
    citing = services.evidence_citing(item)
    # Graded and final: what cites it can no longer be changed.
    frozen = inspection.stage not in services.EDITABLE_STAGES
    if not citing:
        question = f"Are you sure you want to delete this {what}?"
    else:
        question = f"You cannot delete this {what}" + ("" if frozen else " yet")
    return _confirm_delete(
        request,
        delete=lambda seen: services.evidence_delete(item=item, by=request.user, seen=seen),
        gone=gone,
        version=lambda: services.seen_version(item),
        done=done,
        template="inspections/evidence_delete.html",
        context={
            "inspection": inspection,
            "item": item,
            "what": what,
            "citing": citing,
            "frozen": frozen,
            "question": question,
        },
        back="inspections:evidence",
    )


@require_http_methods(["GET", "POST"])
def interview_delete(request: HttpRequest, inspection_id, interview_id) -> HttpResponse:
    return _evidence_delete(request, inspection_id, interview_id, "interview")


@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, inspection_id, document_id) -> HttpResponse:
    return _evidence_delete(request, inspection_id, document_id, "document")


@require_GET  # a download: only a GET takes a copy, and is audited
def document_download(request: HttpRequest, inspection_id, document_id) -> HttpResponse:
    inspection = _evidence_page(request, inspection_id)
    document = get_object_or_404(inspection.documents.select_related("stored_file"), pk=document_id)
    if document.stored_file is None:  # found by a code review: it was "Page not found"
        raise uploads.FileGone("The file was deleted under the retention policy.")
    return uploads.file_response(
        document.stored_file,
        by=request.user,
        inspection=inspection,
        # By the document's title and the file's kind, never the file's own
        # name, which may be why the file is later removed (a child's name).
        named=f"{document.title}: {services.file_kind(document.stored_file)}",
    )


# The report as a PDF, and the action plan tracker ---------------------------


def _report_inspection(request: HttpRequest, inspection_id) -> Inspection:
    """The report door: a force lead sees it from pre-publication checks on."""
    inspection = get_inspection_for_user(request, inspection_id)
    if request.user.is_force_lead and not inspection.force_sees_findings:
        raise Http404("No such report")
    return inspection


def report_pdf_status(request: HttpRequest, inspection_id) -> HttpResponse:
    """The latest build: progress while it runs, then the download."""
    inspection = _report_inspection(request, inspection_id)
    report_file = (
        ReportFile.objects.visible_to(request.user)
        .filter(inspection=inspection)
        .select_related("stored_file")
        .first()
    )
    is_current = data_changed = False
    if report_file is not None:
        background.builder_gone(report_file)  # its worker stopped: lost, at once
    if report_file is not None and report_file.is_ready:
        data_changed = not reports.report_data_is_current(report_file, inspection)
        is_current = not data_changed and not reports.report_wording_changed(report_file)
    context = {
        "inspection": inspection,
        "report_file": report_file,
        "is_current": is_current,
        "data_changed": data_changed,
        # WCAG 2.2.1: a person can stop the page refreshing itself.
        "refresh": report_file is not None
        and report_file.is_in_progress
        and request.GET.get("refresh") != "off",
    }
    return render(request, "reports/status.html", context)


@require_POST
def report_pdf_build(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = _report_inspection(request, inspection_id)
    try:
        reports.report_request(inspection=inspection, by=request.user)
    except ValidationError as error:  # a cancelled inspection, from an old page
        messages.error(request, error.messages[0])
    return redirect("inspections:report_pdf", inspection.pk)


@require_GET  # a download: only a GET takes a copy, and is audited
def report_pdf_download(request: HttpRequest, inspection_id, report_file_id) -> HttpResponse:
    inspection = _report_inspection(request, inspection_id)
    report_file = get_object_or_404(
        ReportFile.objects.visible_to(request.user).select_related("stored_file"),
        pk=report_file_id,
        inspection=inspection,
        status=ReportFile.Status.READY,
    )
    if report_file.stored_file is None:
        raise uploads.FileGone("This copy of the report is no longer kept.")
    return uploads.file_response(report_file.stored_file, by=request.user, inspection=inspection)


@require_GET  # a download: only a GET takes a copy, and is audited
def action_plan_tracker(request: HttpRequest, inspection_id, fmt: str) -> HttpResponse:
    """Every recommendation and area for improvement, with the force's response.
    A copy taken is on the audit trail, as a stored file's download is."""
    if fmt not in ("csv", "pdf"):
        raise Http404("No such format")
    inspection = _report_inspection(request, inspection_id)
    if inspection.is_cancelled:
        # From an old page: an empty tracker, marked a draft, of a report
        # there will never be (found by the report wording review).
        messages.error(request, reports.NO_REPORT_CANCELLED)
        return redirect("inspections:report_pdf", inspection.pk)
    if fmt == "csv":
        response = tracker.tracker_csv_response(inspection)
    else:
        try:
            response = tracker.tracker_pdf_response(inspection)
        except tracker.TrackerPdfError:
            # Nothing was taken, so nothing is audited; the spreadsheet still works.
            context = {"inspection": inspection}
            return render(request, "inspections/tracker_unavailable.html", context, status=503)
    audit.record(
        by=request.user,
        action="file.downloaded",
        obj=inspection,
        force=inspection.force,
        inspection_id=inspection.pk,
        comment=tracker.filename(inspection, fmt),
    )
    return response
