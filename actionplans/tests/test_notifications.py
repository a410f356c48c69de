"""In-app notifications, the unread count on every home page, and "What is due"."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actionplans import notices, services
from actionplans.models import Notice
from actionplans.notices import notices_sweep
from actionplans.tests.factories import submitted_plan, today, weekly_overdue_notices


@pytest.mark.parametrize("persona", ["force_lead_a", "lead_inspector", "admin_user"])
def test_every_home_page_shows_the_unread_count(persona, request, client_for, make_due):
    user = request.getfixturevalue(persona)
    make_due(action_plan_due_on=today() - timedelta(days=1))
    notices_sweep(today=today())
    html = client_for(user).get(reverse("core:home")).content.decode()
    assert "1 unread" in html
    assert reverse("actionplans:notifications") in html


def test_notifications_list_and_mark_all_read(client_for, force_lead_a, make_due):
    make_due(action_plan_due_on=today() - timedelta(days=1))
    notices_sweep(today=today())
    client = client_for(force_lead_a)
    html = client.get(reverse("actionplans:notifications")).content.decode()
    assert "You have 1 unread notification." in html
    assert "Action plan overdue: Greater Manchester" in html
    # A list, each notice read whole on a phone, where a table squeezed its words.
    assert html.count('<li class="app-notices__item">') == 1 and "<table" not in html
    # Its link opens the plan, whatever the database (SQLite gave the
    # inspection's id without its dashes: a 404, found by looking).
    link = Notice.objects.get(recipient=force_lead_a).link
    assert f'href="{link}"' in html
    assert client.get(link).status_code == 200
    client.post(reverse("actionplans:notifications_read"))
    assert not Notice.objects.filter(recipient=force_lead_a).unread().exists()
    assert (
        "no unread notifications"
        in client.get(reverse("actionplans:notifications")).content.decode()
    )
    # Again, from a page drawn before: not "0 notifications marked as read".
    again = client.post(reverse("actionplans:notifications_read"), follow=True).text
    assert "You have no unread notifications" in again and "0 notifications" not in again


def test_notifications_list_query_count_stays_flat(
    client_for, lead_inspector, force_lead_a, make_due, django_assert_max_num_queries
):
    inspection = make_due(action_plan_due_on=today() - timedelta(days=1))
    for week in range(6):
        notices_sweep(today=today() + timedelta(days=7 * week))
    submitted_plan(inspection, by=force_lead_a)
    assert Notice.objects.filter(recipient=lead_inspector).count() == 7
    client = client_for(lead_inspector)
    # The forces to narrow them by are one query, however many notices.
    with django_assert_max_num_queries(7):
        client.get(reverse("actionplans:notifications"))


def test_thousands_of_notifications_page_with_a_few_numbered_links(
    client_for, lead_inspector, make_due
):
    # Found at scale: 2,000 notices drew all 80 page numbers, 80 links on every page.
    inspection = make_due(action_plan_due_on=today() - timedelta(days=1))
    weekly_overdue_notices(lead_inspector, inspection, 2000)
    client = client_for(lead_inspector)
    html = client.get(reverse("actionplans:notifications"), {"page": 40}).content.decode()
    assert "2,000 notifications" in html
    numbered = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbered == ["1", "39", "40", "41", "80"]
    assert html.count("govuk-pagination__item--ellipses") == 2
    for odd in ("0", "abc", "99999", "-1"):
        assert client.get(reverse("actionplans:notifications"), {"page": odd}).status_code == 200


def test_notification_counts_past_a_thousand_read_with_a_comma(
    client_for, lead_inspector, make_due
):
    # "2003 unread" on the home page, beside "5,000 cases" on the case list.
    inspection = make_due(action_plan_due_on=today() - timedelta(days=1))
    weekly_overdue_notices(lead_inspector, inspection, 1234)
    client = client_for(lead_inspector)
    html = client.get(reverse("actionplans:notifications")).content.decode()
    assert "You have 1,234 unread notifications." in html
    assert "1,234 notifications" in html
    assert "1,234 unread" in client.get(reverse("core:home")).content.decode()


def test_the_unread_notifications_are_found_among_thousands_read(
    client_for, lead_inspector, make_due
):
    inspection = make_due(action_plan_due_on=today() - timedelta(days=1))
    weekly_overdue_notices(lead_inspector, inspection, 100, unread=(30, 70))
    client = client_for(lead_inspector)
    url = reverse("actionplans:notifications")
    assert 'href="?show=unread"' in client.get(url).content.decode()
    html = client.get(url, {"show": "unread"}).content.decode()
    assert "2 unread notifications" in html and 'href="?show=all"' in html
    assert re.findall(r"Overdue week \d+", html) == ["Overdue week 30", "Overdue week 70"]
    Notice.objects.update(read_at=timezone.now())
    html = client.get(url, {"show": "unread", "page": "abc"}).content.decode()
    assert "All your notifications have been read." in html and 'href="?show=all"' in html


def test_users_see_only_their_own_notifications(client_for, force_lead_b, make_due):
    make_due(action_plan_due_on=today() - timedelta(days=1))
    notices_sweep(today=today())
    html = client_for(force_lead_b).get(reverse("actionplans:notifications")).content.decode()
    assert "Greater Manchester" not in html


def test_a_force_lead_moved_to_another_force_keeps_none_of_the_old_forces_notices(
    client_for, force_lead_a, force_b, make_due, monkeypatch
):
    make_due(action_plan_due_on=today() - timedelta(days=1))
    notices_sweep(today=today())
    assert Notice.objects.filter(recipient=force_lead_a).unread().count() == 1
    force_lead_a.force = force_b
    force_lead_a.save(update_fields=["force"])

    client = client_for(force_lead_a)
    html = client.get(reverse("actionplans:notifications")).content.decode()
    assert "Greater Manchester" not in html
    assert "no unread notifications" in html
    assert "(none unread)" in client.get(reverse("core:home")).content.decode()
    client.post(reverse("actionplans:notifications_read"))
    # The old notice is left as it was: the record of what was sent.
    assert Notice.objects.filter(recipient=force_lead_a).unread().count() == 1
    # And its email, still waiting, does not go to them at their new force.
    notice = Notice.objects.get(recipient=force_lead_a)
    assert notice.emailed_at is None
    assert notices.notice_email(notice_id=str(notice.pk)) is False
    assert mail.outbox == []
    # Nor does the sweep queue it again, hour after hour, for the week it
    # would still retry an email the broker lost.
    Notice.objects.filter(pk=notice.pk).update(sent_at=notice.sent_at - timedelta(hours=1))
    queued = []
    monkeypatch.setattr(notices, "_email_after_commit", queued.extend)
    notices_sweep(today=today())
    assert str(notice.pk) not in queued
    force_lead_a.force = notice.inspection.force  # back at their old force: it goes
    force_lead_a.save(update_fields=["force"])
    notices_sweep(today=today())
    assert str(notice.pk) in queued


def test_a_lead_inspector_replaced_keeps_none_of_the_inspections_notices(
    client_for, lead_inspector, inspector, admin_user, make_due, monkeypatch
):
    """Found by the access review: the old lead's notices stayed, their
    titles naming an inspection now closed to them, linking to a 404, and
    an email still waiting went to them."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from inspections import services as inspection_services

    inspection = make_due(action_plan_due_on=today() - timedelta(days=1))
    notices_sweep(today=today())
    old = Notice.objects.get(recipient=lead_inspector, kind=Notice.Kind.OVERDUE)
    assert old.emailed_at is None
    new_lead = UserFactory(email="new.lead@example.org", role=User.Role.LEAD_INSPECTOR)
    inspection_services.inspection_change_lead(
        inspection=inspection, lead_inspector=new_lead, reason="Long leave", by=admin_user
    )

    client = client_for(lead_inspector)
    html = client.get(reverse("actionplans:notifications")).content.decode()
    # Only the notice that they no longer lead it (test_team_left_notices).
    assert "overdue" not in html and "1 unread notification." in html
    replaced = Notice.objects.get(recipient=lead_inspector, kind="lead_replaced")
    assert list(Notice.objects.for_user(lead_inspector)) == [replaced]
    assert "1 unread</strong>" in client.get(reverse("core:home")).content.decode()
    assert notices.notice_email(notice_id=str(old.pk)) is False
    assert mail.outbox == []
    Notice.objects.filter(pk=old.pk).update(sent_at=old.sent_at - timedelta(hours=1))
    queued = []
    monkeypatch.setattr(notices, "_email_after_commit", queued.extend)
    notices_sweep(today=today())
    assert str(old.pk) not in queued
    # The record of what was sent stays; an admin's and a force lead's, and
    # a team inspector's, are untouched by the rule.
    assert Notice.objects.filter(pk=old.pk, read_at__isnull=True).exists()
    assert Notice.objects.for_user(admin_user).filter(inspection=inspection).exists()
    kept = Notice.objects.create(
        recipient=inspector,
        kind=Notice.Kind.PLAN_SUBMITTED,
        inspection=inspection,
        subject=Notice.Subject.ACTION_PLAN,
        due_on=today(),
        title="Submitted",
        body="-",
    )
    assert kept in Notice.objects.for_user(inspector)
    assert Notice.objects.filter(pk=kept.pk).still_theirs().exists()
    inspection.team.remove(inspector)
    assert not Notice.objects.for_user(inspector).exists()
    assert not Notice.objects.filter(pk=kept.pk).still_theirs().exists()
    # Back as the lead: their notices are theirs again.
    inspection_services.inspection_change_lead(
        inspection=inspection, lead_inspector=lead_inspector, reason="Back", by=admin_user
    )
    assert old in Notice.objects.for_user(lead_inspector)
    notices_sweep(today=today())
    assert str(old.pk) in queued


