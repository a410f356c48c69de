import io

import pytest
from django.core.management import call_command

from casefiles.models import Case, CaseReview, SampleDraw, SecondReview
from casefiles.seed import seed
from core.models import AuditEvent
from inspections.models import Inspection

pytestmark = pytest.mark.django_db


def counts() -> tuple:
    return tuple(
        model.objects.count() for model in (Case, SampleDraw, CaseReview, SecondReview, AuditEvent)
    )


def test_with_no_demo_inspection_it_creates_nothing(db):
    out = io.StringIO()
    seed(out)
    assert counts() == (0, 0, 0, 0, 0)
    assert "no demo inspections yet" in out.getvalue()


def test_it_seeds_each_demo_inspection_once(settings):
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "SECOND_REVIEW_SHARE": 0.25}
    # Runs the inspections seed, then ours.
    call_command("seed_demo", force=True, stdout=io.StringIO())
    first = counts()
    demo = Inspection.objects.filter(lead_inspector__email="lead.inspector@example.org")
    seeded = demo.exclude(stage=Inspection.Stage.PLANNED)
    assert seeded.exists()
    for inspection in seeded:
        assert inspection.cases.count() == 190
        assert inspection.cases.sampled().count() == 48
        assert inspection.cases.filter(reviewer__email="inspector@example.org").exists()
    assert not Case.objects.filter(inspection__stage=Inspection.Stage.PLANNED).exists()
    in_fieldwork = seeded.get(stage=Inspection.Stage.FIELDWORK)
    statuses = set(
        CaseReview.objects.filter(case__inspection=in_fieldwork).values_list("status", flat=True)
    )
    assert statuses == {"draft", "submitted"}
    assert SecondReview.objects.filter(
        review__case__inspection=in_fieldwork, status="pending"
    ).exists()
    finished = seeded.get(stage=Inspection.Stage.MODERATION)
    assert not CaseReview.objects.filter(case__inspection=finished, status="draft").exists()
    assert SecondReview.objects.filter(review__case__inspection=finished, agrees=False).exists()
    assert not SecondReview.objects.filter(
        review__case__inspection=finished, status="pending"
    ).exists()

    seed(io.StringIO())
    call_command("seed_demo", force=True, stdout=io.StringIO())
    assert counts() == first
