"""How the service's emails are sent, and how their tasks retry: on the mail
server or the network, only, and never on a refusal for good."""

import logging
import re
from dataclasses import dataclass
from smtplib import SMTPDataError, SMTPException, SMTPRecipientsRefused, SMTPResponseException

from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)

# Only these are worth another try: the mail server or the network hiccuped.
# Anything else is a bug, and retrying it would only repeat it. A permanent
# refusal (SMTP 5xx) is an SMTPException too, but send_unless_refused never
# lets one reach the task: see there.
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError)
# Emails retry on those alone, backing off 1, 2, 4 … seconds up to half an
# hour between tries, for about four hours in all (jitter makes each wait a
# random part of that, so about half on average). Found by a review: Celery's
# own cap of 10 minutes made 8 tries last 4 minutes, and an invitation sent
# during a short relay outage was lost. Each wait stays under the broker's
# visibility timeout (an hour), past which Redis would deliver the retry twice.
EMAIL_TASK = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 18,
}


@dataclass(frozen=True)
class Refusal:
    """A mail server's refusal for good: its SMTP code and its reply."""

    code: int
    reply: str
    of_recipient: bool  # the address was refused, not our sender or message

    def __str__(self) -> str:
        return f"{self.code} {self.reply}"[:300]


def _reply(code: int, reply: bytes | str) -> tuple[int, str]:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return code, " ".join(reply.split())


# What a refusal for good must say, as an enhanced status code (RFC 3463)
# at the start of the reply: of an address, 5.1.x (no such mailbox or
# domain, a bad address) or 5.2.1 (mailbox disabled); of a message, 5.6.x
# (its content) or 5.3.4 (too big). Anything else, a bare 550 or 554
# included, is retried: "550 relay not permitted" (Exim), "554 Relay access
# denied" (Postfix), "554 Message rejected: Email address is not verified"
# (Amazon SES) and any 5.7.x (policy) say our own set-up is wrong, refuse
# every email until someone fixes it, and must not have marked them all
# refused for good by then (found by a security review). A real refusal
# without a code is tried for the four hours, as every one was before.
_ADDRESS_GONE = re.compile(r"5\.(1\.\d{1,3}|2\.1)\b")
_MESSAGE_REFUSED = re.compile(r"5\.(6\.\d{1,3}|3\.4)\b")


def _for_good(code: int, reply: str, says: re.Pattern) -> bool:
    return 500 <= code <= 599 and bool(says.match(reply))


def permanent_refusal(error: BaseException) -> Refusal | None:
    """The refusal, if the mail server refused this email for good: every
    recipient refused as a bad or disabled address, or the message refused
    for what it is (see _ADDRESS_GONE, _MESSAGE_REFUSED). None for anything
    worth another try: a 4xx, a dropped connection, a timeout, and any 5xx
    that does not say so, which may be our own set-up.

    Recipients are refused for good only if every one was: smtplib raises
    SMTPRecipientsRefused when none was accepted, and one that got a 4xx
    (mailbox busy, greylisted) may be accepted later."""
    if isinstance(error, SMTPRecipientsRefused):
        replies = [_reply(code, reply) for code, reply in error.recipients.values()]
        if replies and all(_for_good(*reply, _ADDRESS_GONE) for reply in replies):
            return Refusal(*replies[0], of_recipient=True)
        return None
    if isinstance(error, SMTPDataError):
        code, reply = _reply(error.smtp_code, error.smtp_error)
        if _for_good(code, reply, _MESSAGE_REFUSED):
            return Refusal(code, reply, of_recipient=False)
    return None


class NotSentYet(SMTPException):
    """A mail server failure worth another try, without the addresses that
    smtplib's own exceptions carry: Celery logs the exception of every
    retry (and of the last), and an address is someone's data (found by a
    security review)."""


def _without_addresses(error: SMTPException) -> SMTPException:
    if isinstance(error, SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return NotSentYet(f"recipients refused for now (SMTP {', '.join(map(str, codes))})")
    if isinstance(error, SMTPResponseException):
        # SMTPSenderRefused carries our own address; the reply may quote one.
        return NotSentYet(f"{type(error).__name__} (SMTP {error.smtp_code})")
    return error


def send_unless_refused(message: EmailMessage, *, about: str) -> Refusal | None:
    """Send the email. Return None once it is sent, or the refusal if the mail
    server refused it for good, logged once here; raise anything else, for the
    task to retry.

    A refusal for good is not retried: four hours of tries would only be
    refused again (found on call: every email to a mistyped address was tried
    18 times, then queued again by every sweep for a week). The log names
    what the email was about and the server's code, never the email itself
    or the address (the server's reply may quote it)."""
    try:
        message.send()
    except SMTPException as error:
        refusal = permanent_refusal(error)
        if refusal is None:
            raise _without_addresses(error) from None
        # A refused address is someone's data to correct; a refused message
        # may be what we write (too large, or taken for spam): worth a look.
        level = logging.WARNING if refusal.of_recipient else logging.ERROR
        what = "its recipient" if refusal.of_recipient else "it"
        logger.log(
            level,
            "Email about %s not sent: the mail server refused %s for good (SMTP %s)",
            about,
            what,
            refusal.code,
        )
        return refusal
    return None
