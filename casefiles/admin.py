from django.contrib import admin

from .models import Case, CaseCategory, CaseListImport, CaseReview, SampleDraw, SecondReview


class ReadOnlyAdmin(admin.ModelAdmin):
    """Case file records change only through the service's pages, which audit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseCategory)
class CaseCategoryAdmin(ReadOnlyAdmin):
    # Admins change categories on the service's own page, which audits them.
    list_display = ["name", "slug", "position", "is_active"]


@admin.register(CaseListImport)
class CaseListImportAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "status", "total_rows", "error_count", "created_at"]
    list_select_related = ["inspection__force", "stored_file"]


@admin.register(SampleDraw)
class SampleDrawAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "number", "seed", "sample_count", "created_at"]
    list_select_related = ["inspection__force"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "category", "recorded_on", "inspection"]
    list_select_related = ["category", "inspection__force"]
    search_fields = ["reference"]


@admin.register(CaseReview)
class CaseReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "overall_rating", "submitted_at"]
    list_select_related = ["case"]


@admin.register(SecondReview)
class SecondReviewAdmin(ReadOnlyAdmin):
    list_display = ["review", "status", "agrees", "rating"]
    list_select_related = ["review__case"]
