import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from psycopg2.errors import QueryCanceled

from actionplans.services import home_context
from casefiles import selectors as casefile_selectors
from config.celery import app as celery_app
from dashboard import national
from forces.models import Force
from inspections.models import Inspection, Judgment
from inspections.templatetags.inspection_tags import STAGE_COLOURS

from . import fragments
from .context_processors import SERVICE_NAME
from .forms import AuditSearchForm
from .heartbeats import late_jobs
from .links import ANY, url_maker
from .models import AuditEvent
from .templatetags.govuk import govuk_date, govuk_tag
from .uploads import FileGone


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on a home page made for its work."""
    user = request.user
    frame = {}
    if user.is_force_lead:
        template, frame = "core/home_force_lead.html", {"force": user.force}
    elif user.is_admin:
        template, frame = "core/home_admin.html", {"late_jobs": late_jobs()}
    else:
        template = "core/home_inspector.html"
    return fragments.render(request, template, frame, body=lambda: _home_context(user))


def _home_context(user) -> dict:
    extra = home_context(user)  # notifications, and a force lead's "What is due"
    if not user.is_force_lead:
        # What the forces owe: on an inspector's own inspections, or for an
        # admin, who watches every deadline, on all of them.
        extra["overdue"], extra["due_soon"] = national.deadlines_of(
            user, today=timezone.localdate()
        )
    if user.is_admin:
        return {
            "force_count": Force.objects.count(),
            "open_count": Inspection.objects.open().count(),
            **extra,
        }
    if user.is_force_lead:
        # The force's current inspections, which are all a force lead sees
        # (visible_to), already read for "What is due": no second query.
        current = sorted(extra.pop("current_inspections"), key=lambda i: i.fieldwork_start)
        rows = [(i.pk, i.force.short_name, *_row_fields(i)) for i in current]
    else:
        rows = (
            Inspection.objects.visible_to(user)
            .current()
            .order_by("fieldwork_start")
            .values_list("pk", "force__short_name", *_ROW_FIELDS)
        )
    inspections = _inspection_rows(rows)
    # Returned judgments and judgments to agree, so nobody has to open each
    # inspection to find work waiting (found by the inspector review).
    awaiting = (
        []
        if user.is_force_lead  # the inspectorate's work, not the force's
        else list(
            Judgment.objects.awaiting(user)
            .select_related("inspection__force")
            .order_by("inspection__fieldwork_start", "position")
        )
    )
    return {"inspections": inspections, "awaiting": awaiting, **_case_file_work(user), **extra}


def _case_file_work(user) -> dict:
    """Case file reviews assigned to this person, and second reviews they
    have to do as lead inspector: found before only on each inspection's
    case files tabs (found by a usability review). The inspectorate's field
    staff only: a force lead never sees case files, and an admin is on no
    team."""
    if not user.is_inspector:
        return {}
    reviews = url_maker("casefiles:review_list", ANY)
    second_reviews = url_maker("casefiles:second_review_list", ANY)
    return {
        "assigned_reviews": [
            (row, f"{reviews(row.inspection_id)}?show=mine")
            for row in casefile_selectors.reviews_assigned_to(user)
        ],
        "second_reviews_to_do": [
            (row, second_reviews(row.inspection_id))
            for row in casefile_selectors.second_reviews_to_do_by_inspection(user)
        ],
    }


_ROW_FIELDS = ("kind", "fieldwork_start", "fieldwork_end", "stage")


def _row_fields(inspection: Inspection) -> tuple:
    return tuple(getattr(inspection, name) for name in _ROW_FIELDS)


def _inspection_rows(rows) -> list[dict]:
    """One row an inspection for core/_inspection_table.html, from (pk, force
    short name, *_ROW_FIELDS), with what it shows worked out here: the link
    (one reverse() for the table), the kind, the fieldwork dates and the stage
    tag (what get_absolute_url, get_kind_display, govuk_date and
    {% stage_tag %} give)."""
    url = url_maker("inspections:detail", ANY)
    kinds, stages = dict(Inspection.Kind.choices), dict(Inspection.Stage.choices)
    return [
        {
            "url": url(pk),
            "force_short_name": force_short_name,
            "kind": kinds.get(kind, kind),
            "fieldwork_start": govuk_date(start),
            "fieldwork_end": govuk_date(end),
            "stage_tag": govuk_tag(stages.get(stage, stage), STAGE_COLOURS.get(stage, "")),
        }
        for pk, force_short_name, kind, start, end, stage in rows
    ]


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    # Public on purpose: an accessibility statement must be reachable by
    # anyone, including someone who cannot get past the sign-in page.
    return render(request, "core/accessibility.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _late_job_names() -> list[str]:
    try:
        return [late.job for late in late_jobs()]
    except Exception:  # mid-deploy, before the migration: say so, never a 500
        return ["unknown"]


def _cache_ok() -> bool:
    try:
        cache.get("healthz")  # bounded by the cache's own socket timeouts (1 second)
        return True
    except Exception:
        return False


def _broker_ok(url: str, timeout: float) -> bool:
    # The timeout bounds each socket too: a broker that takes the connection
    # and never answers held the probe for the broker's own socket timeout
    # (10 seconds), past a load balancer's patience (found by a review).
    within = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    try:
        with celery_app.connection_for_write(
            url=url, connect_timeout=timeout, transport_options=within
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            conn.default_channel  # noqa: B018 - opening a channel proves the broker answers
        return True
    except Exception:
        return False


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 while this web process can serve pages
    (its database answers), else 503. The broker is reported, for monitoring,
    but does not decide: pages work without it (tasks are queued robustly), and
    a Redis outage answered 503 by every web process took the whole service
    out (found by a review). "degraded" tells monitoring the broker is down,
    or the cache: pages are drawn afresh without it, slower, and the limit on
    password link requests from one computer is not counted."""
    database = _database_ok()
    broker = _broker_ok(settings.CELERY_BROKER_URL, settings.HEALTHZ_BROKER_TIMEOUT)
    cached = _cache_ok()
    # A scheduled job that has stopped running (beat or the worker down) is
    # "degraded" too: pages work, but nobody is reminded of a deadline.
    late = _late_job_names() if database else []
    ok = database and broker and cached and not late
    status = "ok" if ok else "degraded" if database else "unavailable"
    return JsonResponse(
        {
            "status": status,
            "database": "ok" if database else "unavailable",
            "broker": "ok" if broker else "unavailable",
            "cache": "ok" if cached else "unavailable",
            "late_jobs": late,
        },
        status=200 if database else 503,
    )


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, FileGone):  # a file they may take, no longer kept
        return render(request, "file_gone.html", {"message": str(exception)}, status=410)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    """The page for an error nothing else caught: "Sorry, the service is busy"
    (503) when PostgreSQL cancelled a query for running past
    DATABASE_STATEMENT_TIMEOUT, wherever in the request it ran (a view, the
    sign-in check, a template); else "there is a problem" (500). Django logs
    either at ERROR, with the traceback, as "Service Unavailable: <path>" or
    "Internal Server Error: <path>": the path alone, never the form.

    Drawn without the request, as Django's own is: whatever failed (the busy
    database, say) is not asked again by the context processors. The service
    name is given, or the header's link to the home page has no words."""
    # Django calls this inside its `except`: the error is the one in flight.
    if _statement_timeout(sys.exc_info()[1]):
        page = render_to_string("503.html", {"service_name": SERVICE_NAME})
        return HttpResponse(page, status=503)
    return HttpResponseServerError(render_to_string("500.html", {"service_name": SERVICE_NAME}))


def _statement_timeout(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError) and isinstance(error.__cause__, QueryCanceled)


@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The audit trail, read-only, searchable by admins only."""
    if request.user.is_force_lead:
        raise Http404
    if not request.user.is_admin:
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    events = form.filter(AuditEvent.objects.select_related("actor", "force"))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"form": form, "page_obj": page})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an out-of-date security token (CSRF_FAILURE_VIEW).

    Signing in or out in another tab changes the token, so a form left open
    in this one is refused. Someone signing in who is signed in already (the
    other tab did it) goes on to their home page; anyone else is told what
    happened and that nothing was saved, on a page of the service.

    Someone signing out who is still signed in is told so, and offered the
    button again with a token that works: 'Nothing has been saved' left them
    thinking they were done, and they walked away signed in (found by the
    sign-in review). Not signed out there and then: another site's form
    could otherwise sign them out."""
    if request.path == reverse("accounts:sign_in") and request.user.is_authenticated:
        return redirect("core:home")
    if request.path == reverse("accounts:sign_out") and request.user.is_authenticated:
        return render(request, "accounts/sign_out_refused.html", status=403)
    return render(request, "403_csrf.html", status=403)
