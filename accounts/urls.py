from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("users/", views.user_list, name="user_list"),
    path("users/<uuid:user_id>/", views.user_detail, name="user_detail"),
    path(
        "users/<uuid:user_id>/deactivate/",
        views.user_change,
        {"change": "deactivate"},
        name="user_deactivate",
    ),
    path(
        "users/<uuid:user_id>/reactivate/",
        views.user_change,
        {"change": "reactivate"},
        name="user_reactivate",
    ),
    path(
        "users/<uuid:user_id>/reset-two-factor/",
        views.user_change,
        {"change": "reset_two_factor"},
        name="user_reset_two_factor",
    ),
]
