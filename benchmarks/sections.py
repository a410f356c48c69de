"""The sections of `make bench`, each returning plain figures, and the report.

run_all() measures, in this order, on the database benchmarks/run.py built:
  exports each national export prepared as its Celery task does (time, rows);
  pages   server time of each key page through the test client, as a ratio
          to the floor page (base.html alone) measured just before it;
  sweep   the deadline sweep over 10,000 and then 100,000 open deadlines
          (synthetic ones added for the purpose, removed afterwards), its
          time and its queries by kind;
  import  benchmarks/import_case_list.py in its own process (100,000 rows);
  pdf     one inspection's report PDF against WeasyPrint alone on the same HTML;
  load    Locust (its own virtualenv) against gunicorn with 2 workers.
render() turns the figures into benchmarks/RESULTS.md.
"""

import csv
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks import pages as page_timer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
LOAD_VENV = ROOT / "benchmarks" / ".venv-load"
LOAD_PASSWORD = "load-test-password-not-secret"  # noqa: S105 - synthetic accounts on a throw-away database
LOAD_USERS = 50  # accounts of each kind; Locust runs 50 users in all
SWEEP_SIZES = [10_000, 100_000]
SWEEP_EMAIL = "sweep.bench.lead@example.org"

TARGETS = {
    "page_ratio": 3.0,
    "sweep_seconds": 2.0,
    "import_seconds": 10.0,
    "import_mb": 200.0,
    "pdf_ratio": 1.3,
    "load_p95_ms": 300.0,
}


# The inspection and the people the pages are opened as -----------------------


def benchmark_inspection():
    """A whole inspection: in follow-up, with its findings, case files and plans."""
    from inspections.models import Inspection

    return (
        Inspection.objects.filter(stage=Inspection.Stage.FOLLOW_UP, findings__isnull=False)
        .filter(action_plans__versions__isnull=False, cases__isnull=False)
        .select_related("force", "lead_inspector")
        .order_by("force__slug", "-fieldwork_start")
        .distinct()
        .first()
    )


def _device(user, key_hex: str | None = None):
    """The person's confirmed authenticator (made if need be), with this key if given."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor import DEVICE_NAME

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice(user=user, name=DEVICE_NAME, confirmed=True)
    if key_hex:
        device.key = key_hex
    device.save()
    return device


def signed_in(user) -> Client:
    """A test client signed in with both factors, as conftest.client_for does."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = _device(user).persistent_id
    session.save()
    return client


def people(inspection) -> dict:
    from accounts.models import User

    return {
        "admin": User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("email")[0],
        "lead inspector": inspection.lead_inspector,
        # Active: the load test's accounts are deactivated between runs.
        "force lead": User.objects.filter(
            force=inspection.force, role=User.Role.FORCE_LEAD, is_active=True
        )
        .order_by("email")
        .first(),
    }


def page_list(inspection, users: dict) -> list[tuple[str, str, str]]:
    """(page, user, URL) for each key page."""
    i, force = inspection.pk, inspection.force.slug
    return [
        ("Programme", "admin", reverse("inspections:programme")),
        ("Dashboard", "admin", reverse("dashboard:dashboard")),
        ("Home", "admin", reverse("core:home")),
        ("Home", "lead inspector", reverse("core:home")),
        ("Home", "force lead", reverse("core:home")),
        ("Inspection", "lead inspector", reverse("inspections:detail", args=[i])),
        ("Inspection", "force lead", reverse("inspections:detail", args=[i])),
        (
            "Grading (investigation)",
            "lead inspector",
            reverse("inspections:judgment", args=[i, "investigation"]),
        ),
        ("Findings", "lead inspector", reverse("inspections:findings", args=[i])),
        ("Evidence", "lead inspector", reverse("inspections:evidence", args=[i])),
        ("Report", "force lead", reverse("inspections:report", args=[i])),
        ("Case file sample", "lead inspector", reverse("casefiles:sample", args=[i])),
        ("Case file review list", "lead inspector", reverse("casefiles:review_list", args=[i])),
        ("Action plan", "force lead", reverse("actionplans:plan", args=[i, "action-plan"])),
        ("Action plan", "lead inspector", reverse("actionplans:plan", args=[i, "action-plan"])),
        ("Force page", "admin", reverse("forces:detail", args=[force])),
        ("Force page", "force lead", reverse("forces:detail", args=[force])),
        ("Exports", "admin", reverse("exports:list")),
        *(
            (f"Export: {label} (CSV)", "admin", reverse("exports:download", args=[copy.pk]))
            for label, copy in (
                (name.replace("-", " "), ready_export(name, users["admin"]))
                for name in ("grades", "findings", "case-reviews", "deadlines")
            )
        ),
    ]


