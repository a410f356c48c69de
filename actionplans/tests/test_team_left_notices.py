"""Someone taken off an inspection's team, or replaced as its lead inspector,
is told, as joining is told (test_team_notices): found by the team review,
they heard nothing, and the inspection simply vanished from their pages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from actionplans import notices
from actionplans.models import Notice
from actionplans.tests.factories import today
from core.templatetags.govuk import govuk_date
from inspections import services
from inspections.models import Inspection

pytestmark = pytest.mark.django_db

LEFT = ("team_left", "lead_replaced")


def _schedule(force, lead, team, admin, start=None):
    start = start or today() + timedelta(days=60)
    return services.inspection_schedule(
        force=force,
        kind=Inspection.Kind.INSPECTION,
        fieldwork_start=start,
        fieldwork_end=start + timedelta(days=4),
        lead_inspector=lead,
        team=team,
        by=admin,
    )


def _plan(inspection, admin, *, team, lead=None):
    return services.inspection_update_plan(
        inspection=inspection,
        kind=inspection.kind,
        fieldwork_start=inspection.fieldwork_start,
        fieldwork_end=inspection.fieldwork_end,
        lead_inspector=lead or inspection.lead_inspector,
        team=team,
        by=admin,
    )


def _left():
    return sorted(
        (n.recipient.email, n.kind, n.sequence)
        for n in Notice.objects.filter(kind__in=LEFT).select_related("recipient")
    )


def test_an_inspector_taken_off_the_team_is_told_once_by_email_too(
    force_a, admin_user, lead_inspector, inspector, other_inspector, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    inspection = _schedule(force_a, lead_inspector, [inspector, other_inspector], admin_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _plan(inspection, admin_user, team=[other_inspector])
    assert _left() == [("inspector@example.org", "team_left", 0)]
    notice = Notice.objects.get(kind="team_left")
    start = govuk_date(inspection.fieldwork_start)
    assert notice.title == (
        f"Taken off the inspection team: Greater Manchester, fieldwork from {start}"
    )
    assert notice.body.startswith("You are no longer on the team for the inspection of ")
    assert notice.link == ""  # its page is a 404 to them now
    assert [m.to for m in mail.outbox] == [[inspector.email]]
    assert mail.outbox[0].subject == notice.title
    assert "http" not in mail.outbox[0].body

    # Their notifications list shows it, not as a link; the inspection's
    # other notices (the join) are no longer theirs (Notice.for_user).
    client = client_for(inspector)
    html = client.get(reverse("actionplans:notifications")).text
    assert "Taken off the inspection team: Greater Manchester" in html
    assert html.count('<li class="app-notices__item">') == 1
    assert reverse("inspections:detail", args=[inspection.pk]) not in html
    assert "1 unread" in client.get(reverse("core:home")).text

    # Saved again as it is: not told twice.
    with django_capture_on_commit_callbacks(execute=True):
        _plan(inspection, admin_user, team=[other_inspector])
    assert _left() == [("inspector@example.org", "team_left", 0)]
    assert len(mail.outbox) == 1


def test_taken_off_put_back_and_taken_off_again_is_told_again(
    force_a, admin_user, lead_inspector, inspector, other_inspector
):
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    _plan(inspection, admin_user, team=[])
    _plan(inspection, admin_user, team=[inspector])
    _plan(inspection, admin_user, team=[])
    assert _left() == [
        ("inspector@example.org", "team_left", 0),
        ("inspector@example.org", "team_left", 1),
    ]


def test_a_lead_replaced_is_told_kept_on_the_team_or_not(
    force_a, admin_user, lead_inspector, inspector, other_inspector
):
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    # Olga leads; Lena stays on the team: still sees the inspection.
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector, lead_inspector])
    assert _left() == [("lead@example.org", "lead_replaced", 0)]
    kept = Notice.objects.get(kind="lead_replaced")
    assert kept.body.endswith("Olga Outsider leads it now. You are still on its team.")
    assert kept.link == reverse("inspections:detail", args=[inspection.pk])
    # Lena, a team member now, taken off: told she is off the team.
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector])
    assert _left() == [
        ("lead@example.org", "lead_replaced", 0),
        ("lead@example.org", "team_left", 0),
    ]
    # Olga replaced and off the inspection altogether: one notice, no link.
    _plan(inspection, admin_user, lead=lead_inspector, team=[inspector])
    off = Notice.objects.get(kind="lead_replaced", recipient=other_inspector)
    assert off.body.endswith("Lena Lead leads it now. You are not on its team.")
    assert off.link == ""
    assert not Notice.objects.filter(kind="team_left", recipient=other_inspector)
    # The one who joined is told so, as before (team_notices).
    assert Notice.objects.filter(recipient=lead_inspector, kind="lead_assigned").count() == 2


def test_a_lead_replaced_after_fieldwork_is_told(force_a, admin_user, lead_inspector, inspector):
    from inspections.tests.factories import inspection_at

    inspection = inspection_at(
        Inspection.Stage.MODERATION, force=force_a, lead=lead_inspector, team=[inspector],
        admin=admin_user,
    )  # fmt: skip
    new_lead = UserFactory(email="new.lead@example.org", role=User.Role.LEAD_INSPECTOR)
    services.inspection_change_lead(
        inspection=inspection, lead_inspector=new_lead, reason="Long leave", by=admin_user
    )
    assert _left() == [("lead@example.org", "lead_replaced", 0)]
    notice = Notice.objects.get(kind="lead_replaced")
    assert "Long leave" not in notice.body  # the reason, free text, stays in the service
    assert notice.body.endswith(f"{new_lead.full_name} leads it now. You are not on its team.")
    assert notice.link == ""


def test_not_told_when_inactive_nor_of_fieldwork_already_over(
    force_a, force_b, admin_user, lead_inspector, inspector, other_inspector
):
    inspection = _schedule(force_a, lead_inspector, [inspector, other_inspector], admin_user)
    other_inspector.is_active = False
    other_inspector.save(update_fields=["is_active"])
    _plan(inspection, admin_user, team=[inspector])
    assert _left() == []
    # Recorded after the event, as joining is not told of it.
    past = _schedule(
        force_b, lead_inspector, [inspector], admin_user, start=today() - timedelta(days=30)
    )
    _plan(past, admin_user, team=[])
    assert not Notice.objects.filter(inspection=past).exists()


def test_an_email_not_yet_sent_when_they_are_put_back_is_not_sent(
    force_a, admin_user, lead_inspector, inspector
):
    """still_due: "taken off the team", arriving once they are back on it,
    would say what is no longer so."""
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    _plan(inspection, admin_user, team=[])
    notice = Notice.objects.get(kind="team_left")
    _plan(inspection, admin_user, team=[inspector])
    assert notices.notice_email(notice_id=str(notice.pk)) is False
    assert mail.outbox == []
    _plan(inspection, admin_user, team=[])
    again = Notice.objects.get(kind="team_left", sequence=1)
    assert notices.notice_email(notice_id=str(again.pk)) is True
    assert [m.to for m in mail.outbox] == [[inspector.email]]


def test_a_lead_replaced_then_taken_off_the_team_is_not_offered_its_page(
    force_a, admin_user, lead_inspector, inspector, other_inspector, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """Found by the review of the day's changes: "No longer lead inspector",
    sent with the inspection's link while they stayed on the team, still
    linked to it once they were taken off, to a page that is not found."""
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector, lead_inspector])
    replaced = Notice.objects.get(kind="lead_replaced")
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector])
    page = reverse("inspections:detail", args=[inspection.pk])
    client = client_for(lead_inspector)
    assert client.get(page).status_code == 404
    html = client.get(reverse("actionplans:notifications")).text
    assert "No longer lead inspector: Greater Manchester" in html
    assert "Taken off the inspection team: Greater Manchester" in html
    assert page not in html
    # Nor its email, not sent before they were taken off: it is not sent
    # at all now, as what it says of the team is no longer so (still_due).
    mail.outbox.clear()
    assert notices.notice_email(notice_id=str(replaced.pk)) is False
    assert mail.outbox == []


def test_no_longer_lead_is_not_emailed_once_what_it_says_of_the_team_is_untrue(
    force_a, admin_user, lead_inspector, inspector, other_inspector
):
    """still_due, as for "taken off the team": found by the review of the
    day's changes, "You are still on its team", emailed after they were taken
    off it (the broker down an hour), arrived beside "Taken off the
    inspection team"; and "You are not on its team" after they were put back."""
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector, lead_inspector])
    kept = Notice.objects.get(kind="lead_replaced", recipient=lead_inspector)
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector])
    assert notices.notice_email(notice_id=str(kept.pk)) is False
    _plan(inspection, admin_user, lead=lead_inspector, team=[inspector])
    off = Notice.objects.get(kind="lead_replaced", recipient=other_inspector)
    assert off.body.endswith("You are not on its team.")
    _plan(inspection, admin_user, lead=lead_inspector, team=[inspector, other_inspector])
    assert notices.notice_email(notice_id=str(off.pk)) is False
    assert mail.outbox == []
    # While what it says holds, it goes.
    _plan(inspection, admin_user, lead=other_inspector, team=[inspector, lead_inspector])
    again = Notice.objects.get(kind="lead_replaced", recipient=lead_inspector, sequence=1)
    assert notices.notice_email(notice_id=str(again.pk)) is True


