"""Pre-publication (factual accuracy) checks: the force's points, the lead
inspector's responses, and corrections to the report's words.

A force lead sees the page from pre-publication checks on (404 before, as the
report); the inspectorate sees only the points the force has sent.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core import fragments

from . import factual_accuracy, services
from .access import can_moderate, get_inspection_for_user, require_inspectorate
from .forms import (
    ELSEWHERE,
    FactualPointForm,
    FactualResponseForm,
    FactualSendForm,
    FindingWordingForm,
    JudgmentWordingForm,
)
from .models import FactualAccuracyPoint, Inspection, Judgment
from .views import _apply, _offer_to_replace

Stage = Inspection.Stage
Point = FactualAccuracyPoint


def _page_url(inspection: Inspection) -> str:
    return reverse("inspections:factual_accuracy", args=[inspection.pk])


def _points(inspection: Inspection, user) -> list[Point]:
    """The points this person may read: the force all of its own, the
    inspectorate only those sent. Their findings come in the same query."""
    points = inspection.factual_points.select_related("finding")
    if not user.is_force_lead:
        points = points.filter(sent_at__isnull=False)
    return list(points)


def factual_accuracy_page(request: HttpRequest, inspection_id) -> HttpResponse:
    inspection = get_inspection_for_user(request, inspection_id)
    if request.user.is_force_lead and not inspection.force_sees_findings:
        raise Http404("No such page")
    user = request.user

    def body() -> dict:
        points = _points(inspection, user)
        drafts = [point for point in points if not point.is_sent]
        return {
            "drafts": drafts,
            "sent": [point for point in points if point.is_sent],
            "waiting": sum(1 for point in points if point.is_sent and not point.is_answered),
            "can_respond": inspection.stage == Stage.PRE_PUBLICATION
            and (user.is_admin or can_moderate(user, inspection)),
        }

    return fragments.render(
        request,
        "inspections/factual_accuracy.html",
        {"inspection": inspection, "open": inspection.stage == Stage.PRE_PUBLICATION},
        body=body,
    )


def _force_page(request: HttpRequest, inspection_id) -> tuple[Inspection, HttpResponse | None]:
    """A page of the force's own (raise, change, delete, send): 403 for the
    inspectorate, 404 before the force sees the report; once published,
    back to the points page saying why."""
    inspection = get_inspection_for_user(request, inspection_id)
    if not request.user.is_force_lead:
        raise PermissionDenied
    if not inspection.force_sees_findings:
        raise Http404("No such page")
    if inspection.stage != Stage.PRE_PUBLICATION:
        messages.info(
            request, "The report has been published, so no more points can be raised or sent"
        )
        return inspection, redirect(_page_url(inspection))
    return inspection, None


def _draft_for(request, inspection: Inspection, point_id) -> Point | HttpResponse:
    point = inspection.factual_points.select_related("finding").filter(pk=point_id).first()
    if point is None and request.method == "POST":
        # Deleted in another tab, or Delete pressed again: say so, rather
        # than a bare 'Page not found' with what was typed gone.
        messages.info(request, "This draft point has been deleted, so nothing was saved")
        return redirect(_page_url(inspection))
    if point is None:
        raise Http404("No such point")
    point.inspection = inspection
    if point.is_sent:
        messages.info(request, "This point has been sent, so it can no longer be changed")
        return redirect(_page_url(inspection))
    return point


@require_http_methods(["GET", "POST"])
def factual_point_new(request: HttpRequest, inspection_id) -> HttpResponse:
    return _point_form(request, inspection_id)


@require_http_methods(["GET", "POST"])
def factual_point_edit(request: HttpRequest, inspection_id, point_id) -> HttpResponse:
    return _point_form(request, inspection_id, point_id)


def _where(point: Point) -> str:
    if point.finding_id:
        return f"finding:{point.finding_id}"
    return f"judgment:{point.topic}" if point.topic else ELSEWHERE


def _point_form(request: HttpRequest, inspection_id, point_id=None) -> HttpResponse:
    inspection, closed = _force_page(request, inspection_id)
    if closed:
        return closed
    point = None
    if point_id is not None:
        point = _draft_for(request, inspection, point_id)
        if isinstance(point, HttpResponse):
            return point
    initial = {"where": _where(point), **vars(point)} if point else {}
    if point:
        initial["seen"] = services.seen_version(point)
    form = FactualPointForm(
        request.POST or None,
        initial=initial,
        judgments=inspection.judgments.all(),
        findings=inspection.findings.all(),
    )
    if form.is_valid():
        data = form.cleaned_data
        fields = ("topic", "finding", "inaccuracy", "correction", "evidence")
        if _apply(
            form,
            lambda: factual_accuracy.factual_point_save(
                inspection=inspection,
                point=point,
                by=request.user,
                seen=data["seen"] or None,
                **{name: data[name] for name in fields},
            ),
        ):
            messages.success(request, "Point saved as a draft. It has not been sent yet")
            return redirect(_page_url(inspection))
        if point:
            _offer_to_replace(form, point, factual_accuracy.STALE_POINT)
    context = {"inspection": inspection, "form": form, "point": point}
    return render(request, "inspections/factual_point_form.html", context)


@require_http_methods(["GET", "POST"])
def factual_point_delete(request: HttpRequest, inspection_id, point_id) -> HttpResponse:
    inspection, closed = _force_page(request, inspection_id)
    if closed:
        return closed
    point = _draft_for(request, inspection, point_id)
    if isinstance(point, HttpResponse):
        return point
    error = None
    if request.method == "POST":
        try:
            factual_accuracy.factual_point_delete(point=point, by=request.user)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, "Draft point deleted")
            return redirect(_page_url(inspection))
    context = {"inspection": inspection, "point": point, "error": error}
    context["back_url"] = _page_url(inspection)
    context["question"] = "Are you sure you want to delete this draft point?"
    return render(request, "inspections/factual_point_delete.html", context)


@require_http_methods(["GET", "POST"])
def factual_points_send(request: HttpRequest, inspection_id) -> HttpResponse:
    """Check your answers (GET), then send the points shown (POST)."""
    inspection, closed = _force_page(request, inspection_id)
    if closed:
        return closed
    drafts = [point for point in _points(inspection, request.user) if not point.is_sent]
    form = FactualSendForm(
        request.POST or None,
        initial={
            "points": ",".join(str(p.pk) for p in drafts),
            "seen": factual_accuracy.points_version(drafts),
        },
        count=len(drafts),
    )
    if request.method == "GET" and not drafts:
        messages.info(request, "You have no draft points to send")
        return redirect(_page_url(inspection))
    if form.is_valid():
        sent = []
        if _apply(
            form,
            lambda: sent.extend(
                factual_accuracy.factual_points_send(
                    inspection=inspection,
                    points=form.cleaned_data["points"],
                    by=request.user,
                    seen=form.cleaned_data["seen"] or None,
                )
            ),
        ):
            # A second click finds them sent already: the same answer, nothing sent twice.
            messages.success(request, "Your points have been sent to the inspectorate")
            return redirect(_page_url(inspection))
        # The drafts changed since the page was drawn (one deleted in another
        # tab): draw it again from the drafts as they are now, saying why,
        # rather than posting the same stale ids for ever (found by a review).
        messages.info(request, " ".join(form.non_field_errors()))
        return redirect(request.path)
    context = {"inspection": inspection, "form": form, "drafts": drafts}
    return render(request, "inspections/factual_points_send.html", context)


def _inspectorate_page(
    request: HttpRequest, inspection_id
) -> tuple[Inspection, HttpResponse | None]:
    """A page of the lead inspector's (respond, correct): 404 for a force,
    403 for anyone but the lead inspector and admins; outside pre-publication
    checks, back to the points page saying why."""
    inspection = get_inspection_for_user(request, inspection_id)
    require_inspectorate(request, inspection)
    if not (request.user.is_admin or can_moderate(request.user, inspection)):
        raise PermissionDenied
    if inspection.stage != Stage.PRE_PUBLICATION:
        messages.info(
            request,
            "Responses and corrections are made only while the report is with the force "
            "for pre-publication checks",
        )
        return inspection, redirect(_page_url(inspection))
    return inspection, None


@require_http_methods(["GET", "POST"])
def factual_point_respond(request: HttpRequest, inspection_id, point_id) -> HttpResponse:
    inspection, closed = _inspectorate_page(request, inspection_id)
    if closed:
        return closed
    points = inspection.factual_points.filter(sent_at__isnull=False).select_related("finding")
    point = get_object_or_404(points, pk=point_id)  # a draft is the force's own
    point.inspection = inspection
    initial = {
        "response": point.response,
        "explanation": point.explanation,
        "seen": services.seen_version(point),
    }
    form = FactualResponseForm(request.POST or None, initial=initial)
    saved = _save_and_say(
        request,
        form,
        partial(factual_accuracy.factual_point_respond, point=point),
        fields=("response", "explanation"),
        said=("Response saved. The force can read it now", "response"),
        stale=(point, factual_accuracy.STALE_RESPONSE),
    )
    if saved:
        return saved
    context = {"inspection": inspection, "form": form, "point": point}
    return render(request, "inspections/factual_point_respond.html", context)


def _save_and_say(request, form, save, *, fields, said, stale) -> HttpResponse | None:
    """Save a response or a correction through its service, with the form's
    fields and the page's "seen", and say what happened: back to the points
    page once saved, or None to draw the form again with its errors."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    changes = {}
    answers = {name: data[name] for name in fields}
    if _apply(
        form,
        lambda: changes.update(save(**answers, by=request.user, seen=data["seen"] or None)),
    ):
        done, what = said
        if changes:
            messages.success(request, done)
        else:
            # Saved as it was: nothing recorded (found by a review).
            messages.info(request, f"The {what} already says this: there were no changes to save")
        return redirect(_page_url(stale[0].inspection))
    _offer_to_replace(form, *stale)
    return None


