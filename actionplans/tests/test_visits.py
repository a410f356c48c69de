"""Post-inspection visits: notice, the admin's override, the record and re-inspection."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from actionplans import services
from actionplans.models import Notice, PostInspectionVisit
from actionplans.tests.factories import today, visit_day_comes
from core.models import AuditEvent
from core.stale import row_version
from inspections.models import Inspection
from tests.back import go_back
from tests.races import first_click_lands_first


def test_less_than_14_days_notice_is_refused_for_the_lead_inspector(published, lead_inspector):
    visit_on = today() + timedelta(days=13)
    with pytest.raises(ValidationError) as refused:
        services.post_inspection_visit_schedule(
            inspection=published, visit_on=visit_on, by=lead_inspector
        )
    earliest = today() + timedelta(days=14)
    assert refused.value.message_dict["visit_on"] == [
        f"The force must have 14 days' notice: choose {earliest.day} {earliest:%B %Y} or later, "
        "or ask an admin to allow short notice"
    ]
    assert not PostInspectionVisit.objects.exists()


def test_an_admin_must_give_a_reason_for_short_notice(published, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.post_inspection_visit_schedule(
            inspection=published, visit_on=today() + timedelta(days=10), by=admin_user
        )
    assert (
        "enter the reason for the short notice"
        in refused.value.message_dict["short_notice_reason"][0]
    )


def test_admin_override_is_recorded_and_the_notice_goes_at_once(
    published, admin_user, force_lead_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.post_inspection_visit_schedule(
            inspection=published,
            visit_on=today() + timedelta(days=10),
            by=admin_user,
            short_notice_reason="The chief constable retires next month",
        )
    assert visit.short_notice_reason == "The chief constable retires next month"
    assert visit.notice_sent_at is not None
    event = AuditEvent.objects.get(action="visit.scheduled")
    assert event.changes["short_notice_override"][1] == "The chief constable retires next month"
    notice = Notice.objects.get(kind=Notice.Kind.VISIT_BOOKED)
    assert notice.recipient == force_lead_a
    assert notice.sent_at == visit.notice_sent_at
    assert [m.to for m in mail.outbox] == [[force_lead_a.email]]
    assert "Post-inspection visit on" in mail.outbox[0].subject


def test_enough_notice_needs_no_reason_and_records_none(published, lead_inspector):
    visit = services.post_inspection_visit_schedule(
        inspection=published,
        visit_on=today() + timedelta(days=14),
        by=lead_inspector,
        short_notice_reason="ignored",
    )
    assert visit.short_notice_reason == ""


def test_a_visit_in_the_past_is_refused(published, admin_user):
    with pytest.raises(ValidationError, match="must be in the future"):
        services.post_inspection_visit_schedule(
            inspection=published, visit_on=today(), by=admin_user, short_notice_reason="x"
        )


def _record(visit, by, **overrides):
    data = {
        "people_interviewed": ["chief_officer", "child_protection_lead"],
        "other_people_interviewed": "Detective inspector",
        "documents_reviewed": "Action plan progress report",
        "feedback": "Progress on supervision is clear.",
        "outcome": PostInspectionVisit.Outcome.PROGRESS_SATISFACTORY,
    }
    return services.post_inspection_visit_record(visit=visit, by=by, **{**data, **overrides})


@pytest.fixture
def booked(published, lead_inspector):
    return services.post_inspection_visit_schedule(
        inspection=published, visit_on=today() + timedelta(days=20), by=lead_inspector
    )


@pytest.fixture
def visit(booked):
    """A booked visit whose day has come."""
    return visit_day_comes(booked)


def test_a_visit_is_recorded_from_its_day_not_before(client_for, booked, lead_inspector):
    with pytest.raises(ValidationError, match="can be recorded from"):
        _record(booked, lead_inspector)
    client = client_for(lead_inspector)
    page = client.get(booked.get_absolute_url()).content.decode()
    assert "You can record the visit from" in page and "Record the visit</a>" not in page
    address = reverse("actionplans:visit_record", args=[booked.inspection_id, booked.pk])
    response = client.get(address, follow=True)
    assert response.redirect_chain[0][0] == booked.get_absolute_url()
    booked.refresh_from_db()
    assert booked.outcome == ""
    assert "Record the visit</a>" in client.get(visit_day_comes(booked).get_absolute_url()).text


def test_the_outcome_that_planned_a_re_inspection_cannot_change(visit, lead_inspector):
    start = today() + timedelta(days=90)
    full = PostInspectionVisit.Outcome.FULL_RE_INSPECTION
    _record(visit, lead_inspector, outcome=full, re_inspection_start=start,
            re_inspection_end=start + timedelta(days=4))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        _record(visit, lead_inspector)  # progress satisfactory
    assert "can no longer change" in refused.value.message_dict["outcome"][0]
    visit.refresh_from_db()
    assert visit.outcome == full and visit.re_inspection is not None


def test_a_re_inspection_must_start_after_today(visit, lead_inspector):
    with pytest.raises(ValidationError) as refused:
        _record(
            visit,
            lead_inspector,
            outcome=PostInspectionVisit.Outcome.FULL_RE_INSPECTION,
            re_inspection_start=today(),
            re_inspection_end=today() + timedelta(days=4),
        )
    assert "must start after today" in refused.value.message_dict["re_inspection_start"][0]
    assert not Inspection.objects.filter(kind=Inspection.Kind.RE_INSPECTION).exists()


def test_the_record_form_asks_only_what_it_keeps(client_for, lead_inspector, visit):
    """Other officers ticked: their roles are needed. A re-inspection already
    planned: its dates are not asked again."""
    address = reverse("actionplans:visit_record", args=[visit.inspection_id, visit.pk])
    client = client_for(lead_inspector)
    html = client.post(address, {"people_interviewed": ["other"]}).content.decode()
    assert "Enter the roles of the other officers and staff you interviewed" in html
    start = today() + timedelta(days=90)
    _record(visit, lead_inspector, outcome=PostInspectionVisit.Outcome.FULL_RE_INSPECTION,
            re_inspection_start=start, re_inspection_end=start + timedelta(days=4))  # fmt: skip
    html = client.get(address).content.decode()
    assert "re_inspection_start" not in html
    saved = client.post(
        address,
        {
            "people_interviewed": ["chief_officer"],
            "documents_reviewed": "Progress report",
            "feedback": "Re-inspection confirmed.",
            "outcome": "full_re_inspection",
        },
    )
    assert saved.status_code == 302


def test_recording_the_visit_is_audited(visit, lead_inspector):
    visit = _record(visit, lead_inspector)
    assert visit.interviewee_labels == ["Chief officer", "Child protection lead"]
    event = AuditEvent.objects.get(action="visit.recorded")
    assert event.changes["outcome"] == ["", "Progress satisfactory"]
    # In words, as the visit's page names them: the history read
    # "People interviewed: [] → ['chief_officer', 'child_protection_lead']".
    assert event.changes["people_interviewed"] == ["", "Chief officer, Child protection lead"]
    _record(visit, lead_inspector, people_interviewed=["chief_officer"])
    changed = AuditEvent.objects.filter(action="visit.recorded").first()
    assert changed.changes == {
        "people_interviewed": ["Chief officer, Child protection lead", "Chief officer"]
    }


def test_full_re_inspection_puts_a_planned_re_inspection_into_the_programme(
    visit, lead_inspector, published
):
    start = date(2027, 6, 7)
    visit = _record(
        visit,
        lead_inspector,
        outcome=PostInspectionVisit.Outcome.FULL_RE_INSPECTION,
        re_inspection_start=start,
        re_inspection_end=start + timedelta(days=4),
    )
    again = visit.re_inspection
    assert (again.force, again.kind, again.stage) == (
        published.force,
        Inspection.Kind.RE_INSPECTION,
        Inspection.Stage.PLANNED,
    )
    assert again.lead_inspector == lead_inspector
    # Saving the record again does not schedule a second one.
    _record(visit, lead_inspector, outcome=PostInspectionVisit.Outcome.FULL_RE_INSPECTION)
    assert Inspection.objects.filter(kind=Inspection.Kind.RE_INSPECTION).count() == 1


def test_full_re_inspection_needs_fieldwork_dates(visit, lead_inspector):
    with pytest.raises(ValidationError) as refused:
        _record(visit, lead_inspector, outcome=PostInspectionVisit.Outcome.FULL_RE_INSPECTION)
    assert "re_inspection_start" in refused.value.message_dict
    visit.refresh_from_db()
    assert visit.outcome == ""


def test_schedule_page_walks_through_check_your_answers(client_for, admin_user, published):
    client = client_for(admin_user)
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    day = today() + timedelta(days=10)
    data = {"visit_on_0": day.day, "visit_on_1": day.month, "visit_on_2": day.year}

    refused = client.post(address, data).content.decode()
    assert "<title>Error: Book a post-inspection visit" in refused
    assert "enter the reason for the short notice" in refused

    data["short_notice_reason"] = "Force asked for an early visit"
    check = client.post(address, data).content.decode()
    assert "Check the visit before you book it" in check
    assert "Force asked for an early visit" in check
    assert not PostInspectionVisit.objects.exists()

    booked = client.post(address, {**data, "confirm": "1"}, follow=True).content.decode()
    assert "Notice sent to the force on" in booked
    visit = PostInspectionVisit.objects.get()
    assert visit.short_notice_reason == "Force asked for an early visit"


def test_back_from_the_visit_check_page_keeps_the_answers(client_for, admin_user, published):
    """Back on 'Check the visit before you book it' goes to the form with the
    day and the reason for the short notice entered, as 'Change the details'
    does: it was a link to the form, which opened empty."""
    client = client_for(admin_user)
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    day = today() + timedelta(days=10)
    data = {"visit_on_0": day.day, "visit_on_1": day.month, "visit_on_2": day.year}
    data["short_notice_reason"] = "Force asked for an early visit"
    check = client.post(address, data).content.decode()
    assert "Check the visit before you book it" in check

    form = go_back(client, check, address).content.decode()
    assert "<title>Book a post-inspection visit" in form
    assert "Force asked for an early visit</textarea>" in form
    assert re.search(rf'name="visit_on_0"[^>]*value="{day.day}"', form)
    assert not PostInspectionVisit.objects.exists()


def test_the_date_field_speaks_govuk(client_for, lead_inspector, published):
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    html = client_for(lead_inspector).post(address, {"visit_on_0": "3"}).content.decode()
    # One message naming both missing parts, as GOV.UK words it: beside the
    # field, and once in the error summary, linked to the first missing part.
    message = "The date of the visit must include a month and year"
    assert html.count(message) == 2
    assert f'<a href="#id_visit_on_1">{message}</a>' in html
    # The missing parts are marked in error; the day, which was given, is not.
    marked = re.findall(r'<input[^>]*class="([^"]*)"[^>]*id="id_visit_on_(\d)"', html)
    assert sorted(n for classes, n in marked if "govuk-input--error" in classes) == ["1", "2"]
    assert "short_notice_reason" not in html  # only admins may allow short notice


def test_record_page_saves_the_outcome(client_for, lead_inspector, visit):
    address = reverse("actionplans:visit_record", args=[visit.inspection_id, visit.pk])
    client = client_for(lead_inspector)
    html = client.post(address, {"outcome": "full_re_inspection"}).content.decode()
    for message in (
        "Select who you interviewed",
        "Enter the documents you reviewed",
        "Enter the feedback you gave",
        "Enter the start of re-inspection fieldwork",
    ):
        assert message in html
    response = client.post(
        address,
        {
            "people_interviewed": ["chief_officer", "other"],
            "other_people_interviewed": "MASH manager",
            "documents_reviewed": "Supervision audit",
            "feedback": "Concerns about supervision remain.",
            "outcome": "concerns_remain",
        },
        follow=True,
    )
    assert "Visit record saved" in response.content.decode()
    visit.refresh_from_db()
    assert visit.outcome == "concerns_remain"


def test_a_force_with_no_active_force_lead_cannot_be_given_notice(
    client_for, admin_user, published, force_lead_a
):
    force_lead_a.is_active = False
    force_lead_a.save(update_fields=["is_active"])
    day = today() + timedelta(days=20)

    with pytest.raises(ValidationError, match="no active force lead to send the notice to"):
        services.post_inspection_visit_schedule(inspection=published, visit_on=day, by=admin_user)
    assert not PostInspectionVisit.objects.exists()  # the booking was undone
    assert not Notice.objects.filter(kind=Notice.Kind.VISIT_BOOKED).exists()

    address = reverse("actionplans:visit_schedule", args=[published.pk])
    client = client_for(admin_user)
    page = client.get(address).content.decode()
    assert "<title>You cannot book a post-inspection visit yet" in page
    assert "Greater Manchester has no active force lead to send the notice to" in page
    days = settings.PROGRAMME_RULES["VISIT_NOTICE_DAYS"]
    assert f"notice of the visit at least {days} days before it" in page
    assert 'name="visit_on_0"' not in page
    data = {"visit_on_0": day.day, "visit_on_1": day.month, "visit_on_2": day.year}
    refused = client.post(address, {**data, "confirm": "1"}).content.decode()
    assert "no active force lead" in refused
    assert not PostInspectionVisit.objects.exists()

    force_lead_a.is_active = True
    force_lead_a.save(update_fields=["is_active"])
    booked = client.post(address, {**data, "confirm": "1"}, follow=True).content.decode()
    assert "Notice sent to the force on" in booked
    assert Notice.objects.get(kind=Notice.Kind.VISIT_BOOKED).recipient == force_lead_a


def test_a_visit_in_year_9999_is_refused_with_a_message(client_for, admin_user, published):
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    data = {"visit_on_0": "31", "visit_on_1": "12", "visit_on_2": "9999", "confirm": "1"}
    html = client_for(admin_user).post(address, data).content.decode()
    assert "The date of the visit must be between 1 January 2000 and 31 December 2099" in html
    assert not PostInspectionVisit.objects.exists()


def test_two_bookings_for_one_day_at_once_give_an_error_not_a_500(
    published, admin_user, monkeypatch
):
    from django.db.models import QuerySet

    day = today() + timedelta(days=20)
    services.post_inspection_visit_schedule(inspection=published, visit_on=day, by=admin_user)
    # The second request looked for a visit that day before the first committed.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(ValidationError) as refused:
        services.post_inspection_visit_schedule(inspection=published, visit_on=day, by=admin_user)
    assert refused.value.message_dict == {"visit_on": ["A visit is already booked for that date"]}
    assert PostInspectionVisit.objects.count() == 1


def test_a_day_already_booked_is_refused_before_the_check_page(client_for, admin_user, published):
    """Found by walking the admin's journey: the check page offered 'Book
    visit and send notice' for a day already booked, which could only refuse."""
    day = today() + timedelta(days=20)
    services.post_inspection_visit_schedule(inspection=published, visit_on=day, by=admin_user)
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    data = {"visit_on_0": day.day, "visit_on_1": day.month, "visit_on_2": day.year}
    html = client_for(admin_user).post(address, data).content.decode()
    assert "Check the visit before you book it" not in html
    assert "There is a problem" in html
    assert "A visit is already booked for that date" in html
    assert PostInspectionVisit.objects.count() == 1


