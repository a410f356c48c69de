"""A force's page: its inspection history, grades over time and recommendations."""

from datetime import date

import pytest
from django.urls import reverse

from dashboard.tests.factories import history
from inspections.models import Inspection
from inspections.tests.report_factories import RECOMMENDATIONS, report_inspection

pytestmark = pytest.mark.django_db
Stage = Inspection.Stage


@pytest.fixture
def two_inspections(force_a, lead_inspector, inspector, admin_user):
    """Force A: one published in 2022, one now at `stage`."""

    def make(stage):
        people = {"force": force_a, "lead": lead_inspector, "inspector": inspector}
        old = report_inspection(**people, admin=admin_user, start=date(2022, 3, 7))
        new = report_inspection(**people, admin=admin_user, stage=stage, start=date(2026, 3, 2))
        return old, new

    return make


def page(client, force):
    return client.get(reverse("forces:detail", args=[force.slug]))


def test_force_lead_sees_published_grades_but_not_moderation_ones(
    client_for, force_lead_a, force_a, two_inspections
):
    old, new = two_inspections(Stage.MODERATION)
    response = page(client_for(force_lead_a), force_a)
    rows = {row.inspection: row for row in response.context["history"]["rows"]}
    assert rows[old].grades == [
        "outstanding",
        "good",
        "requires_improvement",
        "adequate",
        "inadequate",
    ]
    assert rows[new].grades is None
    # Not "when the report is published": the force sees them, as drafts, sooner.
    assert "Grades are shown when your force receives the draft report" in response.text
    assert "Grades are shown when the report is published" not in response.text
    texts = [r.text for r in response.context["history"]["recommendations"]]
    assert texts == RECOMMENDATIONS
    assert "(draft)" not in response.text


def test_force_lead_sees_their_draft_grades_at_pre_publication(
    client_for, force_lead_a, force_a, two_inspections
):
    old, new = two_inspections(Stage.PRE_PUBLICATION)
    response = page(client_for(force_lead_a), force_a)
    rows = {row.inspection: row for row in response.context["history"]["rows"]}
    assert rows[new].grades is not None and rows[new].is_draft
    assert "(draft)" in response.text
    statuses = [r.status for r in response.context["history"]["recommendations"]]
    assert statuses == ["Draft", "Draft", "No response yet", "No response yet"]
    # The chart shows published grades only: one column per topic chart.
    assert len(response.context["history"]["charts"]) == 5
    assert response.text.count("<svg") == 5


def test_force_lead_never_sees_another_force(client_for, force_lead_b, force_a, two_inspections):
    two_inspections(Stage.PUBLISHED)
    assert page(client_for(force_lead_b), force_a).status_code == 404


def test_inspector_off_the_team_sees_published_grades_only(
    client_for, other_inspector, force_a, two_inspections
):
    old, new = two_inspections(Stage.PRE_PUBLICATION)
    rows = page(client_for(other_inspector), force_a).context["history"]["rows"]
    shown = {row.inspection: row.grades is not None for row in rows}
    assert shown == {old: True, new: False}
    assert not [row for row in rows if row.inspection == new][0].can_open
    text = page(client_for(other_inspector), force_a).text
    assert "Grades are shown when the report is published" in text


def test_chart_has_a_text_alternative(client_for, admin_user, force_a, two_inspections):
    two_inspections(Stage.PUBLISHED)
    response = page(client_for(admin_user), force_a)
    chart = str(response.context["history"]["charts"][0]["svg"])
    assert "Leadership grades over time" in chart
    assert "Mar 2022: Outstanding, Mar 2026: Outstanding" in chart


def test_force_page_queries_stay_flat_with_ten_years(
    client_for, admin_user, lead_inspector, force_a, django_assert_max_num_queries
):
    history([force_a], lead=lead_inspector, today=date(2026, 11, 25), years=10)
    client = client_for(admin_user)
    with django_assert_max_num_queries(10):
        assert page(client, force_a).status_code == 200


