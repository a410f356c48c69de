"""Changing an interview or document: a typo in an interview's notes or a
wrong date meant deleting and recording it again, which is impossible while
a judgment or finding cites it; a file naming a child could only go with
the whole record."""

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, StoredFile
from core.tests.files import pdf, upload
from inspections import services
from inspections.models import Document, Inspection, Interview, Topic
from inspections.tests.factories import cite_in_a_finding, record_evidence

Stage = Inspection.Stage


@pytest.fixture
def evidence(make_inspection, inspector, private_storage):
    inspection = make_inspection(Stage.FIELDWORK)
    return inspection, *record_evidence(inspection, by=inspector)


def _paper_document(inspection, title: str, *, by, kind: str = "policy") -> Document:
    """Another document, received on 12 January 2026, with no file."""
    return services.document_record(
        inspection=inspection,
        title=title,
        kind=kind,
        received_on=date(2026, 1, 12),
        notes="",
        by=by,
    )


def _interview(interview, **changes):
    """interview_update's arguments: the interview as it is, but for `changes`."""
    return {
        "interview": interview,
        "held_on": interview.held_on,
        "topics": list(interview.topics),
        "notes": interview.notes,
        "participants": [(p.role, p.organisation) for p in interview.participants.all()],
        **changes,
    }


def _document(document, **changes):
    return {
        "document": document,
        "title": document.title,
        "kind": document.kind,
        "received_on": document.received_on,
        "notes": document.notes,
        **changes,
    }


