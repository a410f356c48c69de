"""How long a full inspection report PDF takes, against WeasyPrint alone.

    .venv/bin/python benchmarks/report_pdf.py [--runs 5]

Builds, in a throw-away SQLite database, a published inspection with 15
findings and 60 submitted case file reviews, then times:

- full: inspections.reports.render_report_pdf(), as the task and the
  export_report command call it (queries, report data, charts, HTML, PDF);
- floor: WeasyPrint rendering the very same HTML to PDF/UA, and nothing else.

The ratio full / floor is what our code adds; the target is at most 1.3.
"""

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FINDINGS = 15
CASE_REVIEWS = 60


def setup_django(folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["PRIVATE_STORAGE_ROOT"] = f"{folder}/private"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_inspection():
    from accounts.models import User
    from forces.models import Force
    from inspections.tests.report_factories import report_inspection

    def user(email, role):
        return User.objects.create(email=email, full_name=email.split("@")[0], role=role)

    admin = user("admin@example.org", User.Role.ADMIN)
    lead = user("lead@example.org", User.Role.LEAD_INSPECTOR)
    inspector = user("inspector@example.org", User.Role.INSPECTOR)
    inspection = report_inspection(
        force=Force.objects.get(slug="greater-manchester"),
        lead=lead,
        inspector=inspector,
        admin=admin,
        start=date(2026, 3, 2),
        extra_findings=FINDINGS - 3,  # the factory always adds three
        case_reviews=CASE_REVIEWS,
    )
    from casefiles.models import CaseReview

    return inspection, CaseReview.objects.filter(case__inspection=inspection).count()


def interleaved(calls: dict, runs: int) -> dict[str, float]:
    """Median seconds per call, alternating them so machine noise falls on both."""
    for call in calls.values():
        call()  # warm up: fonts, templates, imports
    timings: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for run in range(runs):
        # Each run swaps the order, and collects garbage first, so neither
        # call pays for the other's leftovers.
        for name in names if run % 2 else reversed(names):
            call = calls[name]
            gc.collect()
            started = time.perf_counter()
            call()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        from inspections import reports
        from inspections.models import Finding

        inspection, reviews = build_inspection()
        html = reports.report_html(reports.report_data(inspection))
        rendered = reports.render_report_pdf(inspection)
        assert reports.html_to_pdf(html)[0] == rendered.pdf  # the very same document
        median = interleaved(
            {
                "full": lambda: reports.render_report_pdf(inspection),
                "floor": lambda: reports.html_to_pdf(html),
            },
            args.runs,
        )
        findings = Finding.objects.filter(inspection=inspection).count()
        full, floor = median["full"] * 1000, median["floor"] * 1000
        print(
            f"report: {findings} findings, {reviews} case file reviews, "
            f"{rendered.page_count} pages, {len(rendered.pdf):,} bytes"
        )
        print(f"full (data, charts, HTML, PDF): {full:7.1f} ms, median of {args.runs}")
        print(f"floor (WeasyPrint, same HTML):  {floor:7.1f} ms")
        print(f"ratio: {full / floor:.3f} (target <= 1.3)")


if __name__ == "__main__":
    main()
