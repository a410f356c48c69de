"""Asking for a link to set a password, from the sign-in page: a limit per
computer, and the lookup in the background."""

import logging

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from kombu.exceptions import OperationalError

from .lockout import client_ip_address

log = logging.getLogger(__name__)

# Beside the service's own limit of one email per account in 5 minutes: one
# computer asking for links for many addresses is refused after this many an hour.
PER_ADDRESS_PER_HOUR = 10
REFUSAL = (
    "You have asked for too many links from this computer. "
    "Wait an hour and try again, or contact the programme team"
)


def allow(request: HttpRequest) -> bool:
    """Count one request from this IP address; False once over the limit.
    If the cache is down, the request is let through (and logged): the
    per-account limit still holds."""
    key = f"password-link-requests:{client_ip_address(request)}"
    try:
        cache.add(key, 0, timeout=60 * 60)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, say so
        log.warning("Could not count password link requests; letting this one through")
        return True
    if count > PER_ADDRESS_PER_HOUR:
        log.warning("Password link requests refused for %s: %s this hour", key, count)
        return False
    return True


def queue(email: str) -> None:
    """Queue the lookup and the email. The same work whatever the address, so
    the time the page takes tells nobody whether it has an account."""
    from .tasks import request_password_link

    try:
        # When they asked: a task delivered again later finds the link the
        # first delivery sent (accounts.services.user_password_link_request).
        request_password_link.delay(email, timezone.now().isoformat())
    except OperationalError:
        # The broker is down: nothing is sent, as for an unknown address.
        log.exception("Could not queue a password link request")
