"""The case file pages: import, sample, assign, review, second review, categories."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casefiles import services
from casefiles.models import (
    Case,
    CaseCategory,
    CaseListImport,
    CaseReview,
    SampleDraw,
    SecondReview,
)
from core.models import AuditEvent, StoredFile
from inspections.models import Inspection

from .factories import COMPLETE_ANSWERS, CP1252_FILE, csv_upload, good_rows, submit_review

pytestmark = pytest.mark.django_db


def url(name, inspection, *args):
    return reverse(f"casefiles:{name}", args=[inspection.pk, *args])


# ------------------------------------------------------------------- import


def test_the_import_page_offers_the_template_and_lists_categories(
    client_for, inspector, inspection
):
    response = client_for(inspector).get(url("import_start", inspection))
    html = response.content.decode()
    assert "Download the case list template (CSV)" in html
    assert "Children detained in custody" in html
    assert "must never include a child’s name" in html


def test_the_template_is_a_csv_of_headings_only(client_for, inspector, inspection):
    response = client_for(inspector).get(url("import_template", inspection))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().strip() == "case_reference,category,date_recorded,area"


def _upload_five(client, inspection, capture):
    """Upload a case list of five rows; it is queued as the upload commits."""
    with capture(execute=True):
        response = client.post(
            url("import_start", inspection), {"case_list": csv_upload(good_rows(5))}
        )
    assert response.status_code == 302
    assert response.url == CaseListImport.objects.get().get_absolute_url()
    return response


def test_a_good_upload_imports_and_shows_the_result(
    client_for, inspector, inspection, django_capture_on_commit_callbacks
):
    client = client_for(inspector)
    response = _upload_five(client, inspection, django_capture_on_commit_callbacks)
    page = client.get(response.url).content.decode()
    assert "Case list imported" in page
    assert "data-app-refresh-seconds" not in page
    assert Case.objects.count() == 5


def test_with_the_broker_down_the_upload_is_kept_and_said_stopped(
    client_for, inspector, inspection, django_capture_on_commit_callbacks, monkeypatch
):
    # Queuing runs after the commit: a broker that is down must not turn the
    # saved upload into a 500 (found by a review). Found by the on-call
    # review: the import then said "Waiting to start" for 25 minutes, with no
    # worker ever told of it, and refused another upload all that time.
    from kombu.exceptions import OperationalError

    from casefiles import tasks

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_case_list, "delay", broker_down)
    client = client_for(inspector)
    response = _upload_five(client, inspection, django_capture_on_commit_callbacks)
    assert CaseListImport.objects.get().status == CaseListImport.Status.STOPPED
    assert AuditEvent.objects.filter(action="case_list.import_stopped").count() == 1
    assert Case.objects.count() == 0
    assert "The import stopped before it finished" in client.get(response.url).text

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("import_start", inspection), {"case_list": csv_upload(good_rows(5))})
    assert Case.objects.count() == 5


def test_a_case_list_sent_again_while_it_imports_goes_to_its_import(
    client_for, inspection, inspector
):
    """Found by the concurrency review: Upload sent again (a second click,
    the back button) while the first import ran drew the upload form with
    'There is a problem: A case list is already being imported'."""
    client = client_for(inspector)
    first = client.post(url("import_start", inspection), {"case_list": csv_upload(good_rows(5))})
    job = CaseListImport.objects.get()
    assert first.url == job.get_absolute_url()
    again = client.post(
        url("import_start", inspection), {"case_list": csv_upload(good_rows(5))}, follow=True
    )
    assert again.redirect_chain[-1][0] == job.get_absolute_url()
    assert "This case list is already being imported" in again.text
    assert "There is a problem" not in again.text
    # Another file, while it runs, is still refused beside the file input.
    other = client.post(url("import_start", inspection), {"case_list": csv_upload(good_rows(3))})
    assert other.status_code == 200
    assert "A case list is already being imported" in other.text
    assert CaseListImport.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cases.csv", b""), "The selected file is empty"),
        (SimpleUploadedFile("cases.xlsx", b"PK\x03\x04"), "The selected file must be a CSV"),
        (
            SimpleUploadedFile(
                "cases.csv",
                CP1252_FILE,
            ),
            "The selected file must be a CSV saved as UTF-8",
        ),
        (csv_upload([], header=["case_reference", "category"]), "Add a ‘date recorded’ column"),
        (
            csv_upload([], header=["case_reference", "category", "date_recorded", "DOB"]),
            "Remove the ‘DOB’ column: the case list must never include a child’s name",
        ),
        (
            csv_upload([], header=["case_reference", "category", "date_recorded", "Officer"]),
            "Remove the ‘Officer’ column: it is not in the template",
        ),
    ],
)
def test_a_bad_file_is_refused_beside_the_field_and_nothing_is_kept(
    upload, message, client_for, inspector, inspection
):
    response = client_for(inspector).post(url("import_start", inspection), {"case_list": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Import the case list" in html
    assert "govuk-error-summary" in html and message in html
    assert not CaseListImport.objects.exists() and not StoredFile.objects.exists()


def test_a_full_disk_during_the_upload_says_so_beside_the_field_and_keeps_nothing(
    client_for, inspector, inspection, private_storage, monkeypatch
):
    """Found by the on-call review: an OSError while writing was a 500."""
    from core.tests.fixtures import fill_the_disk, stored_paths

    fill_the_disk(monkeypatch)
    upload = csv_upload(good_rows(3))
    response = client_for(inspector).post(url("import_start", inspection), {"case_list": upload})
    assert response.status_code == 200
    assert '<a href="#id_case_list">The selected file could not be uploaded – try again</a>' in (
        response.text
    )
    assert not CaseListImport.objects.exists() and not StoredFile.objects.exists()
    assert stored_paths(private_storage) == []


def test_a_file_with_old_mac_line_endings_is_read_not_a_500(client_for, inspector, inspection):
    upload = csv_upload(good_rows(3))
    content = upload.read().replace(b"\r\n", b"\r")
    assert b"\n" not in content
    upload = SimpleUploadedFile("cases.csv", content, content_type="text/csv")

    response = client_for(inspector).post(url("import_start", inspection), {"case_list": upload})

    assert response.status_code == 302
    assert CaseListImport.objects.count() == 1


def test_no_file_chosen_says_select_a_csv(client_for, inspector, inspection):
    response = client_for(inspector).post(url("import_start", inspection), {})
    assert "Select a CSV file" in response.content.decode()


def test_row_errors_show_on_the_status_page_in_an_error_summary(
    client_for, inspector, inspection, django_capture_on_commit_callbacks
):
    rows = good_rows(12) + [["GMP/99", "Missing children", "31/13/2024", ""]]
    client = client_for(inspector)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("import_start", inspection), {"case_list": csv_upload(rows)})
    html = client.get(response.url).content.decode()
    assert "<title>Error: Case list import" in html
    assert "There is a problem with the file" in html
    assert "Row 14: the date recorded must be a real date" in html
    assert "Nothing has been imported" in html
    assert not Case.objects.exists()


def test_a_running_import_page_refreshes_itself_with_progress_in_words(
    client_for, inspector, inspection
):
    job = services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(3)), by=inspector
    )
    CaseListImport.objects.filter(pk=job.pk).update(
        status=CaseListImport.Status.SAVING, rows_done=40_000, total_rows=100_000
    )
    client = client_for(inspector)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "data-app-refresh-seconds" in html
    assert "Importing row 40,000 of 100,000" in html
    assert "Stop checking" in html
    html = client.get(job.get_absolute_url(), {"refresh": "off"}).content.decode()
    assert "data-app-refresh-seconds" not in html
    assert "Importing row 40,000 of 100,000" in html


def test_a_second_import_waits_for_the_first(client_for, inspector, inspection):
    services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(3)), by=inspector
    )
    response = client_for(inspector).post(  # another file (the same one: its import's page)
        url("import_start", inspection), {"case_list": csv_upload(good_rows(4))}
    )
    assert "A case list is already being imported" in response.content.decode()


def test_the_case_list_shows_one_category_or_all(client_for, inspector, inspection, case_list):
    client = client_for(inspector)
    address = url("case_list", inspection)
    one = client.get(address, {"category": "child-exploitation"})
    assert one.context["page"].paginator.count == 10
    # A category not on the list (a NUL byte included, which PostgreSQL
    # refuses with an error: a 500, found by fuzzing) shows every case.
    for unknown in ("\x00", "no-such-category", "x" * 500):
        response = client.get(address, {"category": unknown})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 60


# ------------------------------------------------------------------- sample


def test_once_the_sample_is_drawn_the_list_is_not_offered_for_replacing(
    client_for, inspector, inspection, drawn
):
    """Found by review: the button and the upload form were offered, and the
    refusal came only after a file of up to 50 MB had been sent."""
    client = client_for(inspector)
    page = client.get(url("case_list", inspection)).content.decode()
    assert "Import a new case list" not in page
    assert "The sample has been drawn from this list, so it cannot be replaced" in page
    response = client.get(url("import_start", inspection), follow=True)
    assert response.redirect_chain[-1][0] == url("case_list", inspection)
    assert "so it cannot be replaced" in response.content.decode()


def test_once_reviews_start_the_draw_page_says_the_sample_cannot_be_drawn_again(
    client_for, inspector, lead_inspector, inspection, drawn
):
    case = Case.objects.sampled().first()
    services.case_review_save(case=case, answers={"notes": "Started"}, by=lead_inspector)
    response = client_for(inspector).get(url("sample_draw", inspection), follow=True)
    assert response.redirect_chain[-1][0] == url("sample", inspection)
    assert "Reviews of this sample have started" in response.content.decode()


def test_the_draw_form_refuses_a_size_bigger_than_the_category(
    client_for, inspector, inspection, case_list
):
    response = client_for(inspector).post(
        url("sample_draw", inspection), {"size_child-exploitation": "11"}
    )
    html = response.content.decode()
    assert (
        "The sample size for child sexual or criminal exploitation must be 10 or fewer: "
        "the list has 10 cases in that category"
    ) in html
    assert not SampleDraw.objects.exists()


def test_the_draw_form_needs_at_least_one_size_and_says_so_beside_the_sizes(
    client_for, inspector, inspection, case_list
):
    """Found by the hostile-input review: the message was in the error
    summary only, its link landing on a size box that said nothing."""
    message = "Enter a sample size for at least one category"
    for posted in ({}, {"size_child-exploitation": "0"}):
        html = client_for(inspector).post(url("sample_draw", inspection), posted).text
        summary = html.split('govuk-error-summary__list">')[1].split("</ul>")[0]
        target = re.search(r'<a href="#([^"]+)">' + message, summary)[1]
        beside = rf'<span id="{target}_\d+_error" class="govuk-error-message">\s*'
        beside += r'<span class="govuk-visually-hidden">Error:</span>\s*' + message
        assert re.search(beside, html), html
    assert not SampleDraw.objects.exists()


def test_a_redraw_with_no_sizes_and_no_reason_lists_both_problems_at_once(
    client_for, inspector, inspection, drawn
):
    response = client_for(inspector).post(url("sample_draw", inspection), {})
    html = response.content.decode()
    assert "Enter why you are drawing the sample again" in html
    assert "Enter a sample size for at least one category" in html
    assert SampleDraw.objects.count() == 1


def test_drawing_the_sample_shows_population_and_sample_counts(
    client_for, inspector, inspection, case_list
):
    client = client_for(inspector)
    response = client.post(
        url("sample_draw", inspection),
        {"size_missing-children": "4", "size_strategy-discussions-s47": "3", "seed": "99"},
    )
    assert response.status_code == 302
    response = client.get(url("sample", inspection))
    html = response.content.decode()
    assert "Sample drawn: 7 cases, seed 99" in html
    counts = {
        row["category__slug"]: (row["population"], row["sampled"])
        for row in response.context["counts"]
    }
    assert counts == {
        "missing-children": (30, 4),
        "strategy-discussions-s47": (20, 3),
        "child-exploitation": (10, 0),
    }


def test_a_redraw_asks_why(client_for, inspector, inspection, drawn):
    client = client_for(inspector)
    response = client.post(url("sample_draw", inspection), {"size_missing-children": "2"})
    assert "Enter why you are drawing the sample again" in response.content.decode()
    response = client.post(
        url("sample_draw", inspection), {"size_missing-children": "2", "reason": "Too many"}
    )
    assert response.status_code == 302
    assert SampleDraw.objects.count() == 2


def test_a_redraw_reason_too_long_is_refused_beside_it(client_for, inspector, inspection, drawn):
    """It had no limit: a page of pasted text went onto the inspection's
    record whole (found by the bad input review)."""
    client = client_for(inspector)
    sizes = {"size_missing-children": "2"}
    response = client.post(url("sample_draw", inspection), {**sizes, "reason": "x" * 2001})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_reason">The reason must be 2,000 characters or fewer</a>' in html
    assert 'data-maxlength="2000"' in html  # the character count says so as they type
    assert SampleDraw.objects.count() == 1
    response = client.post(url("sample_draw", inspection), {**sizes, "reason": "x" * 2000})
    assert response.status_code == 302


def test_cases_are_assigned_in_bulk(client_for, lead_inspector, inspector, inspection, drawn):
    cases = list(Case.objects.sampled().order_by("reference")[:3])
    response = client_for(lead_inspector).post(
        url("sample", inspection),
        {"assign-cases": [c.pk for c in cases], "assign-reviewer": inspector.pk},
    )
    assert response.status_code == 302
    assert Case.objects.filter(reviewer=inspector).count() == 3
    # Asked again with one more case: the message counts what changed.
    cases = list(Case.objects.sampled().order_by("reference")[:4])
    client = client_for(lead_inspector)
    for chosen, message in (
        (cases, "1 case assigned to Ian Inspector. 3 were already theirs"),
        (cases[:2], "The selected cases are already assigned to Ian Inspector"),
    ):
        data = {"assign-cases": [c.pk for c in chosen], "assign-reviewer": inspector.pk}
        page = client.post(url("sample", inspection), data, follow=True).content.decode()
        assert message in page


def test_bulk_assignment_keeps_what_was_ticked_and_says_plainly_what_is_wrong(
    client_for, lead_inspector, inspector, inspection, drawn
):
    case = Case.objects.sampled().order_by("reference").first()
    client = client_for(lead_inspector)
    html = client.post(url("sample", inspection), {"assign-cases": [case.pk]}).content.decode()
    assert "Select who will review the cases" in html
    assert re.search(rf'value="{case.pk}" checked>', html)
    assert html.count(" checked>") == 1

    html = client.post(
        url("sample", inspection), {"assign-reviewer": str(inspector.pk)}
    ).content.decode()
    assert re.search(rf'<option value="{inspector.pk}" selected>', html)

    # A case that left the sample (drawn again in another tab), an unknown reviewer.
    gone = Case.objects.filter(inspection=inspection, sample_draw=None).first()
    html = client.post(
        url("sample", inspection),
        {"assign-cases": [gone.pk], "assign-reviewer": "00000000-0000-0000-0000-000000000000"},
    ).content.decode()
    assert "A selected case is no longer in the sample: select the cases again" in html
    assert "Select a reviewer on the inspection team" in html
    assert "is not one of the available choices" not in html


def test_bulk_assignment_needs_cases_and_a_reviewer(client_for, lead_inspector, inspection, drawn):
    response = client_for(lead_inspector).post(url("sample", inspection), {})
    html = response.content.decode()
    assert "Select at least one case to assign" in html
    assert "Select who will review the cases" in html
    assert 'href="#id_assign-cases_1"' in html


def test_the_error_for_no_case_ticked_is_read_out_with_each_case_checkbox(
    client_for, lead_inspector, inspection, drawn
):
    """The error summary moves focus to the first checkbox: a screen reader
    then reads the error with it, not only "Select case ..., not checked"."""
    html = client_for(lead_inspector).post(url("sample", inspection), {}).content.decode()
    checkboxes = re.findall(r'<input class="govuk-checkboxes__input"[^>]*>', html)
    assert checkboxes
    assert all('aria-describedby="id_assign-cases_error"' in box for box in checkboxes)
    assert 'id="id_assign-cases_error"' in html


def test_a_case_is_assigned_on_its_own(client_for, lead_inspector, inspector, inspection, drawn):
    case = Case.objects.sampled().first()
    response = client_for(lead_inspector).post(
        url("case_assign", inspection, case.pk), {"reviewer": inspector.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.reviewer == inspector


# ------------------------------------------------------------------ reviews


@pytest.fixture
def case(inspection, drawn, inspector):
    case = Case.objects.sampled().order_by("reference").first()
    services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=inspector
    )
    return case


def test_save_and_come_back_later_keeps_a_partial_draft(client_for, inspector, inspection, case):
    client = client_for(inspector)
    response = client.post(
        url("review_edit", inspection, case.pk),
        {"overall_rating": "good", "notes": "So far", "save": ""},
    )
    assert response.status_code == 302
    review = CaseReview.objects.get(case=case)
    assert (review.status, review.overall_rating, review.notes) == ("draft", "good", "So far")
    form = client.get(url("review_edit", inspection, case.pk)).context["form"]
    assert form.initial["notes"] == "So far"
    # As long as the other notes, and no longer (found by a review: 100,000 went in).
    too_long = client.post(
        url("review_edit", inspection, case.pk), {"notes": "x" * 20001, "save": ""}
    )
    assert "Notes must be 20,000 characters or fewer" in too_long.content.decode()
    review.refresh_from_db()
    assert review.notes == "So far"


def test_an_observation_too_long_is_named_by_its_topic_in_the_error_summary(
    client_for, inspector, inspection, case
):
    response = client_for(inspector).post(
        url("review_edit", inspection, case.pk),
        {
            "initial_response_observation": "x" * 501,
            "investigation_observation": "x" * 501,
            "save": "",
        },
    )
    errors = response.context["form"].errors
    assert errors["initial_response_observation"] == [
        "The observation on initial response must be 500 characters or fewer"
    ]
    assert errors["investigation_observation"] == [
        "The observation on investigation must be 500 characters or fewer"
    ]
    assert not CaseReview.objects.filter(case=case).exists()


def test_continue_needs_every_answer(client_for, inspector, inspection, case):
    response = client_for(inspector).post(
        url("review_edit", inspection, case.pk), {"overall_rating": "good", "continue": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a rating for risk assessment and referral, or select not relevant" in html
    assert "Select yes, no or not applicable for ‘The child&#x27;s voice was recorded’" in html or (
        "Select yes, no or not applicable" in html
    )


def test_check_your_answers_then_submit_then_locked(client_for, inspector, inspection, case):
    client = client_for(inspector)
    response = client.post(
        url("review_edit", inspection, case.pk), {**COMPLETE_ANSWERS, "continue": ""}
    )
    assert response.url == url("review_check", inspection, case.pk)
    check = client.get(response.url).content.decode()
    assert "Check your review of case" in check and "Submit review" in check
    response = client.post(url("review_check", inspection, case.pk))
    assert response.status_code == 302
    assert CaseReview.objects.get(case=case).status == CaseReview.Status.SUBMITTED
    # Locked: a clear message whether opened again or posted again (a second
    # click, a stale tab), and nothing changes.
    submitted = CaseReview.objects.get(case=case).updated_at
    for response in (
        client.get(url("review_edit", inspection, case.pk), follow=True),
        client.post(url("review_edit", inspection, case.pk), COMPLETE_ANSWERS, follow=True),
        client.post(url("review_check", inspection, case.pk), follow=True),
    ):
        assert response.redirect_chain[0][0] == case.get_absolute_url()
        assert "has been submitted and can no longer be changed" in response.content.decode()
    assert CaseReview.objects.get(case=case).updated_at == submitted


def test_a_draft_from_a_page_drawn_before_someone_elses_save_does_not_overwrite_it(
    client_for, inspector, lead_inspector, inspection, case
):
    """Found by review: the reviewer's older tab saved over the lead's newer,
    complete answers without a word. Now nothing is saved, and the page shows
    the review as saved with a message saying why."""
    reviewer = client_for(inspector)
    reviewer.post(url("review_edit", inspection, case.pk), {"notes": "v1", "save": ""})
    old_page = reviewer.get(url("review_edit", inspection, case.pk)).context["form"]
    seen = old_page.initial["seen"]
    assert seen

    lead = client_for(lead_inspector)
    lead.post(url("review_edit", inspection, case.pk), {**COMPLETE_ANSWERS, "save": ""})

    reviewer = client_for(inspector)
    response = reviewer.post(
        url("review_edit", inspection, case.pk),
        {"notes": "v1 more", "save": "", "seen": seen},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("review_edit", inspection, case.pk)
    assert "Someone else saved this review after you opened it" in response.content.decode()
    review = CaseReview.objects.get(case=case)
    assert review.overall_rating == COMPLETE_ANSWERS["overall_rating"]
    assert review.notes == COMPLETE_ANSWERS["notes"]
    # The page as shown now carries the new version: saving from it works.
    fresh = response.context["form"].initial["seen"]
    saved = reviewer.post(
        url("review_edit", inspection, case.pk),
        {**COMPLETE_ANSWERS, "notes": "v2", "save": "", "seen": fresh},
    )
    assert saved.status_code == 302
    assert CaseReview.objects.get(case=case).notes == "v2"


def test_answers_changed_after_the_check_page_was_drawn_are_not_submitted_unchecked(
    client_for, inspector, lead_inspector, inspection, case
):
    reviewer = client_for(inspector)
    reviewer.post(url("review_edit", inspection, case.pk), {**COMPLETE_ANSWERS, "continue": ""})
    seen = reviewer.get(url("review_check", inspection, case.pk)).context["seen"]

    changed = {**COMPLETE_ANSWERS, "overall_rating": "inadequate", "save": ""}
    client_for(lead_inspector).post(url("review_edit", inspection, case.pk), changed)

    reviewer = client_for(inspector)
    response = reviewer.post(url("review_check", inspection, case.pk), {"seen": seen}, follow=True)
    assert response.redirect_chain[-1][0] == url("review_check", inspection, case.pk)
    assert "Check the answers again before you submit it" in response.content.decode()
    assert CaseReview.objects.get(case=case).status == CaseReview.Status.DRAFT
    # Checked again (the page now shows the lead's rating), it submits.
    assert "Inadequate" in response.content.decode()
    reviewer.post(url("review_check", inspection, case.pk), {"seen": response.context["seen"]})
    assert CaseReview.objects.get(case=case).status == CaseReview.Status.SUBMITTED


def test_check_page_sends_an_incomplete_review_back(client_for, inspector, inspection, case):
    client = client_for(inspector)
    client.post(url("review_edit", inspection, case.pk), {"overall_rating": "good", "save": ""})
    response = client.get(url("review_check", inspection, case.pk))
    assert response.url == url("review_edit", inspection, case.pk)


def test_the_lead_inspector_may_step_in_on_a_review(client_for, lead_inspector, inspection, case):
    response = client_for(lead_inspector).post(
        url("review_edit", inspection, case.pk), {"notes": "Lead", "save": ""}
    )
    assert response.status_code == 302


def test_second_review_page_records_a_different_rating(
    client_for, inspector, lead_inspector, inspection, case
):
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, inspector)
    client = client_for(lead_inspector)
    response = client.post(
        url("second_review", inspection, case.pk), {"agrees": "no", "rating": "good"}
    )
    html = response.content.decode()
    assert "Select a rating different from the first reviewer’s" in html
    assert "Enter why you rate the case differently" in html
    response = client.post(
        url("second_review", inspection, case.pk),
        {"agrees": "no", "rating": "inadequate", "reason": "No referral was made."},
    )
    assert response.status_code == 302
    second = SecondReview.objects.get()
    assert (second.agrees, second.rating) == (False, "inadequate")
    listing = client.get(url("second_review_list", inspection)).content.decode()
    assert "Agreement rate" in listing and "0% (0 of 1 agreed" in listing
    overview = client.get(url("overview", inspection)).content.decode()
    assert "Agreement rate: 0%" in overview

    # Posted again (a second click): a message, and the record stands.
    again = client.post(
        url("second_review", inspection, case.pk),
        {"agrees": "yes", "rating": "", "reason": ""},
        follow=True,
    )
    assert "is already complete" in again.content.decode()
    second.refresh_from_db()
    assert (second.agrees, second.rating) == (False, "inadequate")


def test_a_second_review_reason_too_long_is_refused_beside_the_field_and_not_saved(
    client_for, inspector, lead_inspector, inspection, case
):
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, inspector)
    response = client_for(lead_inspector).post(
        url("second_review", inspection, case.pk),
        {"agrees": "no", "rating": "inadequate", "reason": "x" * 20001},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert html.count("The reason must be 20,000 characters or fewer") == 2
    assert SecondReview.objects.get().status == SecondReview.Status.PENDING


# --------------------------------------------------------------- categories


def test_an_admin_adds_and_renames_a_category(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("casefiles:category_add"), {"name": "Female genital mutilation"})
    assert response.status_code == 302
    category = CaseCategory.objects.get(name="Female genital mutilation")
    assert category.slug == "female-genital-mutilation"
    response = client.post(
        reverse("casefiles:category_edit", args=[category.pk]),
        {"name": "FGM and honour-based abuse", "is_active": ""},
    )
    category.refresh_from_db()
    assert (category.name, category.slug, category.is_active) == (
        "FGM and honour-based abuse",
        "female-genital-mutilation",
        False,
    )
    assert AuditEvent.objects.filter(object_id=str(category.pk)).count() == 2


def test_a_category_changed_by_another_admin_meanwhile_is_not_undone_unseen(admin_user):
    """Found by the stale-page review: a rename from a page drawn before
    another admin retired the category quietly brought it back."""
    from django.test import Client

    from accounts.models import User
    from accounts.tests.factories import UserFactory, signed_in

    category = services.case_category_create(name="Online grooming", by=admin_user)
    address = reverse("casefiles:category_edit", args=[category.pk])
    ada = signed_in(Client(), admin_user)
    page = ada.get(address)
    bea = signed_in(Client(), UserFactory(email="bea@example.org", role=User.Role.ADMIN))
    bea.post(address, bea.get(address).context["form"].initial | {"is_active": ""})
    category.refresh_from_db()
    assert not category.is_active

    stale = page.context["form"].initial | {"name": "Online grooming (all ages)"}
    refused = ada.post(address, stale)
    html = refused.content.decode()
    assert "Someone else changed this category after you opened it" in html
    assert "is not accepted in new case lists" in html
    assert "govuk-error-summary" in html
    category.refresh_from_db()
    assert (category.name, category.is_active) == ("Online grooming", False)
    # Saved again from the page as it is now: Ada's changes, knowingly.
    again = ada.post(address, refused.context["form"].data.dict())
    assert again.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.is_active) == ("Online grooming (all ages)", True)


def test_a_category_name_is_unique(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("casefiles:category_add"), {"name": "missing children"}
    )
    assert "A category with this name already exists" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["Missing\u200b children", "Miss\u00ading children", "Missing chil\ufeffdren"]
)
def test_a_category_name_that_reads_the_same_is_refused(client_for, admin_user, name):
    """A name with a zero-width space or soft hyphen inside read the same as
    one on the list, and both were offered to choose from."""
    before = CaseCategory.objects.count()
    client = client_for(admin_user)
    response = client.post(reverse("casefiles:category_add"), {"name": name})
    assert '<a href="#id_name">A category with this name already exists</a>' in response.text
    other = CaseCategory.objects.exclude(name="Missing children").first()
    response = client.post(
        reverse("casefiles:category_edit", args=[other.pk]), {"name": name, "is_active": "on"}
    )
    assert "A category with this name already exists" in response.text
    assert CaseCategory.objects.count() == before
    assert CaseCategory.objects.get(pk=other.pk).name == other.name


def test_a_category_added_twice_at_once_gives_an_error_not_a_500(
    client_for, admin_user, monkeypatch
):
    from casefiles.forms import CaseCategoryForm

    # The second request's form looked before the first one's insert committed.
    monkeypatch.setattr(CaseCategoryForm, "clean_name", lambda form: form.cleaned_data["name"])
    client = client_for(admin_user)
    before = CaseCategory.objects.count()
    response = client.post(reverse("casefiles:category_add"), {"name": "Missing children"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_name">A category with this name already exists</a>' in html
    assert CaseCategory.objects.count() == before
    other = CaseCategory.objects.exclude(name="Missing children").first()
    response = client.post(
        reverse("casefiles:category_edit", args=[other.pk]),
        {"name": "Missing children", "is_active": "on"},
    )
    assert "A category with this name already exists" in response.content.decode()
    assert CaseCategory.objects.get(pk=other.pk).name == other.name


def test_a_retired_category_is_refused_in_new_lists(
    inspection, inspector, django_capture_on_commit_callbacks
):
    CaseCategory.objects.filter(slug="missing-children").update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.case_list_import_start(
            inspection=inspection, upload=csv_upload(good_rows(3)), by=inspector
        )
    job.refresh_from_db()
    assert job.errors == [
        "Row 2: ‘Missing children’ is not a case category: use a category from the list on "
        "the import page"
    ]


# ------------------------------------------------------- locked after moderation


@pytest.mark.parametrize("stage", ["pre_publication", "published", "closed"])
def test_case_files_are_locked_once_the_report_goes_to_the_force(
    client_for, inspector, lead_inspector, inspection, case, stage
):
    """The report's case review figures are fixed from pre-publication checks
    on, as the graded judgments are: no page offers a change, every page that
    would make one says why, and the services refuse."""
    client = client_for(inspector)
    client.post(url("review_edit", inspection, case.pk), {"overall_rating": "good", "save": ""})
    review = CaseReview.objects.get(case=case)
    Inspection.objects.filter(pk=inspection.pk).update(stage=stage)
    inspection.refresh_from_db()
    saved = review.updated_at

    detail = client.get(case.get_absolute_url()).content.decode()
    assert "Continue the review" not in detail
    assert url("case_assign", inspection, case.pk) not in detail
    sample_page = client.get(url("sample", inspection)).content.decode()
    assert url("sample_draw", inspection) not in sample_page
    assert 'name="assign-reviewer"' not in sample_page

    for address, data in [
        (url("review_edit", inspection, case.pk), {**COMPLETE_ANSWERS, "continue": ""}),
        (url("review_check", inspection, case.pk), {}),
        (url("case_assign", inspection, case.pk), {"reviewer": inspector.pk}),
        (url("sample_draw", inspection), {}),
        (url("import_start", inspection), {}),
    ]:
        response = client.post(address, data, follow=True)
        assert "Case files can no longer be changed: the inspection is at the ‘" in (
            response.content.decode()
        ), address
    review.refresh_from_db()
    assert (review.updated_at, review.status) == (saved, CaseReview.Status.DRAFT)

    with pytest.raises(ValidationError, match="Case files can no longer be changed"):
        services.case_review_save(case=case, answers=COMPLETE_ANSWERS, by=inspector)
    with pytest.raises(ValidationError, match="Case files can no longer be changed"):
        services.cases_assign(
            inspection=inspection, case_ids=[case.pk], reviewer=lead_inspector, by=lead_inspector
        )


def test_a_stage_change_between_page_and_save_is_a_message_not_a_500(
    client_for, inspector, inspection, case, monkeypatch
):
    """The views check the stage first; the services check it again under the
    inspection's row lock. Here the view's check is passed as if the stage
    changed just after it."""
    from casefiles import views

    client = client_for(inspector)
    client.post(url("review_edit", inspection, case.pk), {**COMPLETE_ANSWERS, "save": ""})
    Inspection.objects.filter(pk=inspection.pk).update(stage="pre_publication")
    monkeypatch.setattr(views, "_closed", lambda request, inspection, to: None)
    for address, data in [
        (url("review_edit", inspection, case.pk), {**COMPLETE_ANSWERS, "save": ""}),
        (url("review_check", inspection, case.pk), {}),
        (url("case_assign", inspection, case.pk), {"reviewer": inspector.pk}),
    ]:
        response = client.post(address, data, follow=True)
        assert response.status_code == 200, address
        assert "Case files can no longer be changed" in response.content.decode(), address
    assert CaseReview.objects.get(case=case).status == CaseReview.Status.DRAFT


def test_the_category_list_says_when_there_are_none(client_for, admin_user):
    CaseCategory.objects.all().delete()
    html = client_for(admin_user).get(reverse("casefiles:category_list")).content.decode()
    assert "There are no case categories yet" in html and "<table" not in html
    assert 'class="govuk-back-link"' in html


def test_second_reviews_of_a_closed_inspection_with_none_say_so_plainly(
    client_for, inspector, inspection
):
    """Found by a screenshot sweep: '0 of 0 so far' and '...yet' on an
    inspection whose case files are closed."""
    from inspections.models import Inspection

    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.PUBLISHED)
    html = client_for(inspector).get(url("second_review_list", inspection)).content.decode()
    assert "0 of 0" not in html and "None due" in html
    assert "No review was chosen for a second review." in html
    # The main content only: a random nonce or token elsewhere may hold "yet".
    assert "yet" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_categories_are_listed_in_their_set_order(client_for, admin_user, case_list):
    """Found by a review: counting each category's cases dropped the model's
    ordering, so the list came out in whatever order the database chose."""
    from casefiles.models import CaseCategory

    made = list(CaseCategory.objects.order_by("created_at", "name"))
    assert len(made) > 2
    for position, category in enumerate(reversed(made)):  # last made comes first
        category.position = position
        category.save(update_fields=["position"])
    response = client_for(admin_user).get(reverse("casefiles:category_list"))
    shown = [c.name for c in response.context["categories"]]
    assert shown == [c.name for c in reversed(made)]


def test_a_case_is_found_on_the_list_by_its_reference(client_for, inspector, inspection, case_list):
    """5,000 cases at 50 a page: a case the force asks about was a hundred
    pages away (found by the inspector review)."""
    client = client_for(inspector)
    page = client.get(url("case_list", inspection), {"reference": "ref-missin-0012"}).text
    assert "REF-missin-0012" in page and "REF-missin-0011" not in page
    assert "Cases 1 to 1 of 1" in page
    page = client.get(url("case_list", inspection), {"reference": " REF-child--000"}).text
    assert "Cases 1 to 9 of 9" in page  # how it starts, spaces around it ignored
    page = client.get(
        url("case_list", inspection), {"reference": "REF-child", "category": "missing-children"}
    ).text
    assert "No case on the list has a reference starting ‘REF-child’ in this category" in page
    page = client.get(url("case_list", inspection), {"reference": "x" * 51}).text
    assert "No case on the list has a reference starting" in page


def test_the_samples_words_are_the_services_own(client_for, force_a, lead_inspector, inspector):
    """Found by the words review: "Sample drawn: 1 cases", and the sampler's
    own "missing-children: cannot draw 9 from 3" when the list changed."""
    from casefiles.tests.factories import InspectionFactory, add_cases

    inspection = InspectionFactory(force=force_a, lead_inspector=lead_inspector, team=[inspector])
    add_cases(inspection, {"missing-children": 3})
    with pytest.raises(ValidationError) as refused:
        services.sample_draw(
            inspection=inspection, sizes={"missing-children": 9}, seed=1, reason="", by=inspector
        )
    assert refused.value.messages == [
        "The sample size for missing children must be 3 or fewer: the list has 3 cases in "
        "that category"
    ]
    # A size below 0, or for a category the list has none of (found by the
    # review of the day's changes: a crash, and "must be 0 or fewer").
    for sizes, message in (
        ({"missing-children": -1}, "The sample size for missing children must be 0 or more"),
        (
            {"child-exploitation": 2},
            "The case list has no cases of child sexual or criminal exploitation: leave its "
            "sample size empty",
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            services.sample_draw(
                inspection=inspection, sizes=sizes, seed=1, reason="", by=inspector
            )
        assert refused.value.messages == [message]
    url = reverse("casefiles:sample_draw", args=[inspection.pk])
    response = client_for(inspector).post(
        url, {"size_missing-children": "1", "seed": "7"}, follow=True
    )
    assert "Sample drawn: 1 case, seed 7" in response.content.decode()


def test_case_files_closed_unsampled_do_not_say_not_yet(client_for, inspection, lead_inspector):
    """Found by the journeys review: past moderation with no case list, the
    reviews page said "The sample has not been drawn yet.", the case list "The
    force's case list has not been imported yet." and the overview "Not
    imported yet", as if they still could be, where the sample page says none
    was drawn."""
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.PUBLISHED)
    url = reverse("casefiles:review_list", args=[inspection.pk])
    text = client_for(lead_inspector).get(url).text
    assert "has not been drawn yet" not in text
    assert "No sample was drawn, so no case was reviewed." in text
    text = client_for(lead_inspector).get(url.replace("reviews/", "cases/")).text
    assert "has not been imported yet" not in text
    assert "No case list was imported." in text
    text = client_for(lead_inspector).get(url.replace("reviews/", "")).text
    assert "Not imported yet" not in text and "Not drawn yet" not in text


def test_only_someone_who_can_be_given_cases_is_offered_their_own(
    client_for, inspection, lead_inspector, admin_user
):
    """Found by the journeys review: an admin was offered "Show only the cases
    assigned to you", and cases are only ever assigned to the team, so it
    always led to "No cases are assigned to you"."""
    url = reverse("casefiles:review_list", args=[inspection.pk])
    assert "Show only the cases assigned to you" in client_for(lead_inspector).get(url).text
    text = client_for(admin_user).get(url).text
    assert "Show only the cases assigned to you" not in text
    assert "Show every review" not in text
    # An old address of their own cases still leads back to every review.
    assert "Show every review" in client_for(admin_user).get(f"{url}?show=mine").text


def test_a_case_is_found_on_the_review_list_by_its_reference(
    client_for, inspector, lead_inspector, inspection, drawn
):
    """Found by the case file review: a sample of 60 is two pages of
    reviews, and an inspector asked about one case had to read both; the
    case list's search finds it, but not its review."""
    sampled = list(Case.objects.sampled().order_by("reference"))
    wanted, other = sampled[0], sampled[1]
    services.cases_assign(
        inspection=inspection, case_ids=[wanted.pk], reviewer=inspector, by=lead_inspector
    )
    client = client_for(inspector)
    page = client.get(url("review_list", inspection)).text
    assert 'name="reference"' in page
    page = client.get(url("review_list", inspection), {"reference": wanted.reference.lower()}).text
    assert wanted.get_absolute_url() in page and other.get_absolute_url() not in page
    assert "Sampled cases: 1 to 1 of 1" in page
    # Among the cases assigned to the inspector, the search keeps to them.
    mine = {"show": "mine", "reference": other.reference}
    page = client.get(url("review_list", inspection), mine).text
    assert '<input type="hidden" name="show" value="mine">' in page
    assert f"No case assigned to you has a reference starting ‘{other.reference}’" in page
    page = client.get(url("review_list", inspection), {"reference": "nothing-like-it"}).text
    assert "No case in the sample has a reference starting ‘nothing-like-it’" in page
    assert "The sample has not been drawn yet" not in page


