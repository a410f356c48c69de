"""The programme dashboard: who sees it, what it shows, and at what cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.tests.factories import history
from forces.models import Force
from inspections.models import Inspection

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard")


def test_admin_and_inspectors_see_the_dashboard(client_for, admin_user, inspector, today):
    for user in (admin_user, inspector):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        assert "Latest published grades" in response.text


def test_force_lead_gets_404(client_for, force_lead_a):
    assert client_for(force_lead_a).get(URL).status_code == 404


def test_matrix_writes_each_latest_published_grade(client_for, admin_user, lead_inspector, today):
    merseyside = Force.objects.get(slug="merseyside")
    history([merseyside], lead=lead_inspector, today=today)
    response = client_for(admin_user).get(URL)
    row = next(r for r in response.context["picture"].rows if r.force == merseyside)
    latest = Inspection.objects.filter(force=merseyside, published_on__isnull=False).first()
    # The row holds a plain summary of the inspection (programme.InspectionSummary).
    assert row.inspection.pk == latest.pk
    assert row.inspection.published_on == latest.published_on
    assert row.grades == [j.grade for j in latest.judgments.order_by("position")]
    # Open: published and follow-up inspections; the closed ones are not counted.
    assert (row.open_concerns, row.open_afis) == (2, 2)
    assert "Requires improvement" in response.text or "Inadequate" in response.text


def test_filter_by_country_shows_the_four_welsh_forces(client_for, admin_user, today):
    response = client_for(admin_user).get(URL, {"country": "wales"})
    names = [row.force.short_name for row in response.context["picture"].rows]
    assert names == ["Dyfed-Powys", "Gwent", "North Wales", "South Wales"]
    assert "4 forces." in response.text


def test_filter_by_region(client_for, admin_user, today):
    response = client_for(admin_user).get(URL, {"region": "london"})
    names = {row.force.short_name for row in response.context["picture"].rows}
    assert names == {"City of London", "Metropolitan"}


def test_action_plans_due_and_overdue(client_for, admin_user, lead_inspector, today):
    kent, essex = Force.objects.get(slug="kent"), Force.objects.get(slug="essex")
    history([kent], lead=lead_inspector, today=today)  # updated plan long overdue
    Inspection.objects.create(
        force=essex,
        stage=Inspection.Stage.PRE_PUBLICATION,
        fieldwork_start=today - timedelta(days=60),
        fieldwork_end=today - timedelta(days=56),
        lead_inspector=lead_inspector,
        received_for_checks_on=today - timedelta(days=18),
        action_plan_due_on=today + timedelta(days=10),
    )
    picture = client_for(admin_user).get(URL).context["picture"]
    assert [(d.force, d.what) for d in picture.overdue] == [(kent, "Updated action plan")]
    assert [(d.force, d.what, d.days) for d in picture.due_soon] == [(essex, "Action plan", 10)]


def test_commissioners_responses_overdue_are_listed_until_recorded(
    client_for, admin_user, lead_inspector, today
):
    from actionplans.pcc_response import pcc_response_record

    kent = Force.objects.get(slug="kent")
    history([kent], lead=lead_inspector, today=today)
    # Published and in follow-up: both past due, neither recorded. Closed: not chased.
    followed = Inspection.objects.filter(
        force=kent, stage__in=[Inspection.Stage.PUBLISHED, Inspection.Stage.FOLLOW_UP]
    ).order_by("pcc_response_due_on")
    client = client_for(admin_user)
    picture = client.get(URL).context["picture"]
    assert [(d.inspection.pk, d.what) for d in picture.pcc_overdue] == [
        (inspection.pk, "Police and crime commissioner’s response") for inspection in followed
    ]
    oldest = followed.first()
    pcc_response_record(inspection=oldest, published_on=oldest.pcc_response_due_on, by=admin_user)
    response = client.get(URL)
    assert [d.inspection.pk for d in response.context["picture"].pcc_overdue] == [
        followed.last().pk
    ]
    section = response.text.split('id="pcc-responses"')[1].split("<h2")[0]
    assert f'href="/inspections/{followed.last().pk}/follow-up/#pcc-response"' in section
    assert "Overdue" in section and "Kent" in section


def test_no_commissioners_response_overdue_says_so(client_for, admin_user, today):
    text = client_for(admin_user).get(URL).text
    assert "No police and crime commissioner’s response is overdue." in text


def test_a_deadline_links_to_its_inspection_only_for_those_who_may_open_it(
    client_for, admin_user, lead_inspector, other_inspector, today
):
    """Found by review: every inspector sees the dashboard, but may open only
    the inspections whose team they are on; the others' links were 404s."""
    kent = Force.objects.get(slug="kent")
    history([kent], lead=lead_inspector, today=today)
    overdue = Inspection.objects.filter(force=kent, published_on__isnull=False).first()
    # The deadline links to the plan, which only those who may open the inspection can.
    inspection_link = f'href="{overdue.get_absolute_url()}action-plans/'
    for user in (admin_user, lead_inspector):
        assert inspection_link in client_for(user).get(URL).text
    outsider = client_for(other_inspector)
    page = outsider.get(URL).text
    assert inspection_link not in page
    assert f'href="{kent.get_absolute_url()}">Kent</a></th>' in page
    assert outsider.get(kent.get_absolute_url()).status_code == 200


