"""The reviewer of a case the lead inspector takes out of the sample, with a
case drawn in its place (casefiles.services.case_replace) or none
(case_take_out), is told, in the service and by email: found by a review,
they were not, and a draft review they had spent an hour on vanished
without a word. Never a word of second reviews."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from actionplans import notices, tasks
from actionplans.models import Notice, _case_page, described
from casefiles import services
from casefiles.models import Case
from casefiles.tests.factories import InspectionFactory, add_cases

pytestmark = pytest.mark.django_db

TOLD = (Notice.Kind.CASE_TAKEN_OUT, Notice.Kind.CASE_REPLACED)


@pytest.fixture
def inspection(force_a, lead_inspector, inspector, other_inspector):
    return InspectionFactory(
        force=force_a, lead_inspector=lead_inspector, team=[inspector, other_inspector]
    )


def _drawn(inspection, lead, cases, size, reviewer):
    """`cases` cases of child exploitation on the list, `size` drawn, all
    assigned to `reviewer` (None: to no one), each due a second review."""
    add_cases(inspection, {"child-exploitation": cases})
    services.sample_draw(
        inspection=inspection, sizes={"child-exploitation": size}, seed=1, reason="", by=lead
    )
    drawn = Case.objects.sampled().filter(inspection=inspection).order_by("reference")
    drawn.update(reviewer=reviewer, second_review_due=True)
    return list(drawn)


def _draft(case, by):
    services.case_review_save(case=case, answers={"notes": "An hour of work"}, by=by)


def _told():
    return list(Notice.objects.filter(kind__in=TOLD).select_related("recipient"))


def test_a_reviewer_whose_case_is_replaced_is_told_once_by_email_with_the_case_they_review_now(
    inspection, lead_inspector, inspector, force_lead_a, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    out = _drawn(inspection, lead_inspector, 3, 1, inspector)[0]
    _draft(out, inspector)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.case_replace(
            case=out, reason="Not a child protection case", by=lead_inspector
        )
    new = record.replacement
    [notice] = _told()
    assert notice.recipient == inspector and notice.kind == Notice.Kind.CASE_REPLACED
    assert notice.title.startswith("Case replaced in the sample: Greater Manchester, fieldwork")
    assert notice.body == (
        f"Case {out.reference} is no longer assigned to you: the lead inspector took it out "
        f"of the sample for the {described(inspection)}. Your draft review of it was "
        f"deleted. You now review case {new.reference} instead. The reason given: Not a "
        "child protection case."
    )
    # What matters shows on the notifications page, which cuts a body at 240.
    assert f"was deleted. You now review case {new.reference} instead." in notice.body[:240]
    assert notice.link == new.get_absolute_url()
    assert "second" not in notice.body.lower()
    [email] = mail.outbox
    assert email.to == [inspector.email] and email.subject == notice.title
    assert notice.body in email.body and new.get_absolute_url() in email.body
    notice.refresh_from_db()
    assert notice.emailed_at is not None

    # The task delivered again, or retried: one email.
    assert tasks.send_notice_emails([str(notice.pk)]) == 0
    assert notices.notice_email(notice_id=str(notice.pk)) is False
    assert len(mail.outbox) == 1

    # Their notifications page shows it, linked to the case they review now.
    html = client_for(inspector).get(reverse("actionplans:notifications")).text
    assert "Case replaced in the sample: Greater Manchester" in html
    assert new.get_absolute_url() in html
    # The force's lead never sees it.
    html = client_for(force_lead_a).get(reverse("actionplans:notifications")).text
    assert "Case replaced in the sample" not in html and out.reference not in html


def test_a_reviewer_whose_case_is_taken_out_alone_is_told_and_of_the_draft_deleted(
    inspection, lead_inspector, inspector, force_lead_a, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    out, kept = _drawn(inspection, lead_inspector, 2, 2, inspector)
    _draft(out, inspector)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_take_out(case=out, reason="File destroyed", by=lead_inspector)
    [notice] = _told()
    assert notice.recipient == inspector and notice.kind == Notice.Kind.CASE_TAKEN_OUT
    assert notice.title.startswith("Case taken out of the sample: Greater Manchester")
    assert notice.body == (
        f"Case {out.reference} is no longer assigned to you: the lead inspector took it out "
        f"of the sample for the {described(inspection)}, with no case drawn in its "
        "place. Your draft review of it was deleted. The reason given: File destroyed."
    )
    # Its second review moved to the case kept, which is not said.
    assert "second" not in notice.body.lower() and kept.reference not in notice.body
    assert notice.link == reverse("casefiles:review_list", args=[inspection.pk])
    [email] = mail.outbox
    assert email.to == [inspector.email] and notice.body in email.body
    assert tasks.send_notice_emails([str(notice.pk)]) == 0
    assert len(mail.outbox) == 1

    html = client_for(inspector).get(reverse("actionplans:notifications")).text
    assert "Case taken out of the sample: Greater Manchester" in html
    html = client_for(force_lead_a).get(reverse("actionplans:notifications")).text
    assert "Case taken out of the sample" not in html


def test_no_draft_no_word_of_one_and_each_case_is_told(inspection, lead_inspector, inspector):
    first, second = _drawn(inspection, lead_inspector, 4, 2, inspector)
    services.case_replace(case=first, reason="Wrong category.", by=lead_inspector)
    services.case_replace(case=second, reason="Duplicate", by=lead_inspector)
    told = sorted(_told(), key=lambda n: n.sequence)
    assert [(n.recipient, n.sequence) for n in told] == [(inspector, 0), (inspector, 1)]
    assert "draft" not in told[0].body and told[0].body.endswith("given: Wrong category.")
    assert first.reference in told[0].body and second.reference in told[1].body


def test_no_one_is_told_of_a_case_with_no_reviewer(
    inspection, lead_inspector, django_capture_on_commit_callbacks
):
    out = _drawn(inspection, lead_inspector, 3, 2, None)[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_replace(case=out, reason="File missing", by=lead_inspector)
    assert not Notice.objects.exists() and not mail.outbox


def test_the_lead_who_reviews_the_case_is_not_told_of_their_own_step(
    inspection, lead_inspector, django_capture_on_commit_callbacks
):
    out, _kept = _drawn(inspection, lead_inspector, 2, 2, lead_inspector)
    _draft(out, lead_inspector)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_take_out(case=out, reason="File destroyed", by=lead_inspector)
    assert not Notice.objects.exists() and not mail.outbox


def test_an_email_not_yet_sent_does_not_name_a_case_no_longer_theirs(
    inspection, lead_inspector, inspector, other_inspector
):
    """The broker down: by the time the email would go, the case drawn in
    place of theirs is another's to review. The notice stays as the record."""
    out = _drawn(inspection, lead_inspector, 3, 1, inspector)[0]
    record = services.case_replace(case=out, reason="File missing", by=lead_inspector)
    [notice] = _told()
    services.cases_assign(
        inspection=inspection,
        case_ids=[record.replacement.pk],
        reviewer=other_inspector,
        by=lead_inspector,
    )
    mail.outbox.clear()
    assert notices.notice_email(notice_id=str(notice.pk)) is False
    assert not mail.outbox
    # Theirs again: it holds, and goes.
    services.cases_assign(
        inspection=inspection,
        case_ids=[record.replacement.pk],
        reviewer=inspector,
        by=lead_inspector,
    )
    assert notices.notice_email(notice_id=str(notice.pk)) is True
    assert len(mail.outbox) == 1


