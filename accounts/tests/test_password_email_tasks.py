"""The tasks that email a link to set a password and say a password was
changed: each sends its email once, however often the broker delivers it
(acks_late: a worker lost after sending, before saying so, gets the task
delivered again)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from accounts import services, tasks
from accounts.models import PasswordEmail
from accounts.tasks import send_password_changed, send_password_link
from accounts.tests.factories import TEST_PASSWORD
from core.mail import NotSentYet
from core.models import AuditEvent

CHANGE = "/account/your-account/change-password/"
FORGOTTEN = "/account/forgotten-password/"
NEW_PASSWORD = "river otter lantern maple"


def link_sent(person) -> AuditEvent:
    return AuditEvent.objects.for_object(person).get(action=services.LINK_SENT)


def test_a_reset_link_task_delivered_twice_sends_one_email(inspector, send_on_commit):
    # Asked for on the sign-in page; the service queues the email after its commit.
    assert send_on_commit(services.user_password_link_request, email=inspector.email)
    [message] = mail.outbox
    assert message.subject == "Set a new password for the child protection inspections service"
    event = link_sent(inspector)

    # The broker delivers the same task again.
    again = send_password_link.delay(str(inspector.pk), services.LinkPurpose.RESET, event.pk)

    assert again.get() is False
    assert len(mail.outbox) == 1
    assert PasswordEmail.objects.get(event=event).emailed_at is not None


def test_an_invitation_task_run_twice_sends_one_email(admin_user, force_a):
    person = services.user_create(
        email="nadia@example.org",
        full_name="Nadia Newlead",
        role="force_lead",
        force=force_a,
        by=admin_user,
    )  # the email is queued for after a commit that never comes in this test
    args = (str(person.pk), services.LinkPurpose.INVITATION, link_sent(person).pk)

    assert send_password_link.delay(*args).get() is True
    assert send_password_link.delay(*args).get() is False

    [message] = mail.outbox
    assert message.to == ["nadia@example.org"]


def test_each_new_link_is_emailed(inspector, admin_user):
    """Once for each link sent, not once for the person."""
    for reason in ("Lost the first", "Lost the second"):
        services.user_password_link_send(user=inspector, by=admin_user, reason=reason)
    events = AuditEvent.objects.for_object(inspector).filter(action=services.LINK_SENT)
    for event in events:
        send_password_link.delay(str(inspector.pk), services.LinkPurpose.RESET, event.pk).get()
        send_password_link.delay(str(inspector.pk), services.LinkPurpose.RESET, event.pk).get()
    assert len(mail.outbox) == 2


def test_a_password_changed_task_delivered_twice_sends_one_email(client_for, inspector):
    change = {
        "current_password": TEST_PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    # The email is queued for after a commit that never comes in this test.
    assert client_for(inspector).post(CHANGE, change).status_code == 302
    event = AuditEvent.objects.get(action=services.CHANGED_BY_OWNER)

    assert send_password_changed.delay(event.pk).get() is True
    assert send_password_changed.delay(event.pk).get() is False

    [message] = mail.outbox
    assert message.to == [inspector.email]
    assert "has been changed" in message.subject


def test_a_link_refused_for_good_is_tried_and_shown_once(inspector, smtp_server):
    smtp_server.refuse(inspector.email, "550 5.1.1 User unknown")
    services.user_password_link_request(email=inspector.email)
    args = (str(inspector.pk), services.LinkPurpose.RESET, link_sent(inspector).pk)

    assert send_password_link.delay(*args).get() is False
    assert send_password_link.delay(*args).get() is False

    assert smtp_server.tries[inspector.email] == 1
    not_sent = AuditEvent.objects.for_object(inspector).filter(action=services.LINK_NOT_SENT)
    assert not_sent.count() == 1


def test_a_link_the_mail_server_put_off_is_sent_on_the_retry(inspector, smtp_server):
    """The claim rolls back with the failed try: the retry still sends."""
    smtp_server.refuse(inspector.email, "452 4.2.2 Mailbox full")
    services.user_password_link_request(email=inspector.email)
    kwargs = {
        "user_id": str(inspector.pk),
        "purpose": services.LinkPurpose.RESET,
        "event_id": link_sent(inspector).pk,
    }
    with pytest.raises(NotSentYet):
        services.password_link_email(**kwargs)
    assert not PasswordEmail.objects.exists()

    smtp_server.replies.clear()
    assert services.password_link_email(**kwargs)
    assert not services.password_link_email(**kwargs)
    assert smtp_server.delivered == [[inspector.email]]


def test_a_link_request_delivered_again_an_hour_later_sends_no_second_link(
    client, inspector, send_on_commit, monkeypatch
):
    """'Forgotten your password?' queues a task; a worker lost before saying
    it was done gets it delivered again when the broker's visibility timeout
    (an hour) is out. The second delivery must not send another link, which
    would also stop the first one working."""
    queued = []
    real = tasks.request_password_link.delay
    monkeypatch.setattr(
        tasks.request_password_link,
        "delay",
        lambda *args, **kwargs: queued.append((args, kwargs)) or real(*args, **kwargs),
    )
    with time_machine.travel("2027-03-01 10:00:00+00:00", tick=False) as clock:
        send_on_commit(client.post, FORGOTTEN, {"email": inspector.email})
        [first] = mail.outbox
        clock.shift(timedelta(hours=1, minutes=1))
        [(args, kwargs)] = queued
        # The broker delivers the same message again.
        assert send_on_commit(tasks.request_password_link.apply, args, kwargs).get() is False

    assert mail.outbox == [first]
    assert AuditEvent.objects.for_object(inspector).filter(action=services.LINK_SENT).count() == 1


def test_asking_again_after_five_minutes_still_sends_a_new_link(client, inspector, send_on_commit):
    with time_machine.travel("2027-03-01 10:00:00+00:00", tick=False) as clock:
        send_on_commit(client.post, FORGOTTEN, {"email": inspector.email})
        clock.shift(timedelta(minutes=4))
        send_on_commit(client.post, FORGOTTEN, {"email": inspector.email})
        assert len(mail.outbox) == 1
        clock.shift(timedelta(minutes=2))
        send_on_commit(client.post, FORGOTTEN, {"email": inspector.email})
    assert len(mail.outbox) == 2