def test_visits_in_the_coming_quarter_are_drawn_and_tabled(
    client_for, admin_user, lead_inspector, today
):
    gwent = Force.objects.get(slug="gwent")
    history([gwent], lead=lead_inspector, today=today)
    response = client_for(admin_user).get(URL)
    visits = response.context["picture"].visits
    assert [(v.force, v.start) for v in visits] == [(gwent, today + timedelta(days=30))]
    assert "<svg" in response.text and 'role="img"' in response.text
    assert "Fieldwork and post-inspection visits from 25 November 2026" in response.text


def test_forces_due_for_inspection_come_from_the_programme(
    client_for, admin_user, lead_inspector, today
):
    history([Force.objects.get(slug="kent")], lead=lead_inspector, today=today)
    picture = client_for(admin_user).get(URL).context["picture"]
    due = {row.force.slug for row in picture.forces_due}
    assert "kent" not in due and len(due) == 42


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_one_force_or_43_with_ten_years(
    client_for, admin_user, lead_inspector, today
):
    client = client_for(admin_user)
    forces = list(Force.objects.order_by("short_name"))
    history(forces[:1], lead=lead_inspector, today=today)
    one = _queries(client)
    history(forces[1:], lead=lead_inspector, today=today)
    assert Inspection.objects.count() == 43 * 5
    assert _queries(client) == one
    assert one <= 12


def test_a_submitted_plan_is_in_and_a_returned_one_is_not(
    client_for, admin_user, lead_inspector, force_lead_a, force_a, today
):
    from actionplans import services
    from actionplans.tests.factories import inspection_due, submitted_plan

    inspection = inspection_due(
        force=force_a,
        lead=lead_inspector,
        admin=admin_user,
        action_plan_due_on=today + timedelta(days=5),
    )
    client = client_for(admin_user)
    assert [d.inspection for d in client.get(URL).context["picture"].due_soon] == [inspection]
    _, version = submitted_plan(inspection, by=force_lead_a)
    assert client.get(URL).context["picture"].due_soon == []
    services.action_plan_version_return(version=version, by=lead_inspector, comment="More detail")
    due = client.get(URL).context["picture"].due_soon
    assert [(d.inspection, d.returned) for d in due] == [(inspection, True)]
    assert "returned to the force for changes" in client.get(URL).text