def test_what_is_due_lists_the_force_leads_deadlines_soonest_first(
    client_for, force_lead_a, published, lead_inspector, django_assert_max_num_queries
):
    services.post_inspection_visit_schedule(
        inspection=published, visit_on=today() + timedelta(days=15), by=lead_inspector
    )
    items = services.due_items_for_force(force_lead_a.force)
    assert [(i.title, i.status.label) for i in items] == [
        ("Action plan", "Overdue"),
        ("Post-inspection visit", "In 15 days"),
        ("Updated action plan", "Not yet due"),
        ("Police and crime commissioner's response", "Not yet due"),
    ]
    client = client_for(force_lead_a)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("core:home")).content.decode()
    assert html.index("Action plan") < html.index("Post-inspection visit")
    assert "govuk-summary-card" in html


def test_accepted_plans_leave_what_is_due(client_for, force_lead_a, lead_inspector, checks):
    def plans():
        items = services.due_items_for_force(force_lead_a.force)
        return [i.status.label for i in items if i.title == "Action plan"]

    _, version = submitted_plan(checks, by=force_lead_a)
    assert plans() == ["Submitted, awaiting review"]
    services.action_plan_version_accept(version=version, by=lead_inspector)
    assert plans() == []
    html = client_for(force_lead_a).get(reverse("core:home")).content.decode()
    assert "View the action plan" not in html
    # Closed, the inspection asks for nothing more.
    checks.stage = checks.Stage.CLOSED
    checks.save(update_fields=["stage"])
    assert services.due_items_for_force(force_lead_a.force) == []
    html = client_for(force_lead_a).get(reverse("core:home")).content.decode()
    assert "Nothing is due from your force at the moment" in html


