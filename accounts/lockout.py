"""django-axes glue: whose failures are counted, and what a locked-out person sees."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The email address failures are counted against, in one spelling.

    Sign-in ignores the case of an email address, so the count must too, or
    typing the address in capitals would start a fresh count.
    """
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


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


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The lockout page, in the service's own layout, with 429 Too Many Requests."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