def test_recommendation_status_follows_the_forces_latest_plan(
    client_for, force_lead_a, force_a, two_inspections
):
    from actionplans.models import PlanResponse
    from actionplans.tests.factories import submitted_plan

    old, new = two_inspections(Stage.PUBLISHED)
    submitted_plan(new, by=force_lead_a)  # every response "In progress"
    response = page(client_for(force_lead_a), force_a)
    statuses = [(r.inspection, r.status) for r in response.context["history"]["recommendations"]]
    assert statuses == [
        (new, "In progress"),
        (new, "In progress"),
        (old, "No response yet"),
        (old, "No response yet"),
    ]
    assert PlanResponse.Status.IN_PROGRESS.label in response.text


def test_recommendations_are_paged_by_inspection_newest_first(
    client_for, admin_user, lead_inspector, force_a
):
    inspections = history([force_a], lead=lead_inspector, today=date(2026, 11, 25), years=10)
    published = sorted(
        (i for i in inspections if i.published_on), key=lambda i: i.fieldwork_start, reverse=True
    )
    assert len(published) == 4
    client = client_for(admin_user)
    url = reverse("forces:detail", args=[force_a.slug])
    first = client.get(url)
    assert [r.inspection for r in first.context["history"]["recommendations"]] == published[:2]
    assert "page 1 of 2" in first.text
    assert 'href="?page=2"' in first.text
    second = client.get(url, {"page": "2"})
    assert [r.inspection for r in second.context["history"]["recommendations"]] == published[2:]
    # Each inspection keeps its report's numbering.
    assert [r.number for r in second.context["history"]["recommendations"]] == [1, 1]
    # Nonsense falls back to a page that exists, not an error.
    assert client.get(url, {"page": "zebra"}).status_code == 200
    assert client.get(url, {"page": "99"}).context["history"]["recommendation_page"].number == 2


def test_a_long_history_shows_the_newest_ten_until_all_are_asked_for(
    client_for, admin_user, lead_inspector, force_a, django_assert_max_num_queries
):
    inspections = history([force_a], lead=lead_inspector, today=date(2026, 11, 25), years=36)
    assert len(inspections) == 13
    newest = sorted(inspections, key=lambda i: i.fieldwork_start)[-10:]
    client = client_for(admin_user)
    url = reverse("forces:detail", args=[force_a.slug])
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert [row.inspection for row in response.context["history"]["rows"]] == newest
    assert "The 10 most recent of 13 inspections" in response.text
    assert 'href="?history=all"' in response.text
    # Four columns at most: more labels would not fit the chart's 300 pixels.
    assert str(response.context["history"]["charts"][0]["svg"]).count("<rect") == 4

    everything = client.get(url, {"history": "all"})
    assert len(everything.context["history"]["rows"]) == 13
    assert "All 13 inspections" in everything.text


def test_each_inspection_link_says_which_inspection_it_opens(
    client_for, admin_user, force_a, two_inspections
):
    """Found by a screenshot sweep: every row's link read only "Inspection"."""
    old, new = two_inspections(Stage.PUBLISHED)
    html = page(client_for(admin_user), force_a).text
    for inspection in (old, new):
        day = f"{inspection.fieldwork_start.day} {inspection.fieldwork_start:%B %Y}"
        hidden = f'<span class="govuk-visually-hidden">, fieldwork {day}</span></a>'
        assert f'href="{inspection.get_absolute_url()}">Inspection{hidden}' in html


def test_a_returned_versions_statuses_do_not_count(
    client_for, force_lead_a, lead_inspector, force_a, two_inspections
):
    """Found by a review: the force page showed 'Complete' from an updated
    action plan the lead inspector had returned."""
    from actionplans import services
    from actionplans.models import ActionPlan, PlanResponse
    from actionplans.tests.factories import submitted_plan

    old, new = two_inspections(Stage.PUBLISHED)
    _, first = submitted_plan(new, by=force_lead_a)  # every response "In progress"
    services.action_plan_version_accept(version=first, by=lead_inspector)
    _, updated = submitted_plan(new, by=force_lead_a, kind=ActionPlan.Kind.UPDATED_ACTION_PLAN)
    PlanResponse.objects.filter(version=updated).update(status=PlanResponse.Status.COMPLETE)

    def statuses():
        history = page(client_for(force_lead_a), force_a).context["history"]
        return [r.status for r in history["recommendations"] if r.inspection == new]

    assert statuses() == ["Complete", "Complete"]  # sent in, not yet reviewed
    services.action_plan_version_return(version=updated, by=lead_inspector, comment="Evidence?")
    assert statuses() == ["In progress", "In progress"]
