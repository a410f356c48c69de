"""A team notice's email, queued and not yet sent (the broker or the mail
server down), is sent only while what it says still holds (still_due), as
for the force's notices: found by the team email review, "You are on the
team for the inspection of X, fieldwork from 3 March" arrived after
"Inspection cancelled". The notice stays in the service as the record."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actionplans import notices, tasks
from actionplans.models import Notice
from actionplans.notices import TEAM_KINDS
from actionplans.tests.factories import today
from casefiles import services as casefile_services
from casefiles.models import Case
from casefiles.tests.factories import add_cases
from core.templatetags.govuk import govuk_date
from inspections import services
from inspections.models import Inspection
from inspections.tests.factories import inspection_at, schedule

pytestmark = pytest.mark.django_db


def _planned(force, lead, team, admin, days_ahead=60):
    start = today() + timedelta(days=days_ahead)
    return schedule(force=force, lead=lead, team=team, start=start, by=admin)


def _plan(inspection, admin, *, team, lead=None, start=None):
    start = start or inspection.fieldwork_start
    return services.inspection_update_plan(
        inspection=inspection,
        kind=inspection.kind,
        fieldwork_start=start,
        fieldwork_end=start + timedelta(days=4),
        lead_inspector=lead or inspection.lead_inspector,
        team=team,
        by=admin,
    )


def _handed_back(inspection, lead, inspector, admin):
    """The inspector's sampled case is handed back as they are taken off the
    team: the lead is told to assign it again."""
    add_cases(inspection, {"missing-children": 2})
    casefile_services.sample_draw(
        inspection=inspection, sizes={"missing-children": 1}, seed=1, reason="", by=lead
    )
    case = Case.objects.sampled().get(inspection=inspection)
    casefile_services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=lead
    )
    _plan(inspection, admin, team=[])
    return Notice.objects.get(kind=Notice.Kind.CASES_HANDED_BACK)


def _emailed(*notices_to_send) -> list[bool]:
    return [notices.notice_email(notice_id=str(n.pk)) for n in notices_to_send]


def _requeued(monkeypatch) -> set:
    """What the sweep queues again of the emails left unsent an hour."""
    Notice.objects.update(sent_at=timezone.now() - timedelta(hours=1))
    queued: list = []
    monkeypatch.setattr(notices, "_email_after_commit", queued.extend)
    notices._requeue_unsent_emails()
    return set(queued)


def test_on_the_team_and_lead_are_not_emailed_once_the_inspection_is_cancelled(
    force_a, admin_user, lead_inspector, inspector, force_lead_a, monkeypatch
):
    inspection = _planned(force_a, lead_inspector, [inspector], admin_user)
    joined = Notice.objects.get(kind=Notice.Kind.TEAM_JOINED, recipient=inspector)
    lead = Notice.objects.get(kind=Notice.Kind.LEAD_ASSIGNED, recipient=lead_inspector)
    services.inspection_cancel(inspection=inspection, reason="Force merger", by=admin_user)
    assert str(joined.pk) not in _requeued(monkeypatch)
    # The email task, run after the cancellation, sends neither.
    assert tasks.send_notice_emails([str(joined.pk), str(lead.pk)]) == 0
    assert mail.outbox == []
    # The cancellation itself is emailed, and the notices stay as the record.
    cancelled = Notice.objects.filter(kind=Notice.Kind.INSPECTION_CANCELLED)
    assert _emailed(*cancelled) == [True] * 3
    assert Notice.objects.for_user(inspector).filter(pk=joined.pk).exists()


def test_cases_to_assign_are_not_emailed_once_the_inspection_is_cancelled(
    force_a, admin_user, lead_inspector, inspector, monkeypatch
):
    inspection = _planned(force_a, lead_inspector, [inspector], admin_user)
    to_assign = _handed_back(inspection, lead_inspector, inspector, admin_user)
    left = Notice.objects.get(kind=Notice.Kind.TEAM_LEFT)
    services.inspection_cancel(inspection=inspection, reason="Force merger", by=admin_user)
    assert str(to_assign.pk) not in _requeued(monkeypatch)
    assert _emailed(to_assign) == [False]
    # Taken off the team still holds: they were not on it to be told of the
    # cancellation, and would keep the dates free for nothing otherwise.
    assert _emailed(left) == [True]
    assert [m.to for m in mail.outbox] == [[inspector.email]]


def test_a_new_lead_is_not_emailed_once_the_inspection_is_closed(
    force_a, admin_user, lead_inspector, inspector, other_inspector
):
    """ "You sign off the report and review the force's action plans", of an
    inspection closed since."""
    inspection = inspection_at(
        Inspection.Stage.FOLLOW_UP, force=force_a, lead=lead_inspector, admin=admin_user
    )
    services.inspection_change_lead(
        inspection=inspection, lead_inspector=other_inspector, reason="Leave", by=admin_user
    )
    told = Notice.objects.get(kind=Notice.Kind.LEAD_ASSIGNED, recipient=other_inspector)
    services.inspection_close(
        inspection=inspection, closed_on=inspection.published_on + timedelta(days=1), by=admin_user
    )
    assert _emailed(told) == [False]
    assert mail.outbox == []


def test_the_sweep_looks_for_unsent_emails_in_one_query_however_many_wait(
    force_a, force_b, admin_user, lead_inspector, inspector, other_inspector, monkeypatch,
    django_assert_num_queries,
):  # fmt: skip
    _planned(force_a, lead_inspector, [inspector], admin_user)
    with django_assert_num_queries(2):  # the update that backdates them, the look
        assert len(_requeued(monkeypatch)) == 2
    team = [inspector, other_inspector]
    cancelled = _planned(force_b, lead_inspector, team, admin_user, days_ahead=90)
    services.inspection_cancel(inspection=cancelled, reason="Force merger", by=admin_user)
    with django_assert_num_queries(2):
        assert len(_requeued(monkeypatch)) == 2 + 3  # and the cancellation's, not the team's


def test_on_the_team_with_dates_moved_since_is_not_emailed_the_new_dates_are(
    force_a, admin_user, lead_inspector, inspector, monkeypatch
):
    """ "Fieldwork from 3 March", emailed after the dates moved, arrived beside
    (or after) the notice of the new dates."""
    inspection = _planned(force_a, lead_inspector, [inspector], admin_user)
    first = list(Notice.objects.filter(kind__in=TEAM_KINDS))
    moved = inspection.fieldwork_start + timedelta(days=7)
    _plan(inspection, admin_user, team=[inspector], start=moved)
    now = list(Notice.objects.filter(kind__in=TEAM_KINDS, due_on=moved))
    assert len(first) == len(now) == 2
    assert _requeued(monkeypatch) == {str(n.pk) for n in now}
    assert _emailed(*first) == [False, False]
    assert _emailed(*now) == [True, True]
    assert all(govuk_date(moved) in m.subject for m in mail.outbox)
    # Moved back to the first dates: told again, and only that is emailed.
    _plan(inspection, admin_user, team=[inspector], start=first[0].due_on)
    again = Notice.objects.filter(kind__in=TEAM_KINDS, sequence=2)
    assert _emailed(*first, *again) == [False, False, True, True]


def test_lead_inspector_is_not_emailed_once_replaced_and_kept_on_the_team(
    force_a, admin_user, lead_inspector, inspector, other_inspector, monkeypatch
):
    """ "You are the lead inspector", emailed after they were replaced (still
    on the team, so the inspection is theirs to see), arrived beside "No
    longer lead inspector"."""
    inspection = _planned(force_a, lead_inspector, [inspector], admin_user)
    told = Notice.objects.get(kind=Notice.Kind.LEAD_ASSIGNED, recipient=lead_inspector)
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector, lead_inspector])
    assert str(told.pk) not in _requeued(monkeypatch)
    assert _emailed(told) == [False]
    replaced = Notice.objects.get(kind=Notice.Kind.LEAD_REPLACED)
    assert _emailed(replaced) == [True]
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["No longer lead inspector"]