def test_a_booking_sent_again_goes_to_the_visit_booked_not_to_an_error(
    client_for, admin_user, published, monkeypatch
):
    """Found by the concurrency review: 'Book visit and send notice' sent
    again (the back button, or a second click that waited for the first)
    drew the date form with 'There is a problem: A visit is already booked
    for that date', the visit its own click had just booked."""
    day = today() + timedelta(days=20)
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    data = {"visit_on_0": day.day, "visit_on_1": day.month, "visit_on_2": day.year}
    client = client_for(admin_user)
    assert client.post(address, {**data, "confirm": "1"}).status_code == 302
    visit = PostInspectionVisit.objects.get()
    again = client.post(address, {**data, "confirm": "1"}, follow=True)
    assert again.redirect_chain[-1][0] == visit.get_absolute_url()
    assert "You have booked a visit for" in again.text
    assert "There is a problem" not in again.text

    first_click_lands_first(monkeypatch, services, "post_inspection_visit_schedule")
    later = day + timedelta(days=7)
    data = {"visit_on_0": later.day, "visit_on_1": later.month, "visit_on_2": later.year}
    twice = client.post(address, {**data, "confirm": "1"}, follow=True)
    assert (
        twice.redirect_chain[-1][0]
        == PostInspectionVisit.objects.get(visit_on=later).get_absolute_url()
    )
    assert "You have booked a visit for" in twice.text
    assert "There is a problem" not in twice.text
    assert AuditEvent.objects.filter(action="visit.scheduled").count() == 2