def _form(html: str) -> dict:
    """The form on a change page, as a browser would post it back untouched."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        if kind and kind.group(1) in ("checkbox", "radio"):
            if "checked" in tag:
                data.setdefault(name.group(1), []).append(value.group(1))
        elif kind and kind.group(1) in ("file", "submit"):
            continue
        else:
            data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body.strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


# The service --------------------------------------------------------------


def test_an_interview_is_recorded_with_who_took_part_in_roles_not_notes(evidence):
    """A change of participants is recorded from and to, but their recording
    was not: an interview never changed had no word in its history of who
    took part."""
    _, interview, _ = evidence
    event = AuditEvent.objects.get(action="interview.recorded")
    assert event.object_id == str(interview.pk)
    assert event.changes == {
        "held_on": [None, "2026-01-13"],
        "topics": [None, "Leadership"],
        "participants": [
            None,
            "Superintendent (Police); Team manager (Children's social care)",
        ],
    }
    assert "MASH" not in str(event.changes)


def test_an_interview_is_corrected_and_the_change_recorded_in_roles_not_notes(evidence, inspector):
    inspection, interview, _ = evidence
    changes = services.interview_update(
        **_interview(
            interview,
            held_on=date(2026, 1, 14),
            topics=[Topic.PARTNERSHIP_WORKING, Topic.LEADERSHIP],
            notes="Spoke about supervision of the MASH",
            participants=[("Detective superintendent", "police"), ("Head of service", "health")],
        ),
        by=inspector,
    )
    interview = Interview.objects.get(pk=interview.pk)
    assert interview.held_on == date(2026, 1, 14)
    assert interview.topics == [Topic.LEADERSHIP, Topic.PARTNERSHIP_WORKING]
    assert interview.notes == "Spoke about supervision of the MASH"
    assert [(p.role, p.organisation) for p in interview.participants.all()] == [
        ("Detective superintendent", "police"),
        ("Head of service", "health"),
    ]
    event = AuditEvent.objects.get(action="interview.changed")
    assert event.changes == changes
    assert event.actor == inspector and event.inspection_id == inspection.pk
    assert event.object_id == str(interview.pk)
    assert event.changes == {
        "held_on": ["2026-01-13", "2026-01-14"],
        "topics": ["Leadership", "Leadership, Partnership working"],
        "participants": [
            "Superintendent (Police); Team manager (Children's social care)",
            "Detective superintendent (Police); Head of service (Health)",
        ],
        # That they changed, never what they say (they may name someone).
        "notes": [services.NOTES_BEFORE, services.NOTES_AFTER],
    }
    assert "MASH" not in str(event.changes)


def test_notes_added_or_cleared_say_so(evidence, inspector):
    _, interview, document = evidence
    services.interview_update(**_interview(interview, notes=""), by=inspector)
    services.document_update(**_document(document, notes="Dated 2019"), by=inspector)
    assert AuditEvent.objects.get(action="interview.changed").changes == {
        "notes": [services.NOTES_BEFORE, None]
    }
    assert AuditEvent.objects.get(action="document.changed").changes == {
        "notes": [None, services.NOTES_AFTER]
    }


def test_a_document_is_corrected_and_recorded_as_recording_does(evidence, inspector):
    _, _, document = evidence
    stored_file = document.stored_file
    services.document_update(
        **_document(
            document,
            title="Strategy discussion minutes",
            kind="report",
            received_on=date(2026, 1, 13),
        ),
        by=inspector,
    )
    document.refresh_from_db()
    assert (document.title, document.kind, document.received_on) == (
        "Strategy discussion minutes",
        "report",
        date(2026, 1, 13),
    )
    assert document.stored_file == stored_file  # kept
    assert AuditEvent.objects.get(action="document.changed").changes == {
        "title": ["Strategy meeting minutes", "Strategy discussion minutes"],
        "kind": ["Policy", "Report"],
        "received_on": ["2026-01-12", "2026-01-13"],
    }


def test_nothing_changed_saves_and_records_nothing(evidence, inspector):
    _, interview, document = evidence
    seen = services.seen_version(interview), services.seen_version(document)
    # Topics in another order, and a page drawn before the last save that
    # asks for nothing new (a second click on Save), are no change either.
    assert (
        services.interview_update(
            **_interview(interview, topics=list(reversed(interview.topics))),
            by=inspector,
            seen="2000-01-01T00:00:00+00:00",
        )
        == {}
    )
    assert services.document_update(**_document(document), by=inspector, seen=seen[1]) == {}
    assert not AuditEvent.objects.filter(action__endswith=".changed").exists()
    interview.refresh_from_db()
    document.refresh_from_db()
    assert (services.seen_version(interview), services.seen_version(document)) == seen


def test_only_the_team_changes_evidence_and_not_once_closed(
    evidence, other_inspector, force_lead_a, admin_user
):
    inspection, interview, document = evidence
    for outsider in (other_inspector, force_lead_a):
        with pytest.raises(PermissionDenied):
            services.interview_update(**_interview(interview, notes="x"), by=outsider)
        with pytest.raises(PermissionDenied):
            services.document_update(**_document(document, notes="x"), by=outsider)
    Inspection.objects.filter(pk=inspection.pk).update(stage=Stage.CLOSED)
    with pytest.raises(ValidationError, match="The inspection is closed"):
        services.interview_update(**_interview(interview, notes="x"), by=admin_user)
    with pytest.raises(ValidationError, match="The inspection is closed"):
        services.document_update(**_document(document, remove_file=True), by=admin_user)
    assert not AuditEvent.objects.filter(action__endswith=".changed").exists()
    assert Document.objects.get(pk=document.pk).stored_file_id is not None


def test_cited_evidence_changes_until_what_cites_it_can_no_longer_change(evidence, inspector):
    inspection, interview, document = evidence
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    services.judgment_save(
        judgment=judgment,
        grade="good",
        rationale="Strong",
        cites_case_reviews=False,
        interviews=[interview],
        documents=[document],
        by=inspector,
    )
    # Cited, but the judgment can still change: a typo is corrected in place.
    services.interview_update(**_interview(interview, notes="Corrected"), by=inspector)
    Inspection.objects.filter(pk=inspection.pk).update(stage=Stage.PRE_PUBLICATION)
    message = (
        "This interview cannot be changed: the leadership judgment cites it, and at the "
        "‘Pre-publication checks’ stage it can no longer change"
    )
    with pytest.raises(ValidationError, match=message):
        services.interview_update(**_interview(interview, notes="Again"), by=inspector)
    with pytest.raises(ValidationError, match="This document cannot be changed"):
        services.document_update(**_document(document, remove_file=True), by=inspector)
    # Evidence nothing cites still can (the post-inspection visit's, say).
    other = _paper_document(inspection, "Visit notes", by=inspector, kind="other")
    services.document_update(**_document(other, kind="report"), by=inspector)
    assert AuditEvent.objects.filter(action__endswith=".changed").count() == 2


def _put_forward(judgment, *, interviews, documents, by) -> None:
    services.judgment_save(
        judgment=judgment,
        grade="good",
        rationale="Strong",
        cites_case_reviews=False,
        interviews=interviews,
        documents=documents,
        by=by,
    )
    services.judgment_submit(judgment=judgment, by=by)


def test_evidence_a_judgment_with_the_lead_cites_waits_until_it_is_returned(
    evidence, inspector, lead_inspector
):
    """Found by the grading review: an interview a judgment put forward, or
    agreed, cites could be changed under the lead inspector's moderation."""
    inspection, interview, document = evidence
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    _put_forward(judgment, interviews=[interview], documents=[document], by=inspector)
    message = (
        "This interview cannot be changed: the leadership judgment cites it, and it has "
        "been submitted for moderation. Ask the lead inspector to return it first"
    )
    with pytest.raises(ValidationError, match=message):
        services.interview_update(**_interview(interview, notes="Changed"), by=inspector)
    services.judgment_agree(judgment=judgment, by=inspection.lead_inspector)
    with pytest.raises(ValidationError, match="This document cannot be changed"):
        services.document_update(**_document(document, title="Renamed"), by=inspector)
    interview.refresh_from_db()
    assert interview.notes != "Changed"
    # Returned to the team, the evidence can change again.
    services.judgment_return(
        judgment=judgment, comment="Check the notes", by=inspection.lead_inspector
    )
    services.interview_update(**_interview(interview, notes="Changed"), by=inspector)
    interview.refresh_from_db()
    assert interview.notes == "Changed"


