"""The force lead's plan pages, uploads and downloads, and the lead inspector's review."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actionplans import services
from actionplans.models import ActionPlan, ActionPlanVersion
from actionplans.tests.factories import complete_draft, pdf_upload, submitted_plan, today
from core.models import StoredFile
from core.tests import files
from core.tests.fixtures import fill_the_disk, stored_paths
from tests.races import first_click_lands_first


def url(name, inspection, *args, slug="action-plan"):
    return reverse(f"actionplans:{name}", args=[inspection.pk, slug, *args])


def test_force_lead_sees_what_to_do(client_for, force_lead_a, checks):
    html = client_for(force_lead_a).get(url("plan", checks)).content.decode()
    assert "Plan document" in html
    assert "Cause of concern 1" in html and "Recommendation 1" in html
    assert "Check and submit" in html
    assert "Due in 20 days" not in html  # twenty days away: not yet due
    assert "Not yet due" in html
    # A newcomer is told the steps, and what follows them, before the list.
    steps = (
        "Upload your plan document and respond to each cause of concern and recommendation. "
        "Then check and submit the plan. The lead inspector will accept it or return it with "
        "comments."
    )
    assert steps in html


def test_the_updated_plans_steps_name_areas_for_improvement(client_for, force_lead_a, published):
    html = client_for(force_lead_a).get(url("plan", published, slug="updated-action-plan")).text
    assert "respond to each cause of concern, recommendation and area for improvement." in html


def test_force_lead_uploads_the_plan_document(client_for, force_lead_a, checks, private_storage):
    client = client_for(force_lead_a)
    response = client.post(url("plan_upload", checks), {"document": pdf_upload("Our plan.pdf")})
    assert response.status_code == 302
    plan = ActionPlan.objects.get(inspection=checks)
    assert plan.document.original_name == "Our plan.pdf"
    assert len(stored_paths(private_storage)) == 1
    assert not any(path.suffix for path in stored_paths(private_storage))


def test_a_replaced_draft_document_is_deleted(
    client_for, force_lead_a, checks, private_storage, django_capture_on_commit_callbacks
):
    client = client_for(force_lead_a)
    client.post(url("plan_upload", checks), {"document": pdf_upload("First.pdf")})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("plan_upload", checks), {"document": pdf_upload("Second.pdf")})
    assert list(StoredFile.objects.values_list("original_name", flat=True)) == ["Second.pdf"]
    assert len(stored_paths(private_storage)) == 1


BAD_UPLOADS = {
    "wrong type": (
        "notes.txt",
        b"Some notes",
        "The selected file must be a PDF, DOCX, ODT or XLSX",
    ),
    "renamed executable": (
        "plan.pdf",
        b"MZ\x90\x00" + bytes(200),
        "The selected file must be a PDF, DOCX, ODT or XLSX",
    ),
    "too large": (
        "plan.pdf",
        b"%PDF-1.4\n" + bytes(20 * files.MB),
        "The selected file must be smaller than 20MB",
    ),
    "empty": ("plan.pdf", b"", "The selected file is empty"),
    "zip bomb disguised as DOCX": (
        "plan.docx",
        files.zip_bomb(),
        "The selected file could not be uploaded – try again",
    ),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_bad_uploads_are_refused_and_nothing_is_stored(
    case, client_for, force_lead_a, checks, private_storage
):
    name, content, message = BAD_UPLOADS[case]
    response = client_for(force_lead_a).post(
        url("plan_upload", checks), {"document": files.upload(name, content)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "govuk-error-summary" in html
    assert "<title>Error: Upload the action plan" in html
    assert StoredFile.objects.count() == 0
    assert stored_paths(private_storage) == []


def test_a_full_disk_during_the_upload_says_so_beside_the_field_and_keeps_nothing(
    client_for, force_lead_a, checks, private_storage, monkeypatch
):
    """Found by the on-call review: an OSError while writing was a 500."""
    fill_the_disk(monkeypatch)
    response = client_for(force_lead_a).post(
        url("plan_upload", checks), {"document": pdf_upload("Our plan.pdf")}
    )
    assert response.status_code == 200
    assert '<a href="#id_document">The selected file could not be uploaded – try again</a>' in (
        response.text
    )
    assert not ActionPlan.objects.filter(inspection=checks, document__isnull=False).exists()
    assert StoredFile.objects.count() == 0
    assert stored_paths(private_storage) == []


def test_the_plan_document_is_held_to_the_upload_size_setting(
    client_for, force_lead_a, checks, private_storage, settings
):
    """UPLOAD_MAX_BYTES is the largest file anyone may upload, but the plan
    document kept a 20MB of its own: a lower setting let a force lead past it
    (and a higher one still refused them at 20MB)."""
    settings.UPLOAD_MAX_BYTES = 1024
    client = client_for(force_lead_a)
    assert "PDF, DOCX, ODT or XLSX, up to 1KB" in client.get(url("plan_upload", checks)).text
    too_big = files.upload("plan.pdf", files.pdf() + bytes(1024))
    response = client.post(url("plan_upload", checks), {"document": too_big})
    assert '<a href="#id_document">The selected file must be smaller than 1KB</a>' in response.text
    too_big.seek(0)
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    with pytest.raises(ValidationError, match="must be smaller than 1KB"):
        services.action_plan_attach_document(plan=plan, upload=too_big, by=force_lead_a)
    assert StoredFile.objects.count() == 0
    assert stored_paths(private_storage) == []


def test_response_form_errors_are_in_govuk_words(client_for, force_lead_a, checks):
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    item = services.plan_items(plan)[0]
    response = client_for(force_lead_a).post(
        url("plan_response", checks, item.id),
        {"target_on_0": "31", "target_on_1": "2", "target_on_2": "2027"},
    )
    html = response.content.decode()
    for message in (
        "Enter what the force will do",
        "Enter the role of the person responsible",
        "The target date must be a real date",
        "Select the status of this action",
    ):
        assert message in html
    assert not plan.responses.exists()


def test_force_lead_saves_a_response(client_for, force_lead_a, checks):
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    item = services.plan_items(plan)[1]
    target = today() + timedelta(days=60)
    response = client_for(force_lead_a).post(
        url("plan_response", checks, item.id),
        {
            "action": "Weekly supervision reviews",
            "owner_role": "Detective chief inspector",
            "target_on_0": target.day,
            "target_on_1": target.month,
            "target_on_2": target.year,
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    saved = plan.responses.get()
    assert (saved.recommendation_id, saved.target_on) == (item.id, target)


def test_submitting_an_incomplete_plan_lists_each_missing_response(
    client_for, force_lead_a, checks
):
    response = client_for(force_lead_a).post(url("plan_submit", checks))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Check your action plan before submitting" in html
    assert 'href="#document">Upload the action plan document' in html
    assert "Add a response to cause of concern 1" in html
    assert "Add a response to recommendation 1" in html
    assert not ActionPlanVersion.objects.exists()
    # The check page says so before anyone presses a button that can only
    # be refused (found by a review), and offers none.
    check = client_for(force_lead_a).get(url("plan_check", checks)).content.decode()
    assert "Before you can submit" in check and "govuk-error-summary" not in check
    assert "Add a response to recommendation 1" in check
    assert "Submit action plan</button>" not in check


def test_check_then_submit_confirms_with_a_banner(client_for, force_lead_a, checks):
    plan = complete_draft(
        services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN), by=force_lead_a
    )
    client = client_for(force_lead_a)
    check = client.get(url("plan_check", checks)).content.decode()
    assert "Check your action plan before submitting" in check
    assert "We will act on Recommendation 1" in check
    # Out of context (a links list), "Change to recommendation 1" said nothing of what changes.
    assert (
        'Change<span class="govuk-visually-hidden"> the response to recommendation 1</span>'
        in check
    )
    response = client.post(url("plan_submit", checks), follow=True)
    html = response.content.decode()
    assert "Action plan version 1 submitted" in html
    assert "govuk-notification-banner--success" in html
    assert plan.versions.get().number == 1

    # Submitted again from a second tab: said plainly, and no second version.
    again = client.post(url("plan_submit", checks), follow=True)
    assert again.redirect_chain[-1][0] == plan.get_absolute_url()
    assert "This action plan was already submitted" in again.content.decode()
    assert plan.versions.count() == 1


def test_lead_inspector_returns_with_comments_then_accepts_the_next(
    client_for, force_lead_a, lead_inspector, checks
):
    plan, first = submitted_plan(checks, by=force_lead_a)
    client = client_for(lead_inspector)
    refused = client.post(url("version_review", checks, 1), {"decision": "return"})
    assert "Enter comments to tell the force what to change" in refused.content.decode()
    # Too long: one message, in the Design System's words (found by a review:
    # Django's own, and 'Enter comments' beside it).
    too_long = client.post(
        url("version_review", checks, 1), {"decision": "return", "comment": "x" * 5001}
    ).content.decode()
    assert "Comments for the force must be 5,000 characters or fewer" in too_long
    assert "Enter comments" not in too_long and "Ensure this value" not in too_long
    client.post(url("version_review", checks, 1), {"decision": "return", "comment": "Add owners"})
    first.refresh_from_db()
    assert first.status == "returned"

    second = services.action_plan_submit(plan=plan, by=force_lead_a)
    response = client.post(url("version_review", checks, 2), {"decision": "accept"}, follow=True)
    assert "Version 2 accepted" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "accepted"
    assert second.reviewed_by == lead_inspector


def test_pages_of_a_plan_sent_in_say_why_instead_of_offering_forms(
    client_for, force_lead_a, lead_inspector, checks
):
    plan, version = submitted_plan(checks, by=force_lead_a)
    item = services.plan_items(plan)[0]
    client = client_for(force_lead_a)
    for page in (url("plan_upload", checks), url("plan_response", checks, item.id)):
        response = client.get(page, follow=True)
        assert response.redirect_chain[0][0] == plan.get_absolute_url()
        assert "Version 1 of the action plan is submitted, so the plan" in response.text

    services.action_plan_version_accept(version=version, by=lead_inspector, comment="")
    response = client_for(lead_inspector).post(
        url("version_review", checks, 1), {"decision": "return", "comment": "Again"}, follow=True
    )
    assert response.redirect_chain[0][0] == version.get_absolute_url()
    assert "Version 1 has been accepted" in response.text
    version.refresh_from_db()
    assert version.status == ActionPlanVersion.Status.ACCEPTED


def test_the_forces_other_lead_is_told_who_submitted_the_plan(client_for, force_lead_a, checks):
    """A force with two leads: the one who did not submit it was told 'You
    submitted version 1' (found by the force lead review)."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    deputy = UserFactory(
        role=User.Role.FORCE_LEAD, force=force_lead_a.force, full_name="Dee Deputy"
    )
    plan, version = submitted_plan(checks, by=force_lead_a)
    from core.templatetags.govuk import govuk_date

    when = f"on {govuk_date(version.submitted_at)}"
    text = client_for(deputy).get(url("plan", checks)).text
    assert "You submitted" not in text
    assert f"Faye Forcelead submitted version 1 {when}" in text
    own = client_for(force_lead_a).get(url("plan", checks)).text
    assert f"You submitted version 1 {when}" in own