def test_a_sampled_case_found_on_the_case_list_leads_to_its_review(
    client_for, inspector, inspection, drawn
):
    """Found by the case file review: the case list's search found a case
    among 5,000, but did not say it was in the sample, nor lead to its page
    and review; only a case not in the sample is plain text."""
    sampled = Case.objects.sampled().order_by("reference").first()
    other = Case.objects.filter(inspection=inspection, sample_draw=None).first()
    client = client_for(inspector)
    page = client.get(url("case_list", inspection), {"reference": sampled.reference}).text
    assert f'href="{sampled.get_absolute_url()}">{sampled.reference}</a>' in page
    assert ">In the sample</strong>" in page
    page = client.get(url("case_list", inspection), {"reference": other.reference}).text
    assert other.reference in page and ">In the sample</strong>" not in page
    assert f"/cases/{other.pk}/" not in page


def test_answers_left_under_no_are_not_kept_when_the_lead_agrees(
    client_for, inspector, lead_inspector, inspection, case
):
    """The rating and reason are revealed under No: with Yes chosen the page
    hides them, and what a browser still sends of them (typed before the
    lead chose Yes) is not an answer. It was refused (the case file review's
    fix, when the page showed them under both answers), with its errors
    beside fields the reveal now hides. The service still refuses an
    agreement given with a rating or a reason (test_reviews)."""
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, inspector)  # rated good
    response = client_for(lead_inspector).post(
        url("second_review", inspection, case.pk),
        {"agrees": "yes", "rating": "inadequate", "reason": "No referral was made."},
    )
    assert response.status_code == 302
    second = SecondReview.objects.get()
    assert (second.agrees, second.rating, second.reason) == (True, "", "")