def test_dates_to_come_and_no_participants_are_refused(evidence, inspector):
    _, interview, document = evidence
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="The date of the interview must be today"):
        services.interview_update(**_interview(interview, held_on=tomorrow), by=inspector)
    with pytest.raises(ValidationError, match="Add at least one participant"):
        services.interview_update(**_interview(interview, participants=[]), by=inspector)
    with pytest.raises(ValidationError, match="The date the document was received must be"):
        services.document_update(**_document(document, received_on=tomorrow), by=inspector)
    assert not AuditEvent.objects.filter(action__endswith=".changed").exists()


def test_a_change_from_a_page_drawn_before_another_save_is_refused(evidence, inspector):
    _, interview, document = evidence
    seen = services.seen_version(interview), services.seen_version(document)
    # Only the participants change: the interview's version moves all the same.
    services.interview_update(
        **_interview(interview, participants=[("Sergeant", "police")]), by=inspector
    )
    services.document_update(**_document(document, notes="Theirs"), by=inspector)
    with pytest.raises(ValidationError, match="Someone else changed this interview"):
        services.interview_update(**_interview(interview, notes="Mine"), by=inspector, seen=seen[0])
    with pytest.raises(ValidationError, match="Someone else changed this document"):
        services.document_update(**_document(document, notes="Mine"), by=inspector, seen=seen[1])
    assert Interview.objects.get(pk=interview.pk).notes == "Spoke about supervison of the MASH"
    assert Document.objects.get(pk=document.pk).notes == "Theirs"


def test_a_document_is_not_changed_into_one_already_recorded(evidence, inspector):
    inspection, _, document = evidence
    other = _paper_document(inspection, "Missing children policy", by=inspector)
    with pytest.raises(ValidationError, match="already been recorded"):
        services.document_update(
            **_document(document, title=" missing CHILDREN policy "), by=inspector
        )
    # Its own title, differently written, is not a duplicate of itself.
    services.document_update(**_document(other, title="Missing Children Policy"), by=inspector)
    # Two recorded alike before the check existed: their notes still change.
    Document.objects.filter(pk=document.pk).update(title="Missing children policy")
    document.refresh_from_db()
    services.document_update(**_document(document, notes="Second copy"), by=inspector)


