from django.urls import path

from . import views

app_name = "actionplans"

PLAN = "inspections/<uuid:inspection_id>/action-plans/<slug:slug>/"
VERSION = PLAN + "versions/<int:number>/"
VISITS = "inspections/<uuid:inspection_id>/visits/"

urlpatterns = [
    path("inspections/<uuid:inspection_id>/follow-up/", views.followup, name="followup"),
    path(
        "inspections/<uuid:inspection_id>/follow-up/pcc-response/",
        views.pcc_response_edit,
        name="pcc_response",
    ),
    path(PLAN, views.plan_detail, name="plan"),
    path(PLAN + "document/", views.plan_upload, name="plan_upload"),
    path(PLAN + "document/download/", views.plan_draft_document, name="plan_document"),
    path(PLAN + "responses/<uuid:item_id>/", views.plan_response, name="plan_response"),
    path(
        PLAN + "start-from-accepted/",
        views.plan_start_from_accepted,
        name="plan_start_from_accepted",
    ),
    path(PLAN + "check/", views.plan_check, name="plan_check"),
    path(PLAN + "submit/", views.plan_submit, name="plan_submit"),
    path(VERSION, views.version_detail, name="version"),
    path(VERSION + "document/", views.version_document, name="version_document"),
    path(VERSION + "review/", views.version_review, name="version_review"),
    path(VISITS + "new/", views.visit_schedule, name="visit_schedule"),
    path(VISITS + "<uuid:visit_id>/", views.visit_detail, name="visit"),
    path(VISITS + "<uuid:visit_id>/record/", views.visit_record, name="visit_record"),
    path(VISITS + "<uuid:visit_id>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    # Tokens are secrets.token_urlsafe(): letters, digits, - and _ only.
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
]
