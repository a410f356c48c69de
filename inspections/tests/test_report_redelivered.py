"""A report build redelivered after its worker was lost mid-build (acks late,
reject on worker lost): found by the jobs review, it saw its own row
"building", did nothing, and the page said "being built" for 30 minutes
(LOST_AFTER) before offering another try. The first test failed on the code
as reviewed."""

import threading

import pytest

from core import background
from inspections import reports
from inspections.models import ReportFile
from inspections.tasks import build_report
from inspections.tests.report_factories import report_inspection
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
    holding, done = threading.Event(), threading.Event()

    def live_worker():
        from django.db import connection

        try:
            with background.builder_lock(ReportFile, report_file.pk) as held:
                assert held
                holding.set()
                done.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=live_worker)
    worker.start()
    try:
        assert holding.wait(10)
        assert reports.report_build(report_file_id=report_file.pk) is None
    finally:
        done.set()
        worker.join(10)
    report_file.refresh_from_db()
    assert (report_file.status, report_file.attempts, built) == ("building", 1, [])