CANCELLED_SINCE = "The inspection has since been cancelled: its fieldwork will not take place."


def test_taken_off_the_team_is_told_as_of_an_inspection_cancelled_since(
    force_a, admin_user, lead_inspector, inspector, client_for
):
    """Found by the notices review: "Taken off the team", emailed after the
    cancellation (mail down), still said the lead inspector would assign the
    case file review handed back again, which will not happen now; and no
    one taken off before the cancellation hears of it otherwise. The words
    are put right in the service too."""
    inspection = _planned(force_a, lead_inspector, [inspector], admin_user)
    _handed_back(inspection, lead_inspector, inspector, admin_user)
    left = Notice.objects.get(kind=Notice.Kind.TEAM_LEFT)
    name = f"inspection of Greater Manchester, {inspection.fieldwork_start:%B %Y}"
    assert left.body.endswith(
        "no longer assigned to you: the lead inspector will assign it again. "
        "Anything you wrote in it is kept."
    )
    services.inspection_cancel(inspection=inspection, reason="Force merger", by=admin_user)
    words = (
        f"You are no longer on the team for the {name}. {CANCELLED_SINCE} The 1 case file "
        "review assigned to you that you had not submitted is no longer assigned to you. "
        "Anything you wrote in it is kept."
    )
    assert _emailed(left) == [True]
    assert mail.outbox[0].body.startswith(words)
    assert Notice.objects.get(pk=left.pk).body == words
    html = client_for(inspector).get(reverse("actionplans:notifications")).text
    assert CANCELLED_SINCE in html


