"""The whole journey in Chromium, with axe on every page it visits."""

import csv
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, keep, sign_in, sign_out, visit

from .factories import InspectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["case_reference", "category", "date_recorded", "area"]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def journey(categories, force_a, lead_inspector, inspector, settings, tmp_path):
    # Every submitted review goes to second review, so the journey meets one.
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "SECOND_REVIEW_SHARE": 1.0}
    inspection = InspectionFactory(force=force_a, lead_inspector=lead_inspector, team=[inspector])
    rows = [
        [f"GMP/{n:03d}", "Missing children", f"{n}/03/2025", "Salford"] for n in range(1, 9)
    ] + [
        [f"GMP/S{n:02d}", "strategy-discussions-s47", f"{n}/04/2025", "Bolton"] for n in range(1, 5)
    ]
    return {
        "inspection": inspection,
        "good": write_csv(tmp_path / "cases.csv", rows),
        "identifying": write_csv(
            tmp_path / "names.csv",
            [["GMP/1", "Missing children", "1/1/2025", "Jane"]],
            header=["case_reference", "category", "date_recorded", "child name"],
        ),
        "bad_row": write_csv(
            tmp_path / "bad.csv", [*rows, ["GMP/X", "Missing children", "31/13/2025", ""]]
        ),
    }


def upload(page: Page, path: str) -> None:
    page.get_by_label("Upload the case list").set_input_files(path)
    page.get_by_role("button", name="Upload and import").click()


