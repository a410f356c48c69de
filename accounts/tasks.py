"""Thin Celery tasks for accounts: they take ids and call the services."""

from datetime import datetime

from celery import Task, shared_task

from core.mail import EMAIL_TASK

from . import services


class PasswordLinkTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Every try failed (the mail server out for hours, or a bug): the
        person's page says the link was not sent, as for a refusal."""
        user_id = args[0] if args else kwargs["user_id"]
        services.password_link_given_up(user_id=user_id)


@shared_task(base=PasswordLinkTask, **EMAIL_TASK)
def send_password_link(user_id: str, purpose: str, event_id: int | None = None) -> bool:
    """Email a link to set a password, once for the link sent (event_id). A
    retry makes a new link, which works as well as the first: both are
    signed with the same password hash. event_id is None only in a task
    queued before it was given."""
    return services.password_link_email(user_id=user_id, purpose=purpose, event_id=event_id)


@shared_task(**EMAIL_TASK)
def request_password_link(email: str, asked_at: str | None = None) -> bool:
    """Someone asked for a link on the sign-in page at asked_at (ISO 8601;
    see the service)."""
    when = datetime.fromisoformat(asked_at) if asked_at else None
    return services.user_password_link_request(email=email, asked_at=when)


@shared_task(**EMAIL_TASK)
def send_password_changed(event_id: int) -> bool:
    """Tell a person their password was changed (see the service)."""
    return services.password_changed_email(event_id=event_id)


@shared_task(**EMAIL_TASK)
def send_sign_in_limited(event_id: int) -> bool:
    """Tell a person their password is refused from anywhere for a while (see the service)."""
    return services.sign_in_limited_email(event_id=event_id)