def test_a_deleted_interview_is_said_to_be_deleted(evidence, inspector):
    _, interview, _ = evidence
    services.evidence_delete(item=Interview.objects.get(pk=interview.pk), by=inspector)
    with pytest.raises(ValidationError, match="This interview has been deleted"):
        services.interview_update(**_interview(interview, notes="x"), by=inspector)


# Files --------------------------------------------------------------------


def test_a_replaced_file_is_deleted_once_the_change_commits(
    evidence, inspector, django_capture_on_commit_callbacks
):
    _, _, document = evidence
    old = document.stored_file
    with django_capture_on_commit_callbacks() as callbacks:
        services.document_update(
            **_document(document), upload=upload("minutes.docx.pdf", pdf("New")), by=inspector
        )
        # Not before the commit: a rollback would leave the old row pointing at nothing.
        assert default_storage.exists(old.storage_name)
    for callback in callbacks:
        callback()
    assert not default_storage.exists(old.storage_name)
    assert not StoredFile.objects.filter(pk=old.pk).exists()
    document.refresh_from_db()
    assert document.stored_file.original_name == "minutes.docx.pdf"
    assert default_storage.exists(document.stored_file.storage_name)
    event = AuditEvent.objects.get(action="document.changed")
    # The kind of file only: the name may be why it was replaced.
    assert event.changes == {"file": ["A PDF file", "A new PDF file"]}


def test_a_file_is_removed_and_the_record_kept(
    evidence, inspector, django_capture_on_commit_callbacks
):
    _, _, document = evidence
    old = document.stored_file
    with django_capture_on_commit_callbacks(execute=True):
        services.document_update(**_document(document), remove_file=True, by=inspector)
    document = Document.objects.get(pk=document.pk)
    assert document.stored_file is None and document.title == "Strategy meeting minutes"
    assert not StoredFile.objects.exists()
    assert not default_storage.exists(old.storage_name)
    assert AuditEvent.objects.get(action="document.changed").changes == {
        "file": ["A PDF file", None]
    }
    # Nothing left to remove: no change.
    assert services.document_update(**_document(document), remove_file=True, by=inspector) == {}


def test_a_file_is_added_to_a_document_that_had_none(evidence, inspector):
    inspection, _, _ = evidence
    document = _paper_document(inspection, "Data return", by=inspector, kind="data")
    services.document_update(**_document(document), upload=upload("data.pdf", pdf()), by=inspector)
    assert Document.objects.get(pk=document.pk).stored_file.original_name == "data.pdf"
    assert AuditEvent.objects.get(action="document.changed").changes == {
        "file": [None, "A new PDF file"]
    }


def test_replacing_and_removing_at_once_is_refused(evidence, inspector):
    _, _, document = evidence
    with pytest.raises(ValidationError, match="Select whether to replace the file or remove it"):
        services.document_update(
            **_document(document), upload=upload("new.pdf", pdf()), remove_file=True, by=inspector
        )
    assert StoredFile.objects.count() == 1


def test_a_change_rolled_back_keeps_the_old_file_and_its_row(
    evidence, inspector, django_capture_on_commit_callbacks
):
    _, _, document = evidence
    old = document.stored_file
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        mock.patch.object(services, "_record", side_effect=RuntimeError("database went away")),
        pytest.raises(RuntimeError),
    ):
        services.document_update(
            **_document(document, title="New title"),
            upload=upload("new.pdf", pdf()),
            by=inspector,
        )
    assert callbacks == []  # the old file's deletion was never to happen
    document = Document.objects.get(pk=document.pk)
    assert document.title == "Strategy meeting minutes"
    assert document.stored_file_id == old.pk
    assert default_storage.exists(old.storage_name)
    assert StoredFile.objects.count() == 1


# The pages ----------------------------------------------------------------


def _urls(inspection, interview, document):
    return (
        reverse("inspections:interview_edit", args=[inspection.pk, interview.pk]),
        reverse("inspections:document_edit", args=[inspection.pk, document.pk]),
    )


