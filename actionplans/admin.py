from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ActionPlan, ActionPlanVersion, CalendarFeed, Notice, PostInspectionVisit


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "kind", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["inspection__force"]


@admin.register(ActionPlanVersion)
class ActionPlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "status", "submitted_by", "submitted_at", "reviewed_at"]
    list_filter = ["status"]
    list_select_related = ["plan__inspection__force", "submitted_by"]


@admin.register(PostInspectionVisit)
class PostInspectionVisitAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "visit_on", "outcome", "notice_sent_at"]
    list_filter = ["outcome"]
    list_select_related = ["inspection__force"]


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
    exclude = ["token"]
