from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import fragments
from core.forms import add_service_errors, posted_answers
from core.stale import offer_to_replace, row_version
from core.templatetags.govuk import govuk_date, govuk_datetime
from core.uploads import FileGone, file_response
from inspections.access import can_moderate, get_inspection_for_user
from inspections.models import Inspection

from . import pcc_response, services
from .access import (
    can_respond,
    get_inspection_for_pcc_response,
    get_inspection_for_visits,
    get_plan_for_user,
    get_version_for_user,
    get_visit_for_user,
)
from .calendar import calendar_events, render_ics
from .forms import (
    AdminVisitScheduleForm,
    NoticeFilterForm,
    PccResponseForm,
    PlanDocumentForm,
    ResponseForm,
    ReviewForm,
    VisitCancelForm,
    VisitRecordForm,
    VisitScheduleForm,
)
from .models import ActionPlanVersion, CalendarFeed, Notice, PostInspectionVisit
from .notices import told_sentence

# --- Follow-up overview and plans ---------------------------------------------


def followup(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    inspection = get_inspection_for_user(request, inspection_id)
    context = services.followup_context(inspection=inspection, user=request.user)
    return render(request, "actionplans/followup.html", context)


def _plan_context(request, plan) -> dict:
    """What the check and submit pages show: every item, and the problems
    that stop a submission."""
    versions = list(plan.versions.select_related("submitted_by", "reviewed_by").order_by("-number"))
    items = services.plan_items(plan)
    responses = services.draft_responses(plan)
    may_respond = can_respond(request.user, plan.inspection) and plan.is_editable
    return {
        **_shown(request, plan, versions, items, responses, may_respond=may_respond),
        "problems": services.plan_problems(plan, items, responses),
        "seen": services.draft_version(plan, items, responses, versions),
    }


def _plan_page_context(request, plan) -> dict:
    """What the plan's page shows. Its versions are read once, with their
    people, and serve plan.is_editable too; the items and the draft's
    responses are read only for a force lead who may still respond, the only
    person the page lists them for."""
    prefetch_related_objects(
        [plan],
        Prefetch(
            "versions",
            queryset=ActionPlanVersion.objects.select_related(
                "submitted_by", "reviewed_by"
            ).order_by("-number"),
        ),
    )
    versions = list(plan.versions.all())
    may_respond = can_respond(request.user, plan.inspection) and plan.is_editable
    items = services.plan_items(plan) if may_respond else []
    responses = services.draft_responses(plan) if may_respond else {}
    shown = _shown(request, plan, versions, items, responses, may_respond=may_respond)
    # An updated plan may start from the accepted action plan while an item
    # it answered is unanswered here: not only before any response (found by
    # the force lead review: answering an area for improvement first, new in
    # this plan, took the offer away for good).
    if may_respond and len(responses) < len(items):
        shown["start_from"] = services.accepted_to_start_from(plan, items, responses)
    return shown


def _shown(request, plan, versions, items, responses, *, may_respond: bool) -> dict:
    latest = versions[0] if versions else None
    inspection = plan.inspection
    return {
        "plan": plan,
        "inspection": inspection,
        "items": [(item, responses.get(item.id)) for item in items],
        "versions": versions,
        "latest": latest,
        "status": services.plan_status(
            plan.due_on, latest, timezone.localdate(), closed=plan.is_closed
        ),
        "can_respond": may_respond,
        "can_review": can_moderate(request.user, inspection)
        and latest is not None
        and latest.status == "submitted",
    }


def plan_detail(request: HttpRequest, inspection_id: UUID, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request, inspection_id, slug)
    return fragments.render(
        request,
        "actionplans/plan.html",
        {"plan": plan, "inspection": plan.inspection},
        body=lambda: _plan_page_context(request, plan),
    )


def _sent_in(request: HttpRequest, plan) -> HttpResponse | None:
    """A plan awaiting review, or accepted, has no forms: a page of one (from
    a bookmark, the back button, another tab) sends you to the plan, saying why."""
    if plan.is_editable:
        return None
    messages.info(request, plan.not_editable_message())
    return redirect(plan.get_absolute_url())


def plan_upload(request: HttpRequest, inspection_id: UUID, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request, inspection_id, slug, respond=True)
    if sent_in := _sent_in(request, plan):
        return sent_in
    form = PlanDocumentForm(
        request.POST or None, request.FILES or None, plan_label=plan.get_kind_display()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_attach_document(
                plan=plan, upload=form.cleaned_data["document"], by=request.user
            )
        except ValidationError as error:
            form.add_error("document", error)
        else:
            messages.success(request, f"{form.cleaned_data['document'].name} uploaded")
            return redirect(plan.get_absolute_url())
    return render(request, "actionplans/upload.html", {"plan": plan, "form": form})


@require_GET  # a download: only a GET takes a copy, and is audited
def plan_draft_document(request: HttpRequest, inspection_id: UUID, slug: str) -> HttpResponse:
    """The draft's document, for the force's lead alone: the inspectorate sees
    a plan's document once a version of it is submitted (version_document),
    as the plan page shows them nothing of the draft."""
    plan = get_plan_for_user(request, inspection_id, slug, respond=True)
    if plan.document is None:
        raise Http404("No document uploaded")
    return file_response(plan.document, by=request.user, inspection=plan.inspection)


def plan_response(
    request: HttpRequest, inspection_id: UUID, slug: str, item_id: UUID
) -> HttpResponse:
    plan = get_plan_for_user(request, inspection_id, slug, respond=True)
    if sent_in := _sent_in(request, plan):
        return sent_in
    item = next((i for i in services.plan_items(plan) if i.id == item_id), None)
    if item is None:
        raise Http404("No such cause of concern, recommendation or area for improvement")
    existing = services.draft_responses(plan).get(item.id)
    initial = {f: getattr(existing, f) for f in services.RESPONSE_FIELDS} if existing else {}
    initial["seen"] = row_version(existing)
    form = ResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # "" is a page drawn before any response; no "seen" at all, none to check.
        seen = form.cleaned_data["seen"] if "seen" in request.POST else None
        answers = {**form.cleaned_data, "seen": seen}
        try:
            services.action_plan_save_response(plan=plan, item=item, by=request.user, **answers)
        except ValidationError as error:
            add_service_errors(form, error)
            offer_to_replace(
                form,
                services.STALE_RESPONSE,
                lambda: row_version(services.draft_responses(plan).get(item.id)),
            )
        else:
            messages.success(request, f"Response to {item.label.lower()} saved")
            return redirect(plan.get_absolute_url())
    return render(request, "actionplans/response.html", {"plan": plan, "item": item, "form": form})


@require_POST
def plan_start_from_accepted(request: HttpRequest, inspection_id: UUID, slug: str) -> HttpResponse:
    """The updated action plan's responses, filled in from the accepted action plan."""
    plan = get_plan_for_user(request, inspection_id, slug, respond=True)
    if not plan.covers_areas_for_improvement:
        raise Http404("Only the updated action plan starts from another")
    if sent_in := _sent_in(request, plan):
        return sent_in
    try:
        filled = services.updated_action_plan_start_from_accepted(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"{filled} response{pluralize(filled)} filled in from the accepted action plan. "
            "Bring each one up to date before you submit.",
        )
    return redirect(plan.get_absolute_url())


def plan_check(request: HttpRequest, inspection_id: UUID, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request, inspection_id, slug, respond=True)
    if sent_in := _sent_in(request, plan):
        return sent_in
    return render(request, "actionplans/check.html", _plan_context(request, plan))


def _not_submitted(request: HttpRequest, plan) -> HttpResponse:
    if plan.is_closed:
        messages.error(request, plan.not_editable_message())
    else:
        messages.error(request, f"This {plan.get_kind_display().lower()} was already submitted")
    return redirect(plan.get_absolute_url())


@require_POST
def plan_submit(request: HttpRequest, inspection_id: UUID, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request, inspection_id, slug, respond=True)
    if not plan.is_editable:
        # Submitted already (a second tab, a second click) or closed: nothing
        # to refuse on the check page, so say why on the plan's page.
        return _not_submitted(request, plan)
    try:
        version = services.action_plan_submit(
            plan=plan, by=request.user, seen=request.POST.get("seen") or None
        )
    except ValidationError as error:
        plan = services.action_plan_for(plan.inspection, plan.kind)  # as it is now
        if not plan.is_editable:
            # Another tab submitted it while this one waited for the lock.
            return _not_submitted(request, plan)
        context = {**_plan_context(request, plan), "refused": True, "refusal": error.messages}
        return render(request, "actionplans/check.html", context)
    messages.success(
        request,
        f"{plan.get_kind_display()} version {version.number} submitted. "
        "We have sent you a confirmation, and the lead inspector will review it.",
    )
    return redirect(plan.get_absolute_url())


# --- Versions -----------------------------------------------------------------


def _version_context(request, version) -> dict:
    responses = list(version.responses.all())
    return {
        "previous": services.compare_with_previous(version, responses),
        "version": version,
        "plan": version.plan,
        "inspection": version.plan.inspection,
        "responses": responses,
        "can_review": can_moderate(request.user, version.plan.inspection)
        and version.status == "submitted",
    }


def version_detail(
    request: HttpRequest, inspection_id: UUID, slug: str, number: int
) -> HttpResponse:
    version = get_version_for_user(request, inspection_id, slug, number)
    return render(request, "actionplans/version.html", _version_context(request, version))


@require_GET  # a download: only a GET takes a copy, and is audited
def version_document(
    request: HttpRequest, inspection_id: UUID, slug: str, number: int
) -> HttpResponse:
    version = get_version_for_user(request, inspection_id, slug, number)
    if version.document is None:
        raise FileGone("The document was deleted under the retention policy.")
    return file_response(version.document, by=request.user, inspection=version.plan.inspection)


def _reviewed_already(request: HttpRequest, version: ActionPlanVersion) -> HttpResponse:
    """Decided already (a second click, another tab): the decision stands."""
    messages.info(
        request, f"Version {version.number} has been {version.get_status_display().lower()}"
    )
    return redirect(version.get_absolute_url())


def version_review(
    request: HttpRequest, inspection_id: UUID, slug: str, number: int
) -> HttpResponse:
    version = get_version_for_user(request, inspection_id, slug, number, review=True)
    if version.status != ActionPlanVersion.Status.SUBMITTED:
        return _reviewed_already(request, version)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        accept = form.cleaned_data["decision"] == ReviewForm.ACCEPT
        review = (
            services.action_plan_version_accept if accept else services.action_plan_version_return
        )
        try:
            review(version=version, by=request.user, comment=comment)
        except ValidationError as error:
            version.refresh_from_db(fields=["status"])
            if version.status != ActionPlanVersion.Status.SUBMITTED:  # decided as this waited
                return _reviewed_already(request, version)
            add_service_errors(form, error)
        else:
            verb = "accepted" if accept else "returned to the force"
            messages.success(request, f"Version {version.number} {verb}")
            return redirect(version.plan.get_absolute_url())
    context = {**_version_context(request, version), "form": form}
    return render(request, "actionplans/review.html", context)


# --- The police and crime commissioner's response ----------------------------


def _pcc_response_now(inspection: Inspection) -> str:
    inspection.refresh_from_db(fields=pcc_response.FIELDS)
    return pcc_response.pcc_response_version(inspection)


def pcc_response_edit(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    """Record, or change, when the commissioner published their response."""
    inspection = get_inspection_for_pcc_response(request, inspection_id)
    followup_url = reverse("actionplans:followup", args=[inspection.pk])
    if not pcc_response.pcc_response_recordable(inspection):
        messages.info(request, pcc_response.CLOSED)
        return redirect(f"{followup_url}#pcc-response")
    recorded = inspection.pcc_response_published_on is not None
    initial = {
        field: getattr(inspection, f"pcc_response_{field}") for field in ("published_on", "url")
    }
    seen = pcc_response.pcc_response_version(inspection)
    form = PccResponseForm(
        request.POST or None,
        initial={**(initial if recorded else {}), "seen": seen},
        inspection=inspection,
    )
    if form.is_valid():
        answers = {**form.cleaned_data, "seen": form.cleaned_data["seen"] or None}
        try:
            changed = pcc_response.pcc_response_record(
                inspection=inspection, **answers, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            offer_to_replace(form, pcc_response.STALE, lambda: _pcc_response_now(inspection))
        else:
            when = govuk_date(inspection.pcc_response_published_on)
            if changed:
                messages.success(
                    request, f"Police and crime commissioner’s response published on {when} saved"
                )
            else:
                messages.info(request, "Nothing was changed")
            return redirect(f"{followup_url}#pcc-response")
    context = {"inspection": inspection, "form": form, "recorded": recorded}
    return render(request, "actionplans/pcc_response.html", context)


# --- Post-inspection visits ---------------------------------------------------


# Carried by a check page that said the force gets full notice.
FULL_NOTICE_CHECKED = "full_notice_checked"


def visit_schedule(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    """Two steps: the date (and, for an admin, a reason for short notice), then
    check your answers. The data travels in the form, so nothing half-done is saved."""
    inspection = get_inspection_for_visits(request, inspection_id, schedule=True)
    notice_days = settings.PROGRAMME_RULES["VISIT_NOTICE_DAYS"]
    no_recipient = services.visit_recipient_problem(inspection)
    if no_recipient:
        # Nobody to give notice to: say so rather than offer a form that must fail.
        context = {"inspection": inspection, "no_recipient": no_recipient}
        context["notice_days"] = notice_days
        return render(request, "actionplans/visit_schedule.html", context)
    form_class = AdminVisitScheduleForm if request.user.is_admin else VisitScheduleForm
    form = form_class(request.POST or None)
    if request.method == "POST" and "change" not in request.POST and form.is_valid():
        data = form.cleaned_data
        visit_on = data["visit_on"]
        if "confirm" in request.POST and (booked := _booked_already(request, inspection, visit_on)):
            return booked  # the back button, sent again
        # Every problem at once, as GOV.UK asks: a day already taken, and a
        # reason for short notice missing. The notice's problem with the date
        # (in the past, too soon) comes first for it.
        problems = {
            **services.visit_day_problem(inspection=inspection, visit_on=data["visit_on"]),
            **services.visit_notice_problems(
                visit_on=data["visit_on"],
                short_notice_reason=data.get("short_notice_reason", ""),
                by=request.user,
                today=timezone.localdate(),
            ),
        }
        # A reason given for a date with full notice is not kept.
        short_notice = services.is_short_notice(visit_on=visit_on, today=timezone.localdate())
        # A check page that said the notice was full, drawn before midnight,
        # is drawn again with the warning rather than booking short notice unseen.
        unwarned = short_notice and FULL_NOTICE_CHECKED in request.POST
        for field, message in problems.items():
            form.add_error(field, message)
        if not problems and "confirm" in request.POST and not unwarned:
            return _book_visit(request, inspection, form)
        if not problems:
            answers = posted_answers(request, form)
            context = {
                "inspection": inspection,
                "form": form,
                "answers": answers,
                "short_notice": short_notice,
            }
            return render(request, "actionplans/visit_check.html", context)
    context = {"inspection": inspection, "form": form}
    return render(request, "actionplans/visit_schedule.html", context)


def _booked_already(request, inspection, visit_on) -> HttpResponse | None:
    """The visit this person booked on that day, if they did: a booking sent
    again (a second click, the back button) goes to it, saying so, not to
    'A visit is already booked for that date' as an error."""
    visits = PostInspectionVisit.objects.booked().filter(
        inspection=inspection,
        visit_on=visit_on,
        scheduled_by=request.user,
    )
    visit = visits.first()
    if visit is None:
        return None
    messages.info(
        request,
        f"You have booked a visit for {govuk_date(visit.visit_on)}. "
        f"Notice was sent to the force on {govuk_datetime(visit.notice_sent_at)}",
    )
    return redirect(visit.get_absolute_url())


def _book_visit(request, inspection, form) -> HttpResponse:
    try:
        visit = services.post_inspection_visit_schedule(
            inspection=inspection,
            visit_on=form.cleaned_data["visit_on"],
            short_notice_reason=form.cleaned_data.get("short_notice_reason", ""),
            by=request.user,
        )
    except ValidationError as error:
        visit_on = form.cleaned_data["visit_on"]
        if services.DAY_TAKEN in error.messages and (
            booked := _booked_already(request, inspection, visit_on)
        ):
            return booked  # a second click that waited for the first
        add_service_errors(form, error)
        return render(
            request, "actionplans/visit_schedule.html", {"inspection": inspection, "form": form}
        )
    messages.success(
        request,
        f"Visit booked for {govuk_date(visit.visit_on)}. "
        f"Notice sent to the force on {govuk_datetime(visit.notice_sent_at)}",
    )
    return redirect(visit.get_absolute_url())


def visit_detail(request: HttpRequest, inspection_id: UUID, visit_id: UUID) -> HttpResponse:
    visit = get_visit_for_user(request, inspection_id, visit_id)
    context = {
        "visit": visit,
        "inspection": visit.inspection,
        "can_record": services.can_record_visit(request.user, visit.inspection),
        "can_cancel": services.can_schedule_visit(request.user, visit.inspection)
        and visit.can_be_cancelled,
    }
    return render(request, "actionplans/visit.html", context)


def _not_cancellable(request: HttpRequest, visit: PostInspectionVisit) -> HttpResponse:
    why = "has already been cancelled" if visit.is_cancelled else "has taken place"
    messages.info(request, f"This visit {why}, so it cannot be cancelled")
    return redirect(visit.get_absolute_url())


def visit_cancel(request: HttpRequest, inspection_id: UUID, visit_id: UUID) -> HttpResponse:
    """Why, then cancel: the force is told at once. A visit that cannot be
    cancelled (cancelled already, or its day has come) sends you back to it."""
    visit = get_visit_for_user(request, inspection_id, visit_id)
    if not services.can_schedule_visit(request.user, visit.inspection):
        raise PermissionDenied
    if not visit.can_be_cancelled:
        return _not_cancellable(request, visit)
    form = VisitCancelForm(request.POST or None)
    if form.is_valid():
        try:
            services.post_inspection_visit_cancel(
                visit=visit, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            visit.refresh_from_db(fields=["cancelled_at"])
            if visit.is_cancelled:  # a second click that waited for the first
                return _not_cancellable(request, visit)
            add_service_errors(form, error)
        else:
            messages.success(request, _visit_cancelled_message(visit))
            return redirect(visit.get_absolute_url())
    context = {"visit": visit, "inspection": visit.inspection, "form": form}
    return render(request, "actionplans/visit_cancel.html", context)


def _visit_cancelled_message(visit: PostInspectionVisit) -> str:
    visit.refresh_from_db(fields=["cancelled_at"])  # as the service saved it
    told = Notice.objects.filter(
        inspection=visit.inspection,
        kind=Notice.Kind.VISIT_CANCELLED,
        due_on=visit.visit_on,
        sent_at__gte=visit.cancelled_at,
    )
    said = told_sentence(told, inspection=visit.inspection, force_words="the force", team=False)
    return f"The visit on {govuk_date(visit.visit_on)} is cancelled. {said}"


def _visit_now(visit: PostInspectionVisit) -> str:
    visit.refresh_from_db(fields=["updated_at"])
    return row_version(visit)


def visit_record(request: HttpRequest, inspection_id: UUID, visit_id: UUID) -> HttpResponse:
    visit = get_visit_for_user(request, inspection_id, visit_id, record=True)
    if not visit.has_happened:
        messages.info(
            request,
            f"You can record the visit from {govuk_date(visit.visit_on)}, the day it happens",
        )
        return redirect(visit.get_absolute_url())
    initial = {field: getattr(visit, field) for field in services.VISIT_RECORD_FIELDS}
    form = VisitRecordForm(
        request.POST or None,
        initial={**(initial if visit.outcome else {}), "seen": row_version(visit)},
        re_inspection_planned=visit.re_inspection_planned,
    )
    if request.method == "POST" and form.is_valid():
        answers = {**form.cleaned_data, "seen": form.cleaned_data["seen"] or None}
        try:
            services.post_inspection_visit_record(visit=visit, by=request.user, **answers)
        except ValidationError as error:
            add_service_errors(form, error)
            offer_to_replace(form, services.STALE_VISIT, lambda: _visit_now(visit))
        else:
            messages.success(request, "Visit record saved")
            return redirect(visit.get_absolute_url())
    context = {"visit": visit, "inspection": visit.inspection, "form": form}
    return render(request, "actionplans/visit_record.html", context)


# --- Notifications and the calendar -------------------------------------------


def notifications(request: HttpRequest) -> HttpResponse:
    filters = NoticeFilterForm(request.GET, user=request.user)
    chosen = filters.chosen()
    show = "unread" if chosen.get("show") == "unread" else "all"
    mine = Notice.objects.for_user(request.user)
    notices = filters.filter(mine.with_links(request.user).select_related("inspection__force"))
    if show == "unread":
        notices = notices.unread()
    page = Paginator(notices, 25).get_page(request.GET.get("page"))
    filtered = bool({"force", "about"} & set(chosen))
    # Unread and nothing else listed: counted once, for both.
    listed_all_unread = show == "unread" and not filtered
    unread = page.paginator.count if listed_all_unread else mine.unread().count()
    # Of those listed, how many unread: whether to offer "only unread" (found
    # by the review of the day's changes: narrowed to one force, the offer
    # was weighed against every force's unread).
    listed_unread = unread
    if filtered:
        listed_unread = page.paginator.count if show == "unread" else notices.unread().count()
    context = {
        "page": page,
        "unread": unread,
        "listed_unread": listed_unread,
        "show": show,
        "filters": filters,
        "filtered": filtered,
    }
    return render(request, "actionplans/notifications.html", context)


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.notices_mark_all_read(user=request.user)
    if count:
        messages.success(
            request, f"{count:,} notification{'s' if count != 1 else ''} marked as read"
        )
    else:  # a page drawn before they were read elsewhere
        messages.info(request, "You have no unread notifications")
    return redirect("actionplans:notifications")


def calendar(request: HttpRequest) -> HttpResponse:
    feed = services.calendar_feed_for(request.user)
    # The service's own address, as emailed links are: not the Host this
    # request came by (a proxy's, or an internal name), which a calendar
    # program elsewhere could not reach (found by the email review).
    url = settings.SERVICE_URL + reverse("actionplans:calendar_feed", args=[feed.token])
    return render(request, "actionplans/calendar.html", {"feed_url": url})


@require_http_methods(["GET", "POST"])
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """Asks first: a calendar program holding the old link stops showing deadlines."""
    if request.method == "POST":
        services.calendar_feed_reset(user=request.user, by=request.user)
        messages.success(request, "Your calendar link has been reset. The old link no longer works")
        return redirect("actionplans:calendar")
    return render(request, "actionplans/calendar_reset.html")


@login_not_required
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design: calendar programs cannot sign in. The token in the
    address is the secret; the owner can reset it."""
    feed = CalendarFeed.objects.select_related("user__force").filter(token=token).first()
    if feed is None or not feed.user.is_active or feed.ended:
        raise Http404("No such calendar")
    body = render_ics(calendar_events(feed.user), name="Child protection inspections")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    return response