def _reveal(html: str) -> str:
    """The element revealed under No, opening tag and all."""
    return re.search(
        r'<div class="govuk-radios__conditional[^"]*" id="conditional_agrees_2">.*?'
        r'(?=<button name="submit")',
        html,
        re.S,
    )[0]


def test_the_rating_and_reason_are_revealed_under_no(
    client_for, inspector, lead_inspector, inspection, case
):
    """GOV.UK's conditionally revealed question: the rating and reason sit
    under the No option, hidden until it is chosen (govuk-frontend's radios
    module reveals them), and open when the page comes back with No chosen,
    its errors beside the fields and linked from the summary."""
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, inspector)
    client = client_for(lead_inspector)
    address = url("second_review", inspection, case.pk)

    html = client.get(address).content.decode()
    assert '<div class="govuk-radios" data-module="govuk-radios">' in html
    yes = re.search(r'<input[^>]*id="id_agrees_1"[^>]*>', html)[0]
    no = re.search(r'<input[^>]*id="id_agrees_2"[^>]*>', html)[0]
    assert 'value="yes"' in yes and "aria-controls" not in yes
    assert 'value="no"' in no and 'aria-controls="conditional_agrees_2"' in no
    reveal = _reveal(html)
    assert reveal.startswith(
        '<div class="govuk-radios__conditional govuk-radios__conditional--hidden"'
    )
    assert 'name="rating"' in reveal and 'name="reason"' in reveal
    assert html.count('name="rating"') == 3 and html.count('name="reason"') == 1  # only there

    html = client.post(address, {"agrees": "no", "reason": " "}).content.decode()
    no = re.search(r'<input[^>]*id="id_agrees_2"[^>]*>', html)[0]
    assert " checked" in no
    reveal = _reveal(html)
    assert reveal.startswith('<div class="govuk-radios__conditional" id="conditional_agrees_2">')
    assert "Select your rating for the case" in reveal
    assert "Enter why you rate the case differently" in reveal
    assert "govuk-form-group--error" in reveal
    assert '<a href="#id_rating_1">Select your rating for the case</a>' in html
    assert '<a href="#id_reason">Enter why you rate the case differently</a>' in html
    assert SecondReview.objects.get().status == SecondReview.Status.PENDING

    html = client.post(address, {}).content.decode()
    assert '<a href="#id_agrees_1">Select yes if you agree with the overall rating</a>' in html
    assert 'id="id_agrees_1"' in html


