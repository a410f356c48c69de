from django.contrib import admin

from core.admin import INSPECTION_SEARCH, ReadOnlyAdmin

from .models import ActionPlan, ActionPlanVersion, CalendarFeed, Notice, PostInspectionVisit


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "kind", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["inspection__force"]
    search_fields = INSPECTION_SEARCH


@admin.register(ActionPlanVersion)
class ActionPlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "status", "submitted_by", "submitted_at", "reviewed_at"]
    list_filter = ["status", "plan__kind"]
    list_select_related = ["plan__inspection__force", "submitted_by"]
    search_fields = ["plan__inspection__force__short_name", "plan__inspection__force__name"]


@admin.register(PostInspectionVisit)
class PostInspectionVisitAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "visit_on", "outcome", "notice_sent_at"]
    list_filter = ["outcome"]
    list_select_related = ["inspection__force"]
    search_fields = INSPECTION_SEARCH


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "kind", "due_on", "sequence", "sent_at", "emailed_at"]
    list_display += ["email_refused_at"]
    list_filter = ["kind", "subject"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__email"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    exclude = ["token"]