def test_versions_and_files_download_as_attachments(client_for, force_lead_a, inspector, checks):
    submitted_plan(checks, by=force_lead_a)
    for user in (force_lead_a, inspector):
        client = client_for(user)
        for name in ("version_document",):
            response = client.get(url(name, checks, 1))
            assert response.status_code == 200
            assert response["Content-Disposition"].startswith("attachment;")
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
        draft = client.get(url("plan_document", checks))
        if user == force_lead_a:
            assert draft["Content-Disposition"].startswith("attachment;")
        else:  # found by a review: the draft is the force's until it is sent in
            assert draft.status_code == 403
        page = client.get(url("version", checks, 1)).content.decode()
        assert "We will act on Cause of concern 1" in page


def test_a_version_sent_again_shows_what_changed_since_the_one_before(
    client_for, force_lead_a, lead_inspector, checks, django_assert_max_num_queries
):
    """The lead inspector reviewing a plan sent again after being returned,
    and the force, see which responses changed, and what they said before."""
    plan, first = submitted_plan(checks, by=force_lead_a)
    client = client_for(lead_inspector)
    page = client.get(url("version_review", checks, 1)).content.decode()
    assert "since version" not in page and "What version" not in page  # the first
    services.action_plan_version_return(version=first, by=lead_inspector, comment="Dates")
    items = services.plan_items(plan)
    services.action_plan_save_response(
        plan=plan,
        item=items[0],
        action="We will act on it sooner",
        owner_role="Head of public protection",
        target_on=today() + timedelta(days=30),
        status="in_progress",
        by=force_lead_a,
    )
    services.action_plan_submit(plan=plan, by=force_lead_a)
    with django_assert_max_num_queries(14):
        page = client.get(url("version_review", checks, 2)).content.decode()
    changed = page.split(f">{items[0].label}<span")[1].split("govuk-summary-list__row")[0]
    assert "Changed</strong> Since version 1: action, target date" in changed
    assert "What version 1 said" in changed and f"We will act on {items[0].label}" in changed
    assert page.count("Unchanged since version 1") == len(items) - 1
    # The force sees the same on the version's page.
    page = client_for(force_lead_a).get(url("version", checks, 2)).content.decode()
    assert "Since version 1: action, target date" in page


