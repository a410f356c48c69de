"""Deleting an interview or document recorded in error: found by an
exploratory review, a wrong record, or an uploaded file that names a child,
could not be taken out of the evidence."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from core.models import AuditEvent, StoredFile
from core.tests.files import pdf, upload
from inspections import services
from inspections.models import Document, Inspection, Interview, Topic
from tests.races import first_click_lands_first

Stage = Inspection.Stage


def _cite(judgment, interviews, documents, *, by):
    """Grade a judgment 'good', citing this evidence."""
    services.judgment_save(
        judgment=judgment,
        grade="good",
        rationale="Strong",
        cites_case_reviews=False,
        interviews=interviews,
        documents=documents,
        by=by,
    )


@pytest.fixture
def evidence(make_inspection, inspector, private_storage):
    inspection = make_inspection(Stage.FIELDWORK)
    interview = services.interview_record(
        inspection=inspection,
        held_on=inspection.fieldwork_start,
        topics=[Topic.LEADERSHIP],
        notes="",
        participants=[("Superintendent", "police")],
        by=inspector,
    )
    document = services.document_record(
        inspection=inspection,
        title="Strategy meeting minutes",
        kind="policy",
        received_on=inspection.fieldwork_start,
        notes="",
        upload=upload("minutes.pdf", pdf()),
        by=inspector,
    )
    return inspection, interview, document


def test_a_document_and_its_file_are_deleted_after_asking(
    client_for, inspector, evidence, django_capture_on_commit_callbacks
):
    inspection, _, document = evidence
    storage_name = document.stored_file.storage_name
    client = client_for(inspector)
    listing = client.get(reverse("inspections:evidence", args=[inspection.pk])).content.decode()
    url = reverse("inspections:document_delete", args=[inspection.pk, document.pk])
    assert f'href="{url}"' in listing
    download = reverse("inspections:document_download", args=[inspection.pk, document.pk])
    assert client.get(download).status_code == 200  # a copy taken, and recorded
    page = client.get(url).content.decode()
    assert "Are you sure you want to delete this document?" in page
    assert "with its file minutes.pdf" in page and "deleted for good" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:evidence", args=[inspection.pk])
    assert "Document ‘Strategy meeting minutes’ deleted" in response.text
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not StoredFile.objects.exists()
    assert not default_storage.exists(storage_name)
    event = AuditEvent.objects.get(action="document.deleted")
    assert event.actor == inspector and event.inspection_id == inspection.pk
    # Not the title or file name again: they may be why it was deleted.
    assert event.changes["file"] == ["A PDF file", None]
    assert event.changes["evidence"][0].startswith("Policy, received ")
    assert "minutes" not in str(event.changes).lower()
    assert event.object_repr.startswith("Document: Policy, received ")
    # No row of the history ever held the file's own name (a child's, maybe):
    # not its recording, not the copy taken, not its deletion.
    history = AuditEvent.objects.filter(inspection_id=inspection.pk)
    assert {"document.recorded", "file.downloaded", "document.deleted"} <= {
        e.action for e in history
    }
    assert not [e for e in history if "minutes.pdf" in f"{e.object_repr} {e.changes} {e.comment}"]
    # Deleted already (a second tab): said so, and nothing else happens.
    events = AuditEvent.objects.count()
    again = client.post(url, follow=True)
    assert "This document has already been deleted" in again.content.decode()
    assert AuditEvent.objects.count() == events


def test_evidence_a_judgment_or_finding_cites_is_kept_until_taken_out(
    client_for, inspector, lead_inspector, evidence
):
    inspection, interview, _ = evidence
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    _cite(judgment, [interview], [], by=inspector)
    client = client_for(inspector)
    detail = client.get(reverse("inspections:interview", args=[inspection.pk, interview.pk]))
    url = reverse("inspections:interview_delete", args=[inspection.pk, interview.pk])
    assert f'href="{url}"' in detail.content.decode()
    page = client.get(url).content.decode()
    assert "You cannot delete this interview yet" in page
    assert "It is cited as evidence by:" in page and "The leadership judgment" in page
    assert "Take it out of it before you delete it" in page
    assert "Delete interview</button>" not in page  # a button that could only be refused

    refused = client.post(url).content.decode()
    assert "cannot be deleted while the leadership judgment cites it" in refused
    assert Interview.objects.filter(pk=interview.pk).exists()
    assert not AuditEvent.objects.filter(action="interview.deleted").exists()

    _cite(judgment, [], [], by=inspector)
    assert client.post(url).status_code == 302
    assert not Interview.objects.filter(pk=interview.pk).exists()
    assert AuditEvent.objects.get(action="interview.deleted").changes["evidence"][1] is None


def test_only_the_team_deletes_evidence_and_not_once_closed(
    client_for, inspector, other_inspector, force_lead_a, admin_user, evidence
):
    from django.core.exceptions import PermissionDenied, ValidationError

    inspection, interview, document = evidence
    url = reverse("inspections:document_delete", args=[inspection.pk, document.pk])
    for outsider in (other_inspector, force_lead_a):
        assert client_for(outsider).post(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.evidence_delete(item=document, by=other_inspector)
    Inspection.objects.filter(pk=inspection.pk).update(stage=Stage.CLOSED)
    inspection.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.evidence_delete(item=interview, by=admin_user)
    response = client_for(inspector).get(url)
    assert response.status_code == 302  # back to the evidence page, which says why
    assert Document.objects.filter(pk=document.pk).exists()


def test_citing_evidence_deleted_a_moment_ago_is_refused_not_a_500(inspector, evidence):
    """Found by a review: the grading form offered the interview before the
    save took the inspection's lock; a deletion committing in between made
    the save link a row that was gone, which PostgreSQL refuses at commit."""
    from django.core.exceptions import ValidationError

    inspection, interview, document = evidence
    services.evidence_delete(item=interview, by=inspector)
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    with pytest.raises(ValidationError, match="deleted a moment ago"):
        _cite(judgment, [interview], [document], by=inspector)
    judgment.refresh_from_db()
    assert judgment.rationale == "" and not judgment.documents.exists()


def test_evidence_cited_by_what_can_no_longer_change_stays(client_for, inspector, evidence):
    """Found by a review: after moderation the pages still offered to delete
    an interview, then asked for it to be taken out of final judgments."""
    inspection, interview, _ = evidence
    client = client_for(inspector)
    listing = client.get(reverse("inspections:evidence", args=[inspection.pk])).text
    delete = reverse("inspections:interview_delete", args=[inspection.pk, interview.pk])
    assert f'href="{delete}"' in listing  # interviews are deleted from the list too
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    _cite(judgment, [interview], [], by=inspector)
    Inspection.objects.filter(pk=inspection.pk).update(stage=Stage.PRE_PUBLICATION)
    detail = client.get(reverse("inspections:interview", args=[inspection.pk, interview.pk]))
    assert "Delete this interview" not in detail.text
    page = client.get(delete).text
    assert "You cannot delete this interview</h1>" in page
    assert "can no longer change, so the interview stays in the evidence" in page
    assert "Take it out of" not in page and "Delete interview</button>" not in page


def test_delete_sent_again_says_it_was_deleted_not_page_not_found(
    client_for, inspector, evidence, monkeypatch
):
    """Found by the concurrency review: Delete sent again (the back button)
    drew 'Page not found'; a second click that waited for the first drew the
    question again with 'This interview has already been deleted' and a live
    Delete button."""
    inspection, interview, document = evidence
    client = client_for(inspector)
    url = reverse("inspections:interview_delete", args=[inspection.pk, interview.pk])
    assert client.post(url).status_code == 302
    again = client.post(url, follow=True)
    assert again.redirect_chain[-1][0] == reverse("inspections:evidence", args=[inspection.pk])
    assert "This interview has already been deleted" in again.text

    first_click_lands_first(
        monkeypatch,
        services,
        "evidence_delete",
        afresh={"item": lambda: Document.objects.get(pk=document.pk)},
    )
    url = reverse("inspections:document_delete", args=[inspection.pk, document.pk])
    twice = client.post(url, follow=True)
    assert twice.redirect_chain[-1][0] == reverse("inspections:evidence", args=[inspection.pk])
    assert "This document has already been deleted" in twice.text
    assert AuditEvent.objects.filter(action="document.deleted").count() == 1
    assert client.get(url).status_code == 404  # a page to ask: none for what is gone


def test_a_second_click_on_delete_finding_that_waited_says_it_was_deleted(
    client_for, inspector, evidence, monkeypatch
):
    from inspections.models import Finding
    from inspections.tests.factories import add_concern

    inspection, _, _ = evidence
    finding = add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP, recommendation=False)
    first_click_lands_first(
        monkeypatch,
        services,
        "finding_delete",
        afresh={"finding": lambda: Finding.objects.get(pk=finding.pk)},
    )
    url = reverse("inspections:finding_delete", args=[inspection.pk, finding.pk])
    response = client_for(inspector).post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:findings", args=[inspection.pk])
    assert "This finding has already been deleted" in response.text
    assert AuditEvent.objects.filter(action="finding.deleted").count() == 1
