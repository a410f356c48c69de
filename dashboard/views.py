from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core import audit, fragments
from forces.forms import ForceFilterForm
from inspections.models import Topic

from . import exports, national
from .csvio import csv_response


def _require_inspectorate(request: HttpRequest) -> None:
    """Admins and inspectors; a force lead may not know the page exists."""
    if not request.user.is_inspectorate:
        raise Http404("No such page")


def _require_admin(request: HttpRequest) -> None:
    _require_inspectorate(request)
    if not request.user.is_admin:
        raise PermissionDenied


def dashboard_view(request: HttpRequest) -> HttpResponse:
    _require_inspectorate(request)
    filters = ForceFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    context = {"filters": filters, "filtered": bool(data.get("region") or data.get("country"))}
    return fragments.render(
        request, "dashboard/dashboard.html", context, body=lambda: _dashboard_body(data)
    )


def _dashboard_body(data: dict) -> dict:
    picture = national.national_picture(
        today=timezone.localdate(),
        region=data.get("region", ""),
        country=data.get("country", ""),
    )
    distribution = national.grade_distribution(picture.rows)
    return {
        "picture": picture,
        "topics": Topic.labels,
        "distribution": distribution,
        "grade_labels": [grade.label for grade, _ in national.GRADE_SEGMENTS],
        "grade_chart": national.grade_distribution_chart(distribution),
        "visits_chart": national.visits_chart(picture.visits, picture.quarter),
    }


def export_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "dashboard/exports.html", {"exports": exports.EXPORTS})


def export_csv(request: HttpRequest, name: str) -> HttpResponse:
    _require_admin(request)
    builders = {
        "grades": exports.grades,
        "findings": exports.findings,
        "case-reviews": exports.case_reviews,
        "deadlines": lambda: exports.deadlines(timezone.localdate()),
    }
    if name not in builders:
        raise Http404("No such export")
    header, rows = builders[name]()
    # Who took a copy of national data, and when.
    audit.record(by=request.user, action="export.downloaded", obj=request.user, comment=name)
    today = timezone.localdate()
    return csv_response(f"{name}-{today:%Y-%m-%d}.csv", header, rows)
