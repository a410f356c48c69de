"""The lead inspector finds what changed in moderation, past the overview's
latest ten events, on the inspection's history."""

import pytest
from playwright.sync_api import Page, expect

from inspections import services
from inspections.models import Grade, Topic
from inspections.tests.factories import schedule
from tests.browser import assert_accessible, keep, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_inspector_reads_the_whole_history_of_an_inspection(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a
):
    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    services.inspection_start_fieldwork(inspection=inspection, by=lead_inspector)
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    for n in range(1, 56):
        services.judgment_save(
            judgment=judgment,
            grade=Grade.GOOD,
            rationale=f"Rationale, draft {n}",
            cites_case_reviews=False,
            interviews=[],
            documents=[],
            by=inspector,
        )

    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    expect(page.get_by_text("Rationale, draft 55", exact=False).first).to_be_visible()
    page.get_by_role("link", name="See everything that has happened to this inspection").click()
    expect(page.get_by_role("heading", name="History", level=1)).to_be_visible()
    assert_accessible(page)
    keep(page, "history-1")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("heading", name="History", level=1)).to_be_visible()
    assert page.title().startswith(f"History (page 2 of 2) – {force_a.short_name} – ")
    # The first events of fieldwork, long gone from the overview.
    expect(page.get_by_text("Rationale, draft 1 →", exact=False)).to_be_visible()
    assert_accessible(page)
    # Narrowed to the schedule: its two events, none of the 55 saves of a grade.
    page.get_by_label("What happened").select_option(label="Schedule, team and stages")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Schedule, team and stages, newest first")).to_be_visible()
    expect(page.get_by_text("Rationale, draft", exact=False)).to_have_count(0)
    assert_accessible(page)
    keep(page, "history-schedule")
