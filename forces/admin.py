from django.contrib import admin
from django.db import transaction

from core.admin import TextAsReadAdmin

from . import services
from .models import Force


@admin.register(Force)
class ForceAdmin(TextAsReadAdmin):
    list_display = ["name", "short_name", "country", "region"]
    list_filter = ["country", "region"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}

    def save_model(self, request, obj, form, change):
        # Through the service, so each change is in the audit trail.
        services.force_save_in_django_admin(force=obj, by=request.user)

    def delete_model(self, request, obj):
        services.force_delete_in_django_admin(force=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for force in queryset:
                services.force_delete_in_django_admin(force=force, by=request.user)