def test_no_longer_lead_is_told_as_of_an_inspection_cancelled_since(
    force_a, admin_user, lead_inspector, inspector, other_inspector
):
    inspection = _planned(force_a, lead_inspector, [inspector], admin_user)
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector])
    replaced = Notice.objects.get(kind=Notice.Kind.LEAD_REPLACED)
    services.inspection_cancel(inspection=inspection, reason="Force merger", by=admin_user)
    replaced.refresh_from_db()
    # Nor does anyone lead it now: the lead was replaced, then it was cancelled.
    assert replaced.body.endswith(
        f"Olga Outsider was made its lead. {CANCELLED_SINCE} You are not on its team."
    )
    assert _emailed(replaced) == [True]
    assert mail.outbox[0].subject == replaced.title
    assert CANCELLED_SINCE in mail.outbox[0].body
    # Told of it once.
    assert replaced.body.count(CANCELLED_SINCE) == 1


def test_the_lead_is_not_asked_to_assign_reviews_of_an_inspection_cancelled_since(
    force_a, admin_user, lead_inspector, inspector, client_for
):
    """'Case file reviews to assign' asked the lead to 'Assign it to someone
    on the team on the sample page' after the inspection was cancelled, on
    their notifications page, though its case files will never open again
    (its email is no longer sent: still_due). Its words are put right as
    those of the person taken off are."""
    inspection = _planned(force_a, lead_inspector, [inspector], admin_user)
    handed = _handed_back(inspection, lead_inspector, inspector, admin_user)
    assert "Assign it to someone on the team on the sample page." in handed.body
    services.inspection_cancel(inspection=inspection, reason="Force merger", by=admin_user)
    handed.refresh_from_db()
    name = f"inspection of Greater Manchester, {inspection.fieldwork_start:%B %Y}"
    assert handed.body == (
        f"Ian Inspector (1) is no longer on the team for the {name}, so the 1 case file "
        f"review assigned to them and not submitted is no longer assigned. {CANCELLED_SINCE} "
        "Anything already written in it is kept."
    )
    html = client_for(lead_inspector).get(reverse("actionplans:notifications")).text
    assert "Assign it to someone" not in html
    # Within the first 240 characters the page shows.
    assert "The inspection has since been cancelled" in html
