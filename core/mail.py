"""How the service's emails are sent, and how their tasks retry: on the mail
server or the network, only, and never on a refusal for good."""

import logging
import re
from dataclasses import dataclass
from smtplib import SMTPDataError, SMTPException, SMTPRecipientsRefused

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


# An enhanced status code of class 5.7 (RFC 3463: security or policy, such as
# "relaying denied" or "authentication required") is our mail set-up, not the
# address or the message: retried, so the emails go once the relay is fixed.
_POLICY = re.compile(r"5\.7\.\d{1,3}\b")


def _for_good(code: int, reply: str) -> bool:
    return 500 <= code <= 599 and not _POLICY.match(reply)


def permanent_refusal(error: BaseException) -> Refusal | None:
    """The refusal, if the mail server refused this email for good: every
    recipient, or the message itself, refused with an SMTP 5xx. None for
    anything worth another try: a 4xx, a dropped connection, a timeout, and
    whatever says our own set-up is wrong (our sender refused, the relay's
    password refused, a 5.7 policy refusal such as relaying denied), which
    would refuse every email until someone fixes it, and then must not have
    marked them all refused for good.

    Recipients are refused for good only if every one got a 5xx: smtplib
    raises SMTPRecipientsRefused when none was accepted, and one that got a
    4xx (mailbox busy, greylisted) may be accepted later."""
    if isinstance(error, SMTPRecipientsRefused):
        replies = [_reply(code, reply) for code, reply in error.recipients.values()]
        if replies and all(_for_good(code, reply) for code, reply in replies):
            return Refusal(*replies[0], of_recipient=True)
        return None
    if isinstance(error, SMTPDataError):
        code, reply = _reply(error.smtp_code, error.smtp_error)
        if _for_good(code, reply):
            return Refusal(code, reply, of_recipient=False)
    return None


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
            raise
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