def ready_export(name: str, admin):
    """The newest prepared copy of an export, prepared now if there is none."""
    from dashboard.models import ExportFile

    copy = ExportFile.objects.filter(name=name, status=ExportFile.Status.READY).first()
    return copy or prepare_export(name, admin)["copy"]


def prepare_export(name: str, admin) -> dict:
    """What the Celery task does for one copy, timed (dashboard.export_files)."""
    from dashboard import export_files
    from dashboard.models import ExportFile

    copy = ExportFile.objects.create(name=name, requested_by=admin)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        export_files.export_build(export_file_id=copy.pk)
        seconds = time.perf_counter() - started
    copy.refresh_from_db()
    if copy.status != ExportFile.Status.READY:
        raise RuntimeError(f"export {name} failed: {copy.error}")
    return {
        "copy": copy,
        "name": name,
        "seconds": seconds,
        "queries": len(captured),
        "rows": copy.row_count,
        "bytes": copy.stored_file.size,
    }


def exports_section(users: dict) -> list[dict]:
    """Each export prepared as the background task does it: time, rows, size."""
    results = []
    for name in ("grades", "findings", "case-reviews", "deadlines"):
        result = prepare_export(name, users["admin"])
        result.pop("copy")
        print(f"  {name}: {result['seconds']:.2f} s, {result['rows']:,} rows", flush=True)
        results.append(result)
    return results


def pages_section(inspection, users: dict) -> list[dict]:
    clients = {role: signed_in(user) for role, user in users.items()}
    specs = [
        page_timer.PageSpec(f"{name} ({role})", url, clients[role])
        for name, role, url in page_list(inspection, users)
    ]
    results = page_timer.run(specs)
    for row in results:
        print(f"  {row['page']}: {row['median_ms']:.1f} ms, x{row['ratio']:.2f}", flush=True)
    return results


# The deadline sweep -----------------------------------------------------------


def open_deadline_count(today: date) -> int:
    """Plans with a due date whose inspection is not closed and that have no version."""
    from actionplans.models import ActionPlan, ActionPlanVersion
    from inspections.models import Inspection

    total = 0
    for kind, field in ActionPlan.DUE_FIELDS.items():
        submitted = ActionPlanVersion.objects.filter(plan__kind=kind).values("plan__inspection_id")
        total += (
            Inspection.objects.exclude(stage=Inspection.Stage.CLOSED)
            .exclude(**{f"{field}__isnull": True})
            .exclude(pk__in=submitted)
            .count()
        )
    return total


