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
        SMTPRecipientsRefused({"a@example.org": (550, b"No"), "b@example.org": (553, b"No")}),
        SMTPDataError(554, b"5.6.0 Message refused"),
        SMTPDataError(552, b"Message size exceeds fixed maximum message size"),
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
        ConnectionRefusedError(),
        TimeoutError(),
    ],
)
def test_anything_else_is_worth_another_try(error):
    assert permanent_refusal(error) is None


def test_the_reply_is_kept_on_one_line():
    refusal = permanent_refusal(SMTPDataError(554, b"5.6.0 Message\r\n refused"))
    assert str(refusal) == "554 5.6.0 Message refused"
