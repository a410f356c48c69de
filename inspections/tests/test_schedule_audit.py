"""What the history records of an inspection as it is scheduled, found by
the audit completeness review; the test failed before its fix."""

from core.models import AuditEvent

from .factories import schedule


def test_an_inspection_scheduled_is_on_the_record_with_its_kind_and_no_empty_team(
    force_a, lead_inspector, admin_user
):
    """Found by the audit completeness review: scheduled with no team yet, it
    read "Team: (none) → (none)"; and its kind (inspection or re-inspection),
    which a change of plan records from and to, was not recorded at all."""
    inspection = schedule(force=force_a, lead=lead_inspector, team=[], by=admin_user)
    event = AuditEvent.objects.for_object(inspection).get(action="inspection.scheduled")
    assert event.changes == {
        "kind": [None, "Inspection"],
        "fieldwork": [None, "2026-01-12 to 2026-01-16"],
        "lead_inspector": [None, "Lena Lead (lead@example.org)"],
    }