@require_http_methods(["GET", "POST"])
def finding_correct(request: HttpRequest, inspection_id, finding_id) -> HttpResponse:
    inspection, closed = _inspectorate_page(request, inspection_id)
    if closed:
        return closed
    finding = get_object_or_404(inspection.findings, pk=finding_id)
    finding.inspection = inspection
    initial = {
        "summary": finding.summary,
        "detail": finding.detail,
        "seen": services.seen_version(finding),
    }
    form = FindingWordingForm(request.POST or None, initial=initial)
    saved = _save_and_say(
        request,
        form,
        partial(factual_accuracy.finding_correct, finding=finding),
        fields=("summary", "detail"),
        said=("The finding's wording is corrected in the report", "finding's wording"),
        stale=(finding, services.STALE_FINDING),
    )
    if saved:
        return saved
    context = {"inspection": inspection, "form": form, "finding": finding}
    return render(request, "inspections/correct_wording.html", context)


@require_http_methods(["GET", "POST"])
def judgment_correct(request: HttpRequest, inspection_id, topic: str) -> HttpResponse:
    inspection, closed = _inspectorate_page(request, inspection_id)
    if closed:
        return closed
    judgment: Judgment = get_object_or_404(inspection.judgments, topic=topic)
    judgment.inspection = inspection
    initial = {"rationale": judgment.rationale, "seen": services.seen_version(judgment)}
    form = JudgmentWordingForm(request.POST or None, initial=initial)
    saved = _save_and_say(
        request,
        form,
        partial(factual_accuracy.judgment_correct, judgment=judgment),
        fields=("rationale",),
        said=("The judgment's rationale is corrected in the report", "rationale"),
        stale=(judgment, services.STALE_JUDGMENT),
    )
    if saved:
        return saved
    context = {"inspection": inspection, "form": form, "judgment": judgment}
    return render(request, "inspections/correct_wording.html", context)
