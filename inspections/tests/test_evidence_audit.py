"""What the history records of evidence as it is recorded, found by the
audit completeness review; the test failed before its fix."""

from datetime import date

from core.models import AuditEvent
from inspections import services

from .factories import schedule


def test_a_document_recorded_is_on_the_record_with_its_date_and_no_empty_file(
    force_a, lead_inspector, inspector, admin_user
):
    """Its date received was left out (an interview's date is kept, and a
    change to the date is recorded from and to, with nothing to start from),
    and a document with no copy kept read "File: (none) → (none)"."""
    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    document = services.document_record(
        inspection=inspection,
        title="Missing children policy",
        kind="policy",
        received_on=date(2026, 1, 5),
        notes="",
        by=inspector,
    )
    event = AuditEvent.objects.for_object(document).get(action="document.recorded")
    assert event.changes == {
        "title": [None, "Missing children policy"],
        "kind": [None, "Policy"],
        "received_on": [None, "2026-01-05"],
    }
