"""A plan submitted from its check page goes in as the page showed it (found
by the stale-page review: the check page carried nothing back, so another
force lead's change made after it was drawn went in unchecked, and a check
page gone back to after a return sent the returned plan again)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory, signed_in
from actionplans import services
from actionplans.models import ActionPlan, ActionPlanVersion, PlanResponse
from actionplans.tests.factories import complete_draft, today

pytestmark = pytest.mark.django_db


def url(name, inspection, *args, slug="action-plan"):
    return reverse(f"actionplans:{name}", args=[inspection.pk, slug, *args])


def submit_from(client, page, inspection):
    """Submit, as the check page's form does: with what it carries back."""
    return client.post(url("plan_submit", inspection), {"seen": page.context["seen"]}, follow=True)


@pytest.fixture
def colleague(force_a):
    return UserFactory(email="second.lead.a@example.org", role=User.Role.FORCE_LEAD, force=force_a)


def test_a_change_made_after_the_check_page_was_drawn_is_not_submitted_unseen(
    client_for, force_lead_a, colleague, checks
):
    plan = complete_draft(
        services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN), by=force_lead_a
    )
    item = services.plan_items(plan)[0]
    mine = client_for(force_lead_a)
    check = mine.get(url("plan_check", checks))
    assert f"We will act on {item.label}" in check.content.decode()
    assert f'name="seen" value="{check.context["seen"]}"' in check.content.decode()

    response = services.draft_responses(plan)[item.id]
    services.action_plan_save_response(
        plan=plan,
        item=item,
        by=colleague,
        action="Words the first force lead never checked",
        owner_role=response.owner_role,
        target_on=today() + timedelta(days=30),
        status=response.status,
    )

    refused = submit_from(mine, check, checks)
    html = refused.content.decode()
    assert plan.versions.count() == 0
    assert "The plan changed after you opened this page" in html
    assert "govuk-error-summary" in html
    # The page shows the plan as it is now, and submitting from it goes in.
    assert "Words the first force lead never checked" in html
    submit_from(mine, refused, checks)
    frozen = PlanResponse.objects.filter(plan=plan, version__isnull=False)
    assert "Words the first force lead never checked" in {r.action for r in frozen}
    assert plan.versions.get().number == 1


def test_a_check_page_gone_back_to_after_a_return_does_not_send_the_plan_again(
    client_for, force_lead_a, lead_inspector, checks
):
    plan = complete_draft(
        services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN), by=force_lead_a
    )
    mine = client_for(force_lead_a)
    check = mine.get(url("plan_check", checks))
    assert "Submitting makes this version 1." in check.content.decode()
    submit_from(mine, check, checks)
    signed_in(Client(), lead_inspector).post(
        url("version_review", checks, 1), {"decision": "return", "comment": "Add owners"}
    )
    assert plan.versions.get().status == ActionPlanVersion.Status.RETURNED

    # Back to the page that said "version 1", and Submit again.
    again = submit_from(mine, check, checks)
    assert list(plan.versions.values_list("number", flat=True)) == [1]
    html = again.content.decode()
    assert "The plan changed after you opened this page" in html
    assert "Submitting makes this version 2." in html


def test_the_check_page_repeats_the_comments_of_a_returned_version(
    client_for, force_lead_a, lead_inspector, checks
):
    """The comments to answer, where the answers are checked: they were on
    the plan and version pages only (left undone at stop 28)."""
    from actionplans.tests.factories import submitted_plan

    plan, version = submitted_plan(checks, by=force_lead_a)
    services.action_plan_version_return(
        version=version, by=lead_inspector, comment="Give each action an owner"
    )
    html = client_for(force_lead_a).get(url("plan_check", checks)).content.decode()
    assert "returned version 1" in html and "Give each action an owner" in html