def _add_synthetic_deadlines(count: int, today: date, lead, rng) -> None:
    """Inspections in follow-up with both plans unsubmitted: two open deadlines
    each, due on days spread evenly from six months overdue to six months
    ahead, round the 43 forces in turn."""
    from forces.models import Force
    from inspections.models import Inspection
    from inspections.scale import insert_rows, scale_uuid

    forces = list(Force.objects.order_by("slug").values_list("pk", flat=True))
    now = timezone.now()
    start = today - timedelta(days=400)

    def rows():
        for n in range(count // 2):
            due = [today + timedelta(days=rng.randint(-182, 182)) for _ in range(2)]
            yield (
                scale_uuid(rng), now, now, forces[n % len(forces)], Inspection.Kind.INSPECTION,
                Inspection.Stage.FOLLOW_UP, start, start + timedelta(days=4), lead.pk,
                due[0] - timedelta(days=28), due[1] - timedelta(days=56), None,
                due[0], due[1], None,
            )  # fmt: skip

    insert_rows(
        Inspection,
        ["id", "created_at", "updated_at", "force", "kind", "stage", "fieldwork_start"]
        + ["fieldwork_end", "lead_inspector", "received_for_checks_on", "published_on"]
        + ["closed_on", "action_plan_due_on", "updated_action_plan_due_on", "pcc_response_due_on"],
        rows(),
    )


def timed_sweep(today: date) -> dict:
    from actionplans.notices import notices_sweep

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        sent = notices_sweep(today=today)
        seconds = time.perf_counter() - started
    # A UNION ALL of SELECTs starts with "(SELECT": a SELECT all the same.
    kinds = Counter(
        query["sql"].lstrip("( ").split(None, 1)[0].upper() for query in captured.captured_queries
    )
    return {"seconds": seconds, "sent": sent, "queries": len(captured), "by_kind": dict(kinds)}


def _remove_sweep_notices(since) -> None:
    from actionplans.models import Notice

    Notice.objects.filter(created_at__gte=since)._raw_delete(connection.alias)


WRITTEN = "bench_written_notices"


def write_floor(since) -> dict:
    """What PostgreSQL alone takes to store the notices the cold sweep just
    wrote: the same rows put back by one INSERT ... SELECT, from a table on
    the server, with the same unique key, indexes and foreign keys, and no
    Python, COPY or broker. The foreign keys are checked at the commit (Django
    makes them DEFERRABLE INITIALLY DEFERRED), so it is timed apart. The rows
    end up as the sweep left them."""
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {WRITTEN} AS "  # noqa: S608  # nosec B608 - our own names
            "SELECT * FROM actionplans_notice WHERE created_at >= %s",
            [since],
        )
        rows = cursor.rowcount
    _remove_sweep_notices(since)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as before the cold run
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO actionplans_notice SELECT * FROM {WRITTEN} "  # noqa: S608  # nosec B608
                "ORDER BY recipient_id, kind, inspection_id, subject, due_on, sequence "
                "ON CONFLICT DO NOTHING"
            )
        inserted = time.perf_counter()
    committed = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {WRITTEN}")
    return {"rows": rows, "insert": inserted - started, "commit": committed - inserted}


def sweep_section(rng) -> dict:
    """The sweep over 10,000 then 100,000 open deadlines, each time cold (no
    notice sent yet); then again the same day (nothing new) and the next day."""
    from accounts.models import User
    from actionplans.models import Notice
    from config.celery import app as celery_app
    from inspections.models import Inspection

    today = timezone.localdate()
    lead, _ = User.objects.get_or_create(
        email=SWEEP_EMAIL,
        defaults={"full_name": "Sweep Benchmark Lead", "role": User.Role.LEAD_INSPECTOR},
    )
    natural = open_deadline_count(today)
    since = timezone.now()
    # Emails are queued to the real broker (Redis), as in production, and
    # purged afterwards: the sweep's time includes queueing them.
    celery_app.conf.task_always_eager = False
    runs = []
    try:
        added = 0
        for size in SWEEP_SIZES:
            _add_synthetic_deadlines(size - natural - added, today, lead, rng)
            added = size - natural
            _remove_sweep_notices(since)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give
            run = {"deadlines": open_deadline_count(today), **timed_sweep(today)}
            runs.append(run)
            print(f"  sweep over {run['deadlines']:,}: {run['seconds']:.2f} s", flush=True)
        floor = write_floor(since)
        alone = floor["insert"] + floor["commit"]
        print(f"  the same rows by one INSERT: {alone:.2f} s", flush=True)
        again = timed_sweep(today)
        next_day = timed_sweep(today + timedelta(days=1))
        notices = Notice.objects.filter(created_at__gte=since)
        recipients = notices.values("recipient").distinct().count()
    finally:
        celery_app.conf.task_always_eager = True
        celery_app.control.purge()
        _remove_sweep_notices(since)
        Inspection.objects.filter(lead_inspector=lead)._raw_delete(connection.alias)
        with connection.cursor() as cursor:
            # Leave no dead rows behind for the sections that follow.
            cursor.execute("VACUUM ANALYZE inspections_inspection, actionplans_notice")
    return {
        "natural": natural,
        "runs": runs,
        "floor": floor,
        "again": again,
        "next_day": next_day,
        "recipients": recipients,
    }


# The case list import ----------------------------------------------------------