def test_a_short_notice_day_already_booked_says_both_problems_at_once(
    client_for, admin_user, published
):
    """GOV.UK asks for every error at once: an admin who left out the reason
    for short notice was asked for it, and only once they had written it told
    the day was taken (found by the review of the morning's changes)."""
    day = today() + timedelta(days=10)
    services.post_inspection_visit_schedule(
        inspection=published, visit_on=day, short_notice_reason="Urgent", by=admin_user
    )
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    data = {"visit_on_0": day.day, "visit_on_1": day.month, "visit_on_2": day.year}
    html = client_for(admin_user).post(address, data).content.decode()
    assert "A visit is already booked for that date" in html
    assert "enter the reason for the short notice" in html
    assert PostInspectionVisit.objects.count() == 1


def test_a_reason_given_for_a_visit_with_full_notice_is_not_shown_as_short_notice(
    client_for, admin_user, published
):
    address = reverse("actionplans:visit_schedule", args=[published.pk])
    day = today() + timedelta(days=30)
    data = {"visit_on_0": day.day, "visit_on_1": day.month, "visit_on_2": day.year}
    check = client_for(admin_user).post(address, {**data, "short_notice_reason": "Early"})
    html = check.content.decode()
    assert "Check the visit before you book it" in html
    assert "less than the usual notice" not in html
    assert "Reason for short notice" not in html


