"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide, what inspectors type stays
on the screen, even a web address too long for one line."""

import pytest
from playwright.sync_api import Page

from inspections import services
from inspections.models import Finding, Grade, Inspection, Topic
from inspections.tests.factories import schedule
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Wider than a 320px screen even where the browser may break it (at a hyphen).
ADDRESS = "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2"

# Boxes that hide what does not fit, with the text cut off at their edge.
CUT_OFF = """() => [...document.querySelectorAll('.moj-timeline')]
    .filter(box => box.scrollWidth > box.clientWidth).length"""


def test_a_long_web_address_in_a_finding_or_rationale_wraps_on_a_phone(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a
):
    """Found by looking at every page 320 pixels wide with a web address in
    what inspectors write: the findings, judgment and report pages were 519
    wide, past the header and footer, and the timeline of changes cut the
    address off at its edge. Long words now break at the column's edge."""
    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    services.inspection_start_fieldwork(inspection=inspection, by=lead_inspector)
    finding = services.finding_create(
        inspection=inspection,
        topic=Topic.INVESTIGATION,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        summary=f"Investigations do not follow {ADDRESS}",
        detail=f"The force's policy does not reflect the statutory guidance at {ADDRESS}.",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=inspector,
    )
    judgment = inspection.judgments.get(topic=Topic.INVESTIGATION)
    services.judgment_save(
        judgment=judgment,
        grade=Grade.INADEQUATE,
        rationale=f"Supervision falls short of {ADDRESS}.",
        cites_case_reviews=False,
        interviews=[],
        documents=[],
        by=inspector,
    )
    assert inspection.stage == Inspection.Stage.FIELDWORK

    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server.url, lead_inspector)
    for address in (
        inspection.get_absolute_url(),
        f"/inspections/{inspection.pk}/findings/",
        f"/inspections/{inspection.pk}/findings/{finding.pk}/",
        f"/inspections/{inspection.pk}/judgments/{Topic.INVESTIGATION.value}/",
        f"/inspections/{inspection.pk}/report/",
    ):
        page.goto(f"{live_server.url}{address}")
        assert page.get_by_text("https://www.gov.uk/government/publications").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, address
        assert page.evaluate(CUT_OFF) == 0, address
        assert_accessible(page)
