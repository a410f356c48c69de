"""`make bench`: build national-scale data on PostgreSQL and measure it.

Writes benchmarks/RESULTS.md. Not part of `make test`. Needs PostgreSQL
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/inspections_bench:
the database is dropped and rebuilt), Redis for the sweep's email queue
(BENCH_BROKER_URL, default redis://127.0.0.1:6379/10; purged afterwards), Redis
for the fragment cache (BENCH_CACHE_URL, default redis://127.0.0.1:6379/11) and,
for the load test, a second virtualenv with Locust (benchmarks/.venv-load,
built by `make bench`).

Runs as production does: DEBUG off, two-factor sign-in on, static files
collected (into benchmarks/out/static). Only plain http on loopback differs:
no HTTPS redirect, no secure-only cookies. No email leaves (locmem backend).
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def machine() -> str:
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    commit = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores, {memory} memory, {platform.platform()}, Python "
        f"{platform.python_version()}; commit {commit or 'unknown'}; {date.today():%d %B %Y}"
    )


def calibrate() -> float:
    """Milliseconds for a fixed CPU workload (median of 5): the same figure on
    two runs means the same machine speed, so runs can be compared."""
    import hashlib
    import statistics

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        digest = b"calibrate"
        for _ in range(200_000):
            digest = hashlib.sha256(digest).digest()
        sorted(str(index * 7919 % 100_003) for index in range(200_000))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=float, default=10)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument(
        "--only", help="comma-separated sections: exports,pages,sweep,import,pdf,load"
    )
    args = parser.parse_args()

    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/inspections_bench"
    )
    out = ROOT / "benchmarks" / "out"
    (out / "private").mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="false",
        TWO_FACTOR_REQUIRED="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        STATIC_ROOT=str(out / "static"),
        PRIVATE_STORAGE_ROOT=str(out / "private"),
        CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10"),
        PROXY_COUNT="0",  # Locust talks to gunicorn directly
        # The fragment cache in Redis, as in production.
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/11"),
        CELERY_TASK_ALWAYS_EAGER="true",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # Persistent database connections, as a production deployment has.
        CONN_MAX_AGE="60",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("SERVICE_URL", "https://inspections.example.org")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    if not args.skip_build:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import sections

    build = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not args.skip_build:
        call_command("seed_demo", force=True, verbosity=0)
        call_command("seed_scale", factor=args.factor, force=True)
        build["seconds"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        # Fresh planner statistics and visibility map, as autovacuum would
        # leave them on a database that has been running a while.
        cursor.execute("VACUUM ANALYZE")
    calibration = [calibrate()]
    report = sections.run_all(
        factor=args.factor,
        load=not args.skip_load,
        url=url,
        only=args.only.split(",") if args.only else None,
    )
    calibration.append(calibrate())
    RESULTS.write_text(
        sections.render(
            report, machine=machine(), factor=args.factor, build=build, calibration=calibration
        )
    )
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
