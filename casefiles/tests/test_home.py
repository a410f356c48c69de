"""The case file work on a person's home page: the reviews assigned to them,
and, for a lead inspector, the second reviews to do. Before, they were found
only on each inspection's case files tabs (found by a usability review)."""

import re
from collections import defaultdict
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from casefiles import services
from casefiles.models import Case
from inspections.models import Inspection, Judgment, Topic

from .factories import COMPLETE_ANSWERS, InspectionFactory, add_cases, submit_review

pytestmark = pytest.mark.django_db

ASSIGNED = "Case file reviews assigned to you"
SECOND = "Second reviews to do"
GRADED = "Graded judgments waiting for you"
NAMED = "Inspection of Greater Manchester, October 2026"  # the inspection fixture


def section(html: str, heading: str) -> str:
    """The section under `heading`, to its table's end ("" when not shown)."""
    start = html.find(f'<h2 class="govuk-heading-m">{heading}</h2>')
    if start < 0:
        return ""
    return html[start : html.index("</table>", start)]


HIDDEN = r'<span class="govuk-visually-hidden">.*?</span>'


def cells(html: str) -> list[list[str]]:
    """Each body row's cells, as text on the screen."""
    body = html[html.index("<tbody") :]
    return [
        [re.sub(r"<[^>]+>|\s+", " ", re.sub(HIDDEN, "", cell)).strip() for cell in row]
        for row in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        )
    ]


def home(client_for, user) -> str:
    return client_for(user).get(reverse("core:home")).content.decode()


@pytest.fixture
def colleague(inspection):
    person = UserFactory(email="colleague@example.org", full_name="Cal Colleague")
    inspection.team.add(person)
    return person


@pytest.fixture
def sampled(drawn):
    return list(Case.objects.sampled().order_by("reference"))


def assign(inspection, cases, reviewer, by):
    services.cases_assign(
        inspection=inspection, case_ids=[c.pk for c in cases], reviewer=reviewer, by=by
    )
    for case in cases:
        case.refresh_from_db()


def test_an_inspector_sees_the_reviews_assigned_to_them_not_started_and_in_progress(
    client_for, inspection, sampled, inspector, colleague, lead_inspector
):
    assign(inspection, sampled[:4], inspector, lead_inspector)
    assign(inspection, sampled[4:7], colleague, lead_inspector)
    services.case_review_save(case=sampled[0], answers=COMPLETE_ANSWERS, by=inspector)
    submit_review(sampled[1], inspector)  # submitted: no longer to do
    services.case_review_save(case=sampled[4], answers=COMPLETE_ANSWERS, by=colleague)

    html = home(client_for, inspector)

    mine = section(html, ASSIGNED)
    # Two not started, one in progress; the colleague's three are not counted.
    assert cells(mine) == [[NAMED, "2", "1"]]
    url = reverse("casefiles:review_list", args=[inspection.pk]) + "?show=mine"
    assert f'href="{url}"' in mine
    # The list it leads to is theirs.
    listed = client_for(inspector).get(url).content.decode()
    assert "Cases assigned to you: 1 to 4 of 4" in listed
    assert cells(section(home(client_for, colleague), ASSIGNED)) == [[NAMED, "2", "1"]]
    assert SECOND not in html  # the lead's work


def test_nothing_is_shown_when_no_review_is_assigned_or_left_to_do(
    client_for, inspection, sampled, inspector, lead_inspector
):
    assert ASSIGNED not in home(client_for, inspector)
    assign(inspection, sampled[:1], inspector, lead_inspector)
    submit_review(sampled[0], inspector)
    html = home(client_for, inspector)
    assert ASSIGNED not in html and SECOND not in html
    assert ASSIGNED not in home(client_for, lead_inspector)
    assert SECOND not in home(client_for, lead_inspector)  # chosen for none yet


def test_inspections_the_inspector_is_not_on_or_whose_case_files_are_closed_are_not_shown(
    client_for, inspection, sampled, inspector, lead_inspector, force_b, other_inspector
):
    assign(inspection, sampled[:2], inspector, lead_inspector)
    # Another force's inspection: their cases there, left assigned after they
    # came off its team (set directly: the services refuse it).
    elsewhere = InspectionFactory(force=force_b, lead_inspector=other_inspector)
    add_cases(elsewhere, {"missing-children": 3}, prefix="ELSE")
    services.sample_draw(
        inspection=elsewhere,
        sizes={"missing-children": 2},
        seed=1,
        reason="",
        by=other_inspector,
    )
    Case.objects.filter(inspection=elsewhere).update(reviewer=inspector)

    html = home(client_for, inspector)
    assert cells(section(html, ASSIGNED)) == [[NAMED, "2", "0"]]
    assert str(elsewhere.pk) not in section(html, ASSIGNED)

    # Past moderation the case files are closed: nothing left to do there.
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.PRE_PUBLICATION)
    assert ASSIGNED not in home(client_for, inspector)