IMPORT_LINE = re.compile(
    r"import: (?P<status>\w+), (?P<rows>[\d,]+) rows in (?P<seconds>[\d.]+) s .*?"
    r"peak RSS (?P<rss>\d+) MB \(grew (?P<grew>-?\d+) MB\)"
)
TRACED_LINE = re.compile(r"peak Python allocations (?P<peak>[\d.]+) MB")
PHASES_LINE = re.compile(r"phases: (?P<phases>.*)")


def import_section(url: str) -> dict:
    """benchmarks/import_case_list.py, in a fresh process so its peak memory is its own."""
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "benchmarks" / "import_case_list.py"), "--rows", "100000"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = done.stdout
    found = IMPORT_LINE.search(output)
    if not found:
        return {"error": (output + done.stderr)[-2000:]}
    traced = TRACED_LINE.search(output)
    phases = PHASES_LINE.search(output)
    return {
        "status": found["status"],
        "rows": int(found["rows"].replace(",", "")),
        "seconds": float(found["seconds"]),
        "max_rss_mb": float(found["rss"]),
        "rss_growth_mb": float(found["grew"]),
        "peak_python_mb": float(traced["peak"]) if traced else None,
        "phases": phases["phases"] if phases else "",
    }


# The report PDF ---------------------------------------------------------------


def pdf_section(inspection, runs: int = 7) -> dict:
    """The full build (queries, report data, charts, HTML, PDF) against
    WeasyPrint alone on the very same HTML, alternated (report_pdf.interleaved)."""
    from benchmarks.report_pdf import interleaved
    from inspections import reports

    html = reports.report_html(reports.report_data(inspection))
    rendered = reports.render_report_pdf(inspection)
    median = interleaved(
        {
            "full": lambda: reports.render_report_pdf(inspection),
            "floor": lambda: reports.html_to_pdf(html),
        },
        runs,
    )
    return {
        "pages": rendered.page_count,
        "bytes": len(rendered.pdf),
        "full_ms": median["full"] * 1000,
        "floor_ms": median["floor"] * 1000,
        "ratio": median["full"] / median["floor"],
        "runs": runs,
    }


# The load test -------------------------------------------------------------------


