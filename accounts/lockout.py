"""django-axes glue: whose failures are counted, and what a locked-out person sees."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import email_key


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The email address failures are counted against, in one spelling.

    Sign-in ignores the case of an email address, so the count must too, or
    typing the address in capitals would start a fresh count.
    """
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return email_key(raw)


def client_ip_address(request: HttpRequest) -> str:
    """The address the request came from, seen through PROXY_COUNT trusted proxies.

    Each proxy appends the address it was contacted from to X-Forwarded-For,
    so the client is the PROXY_COUNT-th entry from the right. Entries further
    left were written by the client and prove nothing.
    """
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if settings.PROXY_COUNT and len(forwarded) >= settings.PROXY_COUNT:
        return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(
    request: HttpRequest, original_response=None, credentials=None, *, signed_out: bool = False
) -> HttpResponse:
    """The lockout page, in the service's own layout, with 429 Too Many Requests.

    django-axes's middleware calls this with the page the view drew; a
    lockout page the view drew itself (saying the person has been signed
    out, see accounts.views.password_change) is kept.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "signed_out": signed_out}
    return render(request, "accounts/locked_out.html", context, status=429)


def password_checked(request: HttpRequest, user, password: str):
    """The signed-in person, if this is their password; otherwise None.

    Checked as signing in checks it, so django-axes counts a wrong password
    against the person's address from this IP address, together with wrong
    passwords given on the sign-in page, and refuses even the right one
    while that pair is locked out (is_locked_out then says so).
    """
    found = authenticate(request, username=user.email, password=password)
    return found if found is not None and found.pk == user.pk else None


def allows(request: HttpRequest, email: str) -> bool:
    """Whether django-axes lets this email address be tried from this IP
    address now, asked without trying it (and so without counting it)."""
    return AxesProxyHandler.is_allowed(request, {"username": email})


def is_locked_out(request: HttpRequest) -> bool:
    """Whether django-axes locked this request out, just now or before it."""
    return bool(getattr(request, "axes_locked_out", False))