def test_a_submitted_plan_awaits_review_and_is_not_shown_as_due(client_for, force_lead_a, checks):
    """Found by a UX review: the force lead's "What is due" showed a plan
    they had submitted, awaiting the lead inspector, as a card 'Due' on its
    deadline, as if the force still owed it, and never said nothing was due."""
    _, version = submitted_plan(checks, by=force_lead_a)
    client = client_for(force_lead_a)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(reverse("core:home")).text))
    submitted_on = timezone.localdate(version.submitted_at)
    assert f"Submitted {submitted_on.day} {submitted_on:%B %Y}" in text
    assert "Status Submitted, awaiting review" in text
    assert f"Due {checks.action_plan_due_on.day} " not in text
    # Still to do (the checks) comes first, and something is due.
    assert text.index("Factual accuracy checks") < text.index("Action plan")
    assert "Nothing is due from your force" not in text
    (item,) = [i for i in services.due_items_for_force(force_lead_a.force) if i.awaiting_review]
    assert (item.title, item.status.label, item.date_label, item.due_on) == (
        "Action plan",
        "Submitted, awaiting review",
        "Submitted",
        timezone.localdate(version.submitted_at),
    )
    # Past the checks, the submitted plan is all there is: nothing is due.
    checks.stage = checks.Stage.PUBLISHED
    checks.save(update_fields=["stage"])
    text = client.get(reverse("core:home")).text
    assert "Nothing is due from your force at the moment" in text
    assert "Submitted, awaiting review" in text


