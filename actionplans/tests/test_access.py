"""Every plan, file and visit URL: outsiders get 404, read-only users 403 on writes."""

from datetime import timedelta

import pytest
from django.urls import reverse

from actionplans import services
from actionplans.models import ActionPlan
from actionplans.tests.factories import submitted_plan, today, visit_day_comes


@pytest.fixture
def world(published, force_lead_a, lead_inspector, admin_user):
    """A published inspection of force A with a submitted plan and a booked visit."""
    plan, version = submitted_plan(published, by=force_lead_a)
    visit = services.post_inspection_visit_schedule(
        inspection=published, visit_on=today() + timedelta(days=20), by=lead_inspector
    )
    visit_day_comes(visit)  # so it can be recorded
    item = services.plan_items(plan)[0]
    return {"inspection": published, "plan": plan, "item": item, "visit": visit}


PLAN = lambda w: [w["inspection"].pk, "action-plan"]  # noqa: E731
URLS = {
    "followup": lambda w: [w["inspection"].pk],
    "plan": PLAN,
    "plan_upload": PLAN,
    "plan_document": PLAN,
    "plan_response": lambda w: [*PLAN(w), w["item"].id],
    "plan_check": PLAN,
    "plan_submit": PLAN,
    "version": lambda w: [*PLAN(w), 1],
    "version_document": lambda w: [*PLAN(w), 1],
    "version_review": lambda w: [*PLAN(w), 1],
    "visit_schedule": lambda w: [w["inspection"].pk],
    "visit": lambda w: [w["inspection"].pk, w["visit"].pk],
    "visit_record": lambda w: [w["inspection"].pk, w["visit"].pk],
}
POST_ONLY = {"plan_submit"}


def fetch(client, name, world):
    address = reverse(f"actionplans:{name}", args=URLS[name](world))
    return client.post(address) if name in POST_ONLY else client.get(address)


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("outsider", ["force_lead_b", "other_inspector"])
def test_outsiders_get_404_on_every_plan_file_and_visit_url(
    name, outsider, world, request, client_for
):
    user = request.getfixturevalue(outsider)
    assert fetch(client_for(user), name, world).status_code == 404
    # And with the write methods too.
    address = reverse(f"actionplans:{name}", args=URLS[name](world))
    assert client_for(user).post(address).status_code in (404, 405)


WRITES = {
    # Only the force's own lead writes its plans.
    "inspector": ["plan_upload", "plan_response", "plan_check", "plan_submit"],
    "lead_inspector": ["plan_upload", "plan_response", "plan_check", "plan_submit"],
    "admin_user": ["plan_upload", "plan_response", "plan_check", "plan_submit"],
    # Only the lead inspector reviews; only admins and the lead inspector book and record visits.
    "force_lead_a": ["version_review", "visit_schedule", "visit_record"],
}
WRITES["inspector"] += ["version_review", "visit_schedule", "visit_record"]
WRITES["admin_user"] += ["version_review"]


@pytest.mark.parametrize(
    ("persona", "name"), [(persona, name) for persona, names in WRITES.items() for name in names]
)
def test_read_only_users_get_403_on_write_actions(persona, name, world, request, client_for):
    user = request.getfixturevalue(persona)
    assert fetch(client_for(user), name, world).status_code == 403


@pytest.mark.parametrize("persona", ["force_lead_a", "inspector", "lead_inspector", "admin_user"])
@pytest.mark.parametrize("name", ["followup", "plan", "version", "visit"])
def test_everyone_on_the_inspection_can_read(persona, name, world, request, client_for):
    user = request.getfixturevalue(persona)
    assert fetch(client_for(user), name, world).status_code == 200


def test_force_lead_cannot_see_plans_before_the_force_sees_findings(
    make_due, client_for, force_lead_a, admin_user
):
    inspection = make_due(action_plan_due_on=today() + timedelta(days=10))
    # Put the inspection back in moderation: the force must not see anything yet.
    inspection.stage = inspection.Stage.MODERATION
    inspection.save(update_fields=["stage"])
    address = reverse("actionplans:plan", args=[inspection.pk, "action-plan"])
    assert client_for(force_lead_a).get(address).status_code == 404
    assert client_for(admin_user).get(address).status_code == 200
    assert ActionPlan.objects.filter(inspection=inspection).count() == 1
