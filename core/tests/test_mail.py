"""Which mail server failures are refusals for good (not retried)."""

from smtplib import (
    SMTPAuthenticationError,
    SMTPDataError,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
    SMTPServerDisconnected,
)

import pytest

from core.mail import permanent_refusal


@pytest.mark.parametrize(
    "error",
    [
        SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 User unknown")}),
        SMTPRecipientsRefused(
            {"a@example.org": (550, b"5.1.1 No"), "b@example.org": (553, b"5.1.3 Bad address")}
        ),
        SMTPRecipientsRefused({"a@example.org": (550, b"5.2.1 Mailbox disabled")}),
        SMTPDataError(554, b"5.6.0 Message refused"),
        SMTPDataError(552, b"5.3.4 Message size exceeds fixed maximum message size"),
    ],
)
def test_a_5xx_is_a_refusal_for_good(error):
    assert permanent_refusal(error).code in range(500, 600)


@pytest.mark.parametrize(
    "error",
    [
        # One address may yet be accepted: the email is worth another try.
        SMTPRecipientsRefused({"a@example.org": (550, b"No"), "b@example.org": (451, b"Later")}),
        SMTPRecipientsRefused({"a@example.org": (452, b"4.2.2 Mailbox full")}),
        SMTPSenderRefused(451, b"4.3.0 Try again later", "no-reply@example.org"),
        SMTPDataError(421, b"4.7.0 Too many messages"),
        SMTPServerDisconnected("Connection unexpectedly closed"),
        # Our own set-up, refusing every email until fixed: retried, so they
        # all go once it is, rather than every one marked refused for good.
        SMTPSenderRefused(553, b"5.7.1 Sender rejected", "no-reply@example.org"),
        SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"),
        SMTPRecipientsRefused({"a@example.org": (550, b"5.7.1 Relaying denied")}),
        SMTPRecipientsRefused({"a@example.org": (554, b" 5.7.1 Relay access denied")}),
        # A 5xx that does not say the address or the message is at fault may
        # be our relay too (found by a security review): Exim, Postfix, SES.
        SMTPRecipientsRefused({"a@example.org": (550, b"relay not permitted")}),
        SMTPRecipientsRefused({"a@example.org": (554, b"Relay access denied")}),
        SMTPDataError(554, b"Message rejected: Email address is not verified."),
        SMTPRecipientsRefused({"a@example.org": (550, b"No"), "b@example.org": (553, b"No")}),
        ConnectionRefusedError(),
        TimeoutError(),
    ],
)
def test_anything_else_is_worth_another_try(error):
    assert permanent_refusal(error) is None


def test_the_reply_is_kept_on_one_line():
    refusal = permanent_refusal(SMTPDataError(554, b"5.6.0 Message\r\n refused"))
    assert str(refusal) == "554 5.6.0 Message refused"


def test_an_email_retried_leaves_no_address_in_the_logs(monkeypatch):
    # Celery logs the exception of every retry: smtplib's carry the addresses.
    from celery.exceptions import Retry
    from django.core.mail import EmailMessage

    from core.mail import NotSentYet, send_unless_refused

    def refuse(self):
        raise SMTPRecipientsRefused({"lead@kent.police.uk": (450, b"4.2.0 Mailbox busy")})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(NotSentYet) as caught:
        send_unless_refused(EmailMessage(to=["lead@kent.police.uk"]), about="notice 1")
    logged = str(Retry(exc=caught.value, when=2))
    assert "lead@kent.police.uk" not in logged and "450" in logged
