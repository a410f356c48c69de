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


def person_page(client, person) -> str:
    return client.get(f"/account/users/{person.pk}/").content.decode()


def test_a_link_refused_for_good_is_shown_on_the_persons_page_until_one_is_sent(
    inspector, admin_user, smtp_server, client_for
):
    """The admin was told the link was on its way; a mistyped address left
    the person waiting for an email that never came, and only the log knew
    (found by the on-call review)."""
    smtp_server.refuse(inspector.email, "550 5.1.1 User unknown")
    assert send_password_link.delay(str(inspector.pk), services.LinkPurpose.RESET).get() is False

    admin = client_for(admin_user)
    page = person_page(admin, inspector)
    assert "The last link to set a password was not sent" in page
    # Plain words for an admin: the code is in the log (found by the words review).
    assert f"The email server did not accept the address {inspector.email}." in page
    assert "SMTP" not in page
    assert "Check their email address, then send the link again." in page
    assert "Link to set a password not sent" in page  # in the account's history

    smtp_server.replies.clear()
    services.user_password_link_send(user=inspector, by=admin_user, reason="Address corrected")
    assert send_password_link.delay(str(inspector.pk), services.LinkPurpose.RESET).get()
    assert "The last link to set a password was not sent" not in person_page(admin, inspector)


def test_a_link_the_broker_would_not_take_is_shown_on_the_persons_page(
    inspector, admin_user, client_for, send_on_commit, monkeypatch
):
    from kombu.exceptions import OperationalError

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_password_link, "delay", broker_down)
    admin = client_for(admin_user)
    url = f"/account/users/{inspector.pk}/send-password-link/"
    response = send_on_commit(admin.post, url, {"reason": "Lost the invitation"})
    assert response.status_code == 302  # the request itself succeeds
    page = person_page(admin, inspector)
    assert "The last link to set a password was not sent" in page
    assert "The email could not be sent: part of the service was not working." in page


def test_a_link_given_up_after_every_try_is_shown_on_the_persons_page(
    inspector, admin_user, smtp_server, client_for, monkeypatch
):
    """Four hours of a mail server saying 'try later': the last try fails and
    the person's page says so, where only the worker's log did."""
    smtp_server.refuse(inspector.email, "421 4.3.0 Try again later")
    monkeypatch.setattr(send_password_link, "max_retries", 1)

    result = send_password_link.apply((str(inspector.pk), services.LinkPurpose.RESET))

    assert result.failed()
    assert smtp_server.tries[inspector.email] == 2
    page = person_page(client_for(admin_user), inspector)
    assert "The last link to set a password was not sent" in page
    assert "The email could not be sent: the email server did not answer for hours." in page