def test_a_booked_visit_is_cancelled_with_a_reason_and_its_day_can_be_booked_again(
    client_for, booked, admin_user, lead_inspector, force_lead_a, django_capture_on_commit_callbacks
):
    """Found by a review: a visit booked on the wrong day could never be
    cancelled or moved; it stayed in the force's list and calendar for good."""
    inspection = booked.inspection
    client = client_for(admin_user)
    page = client.get(booked.get_absolute_url()).content.decode()
    cancel = reverse("actionplans:visit_cancel", args=[inspection.pk, booked.pk])
    assert cancel in page
    html = client.post(cancel, {"reason": "  "}).content.decode()
    assert "Enter why the visit is cancelled" in html and "govuk-error-summary" in html
    booked.refresh_from_db()
    assert not booked.is_cancelled

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel, {"reason": "Booked on the wrong day"}, follow=True)
    html = response.content.decode()
    assert "is cancelled. The force and the lead inspector have been told" in html
    assert "Booked on the wrong day" in html and "Cancel this visit" not in html
    booked.refresh_from_db()
    assert booked.cancelled_by == admin_user and booked.is_cancelled
    told = Notice.objects.filter(kind=Notice.Kind.VISIT_CANCELLED)
    assert set(told.values_list("recipient", flat=True)) == {force_lead_a.pk, lead_inspector.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [force_lead_a.email, lead_inspector.email]
    )
    event = AuditEvent.objects.get(action="visit.cancelled")
    assert event.actor == admin_user and event.comment == "Booked on the wrong day"
    assert event.changes == {"visit_on": [str(booked.visit_on), None]}

    # Gone from the force's list and calendar, and the dashboard; a second cancel is refused.
    from actionplans.calendar import calendar_events
    from dashboard import national

    home = client_for(force_lead_a).get(reverse("core:home")).content.decode()
    assert "Post-inspection visit" not in home
    assert not [e for e in calendar_events(force_lead_a) if "visit" in e.summary.lower()]
    forces = {inspection.force_id: inspection.force}
    assert not national.post_inspection_visits(start=today(), end=booked.visit_on, forces=forces)
    assert client_for(admin_user).get(cancel).status_code == 302
    with pytest.raises(ValidationError, match="already been cancelled"):
        services.post_inspection_visit_cancel(visit=booked, reason="Again", by=admin_user)

    # The same day can be booked again, and the force is told again.
    again = services.post_inspection_visit_schedule(
        inspection=inspection, visit_on=booked.visit_on, by=lead_inspector
    )
    assert again.notice_sent_at is not None
    assert (
        "Post-inspection visit"
        in client_for(force_lead_a).get(reverse("core:home")).content.decode()
    )