def load_users(inspection) -> None:
    """50 inspectors on the team and 50 force leads of the force, each with a
    password and an authenticator key the locustfile can compute codes from."""
    from accounts.models import User

    password = make_password(LOAD_PASSWORD)  # hashed once: the full cost, shared
    made = []
    for n in range(1, LOAD_USERS + 1):
        for prefix, role, force in (
            ("load.inspector.", User.Role.INSPECTOR, None),
            ("load.force.lead.", User.Role.FORCE_LEAD, inspection.force),
        ):
            email = f"{prefix}{n}@example.org"
            user, _ = User.objects.update_or_create(
                email=email,
                defaults={
                    "full_name": f"Load {role} {n}",
                    "role": role,
                    "force": force,
                    "is_active": True,
                },
            )
            user.password = password
            user.save(update_fields=["password"])
            seed = f"load-test:{email}".encode()
            key = hashlib.sha1(seed, usedforsecurity=False).hexdigest()  # as the locustfile
            _device(user, key)
            made.append(user)
    inspection.team.add(*[u for u in made if u.role == User.Role.INSPECTOR])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            # An http:// address on loopback that this module built.
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  # nosec B310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def load_section(inspection, url: str, static_root: Path) -> dict:
    """Locust against gunicorn, once for each of LOAD_RUNS."""
    locust = LOAD_VENV / "bin" / "locust"
    if not locust.exists():
        return {"skipped": f"no Locust at {locust}: `make bench` builds it"}
    load_users(inspection)
    OUT.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "TWO_FACTOR_REQUIRED": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_ROOT": str(static_root),
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = subprocess.Popen(  # noqa: S603 - our own server
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application"]
        + ["--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning"]
        # As the Procfile's web: above the 30-second statement timeout (config/wsgi.py).
        + ["--timeout", "40"],
        cwd=ROOT,
        env=env,
        stdout=(OUT / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{host}/healthz")
        runs = {name: _locust(name, rate, host, env, inspection) for name, rate in LOAD_RUNS}
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
        load_users_off(inspection)
    return runs


def load_users_off(inspection) -> None:
    """The load test's accounts, off the team and deactivated once it is over:
    a later run on the same data (--skip-build) would otherwise draw the
    inspection's page with 50 more people on its team and send the sweep's
    notices about the benchmark force to 50 more force leads, and its figures
    would not compare with a run on fresh data. load_users puts them back."""
    from accounts.models import User

    users = list(User.objects.filter(email__startswith="load.", is_active=True))
    inspection.team.remove(*users)
    for user in users:
        user.is_active = False
        user.save(update_fields=["is_active"])


# Two arrivals of the same 50 users: all signing in within five seconds (each
# sign-in checks an Argon2id password hash that costs about 0.16 s of CPU on
# purpose),
# and one a second, as a morning's sign-ins spread out. The second run starts
# over a minute after the first, so no authenticator code is given twice.
LOAD_RUNS = (("burst", 10), ("spread", 1))


def _locust(name: str, rate: int, host: str, env: dict, inspection) -> dict:
    locust = LOAD_VENV / "bin" / "locust"
    summary = OUT / f"load_{name}_summary.json"
    summary.unlink(missing_ok=True)
    done = subprocess.run(  # noqa: S603 - our own load test
        [str(locust), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless"]
        + ["-u", "50", "-r", str(rate), "--run-time", "60s", "--host", host]
        + ["--csv", str(OUT / f"load_{name}"), "--only-summary", "--stop-timeout", "5"],
        cwd=ROOT,
        env={
            **env,
            "BENCH_PASSWORD": LOAD_PASSWORD,
            "BENCH_INSPECTION": str(inspection.pk),
            "BENCH_LOAD_SUMMARY": str(summary),
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    rows = list(csv.DictReader((OUT / f"load_{name}_stats.csv").open()))
    return {
        "rate": rate,
        "exit": done.returncode,
        "rows": rows,
        "summary": json.loads(summary.read_text()) if summary.exists() else {},
        "tail": done.stderr[-1500:],
    }


# Everything, in order ---------------------------------------------------------------


def collect_static() -> Path:
    """DEBUG is off, so pages need the manifest of collected static files."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    return Path(settings.STATIC_ROOT)


def data_sizes() -> dict:
    from actionplans.models import ActionPlanVersion, Notice, PlanResponse
    from casefiles.models import Case, CaseReview
    from core.models import AuditEvent
    from inspections.models import Document, Finding, Inspection, Interview

    models = {
        "inspections": Inspection,
        "findings": Finding,
        "interviews": Interview,
        "documents": Document,
        "cases on case lists": Case,
        "case file reviews": CaseReview,
        "action plan versions": ActionPlanVersion,
        "plan responses": PlanResponse,
        "notices": Notice,
        "audit events": AuditEvent,
    }
    return {name: model.objects.count() for name, model in models.items()}


SECTIONS = ["exports", "pages", "sweep", "import", "pdf", "load"]


def run_all(*, factor: float, load: bool, url: str, only: list[str] | None = None) -> dict:
    """Every section in order (or only those named), each printed as it goes."""
    import random

    wanted = [name for name in (only or SECTIONS) if load or name != "load"]
    static_root = collect_static()
    inspection = benchmark_inspection()
    users = people(inspection)
    report = {"sizes": data_sizes(), "inspection": str(inspection)}
    steps = {
        "exports": lambda: exports_section(users),
        "pages": lambda: pages_section(inspection, users),
        "sweep": lambda: sweep_section(random.Random(7)),
        "import": lambda: import_section(url),
        "pdf": lambda: pdf_section(inspection),
        "load": lambda: load_section(inspection, url, static_root),
    }
    for name in wanted:
        print(name, flush=True)
        # Each section starts with the earlier sections' writes on disk, so
        # none of them is flushed during the next one's timing.
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
        report[name] = steps[name]()
    if not load:
        report["load"] = {"skipped": "--skip-load"}
    return report


# RESULTS.md ---------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def _pages_md(rows: list[dict]) -> list[str]:
    limit = TARGETS["page_ratio"]
    lines = [
        "| Page (signed in as) | Floor median ms | Served: median ms | p95 ms | Ratio "
        "| Queries | Drawn: median ms | p95 ms | Ratio | Queries | Target ≤ 3× (served) "
        "| Target ≤ 3× (drawn) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['page']} | {row['floor_median_ms']:.1f} | {row['median_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {row['ratio']:.2f} | {row['queries']} | "
            f"{row['drawn_median_ms']:.1f} | {row['drawn_p95_ms']:.1f} | "
            f"{row['drawn_ratio']:.2f} | {row['drawn_queries']} | "
            f"{_met(row['ratio'] <= limit)} | {_met(row['drawn_ratio'] <= limit)} |"
        )
    return lines


def _exports_md(rows: list[dict]) -> list[str]:
    lines = ["| Export | Rows | Size (KB) | Seconds | Queries |", "|---|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['rows']:,} | {row['bytes'] / 1024:,.0f} | "
            f"{row['seconds']:.2f} | {row['queries']} |"
        )
    return lines


def _sweep_md(sweep: dict) -> list[str]:
    lines = [
        f"Open deadlines in the scale data itself: {sweep['natural']:,} (unsubmitted plans of "
        "inspections not closed). The benchmark adds synthetic inspections in follow-up, each "
        "with both plans unsubmitted and due on days spread evenly from six months overdue to "
        "six months ahead, to reach each size; they are deleted afterwards. Each sized run is "
        "cold: no notice has been sent for any of them yet. Emails are queued on Redis, in "
        "batches, inside the timed call.",
        "",
        "| Run | Open deadlines | Notices sent | Seconds | Queries | Queries by kind "
        "| Target < 2 s per 100,000 |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for run in sweep["runs"]:
        # The target is set at 100,000; the smaller run shows the queries do not grow.
        met = "—" if run["deadlines"] < 100_000 else _met(run["seconds"] < TARGETS["sweep_seconds"])
        lines.append(
            f"| cold | {run['deadlines']:,} | {run['sent']:,} | {run['seconds']:.2f} | "
            f"{run['queries']} | {_kinds(run['by_kind'])} | {met} |"
        )
    for label, run in (("again, same day", sweep["again"]), ("next day", sweep["next_day"])):
        lines.append(
            f"| {label} | {sweep['runs'][-1]['deadlines']:,} | {run['sent']:,} | "
            f"{run['seconds']:.2f} | {run['queries']} | {_kinds(run['by_kind'])} | "
            f"{_met(run['seconds'] < TARGETS['sweep_seconds'])} |"
        )
    if "floor" in sweep:
        floor = sweep["floor"]
        lines += [
            "",
            f"The database alone: the {floor['rows']:,} notices of the cold run over "
            f"{sweep['runs'][-1]['deadlines']:,}, put back in one statement, copied from a "
            "table on the server (no Python, no COPY, no broker), take "
            f"{floor['insert'] + floor['commit']:.2f} s: {floor['insert']:.2f} s to insert "
            "them with their unique key and four other indexes, and "
            f"{floor['commit']:.2f} s at the commit, where PostgreSQL checks each row's two "
            "foreign keys (benchmarks/sections.py, write_floor). The rest of the cold run is "
            "reading the deadlines, making the words, the COPY and queueing the emails.",
        ]
    return lines


def _kinds(kinds: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))


def _import_md(result: dict) -> list[str]:
    if "error" in result:
        return ["The import benchmark failed:", "", "```", result["error"], "```"]
    ok = (
        result["seconds"] < TARGETS["import_seconds"]
        and result["max_rss_mb"] < TARGETS["import_mb"]
    )
    peak = result["peak_python_mb"]
    return [
        "| Rows | Status | Seconds | Peak RSS of the process (MB) "
        "| Peak Python allocations (MB) | Target < 10 s, < 200 MB |",
        "|---:|---|---:|---:|---:|---|",
        f"| {result['rows']:,} | {result['status']} | {result['seconds']:.2f} | "
        f"{result['max_rss_mb']:.0f} | {peak if peak is None else f'{peak:.1f}'} | {_met(ok)} |",
        "",
        f"Phases: {result['phases']}.",
    ]


def _pdf_md(pdf: dict) -> list[str]:
    return [
        "| Report | Full build ms (median) | WeasyPrint alone ms (median) | Ratio | Target ≤ 1.3 |",
        "|---|---:|---:|---:|---|",
        f"| {pdf['pages']} pages, {pdf['bytes']:,} bytes | {pdf['full_ms']:.0f} | "
        f"{pdf['floor_ms']:.0f} | {pdf['ratio']:.3f} | "
        f"{_met(pdf['ratio'] <= TARGETS['pdf_ratio'])} |",
    ]


def _load_md(load: dict) -> list[str]:
    if "skipped" in load:
        return [f"Not run: {load['skipped']}."]
    lines = []
    for name, run in load.items():
        lines += [f"### {LOAD_TITLES[name].format(rate=run['rate'])}", "", *_load_run_md(name, run)]
        lines.append("")
    return lines


LOAD_TITLES = {
    "burst": "All 50 sign in within five seconds ({rate} a second)",
    "spread": "Sign-ins spread out ({rate} a second)",
}


def _load_run_md(name: str, load: dict) -> list[str]:
    lines = [
        "| Requests | Count | Errors | p50 ms | p95 ms | p99 ms | Target p95 < 300 ms, 0 errors |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for group, label in (("all", "All, sign-in included"), ("pages", "Pages (after sign-in)")):
        row = load["summary"].get(group)
        if not row:
            continue
        lines.append(
            f"| {label} | {row['requests']:,} | {row['errors']} | {row['p50_ms']:.0f} | "
            f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {_met(_load_ok(row))} |"
        )
    lines += [
        "",
        f"Per request name (Locust's CSV, benchmarks/out/load_{name}_stats.csv):",
        "",
        "| Request | Count | Failures | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in load["rows"]:
        lines.append(
            f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['50%']} | {row['95%']} | {row['99%']} |"
        )
    if load["exit"] != 0:
        lines += ["", f"Locust exited with {load['exit']}:", "", "```", load["tail"], "```"]
    return lines


def _load_ok(row: dict) -> bool:
    return (
        row["p95_ms"] is not None and row["p95_ms"] < TARGETS["load_p95_ms"] and not row["errors"]
    )


def _section(report: dict, name: str, lines) -> list[str]:
    if name not in report:
        return ["Not run in this invocation."]
    return lines(report[name])


def _summary(report: dict) -> list[str]:
    """One line per target: met, or not and by how much."""
    lines = []
    if "pages" in report:
        for kind, key in (("served", "ratio"), ("drawn", "drawn_ratio")):
            over = [r for r in report["pages"] if r[key] > TARGETS["page_ratio"]]
            lines.append(
                f"- Pages {kind}, median ≤ 3× the floor: {len(report['pages']) - len(over)} of "
                f"{len(report['pages'])} met"
                + (
                    "; not met: " + ", ".join(f"{r['page']} ×{r[key]:.1f}" for r in over)
                    if over
                    else ""
                )
                + "."
            )
    if "sweep" in report:
        cold = report["sweep"]["runs"][-1]
        again, next_day = report["sweep"]["again"], report["sweep"]["next_day"]
        warm_met = _met(max(again["seconds"], next_day["seconds"]) < TARGETS["sweep_seconds"])
        lines.append(
            f"- Sweep < 2 s over {cold['deadlines']:,} open deadlines: cold (writing "
            f"{cold['sent']:,} notices) {cold['seconds']:.2f} s, "
            f"{_met(cold['seconds'] < TARGETS['sweep_seconds'])}; again the same day "
            f"{again['seconds']:.2f} s and the next day ({next_day['sent']:,} notices) "
            f"{next_day['seconds']:.2f} s, {warm_met}; "
            f"{cold['queries']} queries whatever the number."
            + (
                f" The database alone, writing the same {f['rows']:,} notices by one INSERT "
                f"with nothing else, takes {f['insert'] + f['commit']:.2f} s here."
                if (f := report["sweep"].get("floor"))
                else ""
            )
        )
    if "import" in report and "error" not in report["import"]:
        i = report["import"]
        ok = i["seconds"] < TARGETS["import_seconds"] and i["max_rss_mb"] < TARGETS["import_mb"]
        lines.append(
            f"- Import of {i['rows']:,} rows < 10 s in < 200 MB: {i['seconds']:.1f} s, "
            f"{i['max_rss_mb']:.0f} MB peak RSS, {_met(ok)}."
        )
    if "pdf" in report:
        ratio = report["pdf"]["ratio"]
        lines.append(
            f"- Report PDF ≤ 1.3× WeasyPrint alone: ×{ratio:.2f}, "
            f"{_met(ratio <= TARGETS['pdf_ratio'])}."
        )
    load = report.get("load", {})
    for run in ({} if "skipped" in load else load).values():
        if not run["summary"]:
            continue
        pages, every = run["summary"]["pages"], run["summary"]["all"]
        lines.append(
            f"- Load, p95 < 300 ms and no errors, sign-ins at {run['rate']} a second: pages after "
            f"sign-in p95 {pages['p95_ms']:.0f} ms, {pages['errors']} errors, "
            f"{_met(_load_ok(pages))}; all requests with the sign-in p95 {every['p95_ms']:.0f} "
            f"ms, {every['errors']} errors, {_met(_load_ok(every))}."
        )
    return lines


def render(
    report: dict, *, machine: str, factor: float, build: dict, calibration: list[float]
) -> str:
    sizes = ", ".join(f"{n:,} {name}" for name, n in report["sizes"].items())
    built = f" Built in {build['seconds']:.0f} s (migrate, seed_demo, seed_scale)." if build else ""
    lines = [
        "# Benchmarks at national scale",
        "",
        f"Machine: {machine}.",
        "",
        "Machine speed: a fixed CPU workload (benchmarks/run.py, `calibrate`) took "
        f"{calibration[0]:.0f} ms before the measurements and {calibration[-1]:.0f} ms after. "
        "Times from runs whose calibration differs are not comparable; ratios to the floor "
        "page and WeasyPrint alone mostly are.",
        "",
        f"Data: `seed_scale --factor {factor:g}` on PostgreSQL, plus the demo data: "
        f"{sizes}.{built}",
        "",
        "Written by `make bench` (benchmarks/run.py); DEBUG off and two-factor sign-in on "
        "throughout. Pages are opened on one whole inspection, "
        f"{report['inspection']}: 5,000 cases on its case list, 60 reviewed, 15 findings, "
        "30 interviews, 50 documents, an action plan with two versions of 20 responses.",
        "",
        "## Targets",
        "",
        *_summary(report),
        "",
        "## Page latency",
        "",
        f"Server time through Django's test client, {page_timer.REQUESTS} requests after "
        f"{page_timer.WARMUP} to warm up, each page right after {page_timer.REQUESTS} requests "
        "of the floor page (base.html and nothing else, same user, same middleware). An export "
        "is the download of its newest prepared copy (a stored file, read to the end); the "
        "copies are prepared by a Celery task, timed below. *Served*: the page "
        "opened again with no write in between, its body from the fragment cache (Redis; "
        "core/fragments.py). *Drawn*: the data version changed before each request (untimed), "
        "as for the first view after any write anywhere; the exports are never cached.",
        "",
        *_section(report, "pages", _pages_md),
        "",
        "### Export preparation (in the background)",
        "",
        "What the Celery task (dashboard.export_files.export_build) does for one copy of each "
        "export, in this process: read every published inspection's rows, write the CSV, store "
        "it privately. No request waits for it: an admin asks, or the nightly run does.",
        "",
        *_section(report, "exports", _exports_md),
        "",
        "## Deadline sweep",
        "",
        *_section(report, "sweep", _sweep_md),
        "",
        "## Case list import",
        "",
        *_section(report, "import", _import_md),
        "",
        "## Report PDF",
        "",
        "The benchmark inspection's report, on PostgreSQL at this scale, 7 runs each, "
        "alternated (benchmarks/report_pdf.interleaved).",
        "",
        *_section(report, "pdf", _pdf_md),
        "",
        "## Load",
        "",
        "Locust 2.47 (its own virtualenv), 50 users (3 inspectors to 2 force leads, each "
        "its own account), for 60 seconds, waiting 0.5 to 1.5 s "
        "between requests, against gunicorn with 2 workers of 4 threads each (as the "
        "Procfile runs web) on 127.0.0.1: DEBUG off, "
        "two-factor sign-in on (each user signs in through the form and gives a TOTP code "
        "computed in the locustfile), CONN_MAX_AGE 60. Locust runs on the same machine. Run "
        "twice on the same server: first with every user signing in within five seconds, then "
        "with one sign-in a second.",
        "",
        *_section(report, "load", _load_md),
        "",
    ]
    return "\n".join(lines)
