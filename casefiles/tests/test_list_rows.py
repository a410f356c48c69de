"""What each row of the sample and of the review list shows.

The rows are worked out in the view from values() (links, date, status tag,
rating), not from model instances in the template: these pin what they say.
"""

import re

import pytest
from django.urls import reverse

from casefiles.models import Case, CaseReview

from .factories import submit_review

pytestmark = pytest.mark.django_db


def row_of(html: str, reference: str) -> str:
    """The table row that shows this case reference."""
    for row in re.findall(r"<tr class=\"govuk-table__row\">.*?</tr>", html, re.S):
        if f">{reference}</a>" in row:
            return row
    raise AssertionError(f"no row for {reference}")


@pytest.fixture
def three(drawn, inspection, inspector, lead_inspector):
    """Three sampled cases: submitted (rated inadequate), in draft, not started."""
    submitted, draft, untouched = Case.objects.sampled().filter(inspection=inspection)[:3]
    Case.objects.filter(pk__in=[submitted.pk, draft.pk]).update(reviewer=inspector)
    submitted.refresh_from_db()
    submit_review(submitted, inspector, overall_rating="inadequate")
    CaseReview.objects.create(case=draft, overall_rating="good")
    return submitted, draft, untouched


def test_sample_rows(client_for, inspection, lead_inspector, three):
    submitted, draft, untouched = three
    html = (
        client_for(lead_inspector)
        .get(reverse("casefiles:sample", args=[inspection.pk]))
        .content.decode()
    )

    row = row_of(html, submitted.reference)
    detail = reverse("casefiles:case_detail", args=[inspection.pk, submitted.pk])
    assign = reverse("casefiles:case_assign", args=[inspection.pk, submitted.pk])
    # A submitted review keeps its reviewer: no link to change it.
    assert f'href="{detail}"' in row and f'href="{assign}"' not in row
    assert f'value="{submitted.pk}"' in row
    assert f"{submitted.recorded_on.day} {submitted.recorded_on:%B %Y}" in row
    assert "Ian Inspector" in row and "Change<span" not in row
    assert "govuk-tag--green" in row and "Submitted" in row

    row = row_of(html, draft.reference)
    assert "In progress" in row and "govuk-tag--light-blue" in row
    assign = reverse("casefiles:case_assign", args=[inspection.pk, draft.pk])
    assert f'href="{assign}"' in row and "Change<span" in row
    # Reviews have started: the sample cannot be drawn again, and the page says so.
    assert "Draw the sample again" not in html
    assert "Reviews of this sample have started, so it cannot be drawn again" in html

    row = row_of(html, untouched.reference)
    assert "Not assigned" in row and "Assign<span" in row and "Not started" in row
    # The reviewers the cases can be given to: the team's inspectors, by name.
    assert re.search(r'<option value="[0-9a-f-]{36}">Ian Inspector</option>', html)
    assert "Cases 1 to 9 of 9" in html


def test_review_list_rows(client_for, inspection, inspector, lead_inspector, three):
    submitted, draft, untouched = three
    html = (
        client_for(lead_inspector)
        .get(reverse("casefiles:review_list", args=[inspection.pk]))
        .content.decode()
    )
    assert "1 of 9 reviews submitted, 1 in progress, 7 not started." in html
    assert "Sampled cases: 1 to 9 of 9" in html

    row = row_of(html, submitted.reference)
    detail = reverse("casefiles:case_detail", args=[inspection.pk, submitted.pk])
    assert f'href="{detail}"' in row
    assert "Ian Inspector" in row and "Submitted" in row and "Inadequate" in row
    # A draft's rating is not shown until the review is submitted.
    row = row_of(html, draft.reference)
    assert "In progress" in row and "Good" not in row
    row = row_of(html, untouched.reference)
    assert "Not assigned" in row and "Not started" in row

    html = (
        client_for(inspector)
        .get(reverse("casefiles:review_list", args=[inspection.pk]), {"show": "mine"})
        .content.decode()
    )
    assert "Cases assigned to you: 1 to 2 of 2" in html
    assert untouched.reference not in html


def test_review_list_shows_the_rating_after_second_review(
    client_for, inspection, inspector, lead_inspector, three
):
    from casefiles import services
    from casefiles.models import SecondReview

    submitted, _, _ = three
    second = SecondReview.objects.create(review=submitted.review, reviewer=lead_inspector)
    services.second_review_complete(
        second_review=second, agrees=False, rating="good", reason="Well handled.", by=lead_inspector
    )
    html = (
        client_for(lead_inspector)
        .get(reverse("casefiles:review_list", args=[inspection.pk]))
        .content.decode()
    )
    # The figures count the case as good: so does the list, and it says why.
    row = row_of(html, submitted.reference)
    assert '<td class="govuk-table__cell">Good' in row
    assert "Changed at second review from inadequate" in row
    assert services.case_review_figures(inspection).overall.good == 1


def test_the_sample_totals_its_submitted_reviews_as_the_review_list_counts_them(
    client_for, inspection, lead_inspector, three
):
    html = (
        client_for(lead_inspector)
        .get(reverse("casefiles:sample", args=[inspection.pk]))
        .content.decode()
    )
    total = re.search(r"All categories</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<strong>([^<]*)</strong>", total)
    # 60 cases in the list, 9 in the sample, 1 review submitted (as "1 of 9
    # reviews submitted" on the review list); the last cell was left empty.
    assert cells == ["60", "9", "1"]
