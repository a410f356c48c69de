"""Closing the case files: the draft report goes to the force for
pre-publication checks, and the case review figures are fixed from then on."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casefiles.models import Case, SecondReview
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
