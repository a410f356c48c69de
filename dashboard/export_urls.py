from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("<slug:name>/prepare/", views.export_prepare, name="prepare"),
    path("copies/<uuid:export_file_id>/", views.export_download, name="download"),
]
