"""Wrong passwords from one computer, whoever's account they were for: a limit
per client address across all accounts, beside django-axes's per account.

django-axes locks out one email address from one IP address after 5 wrong
passwords (config/settings.py). Alone, that lets one computer try a common
password against every account once (password spraying), or 4 against each,
and never trip it. So every wrong password from an IP address is counted too,
whichever email address was typed, an account's or not, and past the limit
that address may not try any password until the hour is out.
"""

import logging

from django.core.cache import cache
from django.http import HttpRequest

from .lockout import client_ip_address

log = logging.getLogger(__name__)

# Why 50 an hour: one office or force network may reach the service through
# one shared address, and whatever its people get wrong counts here together.
# Ten of them could each lock themselves out (5 wrong passwords, see
# AXES_FAILURE_LIMIT) in the same hour before any colleague is refused; a
# handful of typos is nowhere near. Only wrong passwords count, never a
# sign-in, so a busy office's mornings add nothing. A sprayer gets 50 guesses
# an hour across the whole service instead of thousands a minute, and even a
# right one still needs the person's authenticator code.
FAILURES_PER_HOUR = 50
WINDOW = 60 * 60
REFUSAL = (
    "There have been too many wrong passwords from your computer or network. "
    "Wait an hour and try again, or contact the programme team"
)
CODE = "too_many_from_address"


def _key(request: HttpRequest) -> str:
    return f"sign-in-failures:{client_ip_address(request)}"


def allows(request: HttpRequest) -> bool:
    """Whether this IP address may try a password now. Asked before any
    account is looked up, so the answer is the same whatever email address
    was typed and tells nobody who has an account. If the cache is down, it
    lets the try through (and logs it): the per-account lockout still holds."""
    try:
        count = cache.get(_key(request), 0)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, say so
        log.warning("Could not read wrong passwords from this address; letting this one through")
        return True
    if count >= FAILURES_PER_HOUR:
        log.warning("Sign-in refused for %s: %s wrong passwords this hour", _key(request), count)
        return False
    return True


def count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """Count one wrong password from this IP address (on user_login_failed,
    so every password form counts, the Django admin's too). The hour runs
    from the first: a refused try checks no password and is not counted, so
    the refusal ends when the hour does."""
    if request is None:
        return
    key = _key(request)
    try:
        cache.add(key, 0, timeout=WINDOW)
        cache.incr(key)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, say so
        log.warning("Could not count a wrong password from this address")