def test_the_notice_names_the_inspection_as_it_is_once_its_fieldwork_moves(
    inspection, lead_inspector, inspector
):
    """As the notices of leaving it are (left_notices_redated)."""
    out = _drawn(inspection, lead_inspector, 3, 1, inspector)[0]
    services.case_replace(case=out, reason="File missing", by=lead_inspector)
    called = str(inspection)
    inspection.fieldwork_start = date(2026, 11, 2)
    inspection.fieldwork_end = date(2026, 11, 13)
    inspection.save()
    assert notices.left_notices_redated(inspection=inspection, called=called) == 1
    [notice] = _told()
    assert (
        notice.title
        == "Case replaced in the sample: Greater Manchester, fieldwork from 2 November 2026"
    )
    assert f"for the {described(inspection)}." in notice.body and "November" in notice.body


def test_the_case_page_made_in_sql_is_the_cases_own_address(inspection, lead_inspector):
    """still_due finds the case a "Case replaced in the sample" notice links to
    by its address made in SQL. On SQLite (make run) a UUID casts to 32 hex
    digits without hyphens, so the address matched no notice there and the
    email was never sent; this failed on SQLite and passes on both."""
    case = _drawn(inspection, lead_inspector, 2, 1, None)[0]
    made = Case.objects.filter(pk=case.pk).annotate(page=_case_page()).get().page
    assert made == case.get_absolute_url()