def test_a_file_no_longer_kept_says_so_rather_than_page_not_found(
    client_for, force_lead_a, inspector, other_inspector, checks, caplog
):
    """Found by the uploads review: a plan document deleted under the
    retention policy, or lost from the disk, was "Page not found"."""
    from django.core.files.storage import default_storage

    _, version = submitted_plan(checks, by=force_lead_a)
    stored = version.document
    default_storage.delete(stored.storage_name)  # lost from the disk
    response = client_for(inspector).get(url("version_document", checks, 1))
    assert response.status_code == 410
    assert "This file is no longer available" in response.text
    assert "It could not be found in the service&#x27;s storage." in response.text
    assert f"Stored file {stored.pk} is missing" in caplog.text
    assert stored.original_name not in caplog.text
    ActionPlanVersion.objects.filter(pk=version.pk).update(document=None)  # retention
    response = client_for(force_lead_a).get(url("version_document", checks, 1))
    assert response.status_code == 410
    assert "The document was deleted under the retention policy." in response.text
    # Only after the access check: an outsider still gets "Page not found".
    response = client_for(other_inspector).get(url("version_document", checks, 1))
    assert response.status_code == 404 and "Page not found" in response.text


def test_plans_are_not_there_before_their_trigger_date(
    client_for, force_lead_a, checks, admin_user
):
    # The report is not yet published: the updated action plan has no due date.
    response = client_for(admin_user).get(url("plan", checks, slug="updated-action-plan"))
    assert response.status_code == 404
    assert client_for(admin_user).get(url("plan", checks, slug="no-such-plan")).status_code == 404


