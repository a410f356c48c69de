"""Events the audit trail holds but cannot find by the inspection or force
they concern, found by the audit completeness review. Each test makes the
change through the service, then searches the audit trail as an admin would;
each failed before its fix."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services as account_services
from core import uploads
from core.models import AuditEvent
from core.tests.files import pdf
from inspections import reports
from inspections.models import Inspection, ReportFile
from inspections.tests.factories import schedule

URL = reverse("core:audit")


def _found(client, **search) -> set[str]:
    return {e.action for e in client.get(URL, search).context["page_obj"].object_list}


# 1. Asking for a (draft) report PDF, and the retention job removing a
# superseded one, were recorded with the force but not the inspection: an
# admin searching the trail by the inspection, or its history narrowed to
# the report, found no trace of who built its report PDFs.
def test_report_pdf_requests_and_removals_are_found_by_their_inspection(
    client_for,
    admin_user,
    force_a,
    lead_inspector,
    private_storage,
    django_capture_on_commit_callbacks,
):
    from core.retention import superseded_reports_remove

    inspection = schedule(force=force_a, lead=lead_inspector, team=[], by=admin_user)
    with django_capture_on_commit_callbacks(execute=False):  # no worker: the request is enough
        reports.report_request(inspection=inspection, by=lead_inspector)
    assert AuditEvent.objects.filter(action="report.requested").exists()
    for days_ago in (10, 5):  # a build, and one that replaced it days ago
        built = ReportFile.objects.create(
            inspection=inspection,
            requested_by=admin_user,
            stage=Inspection.Stage.PUBLISHED,
            status=ReportFile.Status.READY,
            stored_file=uploads.store_bytes(pdf(), name="report.pdf", kind="pdf", by=admin_user),
        )
        when = timezone.now() - timedelta(days=days_ago)
        ReportFile.objects.filter(pk=built.pk).update(created_at=when, finished_at=when)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(superseded_reports_remove(dry_run=False)) == 1

    client = client_for(admin_user)
    by_inspection = _found(client, inspection=inspection.pk)
    assert {"report.requested", "report.removed"} <= by_inspection
    assert "report.requested" in _found(client, inspection=inspection.pk, what="report")


# 2. Setting up two-factor authentication was recorded without the person's
# force, as every other change to an account is recorded with it: an admin
# searching the trail by a force did not see its force lead set it up.
def test_two_factor_set_up_is_found_by_the_persons_force(client_for, admin_user, force_lead_a):
    TOTPDevice.objects.filter(user=force_lead_a).delete()
    device = account_services.two_factor_device_for_enrolment(
        user=force_lead_a, session=SessionStore()
    )
    account_services.two_factor_device_confirm(device=device, by=force_lead_a)
    assert AuditEvent.objects.filter(action=account_services.TWO_FACTOR_SET_UP).exists()

    found = _found(client_for(admin_user), force=force_lead_a.force.pk)
    assert account_services.TWO_FACTOR_SET_UP in found


# 3. A new calendar address (the old one, perhaps shared or leaked, stops
# showing the force's deadlines) was recorded without the person's force:
# an admin searching the trail by the force did not find it.
def test_a_calendar_address_reset_is_found_by_the_persons_force(
    client_for, admin_user, force_lead_a
):
    from actionplans import services as plan_services

    plan_services.calendar_feed_reset(user=force_lead_a, by=force_lead_a)
    assert AuditEvent.objects.filter(action="calendar_feed.reset").exists()

    assert "calendar_feed.reset" in _found(client_for(admin_user), force=force_lead_a.force.pk)
