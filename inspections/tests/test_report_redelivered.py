"""A report build redelivered after its worker was lost mid-build (acks late,
reject on worker lost): found by the jobs review, it saw its own row
"building", did nothing, and the page said "being built" for 30 minutes
(LOST_AFTER) before offering another try. The first test failed on the code
as reviewed."""

import pytest
from django.urls import reverse

from core import background
from inspections import reports
from inspections.models import ReportFile
from inspections.tasks import build_report
from inspections.tests.report_factories import report_inspection
from tests.builders import live_builder, page_looking
from tests.locks import skip_unless_postgresql

pytestmark = pytest.mark.django_db


class WorkerLost(BaseException):
    """The worker dies mid-build: nothing the build catches, no outcome recorded."""


@pytest.fixture
def report_file(force_a, lead_inspector, inspector, admin_user):
    skip_unless_postgresql()
    inspection = report_inspection(
        force=force_a, lead=lead_inspector, inspector=inspector, admin=admin_user
    )
    return ReportFile.objects.create(
        inspection=inspection, requested_by=admin_user, stage=inspection.stage
    )


def _delivered_and_worker_lost(report_file, monkeypatch) -> None:
    """The task runs, and its worker dies while it builds: the row is left building."""
    with monkeypatch.context() as patched:
        patched.setattr(reports, "_store", lambda row: (_ for _ in ()).throw(WorkerLost()))
        with pytest.raises(WorkerLost):
            build_report(str(report_file.pk))
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.BUILDING


def test_a_build_redelivered_after_its_worker_was_lost_finishes_it(
    report_file, private_storage, monkeypatch
):
    _delivered_and_worker_lost(report_file, monkeypatch)
    build_report(str(report_file.pk))  # the broker delivers it again
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.READY
    assert report_file.is_ready and report_file.attempts == 2


def test_a_build_that_loses_its_worker_each_time_fails_and_can_be_asked_for_again(
    report_file, monkeypatch
):
    """Not taken over for ever: a PDF that kills its worker would go round
    the workers as long as the broker redelivers it."""
    _delivered_and_worker_lost(report_file, monkeypatch)
    _delivered_and_worker_lost(report_file, monkeypatch)
    build_report(str(report_file.pk))
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED
    assert report_file.error.startswith("Lost:")
    again = reports.report_request(inspection=report_file.inspection, by=report_file.requested_by)
    assert again.pk != report_file.pk


def test_a_second_delivery_while_a_live_worker_builds_does_nothing(report_file, monkeypatch):
    """Another worker, alive, holds the build: the second delivery leaves it be."""
    ReportFile.objects.filter(pk=report_file.pk).update(
        status=ReportFile.Status.BUILDING, attempts=1
    )
    built = []
    monkeypatch.setattr(reports, "_store", lambda row: built.append(row.pk))
    with live_builder(report_file):
        assert reports.report_build(report_file_id=report_file.pk) is None
    report_file.refresh_from_db()
    assert (report_file.status, report_file.attempts, built) == ("building", 1, [])


def test_a_task_arriving_as_a_page_looks_at_its_build_still_builds_it(report_file, private_storage):
    """A page holds the build's lock for an instant to see whether a worker
    builds it (builder_gone). A task arriving in that instant took the page
    for a live builder and did nothing: the row stayed queued, built by no
    one (found by the review of the day's diff). It now waits its turn."""
    with page_looking(report_file):
        build_report(str(report_file.pk))
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.READY and report_file.attempts == 1


def test_a_build_stopped_at_the_time_limit_is_shown_lost_at_once_and_asked_for_again(
    report_file, client_for, monkeypatch
):
    """Celery acknowledges a task it stops at its hard time limit: no worker
    is given it again. The page said "Building the report…" for 30 minutes
    (LOST_AFTER), and asking again returned the same build. Nobody holds its
    builder lock, so it is lost now."""
    _delivered_and_worker_lost(report_file, monkeypatch)
    page = client_for(report_file.requested_by).get(
        reverse("inspections:report_pdf", args=[report_file.inspection.pk])
    )
    assert "was not built in time" in page.text and "Build the PDF again" in page.text
    again = reports.report_request(inspection=report_file.inspection, by=report_file.requested_by)
    assert again.pk != report_file.pk
    report_file.refresh_from_db()
    assert (report_file.status, report_file.error) == ("failed", background.STOPPED)
    build_report(str(report_file.pk))  # a late redelivery, had there been one: nothing
    report_file.refresh_from_db()
    assert (report_file.status, report_file.attempts) == ("failed", 1)


def test_a_build_a_live_worker_holds_is_shown_building_and_not_asked_for_again(
    report_file, client_for
):
    ReportFile.objects.filter(pk=report_file.pk).update(
        status=ReportFile.Status.BUILDING, attempts=1
    )
    with live_builder(report_file):
        page = client_for(report_file.requested_by).get(
            reverse("inspections:report_pdf", args=[report_file.inspection.pk])
        )
        again = reports.report_request(
            inspection=report_file.inspection, by=report_file.requested_by
        )
    assert "Building the report…" in page.text and "Build the PDF again" not in page.text
    assert again.pk == report_file.pk
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.BUILDING


def _database_lost_once_claimed(monkeypatch) -> None:
    """The first claim commits, then the database connection drops before the
    build begins: an OperationalError, which the task retries."""
    from django.db import OperationalError

    claim, dropped = background._claim, []

    def claim_then_drop(*args, **kwargs):
        claimed = claim(*args, **kwargs)
        if not dropped:
            dropped.append(True)
            raise OperationalError("server closed the connection unexpectedly")
        return claimed

    monkeypatch.setattr(background, "_claim", claim_then_drop)


def test_a_build_celery_retries_after_a_database_error_is_not_taken_for_a_lost_worker(
    report_file, private_storage, monkeypatch
):
    """Celery's retry found its own row "building", took it for a lost
    worker's and took it over: the one takeover a build has was spent on a
    database error, and a worker lost after that failed the build."""
    _database_lost_once_claimed(monkeypatch)
    build_report.apply(args=[str(report_file.pk)])  # Celery runs its retry here at once
    report_file.refresh_from_db()
    assert (report_file.status, report_file.attempts) == ("ready", 1)


def test_a_retried_build_whose_worker_is_then_lost_is_still_taken_over_once(
    report_file, private_storage, monkeypatch
):
    _database_lost_once_claimed(monkeypatch)
    with monkeypatch.context() as patched:
        patched.setattr(reports, "_store", lambda row: (_ for _ in ()).throw(WorkerLost()))
        with pytest.raises(WorkerLost):  # in Celery's retry
            build_report.apply(args=[str(report_file.pk)])
    report_file.refresh_from_db()
    assert (report_file.status, report_file.attempts) == ("building", 1)
    # The broker delivers the retry again, as the worker that had it was lost.
    build_report.apply(args=[str(report_file.pk)], task_id=report_file.task_id, retries=1)
    report_file.refresh_from_db()
    assert (report_file.status, report_file.attempts) == ("ready", 2)
