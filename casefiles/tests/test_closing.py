"""Closing the case files: the draft report goes to the force for
pre-publication checks, and the case review figures are fixed from then on."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casefiles import services as casefile_services
from casefiles.models import Case, SecondReview
from casefiles.selectors import review_progress
from inspections import services as inspection_services
from inspections.models import Grade, Inspection, Judgment

from .factories import submit_review


@pytest.fixture
def moderated(inspection, drawn, inspector):
    """In moderation, every judgment agreed; two cases reviewed, both chosen
    for a second review."""
    cases = list(Case.objects.sampled().filter(inspection=inspection)[:2])
    for case in cases:
        Case.objects.filter(pk=case.pk).update(second_review_due=True, reviewer=inspector)
        case.refresh_from_db()
        submit_review(case, inspector)
    inspection.judgments.update(
        grade=Grade.GOOD, rationale="Well evidenced.", status=Judgment.Status.FINAL
    )
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.MODERATION)
    inspection.refresh_from_db()
    return cases


def test_the_report_does_not_go_to_the_force_with_second_reviews_still_to_do(
    inspection, lead_inspector, moderated
):
    """Found by the case file review: the lead could send the draft report for
    pre-publication checks with second reviews not done, which closed the
    case files, so they could never be done, and the report's figures ('after
    second review') went out unmoderated."""
    blockers = inspection_services.publication_blockers(inspection)
    assert "Complete the 2 second reviews of case file reviews still to do" in blockers
    with pytest.raises(ValidationError) as error:
        inspection_services.inspection_send_for_checks(
            inspection=inspection, received_on=timezone.localdate(), by=lead_inspector
        )
    assert "Complete the 2 second reviews of case file reviews still to do" in error.value.messages
    inspection.refresh_from_db()
    assert inspection.stage == Inspection.Stage.MODERATION

    for second in SecondReview.objects.all():
        second.status = SecondReview.Status.COMPLETED
        second.agrees = True
        second.save()
    assert inspection_services.publication_blockers(inspection) == []
    inspection_services.inspection_send_for_checks(
        inspection=inspection, received_on=timezone.localdate(), by=lead_inspector
    )


def test_a_judgment_citing_case_file_figures_that_do_not_exist_does_not_go_to_the_force(
    inspection, lead_inspector, moderated
):
    """Found by the case file review: a graded judgment could be agreed, and
    the report sent to the force, saying it cites the case file review
    figures for its topic when no submitted review rated that topic (every
    one found it not relevant, or none was submitted): the figures it relies
    on did not exist, and the case files then closed."""
    for second in SecondReview.objects.all():
        second.status, second.agrees = SecondReview.Status.COMPLETED, True
        second.save()
    # Both reviews rated initial response, and found partnership working not relevant.
    inspection.judgments.filter(topic__in=["initial_response", "partnership_working"]).update(
        cites_case_reviews=True
    )
    expected = (
        "The graded judgment on partnership working cites the case file review figures, "
        "but no submitted case file review rated partnership working"
    )
    assert inspection_services.publication_blockers(inspection) == [expected]
    with pytest.raises(ValidationError) as error:
        inspection_services.inspection_send_for_checks(
            inspection=inspection, received_on=timezone.localdate(), by=lead_inspector
        )
    assert error.value.messages == [expected]
    inspection.judgments.filter(topic="partnership_working").update(cites_case_reviews=False)
    assert inspection_services.publication_blockers(inspection) == []


