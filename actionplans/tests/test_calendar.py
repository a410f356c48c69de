"""The private calendar feed: a token in the address, the user's own deadlines only."""

from datetime import timedelta

from django.urls import reverse

from actionplans import services
from actionplans.calendar import Event, render_ics
from actionplans.models import CalendarFeed
from actionplans.tests.factories import today
from core.models import AuditEvent


def feed_url(user) -> str:
    return reverse("actionplans:calendar_feed", args=[services.calendar_feed_for(user).token])


def test_feed_needs_no_sign_in_and_lists_the_deadlines(client, published, force_lead_a):
    response = client.get(feed_url(force_lead_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert f"DTSTART;VALUE=DATE:{published.action_plan_due_on:%Y%m%d}" in body
    assert "SUMMARY:Updated action plan due: Greater Manchester" in body
    assert "SUMMARY:Police and crime commissioner's response due: Greater Manchester" in body


def test_a_recorded_commissioners_response_says_so_in_the_feed(client, published, force_lead_a):
    from actionplans.pcc_response import pcc_response_record
    from core.templatetags.govuk import govuk_date

    pcc_response_record(inspection=published, published_on=today(), by=force_lead_a)
    body = client.get(feed_url(force_lead_a)).content.decode().replace("\r\n ", "")
    assert "SUMMARY:Police and crime commissioner's response due" not in body
    assert "SUMMARY:Police and crime commissioner's response published: Greater Man" in body
    assert f"Published on {govuk_date(today())}." in body
    assert f"UID:pcc_response-{published.pk}@" in body


def test_a_plan_sent_in_then_accepted_says_so_in_the_feed(
    client, published, force_lead_a, lead_inspector, django_assert_num_queries
):
    """Found by the dates review: an accepted plan stayed 'due' in the calendar."""
    from actionplans.calendar import calendar_events
    from actionplans.tests.factories import submitted_plan
    from core.templatetags.govuk import govuk_date

    def feed():
        return client.get(feed_url(force_lead_a)).content.decode().replace("\r\n ", "")

    _, first = submitted_plan(published, by=force_lead_a)
    services.action_plan_version_return(version=first, by=lead_inspector, comment="Owners")
    assert "SUMMARY:Action plan due: Greater Manchester" in feed()  # back with the force
    _, second = submitted_plan(published, by=force_lead_a)
    body = feed()
    assert "SUMMARY:Action plan sent in: Greater Manchester" in body
    assert f"Sent in for review on {govuk_date(second.submitted_at)}." in body
    services.action_plan_version_accept(version=second, by=lead_inspector)
    body = feed()
    assert "SUMMARY:Action plan accepted: Greater Manchester" in body
    assert f"UID:action_plan-{published.pk}@" in body  # the same event, updated
    # The updated action plan, not sent in, is still due.
    assert "SUMMARY:Updated action plan due: Greater Manchester" in body
    with django_assert_num_queries(3):
        calendar_events(force_lead_a)


def test_each_user_sees_only_what_they_may(
    client, published, force_lead_b, other_inspector, admin_user, inspector
):
    assert "Greater Manchester" not in client.get(feed_url(force_lead_b)).content.decode()
    assert "Greater Manchester" not in client.get(feed_url(other_inspector)).content.decode()
    assert "Greater Manchester" in client.get(feed_url(admin_user)).content.decode()
    assert "Greater Manchester" in client.get(feed_url(inspector)).content.decode()


def test_visits_are_in_the_feed(client, published, lead_inspector, force_lead_a):
    visit = services.post_inspection_visit_schedule(
        inspection=published, visit_on=today() + timedelta(days=30), by=lead_inspector
    )
    body = client.get(feed_url(force_lead_a)).content.decode()
    assert f"UID:visit-{visit.pk}@child-protection-inspections" in body


def test_reset_rotates_the_token_and_the_old_link_stops_working(client_for, force_lead_a, client):
    old = feed_url(force_lead_a)
    signed_in = client_for(force_lead_a)
    page = signed_in.get(reverse("actionplans:calendar")).content.decode()
    assert old in page
    # The page's button asks first; asking changes nothing.
    confirm = signed_in.get(reverse("actionplans:calendar_reset")).content.decode()
    assert "Are you sure you want to reset your calendar link?" in confirm
    assert client.get(old).status_code == 200
    signed_in.post(reverse("actionplans:calendar_reset"))
    signed_in.logout()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(force_lead_a)).status_code == 200
    assert AuditEvent.objects.filter(action="calendar_feed.reset", actor=force_lead_a).exists()


def test_the_link_shown_is_at_the_services_address_not_the_requests_host(
    client_for, force_lead_a, settings
):
    settings.SERVICE_URL = "https://inspections.example.org"
    page = client_for(force_lead_a).get(reverse("actionplans:calendar")).text
    assert f"https://inspections.example.org{feed_url(force_lead_a)}" in page
    assert "testserver" not in page


def test_an_unknown_or_inactive_token_is_404(client, force_lead_a):
    url = feed_url(force_lead_a)
    force_lead_a.is_active = False
    force_lead_a.save()
    assert client.get(url).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    # Not a token's letters (a NUL byte, a space): 404 before the database,
    # which on PostgreSQL refuses a NUL with an error (a 500, found by fuzzing).
    for bad in ("%00", "a%00b", "a%20b", "%C3%A9"):
        assert client.get(f"/calendar/{bad}.ics").status_code == 404
    assert CalendarFeed.objects.count() == 1


def test_a_link_from_before_a_deactivation_stays_dead_after_the_reactivation(
    client, force_lead_a, admin_user
):
    """As the person's sessions do: a calendar program on a stolen laptop
    held the link, and read the force's deadlines again once the account was
    reactivated (found by a review). The person's calendar page then shows a
    new link."""
    from accounts.services import user_deactivate, user_reactivate

    old = feed_url(force_lead_a)
    user_deactivate(user=force_lead_a, by=admin_user, reason="Laptop stolen")
    user_reactivate(user=force_lead_a, by=admin_user, reason="New laptop issued")
    force_lead_a.refresh_from_db()
    assert client.get(old).status_code == 404
    new = feed_url(force_lead_a)
    assert new != old and client.get(new).status_code == 200


def test_ics_text_is_escaped_and_folded_at_75_octets():
    event = Event("x", today(), "Due; soon, really\\", "é" * 100)
    body = render_ics([event], name="Test")
    assert "SUMMARY:Due\\; soon\\, really\\\\" in body
    lines = body.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = body.replace("\r\n ", "")
    assert "DESCRIPTION:" + "é" * 100 in unfolded


def test_a_link_stops_when_the_person_moves_to_another_force_or_role(
    client, force_lead_a, force_b, admin_user
):
    """The link follows the person, not the force: one shared in force A's
    team calendar would have shown force B's deadlines to force A once its
    owner moved to B (found by the accounts review). A move, on the Users
    pages or in the Django admin, ends it; their calendar page has a new one."""
    from accounts.services import user_details_change, user_save_in_django_admin

    old = feed_url(force_lead_a)
    user_details_change(
        user=force_lead_a,
        by=admin_user,
        full_name=force_lead_a.full_name,
        email=force_lead_a.email,
        role=force_lead_a.role,
        force=force_b,
        reason="Moved to force B",
    )
    assert client.get(old).status_code == 404
    moved = feed_url(force_lead_a)
    assert moved != old and client.get(moved).status_code == 200

    force_lead_a.refresh_from_db()
    force_lead_a.role = force_lead_a.Role.INSPECTOR
    force_lead_a.force = None
    user_save_in_django_admin(user=force_lead_a, by=admin_user)
    assert client.get(moved).status_code == 404


def test_a_change_of_name_keeps_the_link(client, force_lead_a, admin_user):
    from accounts.services import user_details_change

    old = feed_url(force_lead_a)
    user_details_change(
        user=force_lead_a,
        by=admin_user,
        full_name="Faye Renamed",
        email=force_lead_a.email,
        role=force_lead_a.role,
        force=force_lead_a.force,
        reason="Married",
    )
    assert client.get(old).status_code == 200
