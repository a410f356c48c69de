"""Case file reviews live under their inspection. Included at the root prefix."""

from django.urls import path

from . import views

app_name = "casefiles"

CASE_FILES = "inspections/<uuid:inspection_id>/case-files/"
CASE = CASE_FILES + "cases/<uuid:case_id>/"

urlpatterns = [
    path(CASE_FILES, views.overview, name="overview"),
    path(CASE_FILES + "cases/", views.case_list, name="case_list"),
    path(CASE_FILES + "import/", views.import_start, name="import_start"),
    path(CASE_FILES + "import/template.csv", views.import_template, name="import_template"),
    path(CASE_FILES + "imports/<uuid:import_id>/", views.import_status, name="import_status"),
    path(CASE_FILES + "sample/", views.sample, name="sample"),
    path(CASE_FILES + "sample/draw/", views.sample_draw, name="sample_draw"),
    path(CASE_FILES + "reviews/", views.review_list, name="review_list"),
    path(CASE_FILES + "second-reviews/", views.second_review_list, name="second_review_list"),
    path(CASE, views.case_detail, name="case_detail"),
    path(CASE + "assign/", views.case_assign, name="case_assign"),
    path(CASE + "replace/", views.case_replace, name="case_replace"),
    path(CASE + "take-out/", views.case_take_out, name="case_take_out"),
    path(CASE + "review/", views.review_edit, name="review_edit"),
    path(CASE + "review/check/", views.review_check, name="review_check"),
    path(CASE + "second-review/", views.second_review, name="second_review"),
    path("case-categories/", views.category_list, name="category_list"),
    path("case-categories/add/", views.category_add, name="category_add"),
    path("case-categories/<uuid:category_id>/", views.category_edit, name="category_edit"),
]