def test_the_change_pages_are_linked_from_the_evidence_and_the_interview(
    client_for, evidence, inspector
):
    inspection, interview, document = evidence
    client = client_for(inspector)
    change_interview, change_document = _urls(inspection, interview, document)
    listing = client.get(reverse("inspections:evidence", args=[inspection.pk])).text
    assert f'href="{change_interview}"' in listing and f'href="{change_document}"' in listing
    assert 'Change<span class="govuk-visually-hidden"> Strategy meeting minutes</span>' in listing
    detail = client.get(reverse("inspections:interview", args=[inspection.pk, interview.pk])).text
    assert f'href="{change_interview}"' in detail


def test_only_the_team_opens_the_change_pages(
    client_for, evidence, other_inspector, force_lead_a, force_lead_b, admin_user
):
    """An inspector off the team, and either force's lead, may not know the
    evidence exists: 404 (the evidence has no read-only viewer to get 403)."""
    inspection, interview, document = evidence
    urls = _urls(inspection, interview, document)
    for url in urls:
        assert Client().get(url).status_code == 302  # to sign in
        for outsider in (other_inspector, force_lead_a, force_lead_b):
            outside = client_for(outsider)
            assert outside.get(url).status_code == 404
            assert outside.post(url, {"notes": "x"}).status_code == 404
        assert client_for(admin_user).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action__endswith=".changed").exists()


def test_an_interview_is_changed_from_its_page(client_for, evidence, inspector):
    inspection, interview, _ = evidence
    client = client_for(inspector)
    url = reverse("inspections:interview_edit", args=[inspection.pk, interview.pk])
    page = client.get(url).text
    assert '<h1 class="govuk-heading-l">Change the interview</h1>' in page
    assert "Change the interview on 13 January 2026 –" in page
    data = _form(page)
    # Drawn as saved: a row for each participant, and the notes.
    assert data["participant_1_role"] == "Superintendent"
    assert data["participant_2_organisation"] == "childrens_social_care"
    assert data["held_on_0"] == "13" and data["topics"] == ["leadership"]
    assert data["notes"] == "Spoke about supervison of the MASH"

    data.update(notes="Spoke about supervision of the MASH", participant_2_role="")
    data.update(participant_2_organisation="")
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "inspections:interview", args=[inspection.pk, interview.pk]
    )
    assert "Interview changed" in response.text
    assert "supervision of the MASH" in response.text
    assert AuditEvent.objects.get(action="interview.changed").changes["participants"] == [
        "Superintendent (Police); Team manager (Children's social care)",
        "Superintendent (Police)",
    ]

    # Saved again as it is: nothing recorded, and said so.
    response = client.post(url, _form(client.get(url).text), follow=True)
    assert "Interview already says this: there were no changes to save" in response.text
    assert AuditEvent.objects.filter(action="interview.changed").count() == 1


def test_the_interview_change_page_shows_errors_the_govuk_way(client_for, evidence, inspector):
    inspection, interview, _ = evidence
    client = client_for(inspector)
    url = reverse("inspections:interview_edit", args=[inspection.pk, interview.pk])
    data = _form(client.get(url).text)
    tomorrow = timezone.localdate() + timedelta(days=1)
    future = {"held_on_0": tomorrow.day, "held_on_1": tomorrow.month, "held_on_2": tomorrow.year}
    page = client.post(url, {**data, **future}).text
    assert "govuk-error-summary" in page and "<title>Error: Change the interview" in page
    assert f" – {inspection.force.short_name} – " in page.split("</title>")[0]
    assert "The date of the interview must be today or in the past" in page
    for n in (1, 2):
        data.update({f"participant_{n}_role": "", f"participant_{n}_organisation": ""})
    page = client.post(url, data).text
    assert "Enter the role of at least one participant" in page
    assert Interview.objects.get(pk=interview.pk).participants.count() == 2

    # Adding a participant row redraws the page with what was typed, saving nothing.
    data = {**_form(client.get(url).text), "notes": "Typed", "add_participant": ""}
    page = client.post(url, data).text
    assert 'id="participant-4"' in page and "\nTyped</textarea>" in page
    assert not AuditEvent.objects.filter(action="interview.changed").exists()


