"""The updated action plan can start from the accepted action plan's
responses, for the force to bring up to date (found by the force lead's
review: every response had to be typed again)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actionplans import services
from actionplans.models import ActionPlan, PlanResponse
from actionplans.tests.factories import add_area_for_improvement, submitted_plan, today
from core.models import AuditEvent


@pytest.fixture
def accepted(published, force_lead_a, lead_inspector):
    """Force A's action plan, version 1 accepted, and an area for improvement
    that only the updated plan answers."""
    _, version = submitted_plan(published, by=force_lead_a)
    services.action_plan_version_accept(version=version, by=lead_inspector)
    add_area_for_improvement(published, by=lead_inspector)
    return version


def _updated(inspection) -> ActionPlan:
    return services.action_plan_for(inspection, ActionPlan.Kind.UPDATED_ACTION_PLAN)


def _draft(plan) -> dict:
    return {r.subject.partition(":")[0]: r for r in services.draft_responses(plan).values()}


def test_the_updated_plan_is_filled_in_from_the_accepted_plan_and_audited(
    published, accepted, force_lead_a
):
    plan = _updated(published)

    filled = services.updated_action_plan_start_from_accepted(plan=plan, by=force_lead_a)

    assert filled == 2
    draft = _draft(plan)
    assert sorted(draft) == ["Cause of concern 1", "Recommendation 1"]  # no area for improvement
    earlier = {r.subject.partition(":")[0]: r for r in accepted.responses.all()}
    for label, response in draft.items():
        assert response.action == earlier[label].action == f"We will act on {label}"
        assert response.owner_role == earlier[label].owner_role
        assert response.target_on == earlier[label].target_on
        assert response.status == earlier[label].status
    assert accepted.responses.count() == 2  # the accepted version is left as it was
    event = AuditEvent.objects.get(action="action_plan.started_from_accepted")
    assert event.actor == force_lead_a
    assert event.changes == {"responses": [0, 2]}
    assert event.comment == "From action plan version 1"


def test_an_answer_already_given_is_kept_and_a_second_click_changes_nothing(
    published, accepted, force_lead_a
):
    plan = _updated(published)
    item = services.plan_items(plan)[0]
    services.action_plan_save_response(
        plan=plan,
        item=item,
        action="Our own new words",
        owner_role="Detective superintendent",
        target_on=today() + timedelta(days=10),
        status=PlanResponse.Status.COMPLETE,
        by=force_lead_a,
    )

    assert services.updated_action_plan_start_from_accepted(plan=plan, by=force_lead_a) == 1
    assert services.updated_action_plan_start_from_accepted(plan=plan, by=force_lead_a) == 0

    assert _draft(plan)["Cause of concern 1"].action == "Our own new words"
    assert AuditEvent.objects.filter(action="action_plan.started_from_accepted").count() == 1


def test_without_an_accepted_action_plan_nothing_is_filled_in(published, force_lead_a):
    submitted_plan(published, by=force_lead_a)  # submitted, not yet accepted
    plan = _updated(published)

    with pytest.raises(ValidationError, match="no accepted version"):
        services.updated_action_plan_start_from_accepted(plan=plan, by=force_lead_a)

    assert not services.draft_responses(plan)


def _start_url(inspection, slug="updated-action-plan") -> str:
    return reverse("actionplans:plan_start_from_accepted", args=[inspection.pk, slug])


def test_the_force_lead_is_offered_it_and_told_what_was_filled_in(
    client_for, published, accepted, force_lead_a
):
    client = client_for(force_lead_a)
    page = reverse("actionplans:plan", args=[published.pk, "updated-action-plan"])
    html = client.get(page).content.decode()
    assert "Version 1 of your action plan was accepted on" in html
    assert _start_url(published) in html

    response = client.post(_start_url(published), follow=True)

    assert response.redirect_chain[-1][0] == page
    html = response.content.decode()
    assert "2 responses filled in from the accepted action plan" in html
    assert _start_url(published) not in html  # begun: not offered again
    assert len(_draft(_updated(published))) == 2


def test_the_action_plan_itself_does_not_offer_it(client_for, published, accepted, force_lead_a):
    client = client_for(force_lead_a)
    html = client.get(reverse("actionplans:plan", args=[published.pk, "action-plan"]))
    assert "start-from-accepted" not in html.content.decode()
    assert client.post(_start_url(published, "action-plan")).status_code == 404


def test_only_the_forces_lead_may_start_from_the_accepted_plan(
    client_for, published, accepted, inspector, lead_inspector, force_lead_b, admin_user
):
    url = _start_url(published)
    assert client_for(force_lead_b).post(url).status_code == 404  # another force's
    for reader in (inspector, lead_inspector, admin_user):
        assert client_for(reader).post(url).status_code == 403
    assert client_for(force_lead_b).get(url).status_code == 405  # a change: POST only
    assert not services.draft_responses(_updated(published))
