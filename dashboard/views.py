from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import fragments, uploads
from core.heartbeats import late_jobs
from forces.forms import ForceFilterForm
from inspections.models import Topic

from . import export_files, exports, national
from .models import ExportFile


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
    data = filters.valid_data()
    context = {
        "filters": filters,
        "filtered": bool(data.get("region") or data.get("country")),
        # Admins watch the scheduled jobs too (core.heartbeats).
        "late_jobs": late_jobs() if request.user.is_admin else [],
    }
    return fragments.render(
        request,
        "dashboard/dashboard.html",
        context,
        body=lambda: _dashboard_body(data, request.user),
    )


def _dashboard_body(data: dict, user) -> dict:
    picture = national.national_picture(
        today=timezone.localdate(),
        region=data.get("region", ""),
        country=data.get("country", ""),
    )
    distribution = national.grade_distribution(picture.rows)
    return {
        "picture": picture,
        "open_to_user": national.inspections_open_to(
            user, picture.overdue + picture.due_soon + picture.pcc_overdue + picture.pcc_due_soon
        ),
        "topics": Topic.labels,
        "pcc_response_days": settings.PROGRAMME_RULES["PCC_RESPONSE_DAYS"],
        "distribution": distribution,
        "grade_labels": [grade.label for grade, _ in national.GRADE_SEGMENTS],
        "grade_chart": national.grade_distribution_chart(distribution),
        "visits_chart": national.visits_chart(picture.visits, picture.quarter),
    }


def export_list(request: HttpRequest) -> HttpResponse:
    """Each export's newest ready copy to download, and a button to prepare a fresh one."""
    _require_admin(request)
    copies = export_files.latest_copies()
    items = [
        {"name": name, "title": export.title, "description": export.description, **copies[name]}
        for name, export in exports.EXPORTS.items()
    ]
    return render(request, "dashboard/exports.html", {"items": items})


@require_POST
def export_prepare(request: HttpRequest, name: str) -> HttpResponse:
    _require_admin(request)
    if name not in exports.EXPORTS:
        raise Http404("No such export")
    export_files.export_request(name=name, by=request.user)
    title = exports.EXPORTS[name].title.lower()
    messages.success(request, f"A new copy of {title} is being prepared")
    return redirect(f"{reverse('exports:list')}#{name}")


@require_GET  # a download: only a GET takes a copy, and is audited
def export_download(request: HttpRequest, export_file_id) -> HttpResponse:
    """A prepared copy, through the permission check; the download is audited."""
    _require_admin(request)
    export_file = get_object_or_404(
        ExportFile.objects.select_related("stored_file"),
        pk=export_file_id,
        status=ExportFile.Status.READY,
        stored_file__isnull=False,
    )
    return uploads.file_response(export_file.stored_file, by=request.user)
