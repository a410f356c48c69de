"""What the history records of evidence as it is recorded, found by the
audit completeness review; the test failed before its fix."""

from datetime import date

from core.models import AuditEvent
from inspections import services

from .factories import schedule


def _policy(inspection, *, by):
    """A document recorded with no copy kept."""
    return services.document_record(
        inspection=inspection,
        title="Missing children policy",
        kind="policy",
        received_on=date(2026, 1, 5),
        notes="",
        by=by,
    )


def test_a_document_recorded_is_on_the_record_with_its_date_and_no_empty_file(
    force_a, lead_inspector, inspector, admin_user
):
    """Its date received was left out (an interview's date is kept, and a
    change to the date is recorded from and to, with nothing to start from),
    and a document with no copy kept read "File: (none) → (none)"."""
    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    document = _policy(inspection, by=inspector)
    event = AuditEvent.objects.for_object(document).get(action="document.recorded")
    assert event.changes == {
        "title": [None, "Missing children policy"],
        "kind": [None, "Policy"],
        "received_on": [None, "2026-01-05"],
    }


def test_a_finding_deleted_is_on_the_record_with_the_evidence_it_cited(
    force_a, lead_inspector, inspector, admin_user
):
    """Found by the audit completeness review: a finding's creation records
    the evidence it cites, and any change to it from and to, but its deletion
    recorded only its words, so what it had rested on was lost with it."""
    from inspections.models import Finding, Topic

    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    document = _policy(inspection, by=inspector)
    finding = services.finding_create(
        inspection=inspection,
        topic=Topic.PARTNERSHIP_WORKING,
        kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
        summary="Referrals are late",
        detail="",
        reported_to_force_on=None,
        interviews=[],
        documents=[document],
        by=inspector,
    )
    finding_id = finding.pk
    services.finding_delete(finding=finding, by=inspector)
    event = AuditEvent.objects.get(action="finding.deleted", object_id=str(finding_id))
    assert event.changes["summary"] == ["Referrals are late", None]
    assert event.changes["documents"] == [
        "Missing children policy (policy, received 5 January 2026)",
        None,
    ]
