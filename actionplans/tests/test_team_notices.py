"""The lead inspector and the team are told they are on an inspection, and
its fieldwork dates, when an admin schedules it, changes its plan or gives it
another lead (found by a review: scheduling told nobody)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from actionplans.models import Notice
from actionplans.notices import TEAM_KINDS
from actionplans.tests.factories import today
from core.templatetags.govuk import govuk_date
from inspections import services
from inspections.models import Inspection

pytestmark = pytest.mark.django_db


def _start():
    """Fieldwork to come, whatever day the tests run (none is told of fieldwork over)."""
    return today() + timedelta(days=60)


def _told():
    return sorted(
        (n.recipient.email, n.kind, n.due_on, n.sequence)
        for n in Notice.objects.filter(kind__in=TEAM_KINDS).select_related("recipient")
    )


def _schedule(force, lead, team, admin, start=None, days=4):
    start = start or _start()
    return services.inspection_schedule(
        force=force,
        kind=Inspection.Kind.INSPECTION,
        fieldwork_start=start,
        fieldwork_end=start + timedelta(days=days),
        lead_inspector=lead,
        team=team,
        by=admin,
    )


def _plan(inspection, admin, *, team, lead=None, start=None, end=None):
    return services.inspection_update_plan(
        inspection=inspection,
        kind=inspection.kind,
        fieldwork_start=start or inspection.fieldwork_start,
        fieldwork_end=end or inspection.fieldwork_end,
        lead_inspector=lead or inspection.lead_inspector,
        team=team,
        by=admin,
    )


def test_scheduling_tells_the_lead_and_the_team_once_each_by_email_too(
    force_a, admin_user, lead_inspector, inspector, force_lead_a, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    start = _start()
    with django_capture_on_commit_callbacks(execute=True):
        inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    assert _told() == [
        ("inspector@example.org", "team_joined", start, 0),
        ("lead@example.org", "lead_assigned", start, 0),
    ]
    lead = Notice.objects.get(recipient=lead_inspector)
    when = f"fieldwork from {govuk_date(start)}"
    assert lead.title == f"Lead inspector: Greater Manchester, {when}"
    assert lead.body.startswith(
        f"You are the lead inspector of the {inspection}".replace("Ins", "ins")
    )
    end = govuk_date(start + timedelta(days=4))
    assert f"Its fieldwork is from {govuk_date(start)} to {end}." in lead.body
    team = Notice.objects.get(recipient=inspector)
    assert team.title == f"Inspection team: Greater Manchester, {when}"
    assert team.link == reverse("inspections:detail", args=[inspection.pk])
    assert sorted(m.to[0] for m in mail.outbox) == [inspector.email, lead_inspector.email]
    # The force is told nothing by it, and sees none of it.
    assert not Notice.objects.filter(recipient=force_lead_a).exists()
    html = client_for(inspector).get(reverse("actionplans:notifications")).text
    assert "Inspection team: Greater Manchester" in html
    assert client_for(inspector).get(team.link).status_code == 200


def test_a_plan_change_tells_who_joined_and_new_dates_to_everyone(
    force_a, admin_user, lead_inspector, inspector, other_inspector
):
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    start = inspection.fieldwork_start
    before = _told()
    _plan(inspection, admin_user, team=[inspector])
    assert _told() == before  # saved with nothing changed: nobody told again
    _plan(inspection, admin_user, team=[inspector, other_inspector])
    added = [row for row in _told() if row not in before]
    assert added == [("other.inspector@example.org", "team_joined", start, 0)]
    # The end date moves: all three are told the new dates.
    _plan(inspection, admin_user, team=[inspector, other_inspector], end=start + timedelta(days=3))
    again = [row for row in _told() if row not in before + added]
    assert [row[:2] for row in again] == [
        ("inspector@example.org", "team_joined"),
        ("lead@example.org", "lead_assigned"),
        ("other.inspector@example.org", "team_joined"),
    ]
    # And back to the dates told first: told again (found by a code review).
    _plan(inspection, admin_user, team=[inspector, other_inspector], end=start + timedelta(days=4))
    assert len(_told()) == 9
    assert Notice.objects.filter(recipient=inspector).order_by("-sequence")[0].sequence == 2
    # Someone taken off the team sees none of it (Notice.objects.for_user)
    # but being told they are off it (test_team_left_notices)...
    _plan(inspection, admin_user, team=[inspector])
    assert [n.kind for n in Notice.objects.for_user(other_inspector)] == ["team_left"]
    assert Notice.objects.filter(recipient=other_inspector, kind__in=TEAM_KINDS).count() == 3
    # ...and put back on it, is told again, with the same dates.
    _plan(inspection, admin_user, team=[inspector, other_inspector])
    assert Notice.objects.for_user(other_inspector).filter(kind__in=TEAM_KINDS).count() == 4


def test_the_lead_swapped_with_a_team_member_is_told_of_each_new_role(
    force_a, admin_user, lead_inspector, inspector
):
    lead_inspector_two = UserFactory(email="second.lead@example.org", role=User.Role.LEAD_INSPECTOR)
    inspection = _schedule(force_a, lead_inspector, [lead_inspector_two], admin_user)
    Notice.objects.all().delete()
    _plan(inspection, admin_user, team=[lead_inspector], lead=lead_inspector_two)
    assert [row[:2] for row in _told()] == [
        ("lead@example.org", "team_joined"),
        ("second.lead@example.org", "lead_assigned"),
    ]


def test_an_inactive_member_is_not_told_nor_anyone_of_fieldwork_already_over(
    force_a, force_b, admin_user, lead_inspector, inspector, other_inspector
):
    from django.core.exceptions import ValidationError

    inspection = _schedule(force_a, lead_inspector, [inspector, other_inspector], admin_user)
    other_inspector.is_active = False
    other_inspector.save(update_fields=["is_active"])
    Notice.objects.all().delete()
    end = inspection.fieldwork_end - timedelta(days=1)
    # Kept on the team, deactivated: refused (found by the admin review)...
    with pytest.raises(ValidationError, match="Olga Outsider is not an active inspector"):
        _plan(inspection, admin_user, team=[inspector, other_inspector], end=end)
    # ...and taken off, not told.
    _plan(inspection, admin_user, team=[inspector], end=end)
    assert [row[:2] for row in _told()] == [
        ("inspector@example.org", "team_joined"),
        ("lead@example.org", "lead_assigned"),
    ]
    # Recorded after the event: nobody is told of fieldwork that is over.
    past = _schedule(
        force_b, lead_inspector, [inspector], admin_user, start=today() - timedelta(days=30)
    )
    assert not Notice.objects.filter(inspection=past).exists()


def test_a_new_lead_after_fieldwork_is_told_and_told_again_when_given_it_back(
    force_a, admin_user, lead_inspector, inspector
):
    from inspections.tests.factories import inspection_at

    inspection = inspection_at(
        Inspection.Stage.MODERATION,
        force=force_a,
        lead=lead_inspector,
        team=[inspector],
        admin=admin_user,
    )
    new_lead = UserFactory(email="new.lead@example.org", role=User.Role.LEAD_INSPECTOR)
    services.inspection_change_lead(
        inspection=inspection, lead_inspector=new_lead, reason="Long leave", by=admin_user
    )
    notice = Notice.objects.get(kind__in=TEAM_KINDS)
    assert (notice.recipient, notice.kind) == (new_lead, "lead_assigned")
    assert notice.title == "Lead inspector: Greater Manchester, fieldwork from 12 January 2026"
    # Over: said in the past (found by a code review).
    assert "Its fieldwork ran from 12 January 2026 to 16 January 2026." in notice.body
    for lead in (lead_inspector, new_lead):
        services.inspection_change_lead(
            inspection=inspection, lead_inspector=lead, reason="Back", by=admin_user
        )
    # Each time someone is given the inspection, they are told (found by a code review).
    assert [row[:2] + row[3:] for row in _told()] == [
        ("lead@example.org", "lead_assigned", 0),
        ("new.lead@example.org", "lead_assigned", 0),
        ("new.lead@example.org", "lead_assigned", 1),
    ]