def test_import_sample_review_second_review_and_figures(
    page: Page, live_server, journey, inspector, lead_inspector
):
    inspection = journey["inspection"]
    base = f"{live_server.url}/inspections/{inspection.pk}/case-files/"
    sign_in(page, live_server.url, inspector)
    page.goto(base)
    visit(page, "Case file reviews")

    # Import: a file with a name column is refused beside the field.
    page.get_by_role("link", name="Case list", exact=True).click()
    visit(page, "Case list")
    page.get_by_role("link", name="Import the case list").click()
    visit(page, "Import the case list")
    upload(page, journey["identifying"])
    expect(page.locator(".govuk-error-summary")).to_contain_text("Remove the ‘child name’ column")
    title = "Error: Import the case list – {} – Child protection inspections"
    expect(page).to_have_title(title.format(inspection.force.short_name))
    assert_accessible(page)

    # A bad row: nothing imported, the row named.
    upload(page, journey["bad_row"])
    visit(page, "Case list import")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Row 14: the date recorded must be a real date"
    )
    page.get_by_role("link", name="Upload a corrected file").click()
    upload(page, journey["good"])
    visit(page, "Case list import")
    expect(page.locator(".govuk-panel")).to_contain_text("12 cases")

    # Draw the sample.
    page.get_by_role("link", name="Draw the sample").click()
    visit(page, "Draw the sample")
    page.get_by_label("Missing children").fill("9")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The sample size for missing children must be 8 or fewer"
    )
    assert_accessible(page)
    page.get_by_label("Missing children").fill("2")
    page.get_by_label("Strategy discussions and s47 enquiries").fill("1")
    page.get_by_label("Seed (optional)").fill("2024")
    page.get_by_role("button", name="Draw the sample").click()
    visit(page, "Sample")
    expect(page.get_by_text("Sample drawn: 3 cases, seed 2024")).to_be_visible()

    # Find cases on the list by how their reference starts, then back.
    page.get_by_role("link", name="Case list", exact=True).click()
    page.get_by_label("Case reference").fill("gmp/s0")
    page.get_by_role("button", name="Search").click()
    visit(page, "Case list")
    expect(page.get_by_text("Cases 1 to 4 of 4")).to_be_visible()
    page.get_by_role("link", name="Sample", exact=True).click()
    visit(page, "Sample")

    # Assign the first case to myself, in bulk.
    page.locator("input[name=assign-cases]").first.check()
    page.get_by_label("Assign the selected cases to").select_option(label=inspector.full_name)
    page.get_by_role("button", name="Assign selected cases").click()
    expect(page.get_by_text(f"1 case assigned to {inspector.full_name}")).to_be_visible()
    assert_accessible(page)
    reference = page.locator("tbody a.govuk-link").first.inner_text()

    # The home page lists it, and leads to the reviews assigned to me.
    page.goto(f"{live_server.url}/")
    visit(page, "Your inspections")
    assigned = page.get_by_role("table", name="Case file reviews assigned to you")
    expect(assigned.locator("tbody tr")).to_have_count(1)
    named = "Inspection of Greater Manchester, October 2026"  # as the service names it
    expect(assigned.locator("tbody td").first).to_contain_text(named)
    # Not started, in progress.
    expect(assigned.locator("tbody td.govuk-table__cell--numeric")).to_have_text(["1", "0"])
    link = assigned.get_by_role("link")
    expect(link).to_have_accessible_name(
        re.compile(rf"^{named}\s*:\s+case file reviews assigned to you$")
    )
    link.click()
    visit(page, "Reviews")
    expect(page.get_by_text("Cases assigned to you: 1 to 1 of 1")).to_be_visible()

    # Review: save a draft, come back, submit.
    page.get_by_role("link", name=reference, exact=True).click()
    visit(page, f"Case {reference}")
    page.get_by_role("link", name="Start the review").click()
    visit(page, f"Review case {reference}")
    page.locator("#id_overall_rating_1").check()
    page.locator("#id_notes").fill("Started on site.")
    page.get_by_role("button", name="Save and come back later").click()
    visit(page, "Reviews")
    expect(
        page.get_by_text(f"Your review of case {reference} has been saved as a draft")
    ).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("In progress")

    page.get_by_role("link", name=reference, exact=True).click()
    page.get_by_role("link", name="Continue the review").click()
    expect(page.locator("#id_notes")).to_have_value("Started on site.")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select a rating for initial response, or select not relevant"
    )
    assert_accessible(page)
    for topic, choice in [
        ("initial_response", 1),
        ("risk_assessment_referral", 2),
        ("investigation", 1),
        ("partnership_working", 4),
    ]:
        page.locator(f"#id_{topic}_rating_{choice}").check()
        if choice != 4:
            page.locator(f"#id_{topic}_observation").fill("Seen in the records.")
    for field in [
        "child_voice_recorded",
        "risk_assessed_promptly",
        "strategy_discussion_held",
        "referral_made",
        "supervision_evident",
    ]:
        page.locator(f"#id_{field}_1").check()
    page.get_by_role("button", name="Continue").click()
    visit(page, f"Check your review of case {reference}")
    page.get_by_role("button", name="Submit review").click()
    visit(page, f"Case {reference}")
    expect(page.get_by_text(f"Review of case {reference} submitted")).to_be_visible()
    sign_out(page)

    # Second review by the lead inspector: a different rating.
    # The lead finds it on their home page.
    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{live_server.url}/")
    visit(page, "Your inspections")
    to_do = page.get_by_role("table", name="Second reviews of case file reviews to do")
    expect(to_do.locator("tbody td.govuk-table__cell--numeric")).to_have_text(["1"])
    link = to_do.get_by_role("link")
    expect(link).to_have_accessible_name(re.compile(rf"^{named}\s*:\s+second reviews to do$"))
    link.click()
    visit(page, "Second reviews")
    page.get_by_role("link", name=reference, exact=True).click()
    visit(page, f"Second review of case {reference}")
    # The rating and reason are revealed under No (GOV.UK's conditional reveal).
    expect(page.get_by_label("Requires improvement")).to_be_hidden()
    page.get_by_label("No, I would rate the case differently").check()
    expect(page.get_by_label("Requires improvement")).to_be_visible()
    page.get_by_role("button", name="Save second review").click()
    # Sent back with errors: the reveal open, each error beside its field.
    visit(page, f"Second review of case {reference}")
    expect(page.get_by_label("No, I would rate the case differently")).to_be_checked()
    reveal = page.locator("#conditional_agrees_2")
    expect(reveal).to_be_visible()
    expect(reveal).to_contain_text("Select your rating for the case")
    expect(reveal).to_contain_text("Enter why you rate the case differently")
    page.get_by_label("Requires improvement").check()
    page.get_by_label("Why do you rate the case differently?").fill(
        "Risk was not reassessed after the second report."
    )
    page.get_by_role("button", name="Save second review").click()
    visit(page, "Second reviews")
    expect(page.locator(".govuk-summary-list")).to_contain_text("0% (0 of 1 agreed")

    # The figures page shows it.
    page.get_by_role("link", name="Overview and figures").click()
    visit(page, "Case file reviews")
    expect(page.get_by_text("1 of 3 reviews submitted: 2 still outstanding").first).to_be_visible()
    overall = page.locator("table", has_text="Overall rating of each case")
    expect(overall).to_contain_text("0 (0%)")
    expect(overall.locator("tr", has_text="All categories")).to_contain_text("1 (100%)")
    expect(page.get_by_text("Agreement rate: 0%")).to_be_visible()
    page.get_by_text("Initial response by case category").click()
    visit(page, "Case file reviews")


