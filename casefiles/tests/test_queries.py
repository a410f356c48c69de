"""List pages run the same number of queries for 10 sampled cases or 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefiles import services
from casefiles.models import Case, CaseReview, SecondReview

from .factories import add_cases

pytestmark = pytest.mark.django_db

PAGES = ["sample", "review_list", "second_review_list", "case_list", "overview"]


def sample_of(inspection, size: int, inspector, lead_inspector) -> None:
    add_cases(inspection, {"missing-children": size, "children-in-custody": size})
    services.sample_draw(
        inspection=inspection,
        sizes={"missing-children": size, "children-in-custody": size},
        seed=5,
        reason="",
        by=inspector,
    )
    cases = list(Case.objects.sampled().filter(inspection=inspection))
    Case.objects.filter(pk__in=[c.pk for c in cases[::2]]).update(reviewer=inspector)
    reviews = CaseReview.objects.bulk_create(
        CaseReview(case=case, status=CaseReview.Status.SUBMITTED, overall_rating="good")
        for case in cases[::3]
    )
    SecondReview.objects.bulk_create(
        SecondReview(review=review, reviewer=lead_inspector) for review in reviews[::2]
    )


def queries(client, name, inspection) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(f"casefiles:{name}", args=[inspection.pk]), {"page": 2})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_do_not_grow_with_the_sample(
    name, client_for, inspection, inspector, lead_inspector, force_b, django_assert_max_num_queries
):
    from .factories import InspectionFactory

    big = InspectionFactory(force=force_b, lead_inspector=lead_inspector, team=[inspector])
    sample_of(inspection, 5, inspector, lead_inspector)
    sample_of(big, 500, inspector, lead_inspector)
    client = client_for(lead_inspector)
    small_count = queries(client, name, inspection)
    assert queries(client, name, big) == small_count, small_count
    with django_assert_max_num_queries(14):
        client.get(reverse(f"casefiles:{name}", args=[big.pk]))


def test_long_lists_are_paginated(client_for, inspection, inspector, lead_inspector):
    sample_of(inspection, 60, inspector, lead_inspector)
    response = client_for(inspector).get(reverse("casefiles:sample", args=[inspection.pk]))
    html = response.content.decode()
    assert len(response.context["page"]) == 50
    assert 'class="govuk-pagination"' in html and 'aria-label="Page 3"' in html
    response = client_for(inspector).get(
        reverse("casefiles:review_list", args=[inspection.pk]), {"page": 3, "show": "all"}
    )
    assert len(response.context["page"]) == 20
    assert "?page=2&amp;show=all" in response.content.decode()