def test_post_inspection_visits_are_on_the_timeline(
    client_for, admin_user, lead_inspector, force_a, force_lead_a, today
):
    from actionplans import services
    from actionplans.tests.factories import inspection_due

    inspection = inspection_due(
        force=force_a,
        lead=lead_inspector,
        admin=admin_user,
        action_plan_due_on=today - timedelta(days=60),
        updated_due_on=today - timedelta(days=10),
    )
    services.post_inspection_visit_schedule(
        inspection=inspection, visit_on=today + timedelta(days=40), by=admin_user
    )
    response = client_for(admin_user).get(URL)
    visits = [(v.force, v.what, v.start) for v in response.context["picture"].visits]
    assert (force_a, "Post-inspection visit", today + timedelta(days=40)) in visits
    assert "Post-inspection visit" in response.text


def test_a_filter_narrows_the_deadlines_and_visits_too(
    client_for, admin_user, lead_inspector, today
):
    kent, gwent = Force.objects.get(slug="kent"), Force.objects.get(slug="gwent")
    history([kent, gwent], lead=lead_inspector, today=today)
    client = client_for(admin_user)
    everything = client.get(URL).context["picture"]
    assert {d.force for d in everything.overdue} == {kent, gwent}
    assert {v.force for v in everything.visits} == {kent, gwent}
    wales = client.get(URL, {"country": "wales"}).context["picture"]
    assert {d.force for d in wales.overdue} == {gwent}
    assert {v.force for v in wales.visits} == {gwent}
    assert sum(row.open_concerns for row in wales.rows) == 2


def test_commissioners_responses_due_in_the_next_30_days_are_listed(
    client_for, admin_user, lead_inspector, today
):
    from actionplans.tests.factories import bare_pcc_response_due

    kent, essex = Force.objects.get(slug="kent"), Force.objects.get(slug="essex")
    soon = bare_pcc_response_due(force=kent, lead=lead_inspector, due_on=today + timedelta(days=3))
    bare_pcc_response_due(force=essex, lead=lead_inspector, due_on=today + timedelta(days=31))

    response = client_for(admin_user).get(URL)

    picture = response.context["picture"]
    assert [(d.inspection.pk, d.days) for d in picture.pcc_due_soon] == [(soon.pk, 3)]
    assert picture.pcc_overdue == []
    section = response.text.split('id="pcc-responses"')[1].split("<h2")[0]
    assert f'href="/inspections/{soon.pk}/follow-up/#pcc-response"' in section
    assert "No police and crime commissioner’s response is overdue." in section


def test_a_filter_that_leaves_no_deadline_says_so_not_that_there_are_none(
    client_for, admin_user, lead_inspector, today
):
    """Found by the journeys review: narrowed to Wales, the dashboard said "No
    action plans are overdue." while Kent's was, which the filter hid."""
    kent = Force.objects.get(slug="kent")
    history([kent], lead=lead_inspector, today=today)
    text = client_for(admin_user).get(URL, {"country": "wales"}).text
    for untrue in (
        "No action plans are overdue.",
        "No police and crime commissioner’s response is overdue.",
    ):
        assert untrue not in text
    assert "None for the forces that match these filters." in text


def test_a_filter_that_leaves_no_visit_or_force_due_says_so(
    client_for, admin_user, lead_inspector, today
):
    """Narrowed to London, where both forces have been inspected and have
    nothing planned, the visits and forces due said none in the programme."""
    history([Force.objects.get(slug="kent")], lead=lead_inspector, today=today)
    london = list(Force.objects.filter(region="london"))
    history(london, lead=lead_inspector, today=today)
    Inspection.objects.filter(force__in=london, published_on__isnull=True).delete()
    text = client_for(admin_user).get(URL, {"region": "london"}).text
    assert "No force that matches these filters is due for inspection." in text
    assert "No fieldwork or post-inspection visits of the forces that match these filters" in text


def test_the_link_to_plan_inspections_keeps_the_dashboards_filter(client_for, admin_user, today):
    """Narrowed to Wales, "Plan inspections in the programme" opened every
    region's forces due, where the admin had chosen Wales's four."""
    text = client_for(admin_user).get(URL, {"country": "wales"}).text
    assert 'href="/inspections/?country=wales&amp;due=due">Plan inspections' in text