def test_the_pages_name_who_submitted_a_review_not_whom_the_case_was_assigned_to(
    client_for, admin_user, inspector, lead_inspector, inspection, case
):
    """Found by the case file review: an admin (or the lead) who stepped in on
    a case assigned to someone else, or handed back to no one, submitted the
    review, and the review list, the case page, the second review list and
    the second review page all named the assigned inspector as its reviewer."""
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, admin_user)  # assigned to Ian Inspector
    handed_back = Case.objects.sampled().exclude(pk=case.pk).order_by("reference").first()
    services.cases_assign(
        inspection=inspection, case_ids=[handed_back.pk], reviewer=inspector, by=lead_inspector
    )
    services.cases_hand_back(
        inspection=inspection, reviewers=[inspector], by=admin_user, reason="Off the team"
    )
    submit_review(handed_back, lead_inspector)
    client = client_for(lead_inspector)

    def row(html, reference):
        return re.search(rf"<tr[^>]*>\s*<td[^>]*>.*?{re.escape(reference)}.*?</tr>", html, re.S)[0]

    listing = client.get(url("review_list", inspection)).content.decode()
    assert "Ada Admin" in row(listing, case.reference)
    assert "Ian Inspector" not in row(listing, case.reference)
    assert "Lena Lead" in row(listing, handed_back.reference)
    detail = client.get(url("case_detail", inspection, case.pk)).content.decode()
    reviewer = re.search(r"Reviewer</dt>\s*<dd[^>]*>(.*?)</dd>", detail, re.S)[1]
    assert reviewer == "Ada Admin"
    seconds = client.get(url("second_review_list", inspection)).content.decode()
    assert "Ada Admin" in row(seconds, case.reference)
    assert "Ian Inspector" not in row(seconds, case.reference)
    page = client.get(url("second_review", inspection, case.pk)).content.decode()
    assert "Reviewed by Ada Admin: rated" in page