def test_plan_page_query_count_stays_flat(
    client_for, force_lead_a, lead_inspector, checks, django_assert_max_num_queries
):
    plan, first = submitted_plan(checks, by=force_lead_a)
    for _ in range(3):
        services.action_plan_version_return(version=first, by=lead_inspector, comment="Again")
        first = services.action_plan_submit(plan=plan, by=force_lead_a)
    client = client_for(lead_inspector)
    with django_assert_max_num_queries(12):
        assert client.get(url("plan", checks)).status_code == 200


def test_a_date_error_in_the_summary_links_to_the_day_box(client_for, force_lead_a, checks):
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    item = services.plan_items(plan)[0]
    response = client_for(force_lead_a).post(url("plan_response", checks, item.id), {"action": ""})
    html = response.content.decode()
    assert '<a href="#id_target_on_0">Enter the target date</a>' in html
    assert 'id="id_target_on_0"' in html


def test_the_follow_up_page_keeps_the_inspections_sections(client_for, lead_inspector, published):
    """Found by a screenshot sweep: the follow-up page dropped the inspection's
    sub navigation (Overview, Findings, ... Report) that its other pages have."""
    html = (
        client_for(lead_inspector)
        .get(reverse("actionplans:followup", args=[published.pk]))
        .content.decode()
    )
    assert 'class="moj-sub-navigation"' in html
    assert re.search(r'aria-current="page" href="[^"]+/follow-up/">Follow-up</a>', html)
    assert f'href="{published.get_absolute_url()}" class="govuk-back-link">Back</a>' in html