def test_a_second_click_on_cancel_that_waited_for_the_first_says_it_is_cancelled(
    client_for, booked, admin_user, monkeypatch
):
    """Found by the concurrency review: both clicks passed the page's check;
    the one that waited for the first drew the form again with 'There is a
    problem: This visit has already been cancelled'."""
    first_click_lands_first(monkeypatch, services, "post_inspection_visit_cancel")
    url = reverse("actionplans:visit_cancel", args=[booked.inspection_id, booked.pk])
    response = client_for(admin_user).post(url, {"reason": "Wrong day"}, follow=True)
    assert response.redirect_chain[-1][0] == booked.get_absolute_url()
    assert "This visit has already been cancelled, so it cannot be cancelled" in response.text
    assert "There is a problem" not in response.text
    assert AuditEvent.objects.filter(action="visit.cancelled").count() == 1


def test_the_cancellation_email_keeps_the_reason_in_the_service_and_says_who_is_told_next(
    booked, admin_user, lead_inspector, force_lead_a, django_capture_on_commit_callbacks
):
    """Found by an email review: the reason, free text, was copied into the
    email; and the lead inspector was told "you will be given notice" of
    another visit, which only the force is."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_inspection_visit_cancel(
            visit=booked, reason="The child protection lead is on sick leave", by=admin_user
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [force_lead_a.email, lead_inspector.email]
    )
    for message in mail.outbox:
        assert "sick leave" not in message.body
        assert "The reason is on the visit's page." in message.body
        assert "the force will be given notice of it" in message.body
        assert "you will be given notice" not in message.body
        assert message.body.endswith(f"{settings.SERVICE_URL}{booked.get_absolute_url()}")


def test_a_visit_that_has_taken_place_cannot_be_cancelled(client_for, visit, admin_user):
    page = client_for(admin_user).get(visit.get_absolute_url()).content.decode()
    assert "Cancel this visit" not in page
    with pytest.raises(ValidationError, match="has taken place"):
        services.post_inspection_visit_cancel(visit=visit, reason="Too late", by=admin_user)


def test_only_those_who_book_visits_cancel_them(booked, inspector, force_lead_a):
    from django.core.exceptions import PermissionDenied

    for person in (inspector, force_lead_a):
        with pytest.raises(PermissionDenied):
            services.post_inspection_visit_cancel(visit=booked, reason="No", by=person)


def _record_page(client, visit) -> tuple[str, str]:
    """The record page's address and the "seen" it carries, as drawn now."""
    address = reverse("actionplans:visit_record", args=[visit.inspection_id, visit.pk])
    html = client.get(address).content.decode()
    seen = re.search(r'name="seen" value="([^"]*)"', html)
    return address, seen.group(1) if seen else ""


