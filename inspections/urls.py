from django.urls import path

from . import factual_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.programme_view, name="programme"),
    path("new/", views.inspection_new, name="new"),
    path("<uuid:inspection_id>/", views.inspection_detail, name="detail"),
    path("<uuid:inspection_id>/plan/", views.inspection_edit, name="edit"),
    path("<uuid:inspection_id>/dates/", views.inspection_dates, name="dates"),
    path("<uuid:inspection_id>/lead/", views.inspection_lead, name="lead"),
    path("<uuid:inspection_id>/cancel/", views.inspection_cancel, name="cancel"),
    path("<uuid:inspection_id>/report/", views.report_view, name="report"),
    path("<uuid:inspection_id>/stage/<slug:action>/", views.transition, name="transition"),
    path("<uuid:inspection_id>/judgments/<slug:topic>/", views.judgment_detail, name="judgment"),
    path(
        "<uuid:inspection_id>/judgments/<slug:topic>/submit/",
        views.judgment_submit,
        name="judgment_submit",
    ),
    path(
        "<uuid:inspection_id>/judgments/<slug:topic>/moderate/",
        views.judgment_moderate,
        name="judgment_moderate",
    ),
    path("<uuid:inspection_id>/findings/", views.findings_list, name="findings"),
    path("<uuid:inspection_id>/findings/new/", views.finding_new, name="finding_new"),
    path(
        "<uuid:inspection_id>/findings/<uuid:finding_id>/", views.finding_edit, name="finding_edit"
    ),
    path(
        "<uuid:inspection_id>/findings/<uuid:finding_id>/delete/",
        views.finding_delete,
        name="finding_delete",
    ),
    path(
        "<uuid:inspection_id>/findings/<uuid:finding_id>/recommendations/new/",
        views.recommendation_new,
        name="recommendation_new",
    ),
    path(
        "<uuid:inspection_id>/recommendations/<uuid:recommendation_id>/delete/",
        views.recommendation_delete,
        name="recommendation_delete",
    ),
    path("<uuid:inspection_id>/evidence/", views.evidence_list, name="evidence"),
    path("<uuid:inspection_id>/history/", views.inspection_history, name="history"),
    path(
        "<uuid:inspection_id>/evidence/interviews/new/", views.interview_new, name="interview_new"
    ),
    path(
        "<uuid:inspection_id>/evidence/interviews/<uuid:interview_id>/",
        views.interview_detail,
        name="interview",
    ),
    path(
        "<uuid:inspection_id>/evidence/interviews/<uuid:interview_id>/change/",
        views.interview_edit,
        name="interview_edit",
    ),
    path(
        "<uuid:inspection_id>/evidence/interviews/<uuid:interview_id>/delete/",
        views.interview_delete,
        name="interview_delete",
    ),
    path("<uuid:inspection_id>/evidence/documents/new/", views.document_new, name="document_new"),
    path(
        "<uuid:inspection_id>/evidence/documents/<uuid:document_id>/change/",
        views.document_edit,
        name="document_edit",
    ),
    path(
        "<uuid:inspection_id>/evidence/documents/<uuid:document_id>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path(
        "<uuid:inspection_id>/evidence/documents/<uuid:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    path(
        "<uuid:inspection_id>/report/factual-accuracy/",
        factual_views.factual_accuracy_page,
        name="factual_accuracy",
    ),
    path(
        "<uuid:inspection_id>/report/factual-accuracy/new/",
        factual_views.factual_point_new,
        name="factual_point_new",
    ),
    path(
        "<uuid:inspection_id>/report/factual-accuracy/send/",
        factual_views.factual_points_send,
        name="factual_points_send",
    ),
    path(
        "<uuid:inspection_id>/report/factual-accuracy/<uuid:point_id>/",
        factual_views.factual_point_edit,
        name="factual_point_edit",
    ),
    path(
        "<uuid:inspection_id>/report/factual-accuracy/<uuid:point_id>/delete/",
        factual_views.factual_point_delete,
        name="factual_point_delete",
    ),
    path(
        "<uuid:inspection_id>/report/factual-accuracy/<uuid:point_id>/respond/",
        factual_views.factual_point_respond,
        name="factual_point_respond",
    ),
    path(
        "<uuid:inspection_id>/findings/<uuid:finding_id>/correct/",
        factual_views.finding_correct,
        name="finding_correct",
    ),
    path(
        "<uuid:inspection_id>/judgments/<slug:topic>/correct/",
        factual_views.judgment_correct,
        name="judgment_correct",
    ),
    path("<uuid:inspection_id>/report/pdf/", views.report_pdf_status, name="report_pdf"),
    path("<uuid:inspection_id>/report/pdf/build/", views.report_pdf_build, name="report_pdf_build"),
    path(
        "<uuid:inspection_id>/report/pdf/<uuid:report_file_id>/download/",
        views.report_pdf_download,
        name="report_pdf_download",
    ),
    path(
        "<uuid:inspection_id>/action-plan-tracker.<str:fmt>",
        views.action_plan_tracker,
        name="tracker",
    ),
]
