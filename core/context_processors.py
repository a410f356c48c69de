import time

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts.middleware import seconds_left
from accounts.two_factor import two_factor_pending

SERVICE_NAME = "Child protection inspections"


def navigation(request: HttpRequest) -> dict:
    """The service name and the role-aware navigation links for base.html."""
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    # Someone who has still to give their two-factor code gets no links yet.
    if user is not None and user.is_authenticated and not two_factor_pending(user):
        items.append(("Home", reverse("core:home")))
        if user.is_admin:
            items.append(("Programme", reverse("inspections:programme")))
            items.append(("Audit trail", reverse("core:audit")))
        if user.is_inspectorate:
            items.append(("Dashboard", reverse("dashboard:dashboard")))
        if user.is_force_lead:
            items.append(("Your force", reverse("forces:detail", args=[user.force.slug])))
        else:
            items.append(("Forces", reverse("forces:list")))
        if user.is_admin:
            items.append(("Users", reverse("accounts:user_list")))
        items.append(("Your account", reverse("accounts:your_account")))
    current = request.path if user is not None else ""
    nav = [
        {
            "label": label,
            "url": url,
            "active": current == url or (url != "/" and current.startswith(url)),
        }
        for label, url in items
    ]
    return {
        "service_name": SERVICE_NAME,
        "navigation": nav,
        "session_clock": _clock(request, items),
    }


def _clock(request: HttpRequest, items: list) -> dict | None:
    """What the page's timeout warning needs (base.html, static/js/app.mjs):
    for a signed-in person only, as they have the navigation."""
    if not items:
        return None
    idle, absolute = seconds_left(request.session, int(time.time()))
    return {
        "idle": idle,
        "absolute": absolute,
        "warn": settings.SESSION_TIMEOUT_WARNING,
        "hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
