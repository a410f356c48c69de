"""Reviews the lead wrote, of cases chosen for a second review, submitted
before such a review waited for the next lead: they were given no second
review at all, and migration 0007 gives them the one they would have now."""

import importlib

from django.apps import apps

from casefiles import services
from casefiles.models import Case, CaseReview, SecondReview
from casefiles.selectors import review_progress
from inspections.models import Inspection

from .factories import InspectionFactory, add_cases, submit_review

migration = importlib.import_module("casefiles.migrations.0007_lead_written_reviews_wait")


def chosen_and_written_by_the_lead(inspection, lead_inspector) -> CaseReview:
    """A sampled case chosen for a second review, its review submitted by the
    lead as it was before: with no second review."""
    case = Case.objects.sampled().filter(inspection=inspection).first()
    Case.objects.filter(pk=case.pk).update(second_review_due=True)
    case.refresh_from_db()
    submit_review(case, lead_inspector)
    SecondReview.objects.filter(review__case=case).delete()  # as the old code left it
    return CaseReview.objects.get(case=case)


def test_a_review_the_lead_wrote_before_gets_the_second_review_that_waits(
    inspection, drawn, lead_inspector, force_b
):
    review = chosen_and_written_by_the_lead(inspection, lead_inspector)
    assert review_progress(inspection).second_reviews_due == 0  # escaped for good

    closed = InspectionFactory(force=force_b, lead_inspector=lead_inspector)
    add_cases(closed, {"child-exploitation": 4})
    services.sample_draw(
        inspection=closed, sizes={"child-exploitation": 2}, seed=1, reason="", by=lead_inspector
    )
    published = chosen_and_written_by_the_lead(closed, lead_inspector)
    Inspection.objects.filter(pk=closed.pk).update(stage=Inspection.Stage.PUBLISHED)

    migration.forwards(apps, None)

    second = SecondReview.objects.get(review=review)
    assert (second.status, second.reviewer) == (SecondReview.Status.PENDING, lead_inspector)
    progress = review_progress(inspection)
    assert (progress.second_reviews_due, progress.second_reviews_waiting) == (1, 1)
    # Case files closed: their figures stand as they went out.
    assert not SecondReview.objects.filter(review=published).exists()

    migration.forwards(apps, None)  # run again: nothing more
    assert SecondReview.objects.filter(review=review).count() == 1