def test_a_running_import_shows_progress_and_can_stop_refreshing(
    page: Page, live_server, categories, force_a, lead_inspector, inspector
):
    from casefiles import services
    from casefiles.models import CaseListImport

    from .factories import csv_upload, good_rows

    inspection = InspectionFactory(force=force_a, lead_inspector=lead_inspector, team=[inspector])
    job = services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(3)), by=inspector
    )
    # Pretend the worker is half way through.
    CaseListImport.objects.filter(pk=job.pk).update(
        status=CaseListImport.Status.SAVING, rows_done=40_000, total_rows=100_000
    )
    sign_in(page, live_server.url, inspector)
    page.goto(live_server.url + job.get_absolute_url())
    expect(page.get_by_role("status")).to_have_text("Importing row 40,000 of 100,000")
    expect(page.locator("[data-app-refresh-seconds]")).to_have_count(1)
    assert_accessible(page)  # checked by script, not by a timed meta refresh
    # The progress is brought up to date where it is read, and the keyboard
    # user's place is kept (found by the keyboard review: the whole page
    # reloaded, throwing focus back to the top).
    stop = page.get_by_role("link", name="Stop checking")
    stop.focus()
    CaseListImport.objects.filter(pk=job.pk).update(rows_done=60_000)
    expect(page.get_by_role("status")).to_have_text(
        "Importing row 60,000 of 100,000", timeout=12_000
    )
    expect(stop).to_be_focused()
    # WCAG 2.2.1: the person can stop the checking.
    stop.click()
    expect(page.locator("[data-app-refresh-seconds]")).to_have_count(0)
    visit(page, "Case list import")


def test_admin_keeps_the_categories_and_the_lead_assigns_one_case(
    page: Page, live_server, journey, admin_user, lead_inspector, inspector
):
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}/case-categories/")
    visit(page, "Case categories")
    page.get_by_role("link", name="Add a category").click()
    visit(page, "Add a case category")
    page.get_by_label("Category name").fill("missing children")
    page.get_by_role("button", name="Add category").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "A category with this name already exists"
    )
    assert_accessible(page)
    page.get_by_label("Category name").fill("Female genital mutilation")
    page.get_by_role("button", name="Add category").click()
    visit(page, "Case categories")
    page.get_by_role("link", name="Change Female genital mutilation").click()
    visit(page, "Change a case category")
    page.get_by_label("Accept this category in new case lists").uncheck()
    page.get_by_role("button", name="Save category").click()
    expect(page.locator("tr", has_text="Female genital mutilation")).to_contain_text("Retired")
    sign_out(page)

    from casefiles import services

    from .factories import add_cases

    inspection = journey["inspection"]
    add_cases(inspection, {"missing-children": 3})
    services.sample_draw(
        inspection=inspection, sizes={"missing-children": 2}, seed=3, reason="", by=lead_inspector
    )
    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/case-files/sample/")
    visit(page, "Sample")
    page.get_by_role("button", name="Assign selected cases").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select at least one case to assign"
    )
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="Select at least one case"
    ).click()
    expect(page.locator("#id_assign-cases_1")).to_be_focused()
    page.get_by_role("link", name="Assign case").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assign case")
    assert_accessible(page)
    page.get_by_label(inspector.full_name).check()
    page.get_by_role("button", name="Assign case").click()
    visit(page, "Sample")
    expect(page.get_by_role("table", name="Cases 1 to 2 of 2")).to_contain_text(inspector.full_name)


