"""Reviewing a sampled case: drafts, submission, the lock, and second review."""

import pytest
from django.core.exceptions import ValidationError

from casefiles import services
from casefiles.models import Case, CaseReview, SecondReview, TopicAssessment
from core.models import AuditEvent

from .factories import COMPLETE_ANSWERS, submit_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(inspection, drawn, inspector):
    case = Case.objects.sampled().order_by("reference").first()
    services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=inspector
    )
    case.refresh_from_db()
    return case


def test_a_draft_may_be_incomplete(case, inspector):
    review = services.case_review_save(
        case=case, answers={"overall_rating": "good", "notes": "Half way"}, by=inspector
    )
    assert review.status == CaseReview.Status.DRAFT
    assert review.notes == "Half way"
    assert TopicAssessment.objects.filter(review=review).count() == 4
    assert AuditEvent.objects.filter(action="case_review.saved").exists()


def test_a_review_saved_empty_is_recorded_once_with_no_change_of_nothing(case, inspector):
    # Found by a review: the timeline said "Rating: (none) → (none)".
    empty = dict.fromkeys(COMPLETE_ANSWERS, "")  # as the form posts it
    services.case_review_save(case=case, answers=empty, by=inspector)
    (started,) = AuditEvent.objects.filter(action="case_review.saved")
    assert started.changes in (None, {})
    services.case_review_save(case=case, answers=empty, by=inspector)
    assert AuditEvent.objects.filter(action="case_review.saved").count() == 1


def test_an_incomplete_review_cannot_be_submitted(case, inspector):
    review = services.case_review_save(case=case, answers={"overall_rating": "good"}, by=inspector)
    with pytest.raises(ValidationError) as caught:
        services.case_review_submit(review=review, by=inspector)
    assert "Select a rating for initial response, or select not relevant" in caught.value.messages
    review.refresh_from_db()
    assert review.status == CaseReview.Status.DRAFT


def test_a_rated_topic_needs_an_observation():
    missing = services.review_missing_answers({**COMPLETE_ANSWERS, "investigation_observation": ""})
    assert missing == {
        "investigation_observation": "Enter an observation on investigation, or select not relevant"
    }


def test_a_submitted_review_is_locked(case, inspector):
    submit_review(case, inspector)
    review = CaseReview.objects.get(case=case)
    assert review.status == CaseReview.Status.SUBMITTED
    assert review.submitted_by == inspector and review.submitted_at
    # Refused as a state, not a permission: a second click or a stale tab gets
    # a message, not a 403 page.
    with pytest.raises(ValidationError, match="has been submitted"):
        services.case_review_save(case=case, answers=COMPLETE_ANSWERS, by=inspector)
    with pytest.raises(ValidationError, match="already been submitted"):
        services.case_review_submit(review=review, by=inspector)


def test_a_case_chosen_at_the_draw_goes_to_the_lead_once_submitted(case, inspector, lead_inspector):
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, inspector)
    second = SecondReview.objects.get(review__case=case)
    assert second.reviewer == lead_inspector
    assert second.status == SecondReview.Status.PENDING


def test_a_case_not_chosen_gets_no_second_review(case, inspector):
    Case.objects.filter(pk=case.pk).update(second_review_due=False)
    case.refresh_from_db()
    submit_review(case, inspector)
    assert not SecondReview.objects.exists()


@pytest.fixture
def second(case, inspector):
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, inspector, overall_rating="good")
    return SecondReview.objects.get()


def test_the_lead_can_agree(second, lead_inspector):
    # An agreement beside a different rating, or a reason for disagreeing,
    # says both: refused, not saved as an agreement with the rest dropped.
    with pytest.raises(ValidationError) as caught:
        services.second_review_complete(
            second_review=second, agrees=True, rating="inadequate", reason="Why", by=lead_inspector
        )
    assert set(caught.value.message_dict) == {"rating", "reason"}
    services.second_review_complete(
        second_review=second, agrees=True, rating="good", reason="", by=lead_inspector
    )
    second.refresh_from_db()
    assert (second.agrees, second.rating, second.reason) == (True, "", "")
    assert second.status == SecondReview.Status.COMPLETED


def test_a_different_rating_needs_a_reason_and_a_different_rating(second, lead_inspector):
    with pytest.raises(ValidationError) as caught:
        services.second_review_complete(
            second_review=second, agrees=False, rating="good", reason="", by=lead_inspector
        )
    assert set(caught.value.message_dict) == {"rating", "reason"}
    with pytest.raises(ValidationError) as caught:
        services.second_review_complete(
            second_review=second, agrees=False, rating="", reason="Why", by=lead_inspector
        )
    assert caught.value.message_dict == {"rating": ["Select your rating for the case"]}
    services.second_review_complete(
        second_review=second,
        agrees=False,
        rating="requires_improvement",
        reason="Risk was not reassessed.",
        by=lead_inspector,
    )
    second.refresh_from_db()
    assert (second.agrees, second.rating) == (False, "requires_improvement")
    event = AuditEvent.objects.get(action="second_review.completed")
    assert event.changes == {"rating": ["good", "requires_improvement"]}


def test_a_second_review_is_recorded_once(second, lead_inspector):
    services.second_review_complete(
        second_review=second, agrees=True, rating="", reason="", by=lead_inspector
    )
    with pytest.raises(ValidationError, match="already been recorded"):
        services.second_review_complete(
            second_review=second, agrees=True, rating="", reason="", by=lead_inspector
        )


def test_a_review_the_lead_wrote_gets_no_second_review_by_the_lead(case, lead_inspector):
    """Found by review: the lead stepped in to write a review chosen for a
    second review, then agreed with it, counting towards the agreement rate.
    Its second review waits for a next lead (test_closing): it was not made
    at all, which asserted here that none existed."""
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, lead_inspector, overall_rating="good")
    second = SecondReview.objects.get()
    with pytest.raises(ValidationError, match="you cannot second-review it"):
        services.second_review_complete(
            second_review=second, agrees=True, rating="", reason="", by=lead_inspector
        )
    second.refresh_from_db()
    assert second.status == SecondReview.Status.PENDING


def test_the_lead_cannot_complete_a_second_review_of_their_own_review(
    case, inspector, lead_inspector
):
    # A second review made before the lead's own submission was refused.
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, inspector, overall_rating="good")
    CaseReview.objects.filter(case=case).update(submitted_by=lead_inspector)
    second = SecondReview.objects.get()
    with pytest.raises(ValidationError, match="you cannot second-review it"):
        services.second_review_complete(
            second_review=second, agrees=True, rating="", reason="", by=lead_inspector
        )
    second.refresh_from_db()
    assert not second.is_completed


def test_an_agreement_is_recorded_as_one_not_as_a_rating_changed_to_itself(second, lead_inspector):
    """Found by the audit completeness review: the lead's agreement was
    recorded as "Rating: Good → Good", the first rating as both before and
    after, and nothing on the record said the lead agreed."""
    services.second_review_complete(
        second_review=second, agrees=True, rating="", reason="", by=lead_inspector
    )
    event = AuditEvent.objects.get(action="second_review.completed")
    assert event.actor == lead_inspector
    assert event.changes == {"agrees_with_first_reviewer": [None, True]}
