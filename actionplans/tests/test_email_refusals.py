"""A notice's email the mail server refuses for good (SMTP 5xx) is tried once,
recorded on the notice and never queued again; a refusal worth another try
(4xx, a dropped connection) is retried as before. Sent through Django's real
SMTP backend to a loopback SMTP server (tests/smtp.py)."""

import logging
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest

from actionplans.models import Notice
from actionplans.notices import notices_sweep
from actionplans.tasks import send_notice_email, send_notice_emails
from actionplans.tests.factories import today
from core.mail import NotSentYet

REFUSED = "550 5.1.1 <lead.a@example.org>: Recipient address rejected: User unknown"


@pytest.fixture
def overdue(make_due, force_lead_a, lead_inspector, admin_user) -> list[Notice]:
    """Three overdue notices, not yet emailed, the force lead's first."""
    make_due(action_plan_due_on=today() - timedelta(days=1))
    assert notices_sweep(today=today()) == 3  # emails not sent: on_commit never runs
    return sorted(Notice.objects.all(), key=lambda n: n.recipient_id != force_lead_a.pk)


def test_a_notice_refused_for_good_is_tried_once_and_recorded(
    overdue, force_lead_a, smtp_server, caplog
):
    notice = overdue[0]
    smtp_server.refuse(force_lead_a.email, REFUSED)

    with caplog.at_level(logging.WARNING):
        assert send_notice_email.delay(str(notice.pk)).get() is False

    assert smtp_server.tries[force_lead_a.email] == 1
    notice.refresh_from_db()
    assert notice.emailed_at is None
    assert notice.email_refused_at is not None
    assert notice.email_refusal.startswith("550 5.1.1")
    [logged] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged.levelno == logging.WARNING
    assert str(notice.pk) in logged.getMessage()
    assert "550" in logged.getMessage()
    assert notice.body[:40] not in logged.getMessage()
    assert force_lead_a.email not in logged.getMessage()


def test_a_refused_notice_is_not_queued_again_by_the_sweep(
    overdue, force_lead_a, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse(force_lead_a.email, REFUSED)
    assert send_notice_emails([str(n.pk) for n in overdue]) == 2
    # Long past the grace a queued email is given, within the week it is retried.
    Notice.objects.update(sent_at=overdue[0].sent_at - timedelta(hours=2))

    with django_capture_on_commit_callbacks() as queued:
        assert notices_sweep(today=today()) == 0

    assert queued == []  # nothing to queue: the refused one is not queued again
    assert smtp_server.tries[force_lead_a.email] == 1


def test_a_refusal_for_good_does_not_stop_the_rest_of_the_batch(
    overdue, force_lead_a, lead_inspector, admin_user, smtp_server
):
    smtp_server.refuse(force_lead_a.email, REFUSED)

    assert send_notice_emails([str(n.pk) for n in overdue]) == 2

    assert sorted(smtp_server.delivered) == sorted([[lead_inspector.email], [admin_user.email]])
    assert Notice.objects.filter(emailed_at__isnull=False).count() == 2
    assert Notice.objects.get(email_refused_at__isnull=False).recipient == force_lead_a
    # A retry of the batch (a worker lost) sends nothing and tries no one again.
    assert send_notice_emails([str(n.pk) for n in overdue]) == 0
    assert smtp_server.tries[force_lead_a.email] == 1


def test_a_refused_message_is_not_retried_and_logged_as_an_error(overdue, smtp_server, caplog):
    notice = overdue[0]
    reply = "554 5.6.0 Message refused"
    smtp_server.refuse("DATA", reply)

    with caplog.at_level(logging.WARNING):
        assert send_notice_email.delay(str(notice.pk)).get() is False

    notice.refresh_from_db()
    assert notice.email_refusal.startswith(reply[:9])
    [logged] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged.levelno == logging.ERROR
    assert str(notice.pk) in logged.getMessage()


@pytest.mark.parametrize(
    "reply", ["450 4.2.0 Mailbox busy", "451 4.7.1 Greylisted, try again later"]
)
def test_a_refusal_worth_another_try_is_retried_and_stops_the_batch(
    overdue, force_lead_a, smtp_server, reply
):
    smtp_server.refuse(force_lead_a.email, reply)

    with pytest.raises(NotSentYet):
        send_notice_emails([str(n.pk) for n in overdue])  # the task retries on it

    assert smtp_server.delivered == []
    assert not Notice.objects.filter(email_refused_at__isnull=False).exists()
    smtp_server.replies.clear()  # the server is better
    assert send_notice_emails([str(n.pk) for n in overdue]) == 3


def test_a_refused_sender_is_our_set_up_and_retried(overdue, smtp_server):
    # Every email would be refused until the relay or our address is fixed;
    # marked refused for good, none would go once it was.
    smtp_server.refuse("MAIL", "553 5.7.1 Sender address rejected")

    with pytest.raises(NotSentYet):
        send_notice_emails([str(n.pk) for n in overdue])

    assert not Notice.objects.filter(email_refused_at__isnull=False).exists()
    smtp_server.replies.clear()  # fixed
    assert send_notice_emails([str(n.pk) for n in overdue]) == 3


def test_a_dropped_connection_is_retried(overdue, smtp_server):
    smtp_server.server_close()  # nothing answers on the port

    with pytest.raises((SMTPServerDisconnected, ConnectionError)):
        send_notice_email(str(overdue[0].pk))

    assert not Notice.objects.filter(email_refused_at__isnull=False).exists()
