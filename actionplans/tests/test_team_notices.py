"""The lead inspector and the team are told they are on an inspection, and
its fieldwork dates, when an admin schedules it, changes its plan or gives it
another lead (found by a review: scheduling told nobody)."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from actionplans.models import Notice
from inspections import services
from inspections.models import Inspection

pytestmark = pytest.mark.django_db
TEAM_KINDS = (Notice.Kind.LEAD_ASSIGNED, Notice.Kind.TEAM_JOINED)


def _told():
    return sorted(
        (n.recipient.email, n.kind, n.due_on, n.sequence)
        for n in Notice.objects.filter(kind__in=TEAM_KINDS).select_related("recipient")
    )


def _schedule(force, lead, team, admin):
    return services.inspection_schedule(
        force=force,
        kind=Inspection.Kind.INSPECTION,
        fieldwork_start=date(2027, 4, 12),
        fieldwork_end=date(2027, 4, 16),
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
    with django_capture_on_commit_callbacks(execute=True):
        inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    assert _told() == [
        ("inspector@example.org", "team_joined", date(2027, 4, 12), 4),
        ("lead@example.org", "lead_assigned", date(2027, 4, 12), 4),
    ]
    lead = Notice.objects.get(recipient=lead_inspector)
    assert lead.title == "Lead inspector: Greater Manchester, fieldwork from 12 April 2027"
    assert "You are the lead inspector of the inspection of Greater Manchester, April 2027" in (
        lead.body
    )
    assert "fieldwork from 12 April 2027 to 16 April 2027" in lead.body
    team = Notice.objects.get(recipient=inspector)
    assert team.title == "Inspection team: Greater Manchester, fieldwork from 12 April 2027"
    assert team.link == reverse("inspections:detail", args=[inspection.pk])
    assert sorted(m.to[0] for m in mail.outbox) == [inspector.email, lead_inspector.email]
    # The force is told nothing by it, and sees none of it.
    assert not Notice.objects.filter(recipient=force_lead_a).exists()
    html = client_for(inspector).get(reverse("actionplans:notifications")).text
    assert "Inspection team: Greater Manchester" in html
    assert client_for(inspector).get(team.link).status_code == 200


def test_a_plan_change_tells_who_was_added_and_new_dates_to_everyone(
    force_a, admin_user, lead_inspector, inspector, other_inspector
):
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    before = _told()
    _plan(inspection, admin_user, team=[inspector])
    assert _told() == before  # saved with nothing changed: nobody told again
    _plan(inspection, admin_user, team=[inspector, other_inspector])
    added = [row for row in _told() if row not in before]
    assert added == [("other.inspector@example.org", "team_joined", date(2027, 4, 12), 4)]
    # The end date moves: all three are told the new dates.
    _plan(inspection, admin_user, team=[inspector, other_inspector], end=date(2027, 4, 15))
    again = [row[:2] for row in _told() if row[3] == 3]
    assert again == [
        ("inspector@example.org", "team_joined"),
        ("lead@example.org", "lead_assigned"),
        ("other.inspector@example.org", "team_joined"),
    ]
    # Someone taken off the team sees none of it (Notice.objects.for_user).
    _plan(inspection, admin_user, team=[inspector])
    assert not Notice.objects.for_user(other_inspector).exists()
    assert Notice.objects.filter(recipient=other_inspector).count() == 2


def test_an_inactive_member_is_not_told_nor_anyone_of_fieldwork_already_over(
    force_a, force_b, admin_user, lead_inspector, inspector, other_inspector
):
    other_inspector.is_active = False
    other_inspector.save(update_fields=["is_active"])
    inspection = _schedule(force_a, lead_inspector, [inspector], admin_user)
    inspection.team.add(other_inspector)
    Notice.objects.all().delete()
    _plan(inspection, admin_user, team=[inspector, other_inspector], end=date(2027, 4, 15))
    assert [row[:2] for row in _told()] == [
        ("inspector@example.org", "team_joined"),
        ("lead@example.org", "lead_assigned"),
    ]
    # Recorded after the event: nobody is told of fieldwork that is over.
    past = services.inspection_schedule(
        force=force_b,
        kind=Inspection.Kind.INSPECTION,
        fieldwork_start=date(2025, 3, 3),
        fieldwork_end=date(2025, 3, 7),
        lead_inspector=lead_inspector,
        team=[inspector],
        by=admin_user,
    )
    assert not Notice.objects.filter(inspection=past).exists()


def test_a_new_lead_after_fieldwork_is_told(
    force_a, admin_user, lead_inspector, inspector, force_lead_a
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
