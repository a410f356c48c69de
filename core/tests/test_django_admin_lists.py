"""The Django admin's long lists: staff find a record by its force (found by
the lists review: eight lists of tens of thousands of rows at the national
programme's size had no search box)."""

import pytest

from casefiles.models import Case, CaseReview
from casefiles.tests.factories import InspectionFactory, add_cases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "casefiles/casereview",
        "casefiles/secondreview",
        "casefiles/caselistimport",
        "casefiles/sampledraw",
        "actionplans/actionplan",
        "actionplans/actionplanversion",
        "actionplans/postinspectionvisit",
        "actionplans/calendarfeed",
    ],
)
def test_each_long_list_has_a_search_box(client_for, staff, model):
    response = client_for(staff).get(f"/django-admin/{model}/", {"q": "Cleveland"})
    assert response.status_code == 200
    assert 'id="searchbar"' in response.content.decode()


def test_case_reviews_are_found_by_reference_and_told_apart_by_force(
    client_for, staff, force_a, force_b, lead_inspector
):
    """Case references repeat across inspections: the force narrows them."""
    for force in (force_a, force_b):
        inspection = InspectionFactory(force=force, lead_inspector=lead_inspector)
        add_cases(inspection, {"missing-children": 3})
    for case in Case.objects.all():
        CaseReview.objects.create(case=case)
    reference = Case.objects.filter(inspection__force=force_a).order_by("reference")[0].reference
    client = client_for(staff)

    found = client.get("/django-admin/casefiles/casereview/", {"q": reference}).context["cl"]
    assert found.result_count == Case.objects.filter(reference=reference).count() < 6
    one_force = client.get(
        "/django-admin/casefiles/casereview/",
        {"q": reference, "case__inspection__force__id__exact": force_b.pk},
    ).context["cl"]
    assert [review.case.inspection.force for review in one_force.result_list] == [force_b]