def test_a_review_the_lead_wrote_waits_for_the_next_lead_and_never_holds_up_the_report(
    client_for, inspection, lead_inspector, inspector, admin_user, moderated
):
    """Found by the case file review: a review of a case chosen for a second
    review, written by the lead who stepped in, got no second review at all.
    The lead may not moderate their own, and it does not stop the report
    going to the force; but a new lead (the first ill, say) was never told
    the case was chosen, and its rating went into the figures 'after second
    review' unmoderated, where a review the new lead wrote waits for the
    next lead and is handed over (test_races)."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    third = Case.objects.sampled().exclude(pk__in=[c.pk for c in moderated]).first()
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.FIELDWORK)
    Case.objects.filter(pk=third.pk).update(second_review_due=True, reviewer=inspector)
    third.refresh_from_db()
    submit_review(third, lead_inspector)  # stepped in on Ian's case
    rest = Case.objects.sampled().filter(review=None)
    rest.update(second_review_due=False, reviewer=inspector)
    for case in rest:
        submit_review(case, inspector)
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.MODERATION)
    inspection.refresh_from_db()
    for second in SecondReview.objects.exclude(review__case=third):
        second.status, second.agrees = SecondReview.Status.COMPLETED, True
        second.save()
    # Not the lead's to do: it does not hold up the report, nor keep the task
    # list's case file reviews in progress for ever.
    assert inspection_services.publication_blockers(inspection) == []
    progress = review_progress(inspection)
    assert (progress.second_reviews_due, progress.second_reviews_waiting) == (3, 1)
    assert progress.status[0] == "Completed"
    listing = client_for(lead_inspector).get(
        reverse("casefiles:second_review_list", args=[inspection.pk])
    )
    assert "the next lead does this one" in listing.text
    assert "1 more waits for the next lead inspector, as the lead inspector wrote" in listing.text
    page = client_for(lead_inspector).get(third.get_absolute_url()).text
    assert "so it waits for the next lead inspector" in page
    assert "Second-review this case" not in page

    # A new lead is handed it, and it is theirs to do before the report goes.
    new_lead = UserFactory(full_name="Sam Second", role=User.Role.LEAD_INSPECTOR)
    inspection_services.inspection_change_lead(
        inspection=inspection, lead_inspector=new_lead, reason="Lena is ill", by=admin_user
    )
    inspection.refresh_from_db()
    waiting = SecondReview.objects.get(review__case=third)
    assert (waiting.reviewer, waiting.status) == (new_lead, SecondReview.Status.PENDING)
    blockers = inspection_services.publication_blockers(inspection)
    assert "Complete the 1 second review of case file reviews still to do" in blockers
    assert review_progress(inspection).status[0] == "In progress"
    casefile_services.second_review_complete(
        second_review=waiting, agrees=True, rating="", reason="", by=new_lead
    )
    assert inspection_services.publication_blockers(inspection) == []


@pytest.fixture
def one_waiting(inspection, lead_inspector, inspector, moderated):
    """In moderation, three reviews chosen for a second review: the two of
    `moderated` second-reviewed, the third written by the lead (stepping in
    on Ian's case), so its second review waits for the next lead."""
    third = Case.objects.sampled().exclude(pk__in=[c.pk for c in moderated]).first()
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.FIELDWORK)
    Case.objects.filter(pk=third.pk).update(second_review_due=True, reviewer=inspector)
    third.refresh_from_db()
    submit_review(third, lead_inspector)
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.MODERATION)
    inspection.refresh_from_db()
    for second in SecondReview.objects.exclude(review__case=third):
        casefile_services.second_review_complete(
            second_review=second, agrees=True, rating="", reason="", by=lead_inspector
        )
    return third


def test_the_overview_counts_a_second_review_waiting_for_the_next_lead_apart(
    client_for, inspection, lead_inspector, one_waiting
):
    """Found by a review: the overview said '2 of 3 done' for ever, the third
    waiting for a next lead who may never come, while the task list said
    Completed and nothing was left for the lead to do."""
    overview = reverse("casefiles:overview", args=[inspection.pk])
    page = client_for(lead_inspector).get(overview).text
    assert "2 of 2 done so far" in page
    assert "1 more waits for the next lead inspector, as the lead inspector wrote its first" in page
    inspection_services.inspection_send_for_checks(
        inspection=inspection, received_on=timezone.localdate(), by=lead_inspector
    )
    page = client_for(lead_inspector).get(overview).text
    assert "2 of 2 done<br>" in page
    assert "1 more was not done, as the lead inspector wrote its first review" in page


def _second_reviews_line(page: str, key: str) -> str:
    """The words beside `key` in a summary list, tags and spacing dropped."""
    import re

    after = page.split(f'<dt class="govuk-summary-list__key">{key}</dt>', 1)[1]
    value = after.split("</dd>", 1)[0].split(">", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " | ", value).split())


