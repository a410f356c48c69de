from django.contrib import admin

from core.admin import INSPECTION_SEARCH, ReadOnlyAdmin

from .models import Case, CaseCategory, CaseListImport, CaseReview, SampleDraw, SecondReview


@admin.register(CaseCategory)
class CaseCategoryAdmin(ReadOnlyAdmin):
    # Admins change categories on the service's own page, which audits them.
    list_display = ["name", "slug", "position", "is_active"]


@admin.register(CaseListImport)
class CaseListImportAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "status", "total_rows", "error_count", "created_at"]
    list_select_related = ["inspection__force", "stored_file"]
    list_filter = ["status", "inspection__force"]
    search_fields = INSPECTION_SEARCH


@admin.register(SampleDraw)
class SampleDrawAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "number", "seed", "sample_count", "created_at"]
    list_select_related = ["inspection__force"]
    list_filter = ["inspection__force"]
    search_fields = INSPECTION_SEARCH


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "category", "recorded_on", "inspection"]
    list_select_related = ["category", "inspection__force"]
    search_fields = ["reference"]


@admin.register(CaseReview)
class CaseReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "overall_rating", "submitted_at"]
    list_select_related = ["case"]
    # Case references repeat across inspections: the force tells them apart.
    list_filter = ["status", "case__inspection__force"]
    search_fields = ["case__reference", "case__inspection__force__short_name"]


@admin.register(SecondReview)
class SecondReviewAdmin(ReadOnlyAdmin):
    list_display = ["review", "status", "agrees", "rating"]
    list_select_related = ["review__case"]
    list_filter = ["status", "review__case__inspection__force"]
    search_fields = ["review__case__reference", "review__case__inspection__force__short_name"]
