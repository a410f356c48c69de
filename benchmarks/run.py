"""`make bench`: build national-scale data on PostgreSQL and measure it.

Writes benchmarks/RESULTS.md. Not part of `make test`. Needs PostgreSQL
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench — the
database is dropped and rebuilt) and, for the load test, a second virtualenv
with Locust (benchmarks/.venv-load, built by `make bench`).
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=float, default=10)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("TWO_FACTOR_REQUIRED", "false")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if not args.skip_build:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import sections

    build = {}
    if not args.skip_build:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
        call_command("seed_scale", factor=args.factor, force=True)
        build["seconds"] = time.perf_counter() - started
    report = sections.run_all(factor=args.factor, load=not args.skip_load, url=url)
    RESULTS.write_text(sections.render(report, machine=machine(), factor=args.factor, build=build))
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