def test_a_lead_inspector_sees_the_second_reviews_waiting_for_them(
    client_for, inspection, sampled, inspector, colleague, lead_inspector
):
    Case.objects.filter(pk__in=[c.pk for c in sampled[:4]]).update(second_review_due=True)
    for case in sampled[:4]:
        case.refresh_from_db()
    assign(inspection, sampled[:2], inspector, lead_inspector)
    assign(inspection, sampled[2:3], colleague, lead_inspector)
    assign(inspection, sampled[3:5], lead_inspector, lead_inspector)
    submit_review(sampled[0], inspector)
    submit_review(sampled[1], inspector)
    submit_review(sampled[2], colleague)
    # The lead's own review: its second review waits for another lead
    # (inspections.services.second_reviews_to_do), so it is not theirs to do.
    submit_review(sampled[3], lead_inspector)
    done = sampled[1].review.second_review
    services.second_review_complete(
        second_review=done, agrees=True, rating="", reason="", by=lead_inspector
    )

    html = home(client_for, lead_inspector)

    to_do = section(html, SECOND)
    assert cells(to_do) == [[NAMED, "2"]]
    assert f'href="{reverse("casefiles:second_review_list", args=[inspection.pk])}"' in to_do
    from inspections.services import second_reviews_to_do

    assert second_reviews_to_do(inspection) == 2  # the same rule
    # The lead's own case still to review, too: they are on the team.
    assert cells(section(html, ASSIGNED)) == [[NAMED, "1", "0"]]
    assert SECOND not in home(client_for, inspector)


def test_second_reviews_of_an_inspection_someone_else_leads_are_not_shown(
    client_for, inspection, sampled, inspector, lead_inspector, other_inspector
):
    Case.objects.filter(pk=sampled[0].pk).update(second_review_due=True)
    sampled[0].refresh_from_db()
    inspection.team.add(other_inspector)  # a lead inspector, on this team only
    assign(inspection, sampled[:1], inspector, lead_inspector)
    submit_review(sampled[0], inspector)
    assert SECOND in home(client_for, lead_inspector)
    assert SECOND not in home(client_for, other_inspector)


@pytest.mark.parametrize("who", ["admin_user", "force_lead_a"])
def test_admins_and_force_leads_see_no_case_file_work(
    who, request, client_for, inspection, sampled, inspector, lead_inspector
):
    Case.objects.filter(pk=sampled[0].pk).update(second_review_due=True)
    sampled[0].refresh_from_db()
    assign(inspection, sampled[:2], inspector, lead_inspector)
    submit_review(sampled[0], inspector)
    user = request.getfixturevalue(who)
    html = home(client_for, user)
    assert ASSIGNED not in html and SECOND not in html
    # Even an admin with cases assigned (as an admin never is on a team).
    if user.role == User.Role.ADMIN:
        Case.objects.filter(pk=sampled[1].pk).update(reviewer=user)
        assert ASSIGNED not in home(client_for, user)


def test_the_home_page_queries_do_not_grow_with_the_inspections_or_the_reviews(
    inspection, sampled, inspector, lead_inspector, force_b
):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from accounts.tests.factories import signed_in

    clients = {user: signed_in(Client(), user) for user in (inspector, lead_inspector)}

    def count(user) -> int:
        with override_settings(FRAGMENT_CACHE=False), CaptureQueriesContext(connection) as seen:
            assert clients[user].get(reverse("core:home")).status_code == 200
        return len(seen)

    def shown(user, heading) -> int:
        html = clients[user].get(reverse("core:home")).content.decode()
        return len(cells(section(html, heading)))

    Case.objects.filter(inspection=inspection).update(second_review_due=True)
    assign(inspection, sampled[:2], inspector, lead_inspector)
    submit_review(sampled[0], inspector)
    count(inspector), count(lead_inspector)  # warm: first-request caches are not the page's
    few = count(inspector), count(lead_inspector)
    assert (shown(inspector, ASSIGNED), shown(lead_inspector, SECOND)) == (1, 1)

    second = InspectionFactory(force=force_b, lead_inspector=lead_inspector, team=[inspector])
    add_cases(second, {"missing-children": 8}, prefix="TWO")
    services.sample_draw(
        inspection=second, sizes={"missing-children": 6}, seed=3, reason="", by=lead_inspector
    )
    Case.objects.filter(inspection=second).update(second_review_due=True)
    cases = list(Case.objects.sampled().filter(inspection=second))
    assign(second, cases, inspector, lead_inspector)
    for case in cases[:3]:
        submit_review(case, inspector)
    services.case_review_save(case=cases[3], answers=COMPLETE_ANSWERS, by=inspector)
    assign(inspection, sampled[2:6], inspector, lead_inspector)

    assert (shown(inspector, ASSIGNED), shown(lead_inspector, SECOND)) == (2, 2)
    assert (count(inspector), count(lead_inspector)) == few


