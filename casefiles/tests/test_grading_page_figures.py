"""The grading page shows each topic's case file review figures."""

from django.urls import reverse

from casefiles.models import Case
from casefiles.tests.factories import submit_review


def test_grading_page_shows_submitted_figures_and_what_is_outstanding(
    client_for, inspection, drawn, inspector
):
    sampled = list(Case.objects.filter(inspection=inspection).sampled().order_by("reference"))
    submit_review(sampled[0], inspector, investigation_rating="inadequate")
    submit_review(sampled[1], inspector, investigation_rating="good")
    url = reverse("inspections:judgment", args=[inspection.pk, "investigation"])
    html = client_for(inspector).get(url).content.decode()
    assert "Case file reviews: investigation" in html
    assert "2 of 9" in html or "7 outstanding" in html or "7 still outstanding" in html
    assert "50%" in html


def test_overview_task_list_has_the_case_file_line(client_for, inspection, drawn, inspector):
    html = client_for(inspector).get(inspection.get_absolute_url()).content.decode()
    assert "Case file reviews" in html
    assert "0 of 9 reviews submitted" in html
