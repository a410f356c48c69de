"""How the service's emails are sent, and how their tasks retry: on the mail
server or the network, only, and never on a refusal for good."""

import logging
from dataclasses import dataclass
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException

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


def permanent_refusal(error: BaseException) -> Refusal | None:
    """The refusal, if the mail server refused for good (SMTP 5xx); None for
    anything worth another try (4xx, a dropped connection, a timeout).

    Recipients are refused for good only if every one got a 5xx: smtplib
    raises SMTPRecipientsRefused when none was accepted, and one that got a
    4xx (mailbox busy, greylisted) may be accepted later."""
    if isinstance(error, SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        if replies and all(500 <= code <= 599 for code, _ in replies):
            return Refusal(*_reply(*replies[0]), of_recipient=True)
        return None
    # SMTPSenderRefused, SMTPDataError and the rest carry the server's code.
    if isinstance(error, SMTPResponseException) and 500 <= error.smtp_code <= 599:
        return Refusal(*_reply(error.smtp_code, error.smtp_error), of_recipient=False)
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
        # A refused address is someone's data to correct; a refused sender or
        # message is our mail set-up, and refuses every email until fixed.
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
