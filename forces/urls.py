from django.urls import path

from . import views

app_name = "forces"
urlpatterns = [
    path("", views.force_list, name="list"),
    path("<slug:slug>/", views.force_detail, name="detail"),
]