RECORD = {
    "people_interviewed": ["chief_officer"],
    "documents_reviewed": "Supervision audit",
    "outcome": "progress_satisfactory",
}


def test_a_record_saved_from_a_page_drawn_before_anothers_is_refused(
    client_for, visit, lead_inspector, admin_user
):
    """Found by a review: the lead inspector and an admin may both record a
    visit, and the later save silently replaced the earlier record."""
    admins = client_for(admin_user)
    address, seen = _record_page(admins, visit)
    lead = client_for(lead_inspector)
    _, lead_seen = _record_page(lead, visit)
    lead.post(address, {**RECORD, "feedback": "The lead's feedback", "seen": lead_seen})

    html = admins.post(address, {**RECORD, "feedback": "The admin's feedback", "seen": seen})

    assert html.status_code == 200
    assert "Someone else recorded this visit after you opened this page" in html.content.decode()
    visit.refresh_from_db()
    assert visit.feedback == "The lead's feedback"
    assert AuditEvent.objects.filter(action="visit.recorded").count() == 1
    # Told, and shown their own answers again, they can save them over the other's.
    again = admins.post(
        address,
        {**RECORD, "feedback": "The admin's feedback", "seen": html.context["form"].data["seen"]},
    )
    assert again.status_code == 302
    visit.refresh_from_db()
    assert visit.feedback == "The admin's feedback"


def test_a_second_click_on_save_is_not_refused_as_stale(visit, lead_inspector):
    seen = row_version(visit)
    data = {**RECORD, "other_people_interviewed": "", "feedback": "Clear progress"}
    _record(visit, lead_inspector, **data, seen=seen)
    _record(visit, lead_inspector, **data, seen=seen)
    assert AuditEvent.objects.filter(action="visit.recorded").count() == 1


def test_the_force_lead_is_told_what_happens_at_a_booked_visit(
    client_for, booked, force_lead_a, lead_inspector
):
    said = "Inspectors will interview officers and staff, including chief officers"
    client = client_for(force_lead_a)
    page = client.get(booked.get_absolute_url()).text
    assert said in page
    # The methodology's words: documents on the recommendations, and feedback
    # only on concerns found.
    assert "documents that record how the force is putting the recommendations into" in page
    assert "If they find any concerns, they will tell you at the visit." in page
    services.post_inspection_visit_cancel(visit=booked, reason="Illness", by=lead_inspector)
    assert said not in client.get(booked.get_absolute_url()).text


