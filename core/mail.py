"""How the service's email tasks retry: on the mail server or the network, only."""

from smtplib import SMTPException

# Only these are worth another try: the mail server or the network hiccuped.
# Anything else is a bug, and retrying it would only repeat it.
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
