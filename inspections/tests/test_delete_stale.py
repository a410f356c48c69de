"""A finding, interview or document is deleted only as the asking page showed
it (found by the stale-page review: a finding rewritten, and given a
recommendation, after the page was drawn was deleted with them unseen)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import signed_in
from core.models import AuditEvent
from inspections import services
from inspections.models import Document, Finding, Inspection, Recommendation, Topic
from inspections.tests.factories import add_concern, record_evidence

pytestmark = pytest.mark.django_db
REFUSED = "so it has not been deleted"


def _confirm(client, address):
    """Delete, as the asking page's form does: with what it carries back."""
    page = client.get(address)
    return page, lambda: client.post(address, {"seen": page.context["seen"]}, follow=True)


def test_a_finding_changed_after_the_page_asked_is_not_deleted_unseen(
    make_inspection, lead_inspector, inspector
):
    inspection = make_inspection(Inspection.Stage.FIELDWORK)
    finding = add_concern(
        inspection,
        by=lead_inspector,
        recommendation=False,
        summary="Draft: maybe a concern about supervision",
    )
    address = reverse("inspections:finding_delete", args=[inspection.pk, finding.pk])
    ian = signed_in(Client(), inspector)
    page, delete = _confirm(ian, address)
    assert "Draft: maybe a concern about supervision" in page.content.decode()

    # Meanwhile the lead gives it a recommendation: the page did not show it.
    services.recommendation_add(
        finding=Finding.objects.get(pk=finding.pk), text="Review every case", by=lead_inspector
    )
    refused = delete()
    assert REFUSED in refused.content.decode()
    assert Recommendation.objects.filter(finding=finding).exists()

    # Then it is rewritten: refused again, the page showing the new words.
    services.finding_update(
        finding=Finding.objects.get(pk=finding.pk),
        topic=Topic.INVESTIGATION,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        summary="Investigations into child abuse are delayed for months",
        detail="Seen in 14 of 20 case files.",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=lead_inspector,
    )
    again = ian.post(address, {"seen": refused.context["seen"]}, follow=True)
    html = again.content.decode()
    assert REFUSED in html and "govuk-error-summary" in html
    assert "Investigations into child abuse are delayed for months" in html
    assert Finding.objects.filter(pk=finding.pk).exists()
    assert not AuditEvent.objects.filter(action="finding.deleted").exists()

    # From the page as it is now, it goes.
    ian.post(address, {"seen": again.context["seen"]}, follow=True)
    assert not Finding.objects.filter(pk=finding.pk).exists()


def test_a_document_changed_after_the_page_asked_is_not_deleted_unseen(
    make_inspection, inspector, lead_inspector, private_storage
):
    inspection = make_inspection(Inspection.Stage.FIELDWORK)
    _, document = record_evidence(inspection, by=inspector)
    address = reverse("inspections:document_delete", args=[inspection.pk, document.pk])
    ian = signed_in(Client(), inspector)
    _, delete = _confirm(ian, address)
    services.document_update(
        document=Document.objects.get(pk=document.pk),
        title="Strategy meeting minutes, March (the only copy)",
        kind="policy",
        received_on=inspection.fieldwork_start,
        notes="",
        by=lead_inspector,
    )
    refused = delete()
    assert REFUSED in refused.content.decode()
    assert "the only copy" in refused.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()