def test_a_closed_inspection_takes_no_more_plans_or_visits(
    client_for, force_lead_a, lead_inspector, admin_user, published
):
    """Found by a review: nothing checked the stage, so on a closed inspection
    the force could still submit plans and an admin book a visit (and send
    the force its notice), which no list then showed."""
    from django.core.exceptions import ValidationError

    from inspections import services as inspection_services

    inspection_services.inspection_start_follow_up(inspection=published, by=lead_inspector)
    inspection_services.inspection_close(
        inspection=published, closed_on=published.published_on, by=admin_user
    )
    slug = "updated-action-plan"
    client = client_for(force_lead_a)
    plan_page = client.get(url("plan", published, slug=slug)).content.decode()
    assert "Check and submit" not in plan_page
    response = client.post(url("plan_submit", published, slug=slug), follow=True)
    closed = "The inspection is closed, so the updated action plan cannot be changed"
    assert closed in response.content.decode()
    assert client.get(url("plan_upload", published, slug=slug)).status_code == 302
    plan = services.action_plan_for(published, ActionPlan.Kind.UPDATED_ACTION_PLAN)
    with pytest.raises(ValidationError, match=closed):
        services.action_plan_attach_document(plan=plan, upload=pdf_upload(), by=force_lead_a)
    assert not ActionPlanVersion.objects.exists()

    schedule = reverse("actionplans:visit_schedule", args=[published.pk])
    assert client_for(admin_user).get(schedule).status_code == 403
    with pytest.raises(ValidationError, match="closed"):
        services.post_inspection_visit_schedule(
            inspection=published, visit_on=today() + timedelta(days=30), by=admin_user
        )


def test_a_closed_inspections_unsent_plan_is_not_overdue_for_ever(
    client, client_for, force_lead_a, lead_inspector, admin_user, published
):
    """Found by the second dates review: a closed inspection asks for nothing
    (no reminder, no overdue notice, not on the dashboard), yet its plan
    never sent in read "Overdue" on its page and "due" in the calendar."""
    from actionplans.tests.test_calendar import feed_url
    from inspections import services as inspection_services
    from inspections.models import Inspection

    Inspection.objects.filter(pk=published.pk).update(
        updated_action_plan_due_on=today() - timedelta(days=3)
    )
    slug = "updated-action-plan"
    page = client_for(lead_inspector).get(url("plan", published, slug=slug)).text
    assert "Overdue" in page  # open: overdue, as it is
    published.refresh_from_db()
    inspection_services.inspection_start_follow_up(inspection=published, by=lead_inspector)
    inspection_services.inspection_close(
        inspection=published, closed_on=published.published_on, by=admin_user
    )
    for person in (lead_inspector, force_lead_a):
        page = client_for(person).get(url("plan", published, slug=slug)).text
        assert "Overdue" not in page
        assert "Not sent in" in page
    followup = client_for(lead_inspector).get(reverse("actionplans:followup", args=[published.pk]))
    followup = followup.text
    assert "Overdue" not in followup
    feed = client.get(feed_url(force_lead_a)).text.replace("\r\n ", "")
    assert "SUMMARY:Updated action plan due" not in feed
    assert "SUMMARY:Updated action plan not sent in: Greater Manchester" in feed


def test_a_plan_submitted_from_another_tab_meanwhile_is_said_so(
    client_for, force_lead_a, checks, monkeypatch
):
    """Found by a review: two tabs submitting at once both passed the view's
    check; the one that waited for the lock got an empty error summary and a
    live Submit button for a version 2 that could never be made."""
    plan = complete_draft(
        services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN), by=force_lead_a
    )
    submit = services.action_plan_submit

    def other_tab_first(*, plan, by, seen=None):
        submit(plan=services.action_plan_for(plan.inspection, plan.kind), by=by)
        return submit(plan=plan, by=by, seen=seen)  # now refused: it is in

    monkeypatch.setattr(services, "action_plan_submit", other_tab_first)
    response = client_for(force_lead_a).post(url("plan_submit", checks), follow=True)
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()
    assert "This action plan was already submitted" in response.content.decode()
    assert plan.versions.count() == 1


