from django.contrib import admin

from .models import Force


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "country", "region"]
    list_filter = ["country", "region"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
