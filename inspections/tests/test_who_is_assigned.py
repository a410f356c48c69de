"""Who may be put on an inspection: only active inspectors, led by an active
lead inspector, whoever schedules it (an admin's plan, or a post-inspection
visit recommending a re-inspection). Found by the admin review: each test
failed on the code as it was found."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import UserFactory
from inspections import services
from inspections.models import Inspection
from inspections.tests.factories import inspection_at

pytestmark = pytest.mark.django_db
Stage = Inspection.Stage


def _schedule(force, lead, team, admin):
    return services.inspection_schedule(
        force=force,
        kind=Inspection.Kind.INSPECTION,
        fieldwork_start=date(2027, 3, 1),
        fieldwork_end=date(2027, 3, 5),
        lead_inspector=lead,
        team=team,
        by=admin,
    )


@pytest.mark.parametrize("who", ["deactivated inspector", "force lead", "admin"])
def test_scheduling_refuses_a_team_member_who_cannot_inspect(
    who, force_a, force_b, lead_inspector, admin_user
):
    """The plan form offers only active inspectors, but the service checked
    nothing: a deactivation or a change to force lead committed between the
    form's check and the service's lock, or any other caller, put someone
    who may not inspect on the team (a force lead would then see another
    force's unpublished findings)."""
    if who == "deactivated inspector":
        person = UserFactory(email="gone@example.org", role=User.Role.INSPECTOR)
        account_services.user_deactivate(user=person, by=admin_user, reason="Left")
    elif who == "force lead":
        person = UserFactory(email="fl@example.org", role=User.Role.FORCE_LEAD, force=force_b)
    else:
        person = UserFactory(email="admin2@example.org", role=User.Role.ADMIN)
    with pytest.raises(ValidationError, match="is not an active inspector. Take them off"):
        _schedule(force_a, lead_inspector, [person], admin_user)


@pytest.mark.parametrize("who", ["deactivated lead inspector", "plain inspector"])
def test_scheduling_refuses_a_lead_who_cannot_lead(who, force_a, inspector, admin_user):
    """As inspection_change_lead already refused: only an active lead inspector leads."""
    if who == "deactivated lead inspector":
        lead = UserFactory(email="oldlead@example.org", role=User.Role.LEAD_INSPECTOR)
        account_services.user_deactivate(user=lead, by=admin_user, reason="Retired")
    else:
        lead = inspector
    with pytest.raises(ValidationError, match="is not an active lead inspector"):
        _schedule(force_a, lead, [], admin_user)


def _visit_then_re_inspection(inspection, *, admin, change_people, close=False):
    """Book a post-inspection visit, let it happen (and close the inspection,
    if asked), change people as given, then record the visit as recommending a
    full re-inspection: what the visit's page does (post_inspection_visit_record)."""
    from actionplans import services as plan_services
    from actionplans.models import PostInspectionVisit

    with time_machine.travel("2026-04-10 10:00 +0100", tick=False):
        visit = plan_services.post_inspection_visit_schedule(
            inspection=inspection, visit_on=date(2026, 5, 1), by=admin
        )
    with time_machine.travel("2026-06-01 10:00 +0100", tick=False):
        if close:
            services.inspection_close(inspection=inspection, closed_on=date(2026, 5, 20), by=admin)
        change_people()
        try:
            visit = plan_services.post_inspection_visit_record(
                visit=visit,
                by=admin,
                people_interviewed=[PostInspectionVisit.Interviewee.CHIEF_OFFICER],
                other_people_interviewed="",
                documents_reviewed="Minutes",
                feedback="Little progress",
                outcome=PostInspectionVisit.Outcome.FULL_RE_INSPECTION,
                re_inspection_start=date(2026, 9, 7),
                re_inspection_end=date(2026, 9, 11),
            )
        except ValidationError:
            return None  # refused, for a lead who may no longer lead
    return visit.re_inspection


@pytest.mark.parametrize("who", ["inspector", "lead inspector"])
def test_a_re_inspection_from_a_visit_leaves_off_or_refuses_the_deactivated(
    who, force_a, force_lead_a, lead_inspector, inspector, admin_user
):
    """A visit recommending a full re-inspection planned it with the old lead
    and team as they were: someone deactivated since was put on its team,
    and a deactivated lead left it with nobody able to moderate or sign it
    off. Now the team leaves them off, and a lead who may no longer lead is
    refused."""
    inspection = inspection_at(
        Stage.FOLLOW_UP, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    re_inspection = _visit_then_re_inspection(
        inspection,
        admin=admin_user,
        change_people=lambda: account_services.user_deactivate(
            user=inspector if who == "inspector" else lead_inspector,
            by=admin_user,
            reason="Left the inspectorate",
        ),
    )
    if who == "inspector":  # planned without them
        assert re_inspection is not None
        assert list(re_inspection.team.all()) == []
        assert re_inspection.lead_inspector == lead_inspector
    else:  # refused: nobody could moderate it or sign it off
        assert re_inspection is None


def test_a_re_inspection_from_a_visit_leaves_off_one_now_a_force_lead(
    force_a, force_b, force_lead_a, lead_inspector, inspector, admin_user
):
    """After the inspection closes, a team member may become another force's
    lead (check_role_change looks only at current teams). A visit held
    before the closing, recorded after it as recommending a re-inspection,
    put that force lead on the re-inspection's team."""
    inspection = inspection_at(
        Stage.FOLLOW_UP, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )

    def make_force_lead():
        account_services.user_details_change(
            user=inspector,
            by=admin_user,
            full_name=inspector.full_name,
            email=inspector.email,
            role=User.Role.FORCE_LEAD,
            force=force_b,
            reason="Joined Cleveland Police",
        )

    re_inspection = _visit_then_re_inspection(
        inspection, admin=admin_user, change_people=make_force_lead, close=True
    )
    assert re_inspection is not None
    inspector.refresh_from_db()
    assert inspector.is_force_lead
    assert inspector not in re_inspection.team.all()


def test_a_visits_outcome_can_change_once_its_re_inspection_is_cancelled(
    force_a, force_lead_a, lead_inspector, inspector, admin_user
):
    """Once an admin cancelled the re-inspection a visit recommended, the
    visit's outcome could never be corrected: "A re-inspection is already in
    the programme for this visit", no longer true."""
    from actionplans import services as plan_services
    from actionplans.models import PostInspectionVisit

    inspection = inspection_at(
        Stage.FOLLOW_UP, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    re_inspection = _visit_then_re_inspection(
        inspection, admin=admin_user, change_people=lambda: None
    )
    assert re_inspection is not None
    visit = PostInspectionVisit.objects.get(re_inspection=re_inspection)
    with time_machine.travel("2026-06-02 10:00 +0100", tick=False):
        services.inspection_cancel(
            inspection=re_inspection, reason="Recorded in error", by=admin_user
        )
        plan_services.post_inspection_visit_record(
            visit=visit,
            by=admin_user,
            people_interviewed=[PostInspectionVisit.Interviewee.CHIEF_OFFICER],
            other_people_interviewed="",
            documents_reviewed="Minutes",
            feedback="Little progress",
            outcome=PostInspectionVisit.Outcome.CONCERNS_REMAIN,
        )
    visit.refresh_from_db()
    assert visit.outcome == PostInspectionVisit.Outcome.CONCERNS_REMAIN
