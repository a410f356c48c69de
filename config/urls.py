from django.contrib import admin
from django.urls import include, path
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import views as core_views

admin.site.site_header = "Child protection inspections: administration"
# Authenticator apps are set up by their owners and reset through the
# service's audited page, never edited here: django-otp's own admin would
# show anyone with Django admin access every person's secret key.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

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
