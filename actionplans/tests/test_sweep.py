"""The deadline engine: reminders, overdue notices, no duplicates, no stale reminders."""

import threading
from datetime import datetime, time, timedelta
from io import StringIO
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans import notices, services
from actionplans.models import ActionPlan, Notice
from actionplans.notices import notices_sweep
from actionplans.tests.factories import (
    bare_inspection,
    bare_pcc_response_due,
    submitted_plan,
    today,
)
from core.templatetags.govuk import govuk_date
from forces.models import Force
from inspections.models import Inspection
from tests.races import race


@pytest.fixture(autouse=True)
def at_noon_in_london():
    """Midday, London's today. Tests here move a notice 20 minutes back, or
    email it after its sweep, and the reminder's "on its day" rule and a late
    email's words go by London's date: run in the minutes after midnight,
    the notice fell on the day before, and two failed (found when CI ran
    across midnight). The clock still ticks, for the threads' timeouts."""
    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    with time_machine.travel(noon, tick=True):
        yield


def kinds(**filters) -> list[tuple]:
    return sorted(
        Notice.objects.filter(**filters).values_list("recipient__email", "kind", "sequence")
    )


def test_reminders_go_to_the_force_lead_7_and_1_days_before(
    make_due, force_lead_a, django_capture_on_commit_callbacks
):
    due = today() + timedelta(days=10)
    make_due(action_plan_due_on=due)

    assert notices_sweep(today=due - timedelta(days=8)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep(today=due - timedelta(days=7)) == 1
    assert notices_sweep(today=due - timedelta(days=2)) == 0
    assert notices_sweep(today=due - timedelta(days=1)) == 1

    assert kinds() == [(force_lead_a.email, "reminder", 1), (force_lead_a.email, "reminder", 7)]
    assert [m.subject for m in mail.outbox] == ["Action plan due in 7 days: Greater Manchester"]
    assert mail.outbox[0].to == [force_lead_a.email]


def test_sweeping_twice_sends_one_notice(
    make_due, force_lead_a, django_capture_on_commit_callbacks
):
    due = today() + timedelta(days=7)
    make_due(action_plan_due_on=due)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep(today=today()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep(today=today()) == 0
    assert Notice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_overdue_goes_to_force_lead_lead_inspector_and_admins_weekly(
    make_due, force_lead_a, lead_inspector, admin_user, inspector
):
    due = today() - timedelta(days=1)
    make_due(action_plan_due_on=due)

    assert notices_sweep(today=due + timedelta(days=1)) == 3
    assert notices_sweep(today=due + timedelta(days=7)) == 0  # still week 1
    assert notices_sweep(today=due + timedelta(days=8)) == 3  # week 2
    recipients = {n.recipient for n in Notice.objects.filter(kind="overdue")}
    assert recipients == {force_lead_a, lead_inspector, admin_user}
    assert inspector not in recipients
    assert sorted(set(Notice.objects.values_list("sequence", flat=True))) == [1, 2]


def test_a_force_lead_who_joins_mid_week_gets_that_weeks_overdue_notice_alone(
    make_due, force_a, force_lead_a, lead_inspector, admin_user
):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    due = today() - timedelta(days=1)
    make_due(action_plan_due_on=due)
    assert notices_sweep(today=due + timedelta(days=1)) == 3
    newcomer = UserFactory(role=User.Role.FORCE_LEAD, force=force_a)

    # The week's notice already went to the others: only the newcomer's is new.
    assert notices_sweep(today=due + timedelta(days=3)) == 1
    assert notices_sweep(today=due + timedelta(days=4)) == 0
    assert kinds(recipient=newcomer) == [(newcomer.email, "overdue", 1)]
    assert Notice.objects.count() == 4


def test_the_garbage_collector_is_back_on_after_a_sweep_even_one_that_fails(
    make_due, force_lead_a, monkeypatch
):
    import gc

    make_due(action_plan_due_on=today() - timedelta(days=1))
    assert notices_sweep(today=today()) == 3
    assert gc.isenabled()

    def fail(*args, **kwargs):
        assert not gc.isenabled()  # paused while the sweep builds its notices
        raise RuntimeError("the claim failed")

    monkeypatch.setattr(notices, "notices_claim_rows", fail)
    with pytest.raises(RuntimeError):
        notices_sweep(today=today() + timedelta(days=7))
    assert gc.isenabled()


def test_after_a_ten_day_gap_the_overdue_notice_is_sent_and_no_stale_reminder(
    make_due, force_lead_a
):
    due = today() + timedelta(days=3)
    make_due(action_plan_due_on=due)
    last_run = due - timedelta(days=8)  # the day before the 7-day reminder
    assert notices_sweep(today=last_run) == 0

    # The worker is down for ten days, missing both reminder days.
    sent = notices_sweep(today=last_run + timedelta(days=10))

    assert Notice.objects.filter(kind=Notice.Kind.REMINDER).count() == 0
    assert sent == Notice.objects.filter(kind=Notice.Kind.OVERDUE).count() == 3
    notice = Notice.objects.get(recipient=force_lead_a)
    assert notice.sequence == 1
    assert "2 days overdue. A force lead submits it on the plan's page." in notice.body


def test_a_submitted_plan_gets_no_reminder_or_overdue_notice(make_due, force_lead_a):
    due = today() - timedelta(days=3)
    inspection = make_due(action_plan_due_on=due)
    submitted_plan(inspection, by=force_lead_a)
    Notice.objects.all().delete()  # the submission's own confirmations
    assert notices_sweep(today=today()) == 0


def test_a_returned_plan_is_chased_until_a_new_version_is_in(
    make_due, force_lead_a, lead_inspector, admin_user
):
    due = today() + timedelta(days=7)
    inspection = make_due(action_plan_due_on=due)
    plan, version = submitted_plan(inspection, by=force_lead_a)
    services.action_plan_version_return(version=version, by=lead_inspector, comment="More detail")
    Notice.objects.all().delete()  # the submission's and the return's own notices

    assert notices_sweep(today=today()) == 1
    reminder = Notice.objects.get(kind=Notice.Kind.REMINDER)
    assert reminder.recipient == force_lead_a
    assert reminder.title == "Action plan due in 7 days: Greater Manchester"
    assert "returned the last version with comments" in reminder.body

    assert notices_sweep(today=due + timedelta(days=1)) == 3
    overdue = Notice.objects.filter(kind=Notice.Kind.OVERDUE)
    assert {n.recipient for n in overdue} == {force_lead_a, lead_inspector, admin_user}
    assert "the last version was returned with comments" in overdue[0].body
    assert "1 day overdue. A force lead submits a new version on the plan's page." in (
        overdue[0].body
    )

    # Version 2 goes in: nothing more, whether it awaits review or is accepted.
    second = services.action_plan_submit(plan=plan, by=force_lead_a)
    assert notices_sweep(today=due + timedelta(days=8)) == 0
    services.action_plan_version_accept(version=second, by=lead_inspector)
    assert notices_sweep(today=due + timedelta(days=15)) == 0


def test_the_updated_action_plan_has_its_own_deadline(make_due, force_lead_a):
    inspection = make_due(
        action_plan_due_on=today() - timedelta(days=60), updated_due_on=today() + timedelta(days=1)
    )
    submitted_plan(inspection, by=force_lead_a)
    Notice.objects.all().delete()
    assert notices_sweep(today=today()) == 1
    notice = Notice.objects.get()
    assert notice.subject == ActionPlan.Kind.UPDATED_ACTION_PLAN
    assert notice.title == "Updated action plan due in 1 day: Greater Manchester"


def test_closed_inspections_are_not_chased(lead_inspector, force_a, force_lead_a):
    bare_inspection(
        force=force_a,
        lead=lead_inspector,
        action_plan_due_on=today() - timedelta(days=2),
        stage="closed",
    )
    assert notices_sweep(today=today()) == 0


def test_a_rollback_sends_nothing(make_due, force_lead_a, django_capture_on_commit_callbacks):
    from django.db import transaction

    make_due(action_plan_due_on=today() + timedelta(days=7))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notices_sweep(today=today())
        raise RuntimeError("the transaction fails after the claim")
    assert Notice.objects.count() == 0
    assert mail.outbox == []


def _overdue_elsewhere(forces, lead):
    for number, force in enumerate(forces):
        bare_inspection(
            force=force, lead=lead, action_plan_due_on=today() - timedelta(days=number + 1)
        )


def _sweep_queries() -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        sent = notices_sweep(today=today())
    return sent, [q["sql"] for q in captured.captured_queries]


def test_sweep_query_count_does_not_grow_with_the_number_of_deadlines(lead_inspector, admin_user):
    forces = list(Force.objects.order_by("slug")[:14])
    _overdue_elsewhere(forces[:2], lead_inspector)
    small_sent, small = _sweep_queries()

    Notice.objects.all().delete()
    _overdue_elsewhere(forces[2:], lead_inspector)
    large_sent, large = _sweep_queries()

    # Each overdue deadline: one notice to the lead inspector, one to the admin.
    assert (small_sent, large_sent) == (4, 28)
    assert len(small) == len(large)
    # Unsent emails, two deadline queries, the recipients, what was already
    # sent, one INSERT, one SELECT of what it inserted (on PostgreSQL: a COPY
    # and an INSERT ... RETURNING), and the transaction's savepoints.
    assert len(large) <= 11
    assert sum(sql.startswith("INSERT") for sql in large) == 1


def test_commissioners_responses_add_no_query_however_many_are_overdue(lead_inspector, admin_user):
    forces = list(Force.objects.order_by("slug")[:14])
    _overdue_elsewhere(forces[:1], lead_inspector)
    bare_pcc_response_due(force=forces[1], lead=lead_inspector, due_on=today() - timedelta(days=1))
    small_sent, small = _sweep_queries()

    Notice.objects.all().delete()
    for number, force in enumerate(forces[2:]):
        bare_pcc_response_due(
            force=force, lead=lead_inspector, due_on=today() - timedelta(days=number + 2)
        )
    large_sent, large = _sweep_queries()

    assert (small_sent, large_sent) == (4, 28)
    assert Notice.objects.filter(subject=Notice.Subject.PCC_RESPONSE).count() == 26
    assert len(small) == len(large) <= 11


# --- The police and crime commissioner's response ------------------------------


@pytest.fixture
def pcc_overdue(force_a, lead_inspector, force_lead_a, admin_user):
    """Force A's follow-up inspection whose commissioner's response was due yesterday."""
    return bare_pcc_response_due(
        force=force_a, lead=lead_inspector, due_on=today() - timedelta(days=1)
    )


def pcc_notices(**filters) -> list[tuple]:
    return sorted(
        Notice.objects.filter(subject=Notice.Subject.PCC_RESPONSE, **filters).values_list(
            "recipient__email", "kind", "sequence"
        )
    )


def test_an_overdue_commissioners_response_is_chased_weekly_until_recorded(
    pcc_overdue, force_lead_a, lead_inspector, admin_user, inspector,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from actionplans.pcc_response import pcc_response_record

    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep(today=today()) == 3
    assert pcc_notices() == sorted(
        (user.email, "overdue", 1) for user in (force_lead_a, lead_inspector, admin_user)
    )
    message = mail.outbox[0]
    assert message.subject == "Police and crime commissioner's response overdue: Greater Manchester"
    assert "1 day overdue" in message.body
    followup = reverse("actionplans:followup", args=[pcc_overdue.pk])
    assert f"{followup}#pcc-response" in message.body
    assert Notice.objects.filter(link=f"{followup}#pcc-response").count() == 3

    # Run twice, or again within the week: nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep(today=today()) == 0
        assert notices_sweep(today=today() + timedelta(days=6)) == 0
    assert len(mail.outbox) == 3
    assert notices_sweep(today=today() + timedelta(days=7)) == 3  # week 2
    assert inspector.email not in {email for email, _, _ in pcc_notices()}

    pcc_response_record(inspection=pcc_overdue, published_on=today(), by=force_lead_a)
    assert notices_sweep(today=today() + timedelta(days=14)) == 0


def test_a_missed_week_catches_up_with_the_current_weeks_notice(pcc_overdue, force_lead_a):
    # Nothing ran for over two weeks: the third week's notice, once.
    assert notices_sweep(today=today() + timedelta(days=15)) == 3
    assert notices_sweep(today=today() + timedelta(days=16)) == 0
    assert {sequence for _, _, sequence in pcc_notices()} == {3}
    notice = Notice.objects.get(recipient=force_lead_a)
    assert "16 days overdue" in notice.body


def test_a_commissioners_response_gets_no_reminder_and_closed_ones_are_not_chased(
    force_a, lead_inspector, force_lead_a, admin_user
):
    due = today() + timedelta(days=7)
    bare_pcc_response_due(force=force_a, lead=lead_inspector, due_on=due)
    assert notices_sweep(today=today()) == 0  # seven days before: no reminder
    assert notices_sweep(today=due) == 0  # due today: not yet overdue
    bare_pcc_response_due(
        force=force_a,
        lead=lead_inspector,
        due_on=today() - timedelta(days=3),
        stage=Inspection.Stage.CLOSED,
    )
    assert notices_sweep(today=today()) == 0
    assert pcc_notices() == []


def test_management_command_prints_how_many_it_sent(make_due, force_lead_a):
    due = today() + timedelta(days=7)
    make_due(action_plan_due_on=due)
    out = StringIO()
    call_command("sweep_deadlines", stdout=out)
    assert out.getvalue().strip() == "notices sent: 1"
    out = StringIO()
    call_command("sweep_deadlines", stdout=out)
    assert out.getvalue().strip() == "notices sent: 0"


def test_management_command_sweeps_only_today(make_due, force_lead_a):
    """Found by the dates review: `--today <yesterday>`, offered to back-fill
    a missed day, sent yesterday's "due in 1 day" reminder on the due date
    itself. Today's sweep catches up by itself, so the command takes no day."""
    make_due(action_plan_due_on=today())
    with pytest.raises(TypeError, match="today"):
        call_command("sweep_deadlines", today=str(today() - timedelta(days=1)))
    call_command("sweep_deadlines", stdout=StringIO())
    assert not Notice.objects.exists()  # due today: no reminder, not yet overdue


def test_the_beat_schedule_runs_the_sweep_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-deadlines"]
    assert entry["task"] == "actionplans.tasks.sweep_deadlines"
    assert entry["schedule"].hour == set(range(24))


def test_task_sweeps_for_the_given_date(make_due, force_lead_a):
    from actionplans.tasks import sweep_deadlines

    due = today() + timedelta(days=20)  # received 8 days ago
    make_due(action_plan_due_on=due)
    assert sweep_deadlines.delay(str(due - timedelta(days=7))).get() == 1


def test_email_task_retries_only_transient_errors():
    from smtplib import SMTPException

    from actionplans.tasks import send_notice_email, send_notice_emails

    for task in (send_notice_email, send_notice_emails):
        assert SMTPException in task.autoretry_for
        assert ConnectionError in task.autoretry_for
        assert Exception not in task.autoretry_for


def test_email_retries_last_about_four_hours_and_never_outwait_the_broker(settings):
    from actionplans.tasks import send_notice_email

    waits = [
        min(2**n, send_notice_email.retry_backoff_max) for n in range(send_notice_email.max_retries)
    ]
    assert 4 * 3600 <= sum(waits) <= 5 * 3600
    assert max(waits) < settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)


@pytest.mark.parametrize("failure", [SMTPServerDisconnected, SoftTimeLimitExceeded])
def test_a_batch_of_emails_stops_at_a_mail_server_failure_or_its_time_limit(
    make_due, force_lead_a, lead_inspector, admin_user, monkeypatch, failure
):
    # Trying the rest would only wait for the same server in turn (200 notices
    # at 30 s each ran past the time limit); the soft limit was swallowed as
    # one notice's failure. The batch is retried, or the next sweep queues it.
    from actionplans.tasks import send_notice_emails

    make_due(action_plan_due_on=today() - timedelta(days=1))
    assert notices_sweep(today=today()) == 3
    waiting = [
        str(pk)
        for pk in Notice.objects.filter(emailed_at__isnull=True).values_list("pk", flat=True)
    ]
    tries = []

    def fail(backend, messages):
        tries.append(messages)
        raise failure("the mail server went away")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", fail)
    with pytest.raises(failure):
        send_notice_emails(waiting)
    assert len(tries) == 1
    assert not Notice.objects.filter(pk__in=waiting, emailed_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_one_notice(
    make_due, force_lead_a, lead_inspector, admin_user, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes a database-wide write lock, so two sweeps cannot overlap; "
            "the race is tested on PostgreSQL (set DATABASE_URL)"
        )
    due = today() - timedelta(days=2)
    make_due(action_plan_due_on=due)
    mail.outbox.clear()  # the due date's own notice, emailed as it was set

    # Both workers must have built their notices and reach the INSERT together.
    barrier = threading.Barrier(2, timeout=10)
    claim = notices.notices_claim_rows

    def claim_together(candidates):
        barrier.wait()
        return claim(candidates)

    monkeypatch.setattr(notices, "notices_claim_rows", claim_together)

    def sweep() -> int:
        return notices_sweep(today=today())

    assert sorted(race(sweep, sweep)) == [0, 3]
    assert Notice.objects.count() == 3
    assert len(mail.outbox) == 3


def test_an_email_the_broker_lost_is_queued_again_by_the_next_sweep(
    make_due, force_lead_a, django_capture_on_commit_callbacks, monkeypatch
):
    from actionplans import tasks

    make_due(action_plan_due_on=today() + timedelta(days=7))

    def broker_down(notice_ids):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.send_notice_emails, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep(today=today()) == 1  # the claim stands; the page would too
    assert mail.outbox == []
    monkeypatch.undo()

    notice = Notice.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today())
    assert mail.outbox == []  # too soon: it may still be queued
    Notice.objects.filter(pk=notice.pk).update(sent_at=notice.sent_at - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep(today=today()) == 0
    assert [m.to for m in mail.outbox] == [[force_lead_a.email]]
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today())
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_sends_nothing_leaves_every_cached_page(force_a, lead_inspector):
    """Found by a review: the sweep's UNION ALL of deadlines starts "(SELECT",
    was taken for a write, and emptied the page cache every hour."""
    from django.core.cache import cache

    from actionplans.tests.factories import bare_pcc_response_due
    from core import fragments

    bare_pcc_response_due(force=force_a, lead=lead_inspector, due_on=today() + timedelta(days=20))
    fragments.data_changed()
    before = cache.get(fragments.VERSION_KEY)
    assert notices_sweep(today=today()) == 0
    assert cache.get(fragments.VERSION_KEY) == before


def _claimed_while_the_broker_was_down(monkeypatch, django_capture_on_commit_callbacks, day):
    """Sweep `day` with the broker down, then let the claimed notices' grace pass."""
    from actionplans import tasks

    def broker_down(notice_ids):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.send_notice_emails, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            assert notices_sweep(today=day) > 0
    Notice.objects.update(sent_at=timezone.now() - timedelta(minutes=20))
    assert mail.outbox == []


def _broker_down(patched) -> None:
    from actionplans import tasks

    def broker_down(notice_ids):
        raise ConnectionError("Redis is down")

    patched.setattr(tasks.send_notice_emails, "delay", broker_down)


def _grace_passed() -> None:
    Notice.objects.update(sent_at=timezone.now() - timedelta(minutes=20))


def test_an_unsent_due_date_is_not_emailed_once_an_admin_corrected_it_again(
    make_due, force_lead_a, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    """Found by the second dates review: with the broker down, an admin
    corrected the date twice (a typo); once it was back, the sweep emailed
    both "Action plan due on" notices, the stale date too."""
    from inspections.services import inspection_correct_dates

    inspection = make_due(action_plan_due_on=today() + timedelta(days=20))
    received = inspection.received_for_checks_on
    with monkeypatch.context() as patched:
        _broker_down(patched)
        for days, reason in ((2, "Typo"), (1, "Typo fixed properly")):
            with django_capture_on_commit_callbacks(execute=True):
                inspection_correct_dates(
                    inspection=inspection,
                    by=admin_user,
                    reason=reason,
                    received_on=received + timedelta(days=days),
                )
            inspection.refresh_from_db()
    _grace_passed()
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today())
    assert [m.subject for m in mail.outbox] == [
        f"Action plan due on {govuk_date(inspection.action_plan_due_on)}: Greater Manchester"
    ]


def _visit_emails(person) -> list[str]:
    return [
        m.subject
        for m in mail.outbox
        if m.to == [person.email] and m.subject.startswith("Post-inspection visit")
    ]


def _book_and_cancel(inspection, day, by, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.post_inspection_visit_schedule(inspection=inspection, visit_on=day, by=by)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_inspection_visit_cancel(
            visit=visit, reason="The force asked to move it", by=by
        )


def test_an_unsent_visit_notice_is_not_emailed_once_the_visit_is_cancelled(
    published, lead_inspector, force_lead_a, monkeypatch, django_capture_on_commit_callbacks
):
    """Found by the second dates review: booked and cancelled with the broker
    down, the force was then emailed the booking of a visit that will not
    happen, after its cancellation."""
    day = today() + timedelta(days=20)
    with monkeypatch.context() as patched:
        _broker_down(patched)
        _book_and_cancel(published, day, lead_inspector, django_capture_on_commit_callbacks)
    _grace_passed()
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today())
    assert _visit_emails(force_lead_a) == [
        f"Post-inspection visit on {govuk_date(day)} cancelled: Greater Manchester"
    ]


def test_an_unsent_visit_notice_is_emailed_for_the_day_booked_again(
    published, lead_inspector, force_lead_a, monkeypatch, django_capture_on_commit_callbacks
):
    """Booked, cancelled and booked again for the same day, the broker down:
    one booking email, the new one's, after the cancellation."""
    day = today() + timedelta(days=20)
    with monkeypatch.context() as patched:
        _broker_down(patched)
        _book_and_cancel(published, day, lead_inspector, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.post_inspection_visit_schedule(
                inspection=published, visit_on=day, by=lead_inspector
            )
    for minutes, notice in enumerate(Notice.objects.order_by("sent_at", "sequence", "kind")):
        Notice.objects.filter(pk=notice.pk).update(
            sent_at=timezone.now() - timedelta(minutes=30 - minutes)
        )
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today())
    when = govuk_date(day)
    assert _visit_emails(force_lead_a) == [
        f"Post-inspection visit on {when} cancelled: Greater Manchester",
        f"Post-inspection visit on {when}: Greater Manchester",
    ]


def test_an_unsent_overdue_week_is_not_emailed_beside_the_current_one(
    make_due, force_lead_a, monkeypatch, django_capture_on_commit_callbacks
):
    """Found by the second dates review: week 1's notice, claimed the afternoon
    after the due date with the mail relay down, was emailed a week later
    beside week 2's: "1 day overdue" and "8 days overdue" at once."""
    due = today() - timedelta(days=8)
    make_due(action_plan_due_on=due)
    with monkeypatch.context() as patched:
        _broker_down(patched)
        with django_capture_on_commit_callbacks(execute=True):
            assert notices_sweep(today=due + timedelta(days=1)) > 0
    Notice.objects.update(sent_at=timezone.now() - timedelta(days=6, hours=22))
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today())
    to_lead = [m.body for m in mail.outbox if m.to == [force_lead_a.email]]
    assert len(to_lead) == 1, to_lead
    assert "It is 8 days overdue" in to_lead[0]


def test_an_unsent_reminder_is_not_emailed_once_an_admin_has_corrected_its_date(
    make_due, force_lead_a, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    from inspections.services import inspection_correct_dates

    inspection = make_due(action_plan_due_on=today() + timedelta(days=7))
    _claimed_while_the_broker_was_down(monkeypatch, django_capture_on_commit_callbacks, today())
    with django_capture_on_commit_callbacks(execute=True):
        inspection_correct_dates(
            inspection=inspection,
            by=admin_user,
            reason="The report reached the force later",
            received_on=inspection.received_for_checks_on + timedelta(days=14),
        )
        notices_sweep(today=today())
    # The force is told the new date, and not, after it, the old one.
    new_date = govuk_date(today() + timedelta(days=21))
    assert [m.subject for m in mail.outbox] == [
        f"Action plan due on {new_date}: Greater Manchester"
    ]


def test_an_unsent_reminder_is_not_emailed_after_its_day(
    make_due, force_lead_a, monkeypatch, django_capture_on_commit_callbacks
):
    """Found by a code review: 'due in 1 day', claimed with the broker down,
    went days later beside the overdue notice."""
    make_due(action_plan_due_on=today() + timedelta(days=1))
    _claimed_while_the_broker_was_down(monkeypatch, django_capture_on_commit_callbacks, today())
    # The next day: the reminder's day has passed; the plan is due today.
    Notice.objects.update(sent_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today() + timedelta(days=1))
    assert mail.outbox == []
    reminder = Notice.objects.get(kind=Notice.Kind.REMINDER)
    assert notices.notice_email(notice_id=str(reminder.pk)) is False
    # Still on its day, it goes.
    Notice.objects.update(sent_at=timezone.now())
    assert notices.notice_email(notice_id=str(reminder.pk)) is True


def test_an_overdue_notice_emailed_days_late_says_when_it_was_written(
    make_due, force_lead_a, monkeypatch, django_capture_on_commit_callbacks
):
    """Its words hold for the day it was written ("It is 1 day overdue"): an
    email sent days later, the broker having been down, says so first."""
    make_due(action_plan_due_on=today() - timedelta(days=1))
    _claimed_while_the_broker_was_down(monkeypatch, django_capture_on_commit_callbacks, today())
    notice = Notice.objects.filter(recipient=force_lead_a).get()
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now() - timedelta(days=3))

    assert notices.notice_email(notice_id=str(notice.pk)) is True
    written = govuk_date(timezone.localdate() - timedelta(days=3))
    assert mail.outbox[0].body.startswith(
        f"This was written on {written}. Its email was delayed.\n\n{notice.body}"
    )
    assert "It is 1 day overdue" in notice.body


def test_a_notice_emailed_the_day_it_was_written_says_nothing_of_delay(
    make_due, force_lead_a, monkeypatch, django_capture_on_commit_callbacks
):
    make_due(action_plan_due_on=today() - timedelta(days=1))
    _claimed_while_the_broker_was_down(monkeypatch, django_capture_on_commit_callbacks, today())
    notice = Notice.objects.filter(recipient=force_lead_a).get()

    assert notices.notice_email(notice_id=str(notice.pk)) is True
    assert mail.outbox[0].body.startswith(notice.body)


def test_an_unsent_overdue_notice_is_not_emailed_once_the_plan_is_in(
    make_due, force_lead_a, monkeypatch, django_capture_on_commit_callbacks
):
    inspection = make_due(action_plan_due_on=today() - timedelta(days=1))
    _claimed_while_the_broker_was_down(monkeypatch, django_capture_on_commit_callbacks, today())
    submitted_plan(inspection, by=force_lead_a)
    mail.outbox.clear()  # the submission's own confirmation
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep(today=today())
    assert mail.outbox == []


def test_the_hourly_sweep_goes_by_londons_day_not_utcs(
    force_a, lead_inspector, force_lead_a, monkeypatch
):
    """00:30 BST on 2 July 2027 is 23:30 UTC on 1 July: the 7-day reminder of
    a plan due on 9 July goes at that sweep, London's 2 July."""
    from datetime import UTC, date, datetime

    from actionplans.tasks import sweep_deadlines

    bare_inspection(force=force_a, lead=lead_inspector, action_plan_due_on=date(2027, 7, 9))
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 7, 1, 23, 30, tzinfo=UTC))
    assert sweep_deadlines.delay().get() == 1
    assert kinds() == [(force_lead_a.email, "reminder", 7)]
