"""Sign-in security middleware: session time limits, two-factor, Permissions-Policy."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .two_factor import two_factor_pending

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
SIGNED_OUT_BECAUSE = "signed_out_because"
# Refresh LAST_SEEN at most once a minute, so most requests do not write the
# session; the idle limit is therefore exact to within a minute.
LAST_SEEN_RESOLUTION = 60


def stamp_sign_in(sender, request: HttpRequest, user, **kwargs) -> None:
    """On user_logged_in: start both session clocks."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def seconds_left(session, now: int) -> tuple[int, int]:
    """(until signed out for being idle, until the 12 hours are up), in seconds."""
    signed_in_at = session.get(SIGNED_IN_AT, now - settings.SESSION_ABSOLUTE_TIMEOUT)
    last_seen = session.get(LAST_SEEN, signed_in_at)
    return (
        max(0, last_seen + settings.SESSION_IDLE_TIMEOUT - now),
        max(0, signed_in_at + settings.SESSION_ABSOLUTE_TIMEOUT - now),
    )


def expired_because(session, now: int) -> str | None:
    """'idle', 'absolute' or None: why a signed-in session must end now."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None or now - signed_in_at >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - session.get(LAST_SEEN, signed_in_at) >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Signs a person out after 30 minutes idle and 12 hours after sign-in.

    Runs before LoginRequiredMiddleware, so the request that finds the session
    too old is sent to the sign-in page, which then says why. A page asking
    how long its session has left (accounts.views.session_clock, by GET) is
    not someone at work: it ends a session that is too old, but never makes
    one last longer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            reason = expired_because(session, now)
            if reason:
                logout(request)
                request.session[SIGNED_OUT_BECAUSE] = reason
            elif now - session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION and not (
                request.method == "GET" and request.path == reverse("accounts:session_clock")
            ):
                session[LAST_SEEN] = now
        return self.get_response(request)


def two_factor_not_required(view_func):
    """Mark a view a signed-in person may use before giving their code."""
    view_func.two_factor_required = False
    return view_func


class TwoFactorMiddleware:
    """Sends signed-in but unverified people to give (or set up) their code.

    Public views (login_not_required: sign-in, /healthz, the accessibility
    statement) and views marked two_factor_not_required (the two-factor pages
    and sign-out) are let through; everything else waits for the code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if not getattr(view_func, "two_factor_required", True):
            return None
        if not two_factor_pending(request.user):
            return None
        return redirect_to_login(request.get_full_path(), reverse("accounts:two_factor"))


class PermissionsPolicyMiddleware:
    """Switch off browser features the service never uses (camera, location...).

    A page that someone manages to inject script into still cannot turn on
    the camera or microphone, or read the person's location.
    """

    POLICY = ", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer",
            "autoplay",
            "camera",
            "display-capture",
            "encrypted-media",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response