def test_the_link_to_a_visit_says_it_is_a_visit_not_only_its_date(
    client_for, booked, lead_inspector, force_lead_a
):
    """Found by tabbing through the inspection page: a screen reader's list of
    links read a bare "18 December 2026", with nothing to say what happens then."""
    from core.templatetags.govuk import govuk_date

    link = (
        f'<a class="govuk-link" href="{booked.get_absolute_url()}">'
        f'<span class="govuk-visually-hidden">Post-inspection visit on </span>'
        f"{govuk_date(booked.visit_on)}</a>"
    )
    inspection = booked.inspection
    for user in (lead_inspector, force_lead_a):
        for address in (
            inspection.get_absolute_url(),
            reverse("actionplans:followup", args=[inspection.pk]),
        ):
            assert link in client_for(user).get(address).text, (user, address)


def test_a_re_inspection_ending_before_it_starts_is_told_beside_its_end(
    client_for, visit, lead_inspector
):
    start = today() + timedelta(days=90)
    end = start - timedelta(days=1)
    address, seen = _record_page(client_for(lead_inspector), visit)
    html = (
        client_for(lead_inspector)
        .post(
            address,
            {
                **RECORD,
                "feedback": "A full re-inspection is needed.",
                "outcome": "full_re_inspection",
                "re_inspection_start_0": start.day,
                "re_inspection_start_1": start.month,
                "re_inspection_start_2": start.year,
                "re_inspection_end_0": end.day,
                "re_inspection_end_1": end.month,
                "re_inspection_end_2": end.year,
                "seen": seen,
            },
        )
        .content.decode()
    )
    message = "The re-inspection fieldwork end date must be the same as or after its start date"
    assert f'<a href="#id_re_inspection_end_0">{message}</a>' in html
    assert not Inspection.objects.filter(kind=Inspection.Kind.RE_INSPECTION).exists()
    visit.refresh_from_db()
    assert not visit.outcome  # nothing half-saved: the visit is not recorded either


