"""A report build lost with its worker (found by the background jobs review:
left queued, its late task built it beside its replacement). The test failed
on the code as reviewed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import reports
from inspections.models import ReportFile
from inspections.tests.report_factories import report_inspection

pytestmark = pytest.mark.django_db


def test_a_lost_queued_report_is_not_built_beside_its_replacement(
    force_a, lead_inspector, inspector, admin_user, private_storage, monkeypatch
):
    inspection = report_inspection(
        force=force_a, lead=lead_inspector, inspector=inspector, admin=admin_user
    )
    built = []
    monkeypatch.setattr(reports, "_store", lambda row: built.append(row.pk))

    old = ReportFile.objects.create(
        inspection=inspection, requested_by=admin_user, stage=inspection.stage
    )
    ReportFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    # The page calls it lost and the person asks again: a new build is queued.
    new = reports.report_request(inspection=inspection, by=admin_user)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert (old.status, old.error) == (
        ReportFile.Status.FAILED,
        "Lost: not finished in time (the worker stopped?)",
    )
    # The old task's message reaches a worker late (a backlog), then the new one.
    reports.report_build(report_file_id=old.pk)
    reports.report_build(report_file_id=new.pk)
    assert built == [new.pk]
