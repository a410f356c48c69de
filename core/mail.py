"""How the service's email tasks retry: on the mail server or the network, only."""

from smtplib import SMTPException

# Only these are worth another try: the mail server or the network hiccuped.
# Anything else is a bug, and retrying it would only repeat it.
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError)
# Emails retry on those alone, backing off, for about four hours.
EMAIL_TASK = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 8,
}