def test_a_page_drawn_before_another_save_keeps_what_was_typed(client_for, evidence, inspector):
    inspection, interview, _ = evidence
    client = client_for(inspector)
    url = reverse("inspections:interview_edit", args=[inspection.pk, interview.pk])
    mine = {**_form(client.get(url).text), "notes": "Mine"}
    services.interview_update(**_interview(interview, notes="Theirs"), by=inspector)

    page = client.post(url, mine).text
    assert "Someone else changed this interview after you opened it" in page
    assert "\nMine</textarea>" in page
    assert Interview.objects.get(pk=interview.pk).notes == "Theirs"
    # Told, they save again: theirs is replaced with theirs known.
    assert client.post(url, _form(page)).status_code == 302
    assert Interview.objects.get(pk=interview.pk).notes == "Mine"


def test_saving_an_interview_deleted_meanwhile_says_so(client_for, evidence, inspector):
    inspection, interview, _ = evidence
    client = client_for(inspector)
    url = reverse("inspections:interview_edit", args=[inspection.pk, interview.pk])
    data = _form(client.get(url).text)
    services.evidence_delete(item=Interview.objects.get(pk=interview.pk), by=inspector)
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:evidence", args=[inspection.pk])
    assert "This interview was deleted, so your changes were not saved" in response.text
    assert client.get(url).status_code == 404


def test_evidence_cited_by_what_can_no_longer_change_has_no_form(client_for, evidence, inspector):
    inspection, interview, document = evidence
    finding = cite_in_a_finding(
        inspection, by=inspector, interviews=[interview], documents=[document]
    )
    client = client_for(inspector)
    change_interview, change_document = _urls(inspection, interview, document)
    assert client.get(change_interview).status_code == 200  # it can still change
    Inspection.objects.filter(pk=inspection.pk).update(stage=Stage.PUBLISHED)
    detail = client.get(reverse("inspections:interview", args=[inspection.pk, interview.pk])).text
    assert change_interview not in detail
    for url, what in ((change_interview, "interview"), (change_document, "document")):
        for send in (client.get, client.post):
            page = send(url).text
            assert f"You cannot change this {what}</h1>" in page
            assert finding.summary in page
            assert f"can no longer change, so the {what} stays as it is" in page
            assert "<form" not in page.split("<main")[1].split("</main>")[0]
    assert not AuditEvent.objects.filter(action__endswith=".changed").exists()


def test_evidence_a_judgment_with_the_lead_cites_has_no_form(client_for, evidence, inspector):
    inspection, interview, document = evidence
    judgment = inspection.judgments.get(topic=Topic.INVESTIGATION)
    _put_forward(judgment, interviews=[interview], documents=[document], by=inspector)
    client = client_for(inspector)
    change_interview, change_document = _urls(inspection, interview, document)
    detail = client.get(reverse("inspections:interview", args=[inspection.pk, interview.pk])).text
    assert change_interview not in detail
    for url, what in ((change_interview, "interview"), (change_document, "document")):
        for send in (client.get, client.post):
            page = send(url).text
            assert f"You cannot change this {what}</h1>" in page
            assert (
                f"It has been submitted for moderation, so the {what} stays as it is. "
                "Ask the lead inspector to return it first." in page
            )
            assert "<form" not in page.split("<main")[1].split("</main>")[0]
    assert not AuditEvent.objects.filter(action__endswith=".changed").exists()


def test_a_closed_inspections_evidence_is_not_offered_for_change(client_for, evidence, inspector):
    inspection, interview, document = evidence
    Inspection.objects.filter(pk=inspection.pk).update(stage=Stage.CLOSED)
    client = client_for(inspector)
    evidence_url = reverse("inspections:evidence", args=[inspection.pk])
    listing = client.get(evidence_url).text
    for url in _urls(inspection, interview, document):
        assert url not in listing
        response = client.get(url)
        assert response.status_code == 302 and response.url == evidence_url


