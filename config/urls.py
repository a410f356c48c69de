from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.urls import include, path
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import AdminSignInForm
from core import views as core_views

admin.site.site_header = "Child protection inspections: administration"
# Authenticator apps are set up by their owners and reset through the
# service's audited page, never edited here: django-otp's own admin would
# show anyone with Django admin access every person's secret key.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
# Roles are a field of the person, changed through the audited service; a
# group would grant Django admin rights that no history shows, and none is used.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class ReadOnly:
    """Seen, never changed here: nothing in the Django admin's own screens
    for these writes the audit trail."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Sign-in attempts and lockouts (django-axes): to look into, not to edit. A
# lockout ends by itself after AXES_COOLOFF_TIME, or when the person sets a
# new password through a link an admin sends (both audited); deleting it here
# unlocked someone with no record of who did it.
for model in (AccessAttempt, AccessFailureLog, AccessLog):
    if admin.site.is_registered(model):
        shown_by = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, type(f"ReadOnly{shown_by.__name__}", (ReadOnly, shown_by), {}))


def _the_services_own_password_change(request, extra_context=None):
    """The Django admin's password change counted no wrong current password
    toward the lockout, recorded nothing and emailed no one (found by the
    security review): the service's own page does all three."""
    return redirect("accounts:password_change")


def _admins_only(request) -> bool:
    """The Django admin shows every force's records: only an active admin
    with Django admin rights is let in. Rights left on a person given another
    role (accounts.services.check_django_admin_rights now refuses that) let a
    force lead read every force's (found by the isolation review)."""
    user = request.user
    return user.is_active and user.is_staff and user.is_admin


admin.site.has_permission = _admins_only
# The limit on wrong passwords per IP address, as on the service's sign-in page.
admin.site.login_form = AdminSignInForm
admin.site.password_change = _the_services_own_password_change
admin.site.password_change_done = _the_services_own_password_change

urlpatterns = [
    path("", include("core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    path("forces/", include("forces.urls")),
    path("inspections/", include("inspections.urls")),
    path("", include("casefiles.urls")),
    path("", include("actionplans.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("exports/", include("dashboard.export_urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