def test_the_overview_and_the_second_review_list_count_second_reviews_alike(
    client_for, inspection, lead_inspector, one_waiting
):
    """Found by a review: for the same inspection the second review list said
    '2 of 3 so far (1 waits for the next lead inspector, ...)' and the
    overview '2 of 2 done, 1 waiting for a new lead inspector': one counted
    the second review that waits for the next lead among those due, the
    other apart. Both now count it apart, as the task list's status and the
    report's blockers do, in the same words (ReviewProgress.
    second_reviews_in_words)."""
    client = client_for(lead_inspector)
    overview = reverse("casefiles:overview", args=[inspection.pk])
    listing = reverse("casefiles:second_review_list", args=[inspection.pk])

    def both() -> tuple[str, str]:
        on_overview = _second_reviews_line(client.get(overview).text, "Second reviews")
        on_list = _second_reviews_line(client.get(listing).text, "Done")
        return on_overview.split(" | Agreement rate", 1)[0], on_list

    expected = (
        "2 of 2 done so far | 1 more waits for the next lead inspector, as the lead "
        "inspector wrote its first review"
    )
    assert both() == (expected, expected)
    inspection_services.inspection_send_for_checks(
        inspection=inspection, received_on=timezone.localdate(), by=lead_inspector
    )
    expected = "2 of 2 done | 1 more was not done, as the lead inspector wrote its first review"
    assert both() == (expected, expected)


def test_figures_say_which_ratings_no_second_review_moderated(
    client_for, inspection, lead_inspector, one_waiting
):
    """Found by a review: the overview's overall ratings 'after second review',
    and the report's annex, counted the rating of a review whose second review
    waits for the next lead as if moderated; they now say how many are the
    first reviewer's alone. Its data gains first_reviewer_only only then."""
    from inspections import reports

    overview = reverse("casefiles:overview", args=[inspection.pk])
    page = client_for(lead_inspector).get(overview).text
    assert (
        "1 of these ratings is the first reviewer’s alone: the case was chosen for a second "
        "review, but the lead inspector wrote its review, so its second review waits for the "
        "next lead inspector." in page
    )
    data = reports.report_data(inspection)
    assert data["case_reviews"].get("first_reviewer_only") == 1
    html = reports.report_html(data)
    assert (
        "One case file chosen for a second review has not had one, as the lead inspector wrote "
        "its review: its rating is the first reviewer’s alone." in html
    )

    inspection_services.inspection_send_for_checks(
        inspection=inspection, received_on=timezone.localdate(), by=lead_inspector
    )
    page = client_for(lead_inspector).get(overview).text
    assert "so its second review was not done." in page

    # Once second-reviewed (set here directly: the case files are closed), it is not.
    SecondReview.objects.filter(review__case=one_waiting).update(
        status=SecondReview.Status.COMPLETED, agrees=True
    )
    assert "first_reviewer_only" not in reports.report_data(inspection)["case_reviews"]
    page = client_for(lead_inspector).get(overview).text
    assert "first reviewer’s alone" not in page


def test_a_second_review_left_waiting_when_the_case_files_closed_stays_not_done_under_a_new_lead(
    client_for, inspection, lead_inspector, admin_user, one_waiting
):
    """Found by a review: a second review left waiting when the case files
    closed counted as waiting only while the lead who wrote its review led
    the inspection. Once an admin changed the lead (which they may until the
    inspection closes) the pages said '2 of 3 done', the task list 'In
    progress' for ever, and the report's data lost the note that the rating
    is the first reviewer's alone, though no one can now do it. And the pages
    said it waited for the next lead, who never could."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from inspections import reports

    inspection_services.inspection_send_for_checks(
        inspection=inspection, received_on=timezone.localdate(), by=lead_inspector
    )
    before = review_progress(inspection)
    new_lead = UserFactory(full_name="Sam Second", role=User.Role.LEAD_INSPECTOR)
    inspection_services.inspection_change_lead(
        inspection=inspection, lead_inspector=new_lead, reason="Lena is ill", by=admin_user
    )
    inspection.refresh_from_db()
    assert review_progress(inspection) == before
    assert before.second_reviews_waiting == 1
    assert reports.report_data(inspection)["case_reviews"].get("first_reviewer_only") == 1
    client = client_for(new_lead)
    overview = client.get(reverse("casefiles:overview", args=[inspection.pk])).text
    listing = client.get(reverse("casefiles:second_review_list", args=[inspection.pk])).text
    expected = "2 of 2 done | 1 more was not done, as the lead inspector wrote its first review"
    assert _second_reviews_line(overview, "Second reviews").startswith(expected)
    assert _second_reviews_line(listing, "Done") == expected
    assert "the next lead does this one" not in listing
    assert "No one second-reviewed it before the case files closed" in listing
    page = client.get(one_waiting.get_absolute_url()).text
    assert "waits for the next lead inspector" not in page
    assert "so no one second-reviewed it before the case files closed" in page