def _document_data(page: str, **changes) -> dict:
    return {**_form(page), **changes}


def test_a_document_is_changed_and_its_file_replaced(
    client_for, evidence, inspector, django_capture_on_commit_callbacks
):
    inspection, _, document = evidence
    old = document.stored_file
    client = client_for(inspector)
    url = reverse("inspections:document_edit", args=[inspection.pk, document.pk])
    page = client.get(url).text
    assert "The current file is minutes naming a child.pdf." in page
    assert 'value="keep"' in page and _form(page)["file_action"] == ["keep"]

    # Replace, with no file chosen: said beside the file input.
    data = _document_data(page, title="Minutes of the strategy meeting", file_action="replace")
    page = client.post(url, data).text
    assert "Select the new file" in page and "govuk-error-summary" in page
    assert 'value="Minutes of the strategy meeting"' in page  # what was typed stays
    assert not AuditEvent.objects.filter(action="document.changed").exists()

    data["file"] = upload("minutes.pdf", pdf("Redacted"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:evidence", args=[inspection.pk])
    assert "Document ‘Minutes of the strategy meeting’ changed" in response.text
    document.refresh_from_db()
    assert document.stored_file.original_name == "minutes.pdf"
    assert not default_storage.exists(old.storage_name)
    changes = AuditEvent.objects.get(action="document.changed").changes
    assert changes == {
        "title": ["Strategy meeting minutes", "Minutes of the strategy meeting"],
        "file": ["A PDF file", "A new PDF file"],
    }


def test_a_full_disk_while_replacing_a_file_keeps_the_old_one_and_says_so(
    client_for, evidence, inspector, private_storage, monkeypatch
):
    from core.tests.fixtures import fill_the_disk, stored_paths
    from core.uploads import NOT_UPLOADED

    inspection, _, document = evidence
    old = document.stored_file
    client = client_for(inspector)
    url = reverse("inspections:document_edit", args=[inspection.pk, document.pk])
    data = _document_data(client.get(url).text, file_action="replace")
    fill_the_disk(monkeypatch)
    response = client.post(url, {**data, "file": upload("minutes.pdf", pdf("Redacted"))})
    assert response.status_code == 200
    assert f'<a href="#id_file">{NOT_UPLOADED}</a>' in response.text
    document.refresh_from_db()
    assert document.stored_file == old
    assert stored_paths(private_storage) == [private_storage / old.storage_name]
    assert not AuditEvent.objects.filter(action="document.changed").exists()


def test_a_file_chosen_but_not_to_replace_is_pointed_out(client_for, evidence, inspector):
    inspection, _, document = evidence
    client = client_for(inspector)
    url = reverse("inspections:document_edit", args=[inspection.pk, document.pk])
    for action in ("keep", "remove"):
        data = _document_data(
            client.get(url).text, file_action=action, file=upload("new.pdf", pdf())
        )
        page = client.post(url, data).text
        assert "Select ‘Replace it with a new file’ to use the file you chose" in page
    assert StoredFile.objects.count() == 1


def test_a_file_is_removed_from_the_change_page(
    client_for, evidence, inspector, django_capture_on_commit_callbacks
):
    inspection, _, document = evidence
    client = client_for(inspector)
    url = reverse("inspections:document_edit", args=[inspection.pk, document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, _document_data(client.get(url).text, file_action="remove"), follow=True
        )
    assert "Document ‘Strategy meeting minutes’ changed" in response.text
    assert "No file" in response.text
    assert not StoredFile.objects.exists()
    # Without a file, the page offers an upload (optional) and no radios.
    page = client.get(url).text
    assert 'name="file_action"' not in page and "Upload a copy (optional)" in page


@pytest.mark.parametrize("title", ["Pol\u200bicy", "Po\u00adlicy", "\uff30olicy", "Poli\u2060cy"])
def test_a_document_whose_title_reads_the_same_is_not_recorded_twice(evidence, inspector, title):
    """Two documents of one kind and date, the second's title with a
    zero-width space or soft hyphen inside: they read the same in the list
    and both passed the check."""
    inspection, _, document = evidence
    _paper_document(inspection, "Policy", by=inspector)
    with pytest.raises(ValidationError, match="has already been recorded"):
        _paper_document(inspection, title, by=inspector)
    other = _paper_document(inspection, "Policy for missing children", by=inspector)
    with pytest.raises(ValidationError, match="has already been recorded"):
        services.document_update(
            document=other,
            title=title,
            kind="policy",
            received_on=date(2026, 1, 12),
            notes="",
            by=inspector,
        )
    assert inspection.documents.filter(title__startswith="Pol").count() == 2


def test_a_document_change_page_refuses_a_duplicate_and_escapes_the_file_name(
    client_for, evidence, inspector
):
    inspection, _, document = evidence
    _paper_document(inspection, "Policy", by=inspector)
    StoredFile.objects.filter(pk=document.stored_file_id).update(original_name="<b>bold</b>.pdf")
    client = client_for(inspector)
    url = reverse("inspections:document_edit", args=[inspection.pk, document.pk])
    page = client.get(url).text
    assert "&lt;b&gt;bold&lt;/b&gt;.pdf" in page and "<b>bold</b>" not in page
    page = client.post(url, _document_data(page, title="policy")).text
    assert "A document with this title, kind and date has already been recorded" in page
    assert Document.objects.get(pk=document.pk).title == "Strategy meeting minutes"


def test_two_interviews_on_one_day_have_links_told_apart(client_for, evidence, inspector):
    """Found by an accessibility audit: "Change the interview on 13 January
    2026" twice, for two interviews held that day (WCAG 2.4.4)."""
    inspection, _, _ = evidence
    services.interview_record(
        inspection=inspection,
        held_on=date(2026, 1, 13),
        topics=[Topic.LEADERSHIP],
        notes="",
        participants=[("Head of children's services", "childrens_social_care")],
        by=inspector,
    )
    page = client_for(inspector).get(reverse("inspections:evidence", args=[inspection.pk])).text
    hidden = '<span class="govuk-visually-hidden"> the interview on 13 January 2026 with '
    for action in ("Change", "Delete"):
        assert f"{action}{hidden}Superintendent (Police)</span>" in page
        assert f"{action}{hidden}Head of children" in page


def test_the_evidence_pages_each_list_on_its_own(client_for, make_inspection, inspector):
    """Found by the lists review: 120 interviews on one page. Each list goes
    50 to a page, with its own page parameter, landing on its own heading."""
    from inspections.views import EVIDENCE_PAGE_SIZE

    inspection = make_inspection(Inspection.Stage.FIELDWORK)
    Interview.objects.bulk_create(
        Interview(inspection=inspection, held_on=inspection.fieldwork_start, notes=f"n{n}")
        for n in range(EVIDENCE_PAGE_SIZE + 5)
    )
    Document.objects.bulk_create(
        Document(
            inspection=inspection,
            title=f"Minutes {n:03d}",
            kind="policy",
            received_on=inspection.fieldwork_start,
        )
        for n in range(3)
    )
    client = client_for(inspector)
    url = reverse("inspections:evidence", args=[inspection.pk])
    first = client.get(url, {"documents_page": "1"})
    html = first.content.decode()
    assert "Interviews and discussions (55)" in html and "Documents and data examined (3)" in html
    assert len(first.context["interviews"]) == EVIDENCE_PAGE_SIZE
    assert 'aria-label="Pages of interviews"' in html
    assert 'aria-label="Pages of documents"' not in html  # one page: no navigation
    assert 'href="?documents_page=1&amp;interviews_page=2#interviews"' in html
    second = client.get(url, {"interviews_page": "2"})
    assert len(second.context["interviews"]) == 5
    assert [d["title"] for d in second.context["documents"]] == [
        "Minutes 000",
        "Minutes 001",
        "Minutes 002",
    ]
    for odd in ("0", "abc", "99"):
        assert client.get(url, {"interviews_page": odd}).status_code == 200
