"""Hostile and random input into every case file form: never a 500, never
half-saved, always escaped. 200 examples per form."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefiles.forms import CaseReviewForm
from casefiles.models import Case, CaseCategory, SampleDraw
from core.models import AuditEvent
from tests.hostile import form_data

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def foreign(force_lead_b, other_inspector):
    """Identifiers from outside this inspection, to smuggle in."""
    return st.sampled_from([str(force_lead_b.pk), str(other_inspector.pk)])


def _check(client, url, data):
    audit_before = AuditEvent.objects.count()
    draws_before = SampleDraw.objects.count()
    response = client.post(url, data)
    assert response.status_code in (200, 302, 403, 404), response.status_code
    if response.status_code != 302:
        assert AuditEvent.objects.count() == audit_before, "a refused form stored something"
        assert SampleDraw.objects.count() == draws_before
    if response.status_code == 200:
        assert "<script>alert(1)</script>" not in response.content.decode()


def _run(client, url, fields, extra=None):
    @EXAMPLES
    @given(data=form_data(fields, extra or {}))
    def check(data):
        _check(client, url, data)

    check()


def _url(name, inspection, **kwargs):
    return reverse(f"casefiles:{name}", kwargs={"inspection_id": inspection.pk, **kwargs})


def test_sample_draw_form(client_for, inspection, case_list, inspector):
    sizes = [f"size_{c.slug}" for c in CaseCategory.objects.all()]
    sizes_strategy = {name: st.integers(-5, 50).map(str) for name in sizes}
    _run(
        client_for(inspector),
        _url("sample_draw", inspection),
        [*sizes, "seed", "reason"],
        sizes_strategy,
    )


def test_bulk_assign_form(client_for, inspection, drawn, lead_inspector, foreign):
    _run(
        client_for(lead_inspector),
        _url("sample", inspection),
        ["cases", "reviewer"],
        {"reviewer": foreign, "cases": foreign},
    )


def test_review_form(client_for, inspection, drawn, lead_inspector):
    case = Case.objects.filter(inspection=inspection).sampled().order_by("reference").first()
    fields = (
        list(CaseReviewForm(topics=None).fields)
        if False
        else [
            "overall_rating",
            "notes",
            "initial_response_rating",
            "initial_response_observation",
            "child_voice_recorded",
            CaseReviewForm.CONTINUE,
        ]
    )
    _run(client_for(lead_inspector), _url("review_edit", inspection, case_id=case.pk), fields)


def test_category_form(client_for, admin_user):
    _run(client_for(admin_user), reverse("casefiles:category_add"), ["name", "is_active"])