def test_leaving_notices_name_the_fieldwork_as_it_is_after_the_dates_move(
    force_a, admin_user, lead_inspector, inspector, other_inspector, client_for
):
    """Found by the notices review: "Taken off the inspection team: Greater
    Manchester, fieldwork from 3 March" and "No longer lead inspector" kept
    the start they were written with once an admin moved the fieldwork, and
    "the inspection of Greater Manchester, March 2027" its month, in the
    service and in an email not yet sent; no one taken off is told the new
    dates, as the team is, so they were never put right."""
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    # Lena replaced as lead and off the team; Ivan taken off the team.
    _plan(inspection, admin_user, lead=other_inspector, team=[])
    moved = inspection.fieldwork_start + timedelta(days=45)  # into another month
    services.inspection_update_plan(
        inspection=inspection, kind=inspection.kind, fieldwork_start=moved,
        fieldwork_end=moved + timedelta(days=4), lead_inspector=other_inspector, team=[],
        by=admin_user,
    )  # fmt: skip
    start = govuk_date(moved)
    titles = {
        kind: f"{words}: Greater Manchester, fieldwork from {start}"
        for kind, words in (
            ("team_left", "Taken off the inspection team"),
            ("lead_replaced", "No longer lead inspector"),
        )
    }
    assert {n.kind: n.title for n in Notice.objects.filter(kind__in=LEFT)} == titles
    called = f"inspection of Greater Manchester, {moved:%B %Y}"
    assert Notice.objects.get(kind="team_left").body == (
        f"You are no longer on the team for the {called}."
    )
    assert Notice.objects.get(kind="lead_replaced").body == (
        f"You are no longer the lead inspector of the {called}: Olga Outsider leads it now. "
        "You are not on its team."
    )
    html = client_for(inspector).get(reverse("actionplans:notifications")).text
    assert titles["team_left"] in html
    for notice in Notice.objects.filter(kind__in=LEFT):
        assert notices.notice_email(notice_id=str(notice.pk)) is True
    assert sorted(m.subject for m in mail.outbox) == sorted(titles.values())
    # Saved again as it is: no one is told again.
    _plan(inspection, admin_user, lead=other_inspector, team=[])
    assert _left() == [
        ("inspector@example.org", "team_left", 0),
        ("lead@example.org", "lead_replaced", 0),
    ]


def test_the_leads_cases_to_assign_name_the_fieldwork_as_it_is_after_the_dates_move(
    force_a, admin_user, lead_inspector, inspector
):
    """As for those who left: "Case file reviews to assign" named the old start."""
    from actionplans.tests.test_team_emails_still_true import _handed_back

    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    _handed_back(inspection, lead_inspector, inspector, admin_user)
    moved = inspection.fieldwork_start + timedelta(days=45)
    services.inspection_update_plan(
        inspection=inspection, kind=inspection.kind, fieldwork_start=moved,
        fieldwork_end=moved + timedelta(days=4), lead_inspector=lead_inspector, team=[],
        by=admin_user,
    )  # fmt: skip
    to_assign = Notice.objects.get(kind="cases_handed_back")
    assert to_assign.title == (
        f"Case file reviews to assign: Greater Manchester, fieldwork from {govuk_date(moved)}"
    )
    assert f"for the inspection of Greater Manchester, {moved:%B %Y}, so" in to_assign.body