def test_the_report_at_checks_leads_to_the_factual_accuracy_checks(
    client_for, force_lead_a, checks, django_assert_max_num_queries
):
    # Found by a newcomer's review: nothing on the force lead's home page led there.
    from inspections import factual_accuracy

    def card():
        (item,) = [
            i
            for i in services.due_items_for_force(force_lead_a.force)
            if i.title == "Factual accuracy checks"
        ]
        return item

    assert (card().status.label, card().due_on) == (
        "Open until publication",
        checks.received_for_checks_on,
    )
    points = [
        factual_accuracy.factual_point_save(
            inspection=checks,
            topic="",
            finding=None,
            inaccuracy=f"It says {n} officers",
            correction="It should say 15 officers",
            evidence="",
            by=force_lead_a,
        )
        for n in (12, 13)
    ]
    assert card().status.label == "2 points not sent"
    factual_accuracy.factual_points_send(
        inspection=checks, points=[p.pk for p in points], by=force_lead_a
    )
    assert card().status.label == "Waiting for responses"
    client = client_for(force_lead_a)
    with django_assert_max_num_queries(11):
        html = client.get(reverse("core:home")).content.decode()
    url = reverse("inspections:factual_accuracy", args=[checks.pk])
    assert f'href="{url}">Check the report' in html


def test_the_force_is_told_each_due_date_as_it_is_set_or_corrected(
    force_a, force_lead_a, lead_inspector, admin_user, django_capture_on_commit_callbacks
):
    """Found by a review: sending the report for checks started the force's
    28 days, and publishing its 8 weeks, but the first they heard was the
    reminder a week before the due date."""
    from inspections import services as inspection_services
    from inspections.models import Inspection
    from inspections.tests.factories import inspection_at

    moderation = inspection_at(
        Inspection.Stage.MODERATION, force=force_a, lead=lead_inspector, admin=admin_user
    )
    for judgment in moderation.judgments.all():
        inspection_services.judgment_agree(judgment=judgment, by=lead_inspector)
    received = today() - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.inspection_send_for_checks(
            inspection=moderation, received_on=received, by=lead_inspector
        )
    notice = Notice.objects.get(kind=Notice.Kind.PLAN_DUE)
    assert notice.recipient == force_lead_a and notice.subject == "action_plan"
    assert notice.due_on == received + timedelta(days=28) == moderation.action_plan_due_on
    assert notice.title.startswith("Action plan due on ")
    assert "received the draft report for pre-publication checks on" in notice.body
    # What the force must do, not a description (found by an email review).
    assert "It must respond to every cause of concern and recommendation." in notice.body
    assert notice.link == reverse("actionplans:plan", args=[moderation.pk, "action-plan"])
    assert [m.to for m in mail.outbox] == [[force_lead_a.email]]
    assert mail.outbox[0].subject == notice.title
    # Where to see it, in full: the email said only "sign in" before.
    assert mail.outbox[0].body.endswith(
        f"to see it: {settings.SERVICE_URL}{notice.link}"
    ) and settings.SERVICE_URL.startswith("http")

    # A correction moves the date: the force is told the new one, once.
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            inspection_services.inspection_correct_dates(
                inspection=moderation,
                by=admin_user,
                reason="Received a day later",
                received_on=received + timedelta(days=1),
            )
    moved = Notice.objects.filter(kind=Notice.Kind.PLAN_DUE).order_by("due_on").last()
    assert moved.due_on == received + timedelta(days=29)
    assert "An admin corrected the date" in moved.body
    assert len(mail.outbox) == 1
    # A correction to a date long enough ago: the plan was due, and is overdue
    # (found by the dates review: "is due on" a date already past).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.inspection_correct_dates(
            inspection=moderation,
            by=admin_user,
            reason="Received a month earlier",
            received_on=received - timedelta(days=30),
        )
    past = Notice.objects.get(kind=Notice.Kind.PLAN_DUE, due_on=received - timedelta(days=2))
    assert past.title.startswith("Action plan was due on ")
    assert "was due on" in past.body and ", so it is overdue." in past.body
    # And back again: the first date is told again, not taken for a repeat.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.inspection_correct_dates(
            inspection=moderation, by=admin_user, reason="It was right", received_on=received
        )
    back = Notice.objects.filter(kind=Notice.Kind.PLAN_DUE).order_by("sent_at").last()
    # Two other dates told since: the 29th day's and the month earlier's.
    assert (back.due_on, back.sequence) == (received + timedelta(days=28), 2)
    assert len(mail.outbox) == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.inspection_publish(
            inspection=moderation, published_on=today(), by=lead_inspector
        )
    updated = Notice.objects.get(kind=Notice.Kind.PLAN_DUE, subject="updated_action_plan")
    assert updated.due_on == today() + timedelta(weeks=8)
    assert "The report was published on" in updated.body
    assert [m.to for m in mail.outbox] == [[force_lead_a.email]]

    # A plan already in is not 'due': a correction at follow-up says nothing of it.
    _, version = submitted_plan(moderation, by=force_lead_a)
    services.action_plan_version_accept(version=version, by=lead_inspector)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.inspection_correct_dates(
            inspection=moderation,
            by=admin_user,
            reason="Typo",
            received_on=received - timedelta(days=1),
        )
    assert not [m for m in mail.outbox if m.subject.startswith("Action plan due")]