def test_a_second_click_on_accept_that_waited_for_the_first_says_it_is_accepted(
    client_for, force_lead_a, lead_inspector, checks, monkeypatch
):
    """Found by the concurrency review: both clicks passed the page's check;
    the one that waited for the first drew the review form again with
    'There is a problem: This version has already been reviewed'."""
    plan, version = submitted_plan(checks, by=force_lead_a)
    first_click_lands_first(monkeypatch, services, "action_plan_version_accept")
    response = client_for(lead_inspector).post(
        url("version_review", checks, 1), {"decision": "accept"}, follow=True
    )
    assert response.redirect_chain[-1][0] == version.get_absolute_url()
    assert "Version 1 has been accepted" in response.text
    assert "There is a problem" not in response.text
    version.refresh_from_db()
    assert version.status == ActionPlanVersion.Status.ACCEPTED


def test_a_closing_after_the_page_was_drawn_still_stops_a_booking_and_a_return(
    force_lead_a, lead_inspector, admin_user, published
):
    """Found by a review: the booking checked the stage of the inspection the
    page had loaded, and a version could be returned to a force that could
    no longer send another."""
    from django.core.exceptions import ValidationError

    from inspections import services as inspection_services
    from inspections.models import Inspection

    plan, version = submitted_plan(
        published, by=force_lead_a, kind=ActionPlan.Kind.UPDATED_ACTION_PLAN
    )
    drawn = Inspection.objects.get(pk=published.pk)  # as the booking page loaded it
    inspection_services.inspection_start_follow_up(inspection=published, by=lead_inspector)
    inspection_services.inspection_close(
        inspection=published, closed_on=published.published_on, by=admin_user
    )
    with pytest.raises(ValidationError, match="closed"):
        services.post_inspection_visit_schedule(
            inspection=drawn, visit_on=today() + timedelta(days=30), by=admin_user
        )
    with pytest.raises(ValidationError, match="cannot send a new version"):
        services.action_plan_version_return(version=version, by=lead_inspector, comment="More")
    services.action_plan_version_accept(version=version, by=lead_inspector)


def test_a_response_date_that_has_passed_is_spoken_of_in_the_past(
    client_for, lead_inspector, published
):
    """Found by a screenshot sweep: a closed inspection's follow-up page said
    the commissioner's response "is due" on a date years ago."""
    from inspections.models import Inspection

    followup = reverse("actionplans:followup", args=[published.pk])
    assert "commissioner’s response is due on" in client_for(lead_inspector).get(followup).text
    Inspection.objects.filter(pk=published.pk).update(
        pcc_response_due_on=today() - timedelta(days=1)
    )
    assert "commissioner’s response was due on" in client_for(lead_inspector).get(followup).text


def _response_answers(action: str, seen: str) -> dict:
    target = today() + timedelta(days=60)
    return {
        "action": action,
        "owner_role": "Detective chief inspector",
        "target_on_0": target.day,
        "target_on_1": target.month,
        "target_on_2": target.year,
        "status": "in_progress",
        "seen": seen,
    }


def _response_seen(client, address) -> str:
    found = re.search(r'name="seen" value="([^"]*)"', client.get(address).content.decode())
    return found.group(1) if found else ""


def test_a_response_saved_from_a_page_drawn_before_anothers_is_refused(
    client_for, force_lead_a, force_a, checks
):
    """Found by a review: two of the force's leads answering the same item
    from pages open at once, the later save silently replaced the earlier."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    colleague = UserFactory(role=User.Role.FORCE_LEAD, force=force_a)
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    address = url("plan_response", checks, services.plan_items(plan)[1].id)
    mine, theirs = client_for(force_lead_a), client_for(colleague)
    seen = _response_seen(mine, address)
    theirs.post(address, _response_answers("Their action", _response_seen(theirs, address)))

    page = mine.post(address, _response_answers("My action", seen))

    assert page.status_code == 200
    assert "Someone else saved a response to this" in page.content.decode()
    assert plan.responses.get().action == "Their action"
    # Told, they can save theirs over it.
    again = mine.post(address, _response_answers("My action", page.context["form"].data["seen"]))
    assert again.status_code == 302
    assert plan.responses.get().action == "My action"