@pytest.mark.django_db(transaction=True)
def test_an_assignment_or_a_submission_shows_on_a_home_page_served_from_the_cache(
    inspection, sampled, inspector, lead_inspector
):
    """The home page's body is kept in the fragment cache (core/fragments.py)
    until the data changes: committed, an assignment and a submission are
    shown at once, not when the cached page expires."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.tests.factories import signed_in

    clients = {user: signed_in(Client(), user) for user in (inspector, lead_inspector)}

    def fetch(user) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as seen:
            html = clients[user].get(reverse("core:home")).content.decode()
        return html[html.index("<main") : html.index("</main>")], len(seen)

    Case.objects.filter(pk=sampled[0].pk).update(second_review_due=True)
    sampled[0].refresh_from_db()
    before, drawn = fetch(inspector)
    lead_before, _ = fetch(lead_inspector)
    again, served = fetch(inspector)
    assert served < drawn and again == before  # from the cache
    assert ASSIGNED not in before and SECOND not in lead_before

    assign(inspection, sampled[:2], inspector, lead_inspector)
    assert cells(section(fetch(inspector)[0], ASSIGNED)) == [[NAMED, "2", "0"]]
    assert SECOND not in fetch(lead_inspector)[0]

    submit_review(sampled[0], inspector)
    assert cells(section(fetch(inspector)[0], ASSIGNED)) == [[NAMED, "1", "0"]]
    assert cells(section(fetch(lead_inspector)[0], SECOND)) == [[NAMED, "1"]]


def test_an_inspection_and_a_re_inspection_of_one_force_are_told_apart(
    client_for, inspection, sampled, inspector, lead_inspector, force_a
):
    """Each row named only the force, so someone on an inspection and a
    re-inspection of the same force saw two rows alike in each list. Each
    is named as the service names an inspection (its pages' caption), in
    each list of work on the home page."""
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.MODERATION)
    again = InspectionFactory(
        force=force_a,
        kind=Inspection.Kind.RE_INSPECTION,
        lead_inspector=lead_inspector,
        team=[inspector],
        fieldwork_start=date(2026, 11, 16),
        fieldwork_end=date(2026, 11, 27),
    )
    add_cases(again, {"missing-children": 4}, prefix="AGAIN")
    services.sample_draw(
        inspection=again, sizes={"missing-children": 3}, seed=5, reason="", by=lead_inspector
    )
    cases_again = list(Case.objects.sampled().filter(inspection=again).order_by("reference"))
    Case.objects.filter(pk__in=[sampled[0].pk, cases_again[0].pk]).update(second_review_due=True)
    for case in (sampled[0], cases_again[0]):
        case.refresh_from_db()
    assign(inspection, sampled[:3], inspector, lead_inspector)
    assign(again, cases_again, inspector, lead_inspector)
    submit_review(sampled[0], inspector)
    submit_review(cases_again[0], inspector)
    Judgment.objects.filter(topic=Topic.LEADERSHIP).update(status=Judgment.Status.RETURNED)
    Judgment.objects.filter(topic=Topic.PARTNERSHIP_WORKING).update(
        status=Judgment.Status.SUBMITTED
    )
    first, second = (
        "Inspection of Greater Manchester, October 2026",
        "Re-inspection of Greater Manchester, November 2026",
    )
    assert (str(inspection), str(again)) == (first, second)

    mine = home(client_for, inspector)
    assert cells(section(mine, ASSIGNED)) == [[first, "2", "0"], [second, "2", "0"]]
    assert [row[0] for row in cells(section(mine, GRADED))] == [first, second]
    leads = home(client_for, lead_inspector)
    assert cells(section(leads, SECOND)) == [[first, "1"], [second, "1"]]
    assert [row[0] for row in cells(section(leads, GRADED))] == [first, second]
    # Each link, as a screen reader lists them, says where it goes.
    mine, leads = link_names(mine), link_names(leads)
    for destinations in (mine, leads):
        assert all(len(hrefs) == 1 for hrefs in destinations.values()), dict(destinations)
    assert f"{first}: case file reviews assigned to you" in mine
    assert f"{second}: case file reviews assigned to you" in mine
    assert f"Leadership: {second}" in mine
    assert f"{first}: second reviews to do" in leads
    assert f"Partnership working: {first}" in leads


def link_names(html: str) -> dict[str, set[str]]:
    """Each link's text in the page's main part, as a screen reader reads
    it (hidden words too), with where it goes."""
    main = html[html.index("<main") : html.index("</main>")]
    destinations = defaultdict(set)
    for href, text in re.findall(r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', main, re.S):
        destinations[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()].add(href)
    return destinations
