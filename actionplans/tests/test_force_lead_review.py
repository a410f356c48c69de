"""Found by the force lead review: each test failed on the code as reviewed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from actionplans import services
from actionplans.models import ActionPlan, PlanResponse
from actionplans.tests.factories import add_area_for_improvement, submitted_plan, today
from inspections import services as inspection_services
from inspections.tests.factories import inspection_at


def _text(html: str) -> str:
    main = html[html.find("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _date_fields(day, name="published_on") -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def cancelled(force_lead_a, lead_inspector, inspector, admin_user):
    """Force A's planned inspection, called off before fieldwork."""
    inspection = inspection_at(
        "planned", force=force_lead_a.force, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    inspection_services.inspection_cancel(
        inspection=inspection, reason="Force restructure", by=admin_user
    )
    inspection.refresh_from_db()
    return inspection


# --- 1. A cancelled inspection's follow-up page promises action plans ----------


def test_cancelled_inspections_follow_up_page_does_not_promise_action_plans(
    client_for, force_lead_a, cancelled
):
    """A cancelled inspection will never have a report for checks, nor be
    published, so nothing will ever be due from the force. Its follow-up
    page still told the force lead each plan's due date was "Set when the
    force receives the report for checks" / "Set when the report is
    published", with the status "Not yet due", as if the plans were coming."""
    page = client_for(force_lead_a).get(reverse("actionplans:followup", args=[cancelled.pk]))
    assert page.status_code == 200
    text = _text(page.text)
    assert "Set when the force receives the report for checks" not in text
    assert "Set when the report is published" not in text
    assert "Not yet due" not in text
    assert text.count("None: the inspection was cancelled") == 2


# --- 2. A cancelled inspection's report page promises a report ---------------


def test_cancelled_inspections_report_page_does_not_promise_a_report(
    client_for, force_lead_a, cancelled
):
    """The report page of a cancelled inspection told the force lead "The
    grades and findings will be shown here when the force receives the report
    for pre-publication checks": there will never be one."""
    page = client_for(force_lead_a).get(reverse("inspections:report", args=[cancelled.pk]))
    assert page.status_code == 200
    text = _text(page.text)
    assert "will be shown here when the force receives the report" not in text
    assert "There is no report: the inspection was cancelled." in text


# --- 3. The PCC response address's error message names the label's "(optional)"


def test_too_long_pcc_response_address_error_does_not_say_optional(
    client_for, force_lead_a, published
):
    """A 2,000-character https address was refused (good), but with the
    message "Web address of the response (optional) must be 500 characters
    or fewer": the label's "(optional)" was pasted into the error message,
    beside the field and in the error summary. GOV.UK error messages name
    the thing, not the label's hint."""
    address = "https://www.example-pcc.gov.uk/" + "a" * 1970
    page = client_for(force_lead_a).post(
        reverse("actionplans:pcc_response", args=[published.pk]),
        {**_date_fields(today()), "url": address},
    )
    assert page.status_code == 200
    assert "govuk-error-summary" in page.text
    text = _text(page.text)
    assert text.count("The web address must be 500 characters or fewer") == 2  # summary, field
    assert "(optional) must be" not in text


# --- 4. The updated plan's "Fill in from the accepted action plan" vanishes ------


def test_start_from_accepted_still_offered_after_answering_an_area_for_improvement(
    client_for, force_lead_a, lead_inspector, published
):
    """The updated action plan offered "Fill in from the accepted action plan"
    only while its draft had no response at all. Areas for improvement are
    new in the updated plan (the accepted plan never answered them), so a
    force lead who answered one first lost the offer for good, and had to type
    every cause of concern and recommendation again, though the service
    (updated_action_plan_start_from_accepted) fills in only what is not yet
    answered and would have filled them all in."""
    _, version = submitted_plan(published, by=force_lead_a)
    services.action_plan_version_accept(version=version, by=lead_inspector)
    add_area_for_improvement(published, by=lead_inspector)
    updated = services.action_plan_for(published, ActionPlan.Kind.UPDATED_ACTION_PLAN)
    afi = next(
        item
        for item in services.plan_items(updated)
        if item.finding and not item.finding.is_concern
    )
    client = client_for(force_lead_a)
    plan_url = reverse("actionplans:plan", args=[published.pk, "updated-action-plan"])
    assert "Fill in from the accepted action plan" in client.get(plan_url).text

    services.action_plan_save_response(
        plan=updated,
        item=afi,
        action="We will record the child's voice",
        owner_role="Head of public protection",
        target_on=today() + timedelta(days=60),
        status=PlanResponse.Status.NOT_STARTED,
        by=force_lead_a,
    )
    # Nothing of the accepted plan is filled in yet: only the area for improvement is answered.
    assert list(services.draft_responses(updated)) == [afi.id]
    page = client.get(plan_url)
    # ...and the page still offers to fill in the rest.
    assert "Fill in from the accepted action plan" in page.text
    # Once everything it answered is filled in, it is offered no more.
    services.updated_action_plan_start_from_accepted(plan=updated, by=force_lead_a)
    assert "Fill in from the accepted action plan" not in client.get(plan_url).text