def test_the_lead_replaces_a_case_that_cannot_be_reviewed(
    page: Page, live_server, journey, lead_inspector, inspector
):
    from casefiles import services
    from casefiles.models import Case

    from .factories import add_cases

    inspection = journey["inspection"]
    add_cases(inspection, {"missing-children": 6, "strategy-discussions-s47": 1})
    services.sample_draw(
        inspection=inspection,
        sizes={"missing-children": 2, "strategy-discussions-s47": 1},
        seed=3,
        reason="",
        by=lead_inspector,
    )
    sampled = Case.objects.sampled().filter(inspection=inspection)
    case = sampled.filter(category__slug="missing-children").order_by("reference").first()
    alone = sampled.get(category__slug="strategy-discussions-s47")
    services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=lead_inspector
    )
    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    visit(page, f"Case {case.reference}")
    page.get_by_role("link", name=f"replace it (case {case.reference})").click()
    visit(page, f"Replace case {case.reference}")

    # No reason: said beside the field and in the summary, nothing replaced.
    page.get_by_role("button", name="Replace the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are replacing this case"
    )
    expect(page).to_have_title(
        f"Error: Replace case {case.reference} – Greater Manchester – Child protection inspections"
    )
    assert_accessible(page)
    page.get_by_label("Why are you replacing this case?").fill("The force cannot find the file.")
    page.get_by_role("button", name="Replace the case").click()

    # On the case drawn in its place, still with the same reviewer.
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Case {case.reference} taken out of the sample"
    )
    new = Case.objects.get(replacing__removed=case)
    visit(page, f"Case {new.reference}")
    expect(page.locator(".govuk-summary-list")).to_contain_text(inspector.full_name)

    page.goto(f"{live_server.url}/inspections/{inspection.pk}/case-files/sample/")
    visit(page, "Sample")
    replaced = page.get_by_role("table", name="Cases taken out of the sample")
    expect(replaced).to_contain_text(case.reference)
    expect(replaced).to_contain_text("The force cannot find the file.")

    # A case with no other of its category to draw: taken out without a replacement.
    # Every case goes to a second review (the journey's share), but for the one
    # drawn in place of the first, which takes over the second review of this one.
    Case.objects.filter(pk=new.pk).update(second_review_due=False)
    page.goto(f"{live_server.url}{alone.get_absolute_url()}")
    page.get_by_role("link", name=f"replace it (case {alone.reference})").click()
    visit(page, f"Replace case {alone.reference}")
    expect(page.locator("main")).to_contain_text(
        "There is no other case of strategy discussions and s47 enquiries on the case list"
    )
    expect(page.get_by_role("button", name="Replace the case")).to_have_count(0)
    page.get_by_role("link", name="take it out of the sample without a replacement").click()
    visit(page, f"Take case {alone.reference} out of the sample")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "the sample will have 0 cases of strategy discussions and s47 enquiries instead of 1"
    )
    # Not said: the review of the case it moves to is not in (SECOND_REVIEW_MOVED,
    # services.second_review_said).
    expect(page.locator(".govuk-warning-text")).not_to_contain_text("second review")
    expect(page.locator(".govuk-warning-text")).not_to_contain_text(new.reference)
    keep(page, "Take out")
    page.get_by_role("button", name="Take the case out of the sample").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are taking this case out of the sample"
    )
    expect(page.locator(".govuk-error-message")).to_contain_text(
        "Enter why you are taking this case out of the sample"
    )
    assert_accessible(page)
    keep(page, "Take out error")
    page.get_by_label("Why are you taking this case out of the sample?").fill(
        "Not a child protection case."
    )
    page.get_by_role("button", name="Take the case out of the sample").click()
    visit(page, "Sample")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Case {alone.reference} taken out of the sample with no replacement available"
    )
    expect(page.locator(".govuk-notification-banner")).not_to_contain_text("second review")
    keep(page, "Taken out")
    row = page.get_by_role("table", name="Cases taken out of the sample").locator(
        "tr", has_text=alone.reference
    )
    expect(row).to_contain_text("No replacement available")
    expect(row).to_contain_text("Not a child protection case.")


def test_the_reviewer_is_told_their_case_was_replaced_and_finds_the_one_in_its_place(
    page: Page, live_server, journey, lead_inspector, inspector
):
    from casefiles import services
    from casefiles.models import Case

    from .factories import add_cases

    inspection = journey["inspection"]
    add_cases(inspection, {"missing-children": 4})
    services.sample_draw(
        inspection=inspection, sizes={"missing-children": 1}, seed=3, reason="", by=lead_inspector
    )
    case = Case.objects.sampled().get(inspection=inspection)
    services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=lead_inspector
    )
    services.case_review_save(case=case, answers={"notes": "An hour of work"}, by=inspector)
    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{live_server.url}{case.get_absolute_url()}replace/")
    visit(page, f"Replace case {case.reference}")
    page.get_by_label("Why are you replacing this case?").fill("The force cannot find the file.")
    page.get_by_role("button", name="Replace the case").click()
    new = Case.objects.get(replacing__removed=case)
    visit(page, f"Case {new.reference}")
    sign_out(page)

    sign_in(page, live_server.url, inspector)
    page.get_by_role("link", name="Notifications").click()
    notice = page.get_by_role("listitem").filter(has_text="Case replaced in the sample")
    expect(notice).to_contain_text(f"Case {case.reference} is no longer assigned to you")
    expect(notice).to_contain_text("Your draft review of it was deleted.")
    expect(notice).to_contain_text(f"You now review case {new.reference} instead.")
    assert_accessible(page)
    keep(page, "notifications-case-replaced")
    notice.get_by_role("link", name=re.compile("^Case replaced in the sample")).click()
    visit(page, f"Case {new.reference}")