def test_roles_of_other_officers_need_the_other_officers_ticked(client_for, lead_inspector, visit):
    """Found by the bad input review: roles typed with only the chief officer
    ticked were kept, and the record listed them under people interviewed
    while saying only the chief officer was."""
    address = reverse("actionplans:visit_record", args=[visit.inspection_id, visit.pk])
    response = client_for(lead_inspector).post(
        address,
        {
            "people_interviewed": ["chief_officer"],
            "other_people_interviewed": "Detective inspector, MASH",
            "documents_reviewed": "Minutes",
            "feedback": "Good progress",
            "outcome": PostInspectionVisit.Outcome.values[0],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select other officers and staff if you interviewed them" in html
    assert 'href="#id_people_interviewed' in html
    visit.refresh_from_db()
    assert visit.outcome_recorded_at is None and visit.other_people_interviewed == ""


def test_a_record_saved_before_line_breaks_were_read_as_one_is_saved_again_as_no_change(
    client_for, admin_user, lead_inspector, visit
):
    """Found by the review of the day's changes: a textarea's line breaks are
    now read as one character (LF), while records saved before kept the
    browser's CR LF. The lead inspector's record, opened by an admin and saved
    as it was, was recorded as changed, its feedback 'from' and 'to' reading
    the same, and named the admin as the one who recorded the visit."""
    feedback = "Progress on supervision is clear.\r\nThe MASH is better staffed."
    _record(visit, lead_inspector, feedback=feedback, people_interviewed=["chief_officer", "other"])
    visit.refresh_from_db()
    address = reverse("actionplans:visit_record", args=[visit.inspection_id, visit.pk])
    client = client_for(admin_user)
    assert client.get(address).status_code == 200
    response = client.post(
        address,
        {
            "people_interviewed": ["chief_officer", "other"],
            "other_people_interviewed": "Detective inspector",
            "documents_reviewed": "Action plan progress report",
            "feedback": feedback,
            "outcome": PostInspectionVisit.Outcome.PROGRESS_SATISFACTORY,
            "seen": row_version(visit),
        },
    )
    assert response.status_code == 302, response.content.decode()
    visit.refresh_from_db()
    assert visit.outcome_recorded_by == lead_inspector
    assert AuditEvent.objects.filter(action="visit.recorded").count() == 1


def test_cancelling_a_visit_says_who_was_told(client_for, booked, admin_user, lead_inspector):
    """Found by the admin's work review (of the inspection's cancellation; the
    visit's said the same): a force with no force lead in the service was
    said to have been told, so nobody thought to tell it another way."""
    from accounts.models import User

    inspection = booked.inspection
    force_leads = User.objects.filter(force=inspection.force, role=User.Role.FORCE_LEAD)
    force_leads.update(is_active=False)  # none left in the service
    cancel = reverse("actionplans:visit_cancel", args=[inspection.pk, booked.pk])
    response = client_for(admin_user).post(cancel, {"reason": "Booked in error"}, follow=True)
    html = response.content.decode()
    assert "The force and the lead inspector have been told" not in html
    assert "is cancelled. The lead inspector has been told." in html
    assert f"{inspection.force.short_name} has no force lead in the service to tell" in html


def test_a_record_saved_with_invisible_characters_at_its_ends_is_saved_again_as_no_change(
    client_for, admin_user, lead_inspector, visit
):
    """Forms leave out the invisible characters at an answer's ends
    (core.text.strip_invisible), which text saved before kept: the record
    saved again as it was is no change, its 'from' and 'to' reading the same,
    and is still the lead inspector's."""
    feedback = "Progress on supervision is clear.\u200b"
    _record(visit, lead_inspector, feedback=feedback, people_interviewed=["chief_officer", "other"])
    visit.refresh_from_db()
    address = reverse("actionplans:visit_record", args=[visit.inspection_id, visit.pk])
    response = client_for(admin_user).post(
        address,
        {
            "people_interviewed": ["chief_officer", "other"],
            "other_people_interviewed": "\ufeffDetective inspector",
            "documents_reviewed": "Action plan progress report",
            "feedback": feedback,
            "outcome": PostInspectionVisit.Outcome.PROGRESS_SATISFACTORY,
            "seen": row_version(visit),
        },
    )
    assert response.status_code == 302, response.content.decode()
    visit.refresh_from_db()
    assert visit.outcome_recorded_by == lead_inspector
    assert AuditEvent.objects.filter(action="visit.recorded").count() == 1


def test_a_visit_is_named_by_its_date_as_gov_uk_writes_it_in_its_history(
    client_for, published, admin_user, lead_inspector
):
    """Found by the admin's journey review: booked for 5 March, a visit's
    page said 'Post-inspection visit on 5 March 2027', and the inspection's
    history and the audit trail named it 'Post-inspection visit on 05 March
    2027' (its str(), kept on each audit row)."""
    visit_on = today() + timedelta(days=15)
    while visit_on.day >= 10:
        visit_on += timedelta(days=1)
    visit = services.post_inspection_visit_schedule(
        inspection=published, visit_on=visit_on, by=lead_inspector
    )
    named = f"Post-inspection visit on {visit_on.day} {visit_on:%B %Y}"
    assert str(visit) == named
    assert AuditEvent.objects.get(action="visit.scheduled").object_repr == named
    client = client_for(admin_user)
    history = client.get(reverse("inspections:history", args=[published.pk])).text
    assert named in history and f"on 0{visit_on.day} " not in history


def test_a_visit_that_became_short_notice_after_its_check_page_is_checked_again(
    client_for, admin_user, published
):
    """Found by the admin's journey review: the check page drawn at 11:50pm
    for a visit 14 days away said nothing of short notice (a reason typed
    anyway is not kept); confirmed at ten past midnight, 13 days away, it was
    booked as short notice with that reason, the warning never shown. The
    check page is drawn again, now with the warning, and books nothing."""
    import time_machine

    address = reverse("actionplans:visit_schedule", args=[published.pk])
    day = date(2026, 12, 16)
    data = {
        "visit_on_0": day.day,
        "visit_on_1": day.month,
        "visit_on_2": day.year,
        "short_notice_reason": "In case",
    }
    with time_machine.travel("2026-12-02 23:50:00+00:00", tick=False):  # London, GMT
        client = client_for(admin_user)
        check = client.post(address, data).text
    assert "Check the visit before you book it" in check
    assert "less than the usual notice" not in check
    with time_machine.travel("2026-12-03 00:10:00+00:00", tick=False):
        again = client.post(address, {**_carried(check), "confirm": "1"})
    assert again.status_code == 200 and "less than the usual notice" in again.text
    assert not PostInspectionVisit.objects.exists()
    with time_machine.travel("2026-12-03 00:11:00+00:00", tick=False):
        booked = client.post(address, {**_carried(again.text), "confirm": "1"})
    assert booked.status_code == 302
    assert PostInspectionVisit.objects.get().short_notice_reason == "In case"


def _carried(check_page: str) -> dict:
    """The answers a check page carries back, as its hidden inputs hold them."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', check_page))
