"""Benchmark: import a 100,000-row case list through the real service and task.

Generates the CSV, then runs case_list_import_start (which stores the file and,
with Celery eager, runs the import task at once) against the database named by
DATABASE_URL. Reports the time and the peak memory, twice: once plain, for the
time and the process's peak resident size; once under tracemalloc, for the
peak of Python allocations (tracemalloc slows the run, so its time is not the
headline).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python benchmarks/import_case_list.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_casefiles \
        .venv/bin/python benchmarks/import_case_list.py --rows 100000

Targets: under 10 s and under 200 MB. The rows it adds are deleted afterwards.
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG off, as in production: with it on, Django keeps every query's text.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("SERVICE_URL", "https://inspections.example.org")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ.setdefault("PRIVATE_STORAGE_ROOT", tempfile.mkdtemp(prefix="bench-private-"))
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/10")  # tasks run eagerly
os.environ.setdefault("PROXY_COUNT", "0")

CATEGORIES = [
    "Children taken into police protection (s46)",
    "Strategy discussions and s47 enquiries",
    "Missing children",
    "Child sexual or criminal exploitation",
    "Online child sexual abuse",
    "Domestic abuse incidents with children present",
    "Children detained in custody",
    "Sudden unexpected child deaths",
]
AREAS = ["North", "South", "East", "West", "City centre"]


def write_csv(path: Path, rows: int) -> None:
    start = date(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case_reference", "category", "date_recorded", "area"])
        for n in range(rows):
            day = start + timedelta(days=n % 600)
            writer.writerow([f"BENCH/{n:07d}", CATEGORIES[n % 8], f"{day:%d/%m/%Y}", AREAS[n % 5]])


def max_rss_mb() -> float:
    """This process's peak resident size. On Linux, VmHWM: ru_maxrss survives
    exec, so a script started by a big process (benchmarks/run.py) would
    report its parent's peak instead of its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # Elsewhere ru_maxrss, in kilobytes on Linux (bytes on macOS).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PHASES: dict[str, float] = {}


def timed_phases() -> None:
    """Wrap the import's three phases to time them: storing the upload (with
    its content check), checking every row, saving every row."""
    from casefiles import services

    def timer(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                PHASES[name] = time.perf_counter() - started

        return wrapper

    services.uploads.store_upload = timer("store", services.uploads.store_upload)
    services._check_file = timer("check", services._check_file)
    services._save_cases = timer("save", services._save_cases)


def run_once(path: Path, traced: bool) -> dict:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User
    from casefiles import services
    from casefiles.models import Case, CaseListImport
    from forces.models import Force
    from inspections.models import Inspection

    user, _ = User.objects.get_or_create(
        email="bench.inspector@example.org",
        defaults={"full_name": "Bench Inspector", "role": User.Role.INSPECTOR},
    )
    inspection = Inspection.objects.create(
        force=Force.objects.order_by("name").first(),
        lead_inspector=user,
        fieldwork_start=date(2026, 10, 5),
        fieldwork_end=date(2026, 10, 16),
    )
    if traced:
        tracemalloc.start()
    rss_before = max_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    with path.open("rb") as f:
        job = services.case_list_import_start(
            inspection=inspection,
            upload=UploadedFile(f, name=path.name, size=path.stat().st_size),
            by=user,
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    if traced:
        tracemalloc.stop()
    job = CaseListImport.objects.get(pk=job.pk)
    saved = Case.objects.filter(inspection=inspection).count()
    result = {
        "status": job.status,
        "rows": saved,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_python_mb": peak,
        "max_rss_mb": max_rss_mb(),
        "rss_growth_mb": max_rss_mb() - rss_before,
        "errors": job.errors[:3],
    }
    Case.objects.filter(inspection=inspection)._raw_delete(Case.objects.db)  # bench rows only
    inspection.delete()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced run")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    timed_phases()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case-list.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print("load average before: " + ", ".join(f"{n:.1f}" for n in os.getloadavg()))
        print(f"file: {args.rows:,} rows, {size_mb:.1f} MB")
        plain = run_once(path, traced=False)
        print(
            f"import: {plain['status']}, {plain['rows']:,} rows in {plain['seconds']:.2f} s "
            f"({plain['cpu_seconds']:.2f} s of this process's CPU); "
            f"peak RSS {plain['max_rss_mb']:.0f} MB (grew {plain['rss_growth_mb']:.0f} MB)"
        )
        print("phases: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in PHASES.items()))
        if plain["errors"]:
            print("errors:", plain["errors"])
        ok = plain["status"] == "completed" and plain["rows"] == args.rows
        if not args.no_tracemalloc:
            traced = run_once(path, traced=True)
            print(
                f"traced run: peak Python allocations {traced['peak_python_mb']:.1f} MB "
                f"({traced['seconds']:.2f} s under tracemalloc)"
            )
            ok = ok and traced["status"] == "completed"
        within = plain["seconds"] < 10 and plain["max_rss_mb"] < 200
        print(f"targets (< 10 s, < 200 MB): {'met' if within else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
