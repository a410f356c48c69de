from django.http import HttpRequest
from django.urls import reverse

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
    return {"service_name": SERVICE_NAME, "navigation": nav}
