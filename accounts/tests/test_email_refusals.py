"""An account email the mail server refuses for good (SMTP 5xx) is tried once
and logged, not retried for hours; a 4xx is still retried. Sent through
Django's real SMTP backend to a loopback SMTP server (tests/smtp.py)."""

import logging

import pytest

from accounts import services
from accounts.tasks import send_password_changed, send_password_link
from accounts.tests.factories import TEST_PASSWORD
from core.mail import NotSentYet
from core.models import AuditEvent

CHANGE = "/account/your-account/change-password/"


def test_a_password_link_refused_for_good_is_tried_once_and_logged(inspector, smtp_server, caplog):
    smtp_server.refuse(inspector.email, "550 5.1.1 User unknown")

    with caplog.at_level(logging.WARNING):
        result = send_password_link.delay(str(inspector.pk), services.LinkPurpose.RESET).get()

    assert result is False
    assert smtp_server.tries[inspector.email] == 1
    [logged] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert str(inspector.pk) in logged.getMessage()
    assert "/account/set-password/" not in logged.getMessage()  # never the link


def test_a_password_changed_email_refused_for_good_is_tried_once(
    inspector, smtp_server, client_for
):
    smtp_server.refuse(inspector.email, "550 5.1.1 User unknown")
    new = "river otter lantern maple"
    change = {"current_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    # The email is queued for after a commit that never comes in this test.
    assert client_for(inspector).post(CHANGE, change).status_code == 302
    event = AuditEvent.objects.get(action=services.CHANGED_BY_OWNER)

    assert send_password_changed.delay(event.pk).get() is False
    assert smtp_server.tries[inspector.email] == 1


def test_a_password_link_refused_for_now_is_retried(inspector, smtp_server):
    smtp_server.refuse(inspector.email, "452 4.2.2 Mailbox full")

    with pytest.raises(NotSentYet):  # the task retries on it
        services.password_link_email(user_id=str(inspector.pk), purpose=services.LinkPurpose.RESET)

    smtp_server.replies.clear()
    assert services.password_link_email(
        user_id=str(inspector.pk), purpose=services.LinkPurpose.RESET
    )
    assert smtp_server.delivered == [[inspector.email]]
