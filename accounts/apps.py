from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .middleware import stamp_sign_in
        from .sign_in_limit import count_failure

        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")
        user_login_failed.connect(count_failure, dispatch_uid="accounts.sign_in_limit")
