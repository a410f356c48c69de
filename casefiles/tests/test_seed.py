import io

import pytest
from django.core.management import call_command

from accounts.models import User
from casefiles.models import Case, CaseReview, SampleDraw, SecondReview
from casefiles.seed import seed
from core.models import AuditEvent
from inspections.models import Inspection

from .factories import InspectionFactory

pytestmark = pytest.mark.django_db


def counts() -> tuple:
    return tuple(
        model.objects.count() for model in (Case, SampleDraw, CaseReview, SecondReview, AuditEvent)
    )


def test_with_no_demo_inspection_it_creates_nothing():
    out = io.StringIO()
    seed(out)
    assert counts() == (0, 0, 0, 0, 0)
    assert "no demo inspections yet" in out.getvalue()


def test_it_seeds_each_demo_inspection_once(force_a, settings):
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "SECOND_REVIEW_SHARE": 0.25}
    call_command("seed_demo", stdout=io.StringIO())
    lead = User.objects.get(email="lead.inspector@example.org")
    inspector = User.objects.get(email="inspector@example.org")
    inspection = InspectionFactory(
        force=force_a, lead_inspector=lead, team=[inspector], stage=Inspection.Stage.MODERATION
    )
    seed(io.StringIO())
    first = counts()
    assert Case.objects.filter(inspection=inspection).count() == 190
    assert Case.objects.sampled().count() == 48
    statuses = set(CaseReview.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted"}
    assert SecondReview.objects.filter(status="completed").exists()
    assert Case.objects.filter(reviewer=inspector).exists()
    seed(io.StringIO())
    assert counts() == first
