from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("<slug:name>.csv", views.export_csv, name="csv"),
]