def test_notifications_are_narrowed_to_a_force_and_what_they_are_about(
    client_for, admin_user, force_lead_a, lead_inspector, force_a, force_b
):
    """Found by the lists review: an admin is sent every force's overdue
    notices, page after page, with nothing to find one force's by."""
    from actionplans.tests.factories import bare_inspection

    due = today() - timedelta(days=1)
    ours = bare_inspection(force=force_a, lead=lead_inspector, action_plan_due_on=due)
    theirs = bare_inspection(force=force_b, lead=lead_inspector, action_plan_due_on=due)
    weekly_overdue_notices(admin_user, ours, 30, unread=(3,))
    weekly_overdue_notices(admin_user, theirs, 30)
    Notice.objects.filter(inspection=theirs, sequence__lt=5).update(
        subject=Notice.Subject.POST_INSPECTION_VISIT
    )
    client = client_for(admin_user)
    url = reverse("actionplans:notifications")

    page = client.get(url)
    assert "60 notifications" in page.content.decode()
    assert f'<option value="{force_b.pk}">Cleveland</option>' in page.content.decode()
    cleveland = client.get(url, {"force": force_b.pk})
    assert "30 notifications" in cleveland.content.decode()
    assert {n.inspection_id for n in cleveland.context["page"].object_list} == {theirs.pk}
    assert "You have 31 unread notifications." in cleveland.content.decode()
    visits = client.get(url, {"force": force_b.pk, "about": "post_inspection_visit"})
    assert "5 notifications" in visits.content.decode()
    # Unread keeps the choices, and the choices keep unread.
    unread = client.get(url, {"force": force_a.pk, "show": "unread"}).content.decode()
    assert "1 unread notification" in unread and "Overdue week 3" in unread
    assert f'href="?force={force_a.pk}&amp;show=all"' in unread
    assert 'name="show" value="unread"' in unread
    none = client.get(url, {"force": force_a.pk, "about": "fieldwork"}).content.decode()
    assert "No notifications match these choices." in none
    # A value not offered (an old link) is left out; the page is not an error.
    odd = client.get(url, {"force": "not-a-force", "about": "everything"})
    assert odd.status_code == 200 and "60 notifications" in odd.content.decode()

    # A force lead's are all their own force's: no force to choose.
    lead_page = client_for(force_lead_a).get(url).content.decode()
    assert 'name="force"' not in lead_page


def test_narrowed_to_a_force_only_unread_is_offered_when_some_listed_are_read(
    client_for, admin_user, lead_inspector, force_a, force_b
):
    """Found by the review of the day's changes: narrowed to one force, the
    offer of "only unread" was weighed against every force's unread."""
    from actionplans.tests.factories import bare_inspection

    due = today() - timedelta(days=1)
    ours = bare_inspection(force=force_a, lead=lead_inspector, action_plan_due_on=due)
    theirs = bare_inspection(force=force_b, lead=lead_inspector, action_plan_due_on=due)
    weekly_overdue_notices(admin_user, ours, 3, unread=(1,))
    weekly_overdue_notices(admin_user, theirs, 5)
    url = reverse("actionplans:notifications")
    html = client_for(admin_user).get(url, {"force": force_a.pk}).content.decode()
    assert "You have 6 unread notifications." in html and "3 notifications" in html
    assert "Show only unread notifications" in html
    unread = client_for(admin_user).get(url, {"force": force_a.pk, "show": "unread"})
    assert "1 unread notification" in unread.content.decode()
