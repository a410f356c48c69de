"""Wrong passwords from one computer, whoever's account they were for: a limit
per client address across all accounts, beside django-axes's per account.

django-axes locks out one email address from one IP address after 5 wrong
passwords (config/settings.py). Alone, that lets one computer try a common
password against every account once (password spraying), or 4 against each,
and never trip it. So every wrong password from an IP address is counted too,
whichever email address was typed, an account's or not, and past the limit
that address may not try any password until the hour is out.

Neither stops many computers (a botnet) guessing one person's password, a
few guesses from each. So every wrong password for an email address is
counted too, from whichever IP address, an account's or not, and past the
limit that address may not be given any password until its window is out;
the person is told by email, and it is on their account's history.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .lockout import axes_username, client_ip_address

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

# Why 50 in 30 minutes for one account, from anywhere: ten times the 5 that
# lock out one computer (AXES_FAILURE_LIMIT), which nobody reaches by typos,
# and some 100 guesses an hour however many computers guess (150 at most, if
# they are timed to the windows' ends and starts). The window
# is the lockout's 30 minutes, and the refusal ends with it, so the lockout
# page it shows ("You can try again in 30 minutes") is never too short.
#
# The trade-off: whoever has enough computers can keep a person's password
# refused, by giving 50 wrong ones every 30 minutes. Refusing only those
# computers would leave the guessing unlimited, and never refusing would
# leave it to the limits per computer. So the refusal never outlasts its
# window (a refused try checks no password, is not counted and adds no
# time), the person is emailed once a window with the way back in (a new
# password set with a link ends the count: the guesses were at the old one),
# and the right password still needs their authenticator code.
ACCOUNT_FAILURES = 50
ACCOUNT_WINDOW = int(settings.AXES_COOLOFF_TIME.total_seconds())
ACCOUNT_CODE = "too_many_for_account"


def _key(request: HttpRequest) -> str:
    return f"sign-in-failures:{client_ip_address(request)}"


def _account_key(email: str) -> str:
    return f"sign-in-failures-for:{email}"


def _told_key(email: str) -> str:
    """Set once the account's holder is told of the limit in this window."""
    return f"sign-in-limit-told:{email}"


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


def allows_account(email: str) -> bool:
    """Whether any password may be given for this email address now (in
    lower case, see accounts.models.email_key), asked without counting: for
    a form with no password to check. The same answer for an address with no
    account, counted as any other. If the cache is down, it lets the try
    through (and logs it): the other limits still hold."""
    try:
        count = cache.get(_account_key(email), 0)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, say so
        log.warning("Could not read wrong passwords for an account; letting this one through")
        return True
    return count < ACCOUNT_FAILURES


# A password about to be checked for an email address is counted first, as if
# it were wrong: reading the count, then counting once the password proved
# wrong, let guesses sent at the same moment all read the same count below
# the limit, and all be checked (as many past it as the servers take
# requests at once). The cache adds one atomically, so each try gets a count
# of its own, and only those within the limit are checked. What the count
# holds is still wrong passwords only: a try refused is taken off at once,
# and one that was not a wrong password (the right one, or a deactivated
# account's) is taken off when the form is done (give_back_account_try).
# count_failure counts a claimed try no more. Two costs, both rare and both
# on the side of refusing: a try refused just as a claim is given back can
# refuse one more, and a claim given back just after its window ended and
# another began takes one off the new window's count.
_CLAIM = "_sign_in_limit_claim"


def claim_account_try(request: HttpRequest, email: str) -> bool:
    """Count a password for this email address (in lower case) before it is
    checked; whether it may be checked, False once the limit is reached. A
    refused try is not counted. If the cache is down, it lets the try
    through (and logs it), and count_failure counts it as before."""
    key = _account_key(email)
    count = _count_account(email)
    if count is None:
        return True
    if count > ACCOUNT_FAILURES:
        _uncount(key)
        return False
    setattr(request, _CLAIM, (email, count))
    return True


def give_back_account_try(request: HttpRequest) -> None:
    """Take off the count a claimed try that was not a wrong password (no
    user_login_failed counted it): the right password, or a form refused
    before the password was checked."""
    claim = getattr(request, _CLAIM, None)
    if claim is not None:
        delattr(request, _CLAIM)
        _uncount(_account_key(claim[0]))


def _claimed(request: HttpRequest, email: str) -> int | None:
    """The count this request's claim got for this email address, now a
    wrong password's (and no longer to give back); None if it made none."""
    claim = getattr(request, _CLAIM, None)
    if claim is None or claim[0] != email:
        return None
    delattr(request, _CLAIM)
    return claim[1]


def forget_account(email: str) -> None:
    """Start the count for this address again: its password has changed, so
    the wrong ones counted were guesses at a password no longer in use."""
    try:
        cache.delete_many([_account_key(email), _told_key(email)])
    except Exception:  # noqa: BLE001 - any cache failure: the window still ends
        log.warning("Could not forget wrong passwords for an account")


def count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """Count one wrong password from this IP address and for this email
    address (on user_login_failed, so every password form counts, the Django
    admin's too). Each window runs from its first: a refused try checks no
    password and is not counted, so the refusal ends when the window does.
    A try the sign-in forms counted before checking it (claim_account_try)
    is not counted for the address again. The first wrong password in a
    window to reach the account limit, and only it (_first_to_tell), records
    it and emails the person."""
    if request is None:
        return
    _count(_key(request), WINDOW)
    email = axes_username(request, credentials)
    if not email:
        return
    count = _claimed(request, email)
    if count is None:
        count = _count_account(email)
    if count == ACCOUNT_FAILURES and _first_to_tell(email):
        from .services import user_sign_in_limit_reach

        log.warning(
            "Password sign-in refused for one account: %s wrong passwords", ACCOUNT_FAILURES
        )
        try:
            user_sign_in_limit_reach(email=email, failures=ACCOUNT_FAILURES, window=ACCOUNT_WINDOW)
        except Exception:  # the refusal holds whether or not it could be recorded
            log.exception("Could not record an account's sign-in limit reached")


def _count(key: str, window: int) -> int | None:
    """Add one to the count in this key, started with a window; the new
    count, or None if the cache could not be reached."""
    try:
        cache.add(key, 0, timeout=window)
        return cache.incr(key)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, say so
        log.warning("Could not count a wrong password (%s)", key.split(":")[0])
        return None


def _count_account(email: str) -> int | None:
    """_count for an email address's window; a new window forgets that its
    holder was told of the last one's (_first_to_tell)."""
    key = _account_key(email)
    try:
        if cache.add(key, 0, timeout=ACCOUNT_WINDOW):
            cache.delete(_told_key(email))
        return cache.incr(key)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, say so
        log.warning("Could not count a wrong password (%s)", key.split(":")[0])
        return None


def _first_to_tell(email: str) -> bool:
    """Whether this wrong password is the first in its window to reach the
    account limit. A try counted before it is checked and taken off again
    (the right password, checked while the guesses went on) lets two wrong
    ones get the limit's count: the person was recorded and emailed twice
    (found by the review of the day's diff). If the cache is down, yes."""
    try:
        return cache.add(_told_key(email), True, timeout=ACCOUNT_WINDOW)
    except Exception:  # noqa: BLE001 - any cache failure: tell them
        return True


def _uncount(key: str) -> None:
    """Take one off the count in this key, if it is still there."""
    try:
        cache.decr(key)
    except ValueError:  # its window has ended: nothing to take off
        pass
    except Exception:  # noqa: BLE001 - any cache failure: the window still ends
        log.warning("Could not take back a count (%s)", key.split(":")[0])
