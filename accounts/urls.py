from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("session/", views.session_clock, name="session_clock"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("forgotten-password/", views.forgotten_password, name="forgotten_password"),
    path(
        "forgotten-password/sent/",
        views.forgotten_password_sent,
        name="forgotten_password_sent",
    ),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("set-password/done/", views.set_password_done, name="set_password_done"),
    path("your-account/", views.your_account, name="your_account"),
    path("your-account/change-password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<uuid:user_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:user_id>/change/", views.user_edit, name="user_edit"),
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
        "users/<uuid:user_id>/send-password-link/",
        views.user_change,
        {"change": "send_password_link"},
        name="user_send_password_link",
    ),
    path(
        "users/<uuid:user_id>/reset-two-factor/",
        views.user_change,
        {"change": "reset_two_factor"},
        name="user_reset_two_factor",
    ),
]
