"""Thin Celery tasks for accounts: they take ids and call the services."""

from celery import shared_task

from core.mail import EMAIL_TASK

from . import services


@shared_task(**EMAIL_TASK)
def send_password_link(user_id: str, purpose: str) -> bool:
    """Email a link to set a password. A retry makes a new link, which works
    as well as the first: both are signed with the same password hash."""
    return services.password_link_email(user_id=user_id, purpose=purpose)


@shared_task(**EMAIL_TASK)
def request_password_link(email: str) -> bool:
    """Someone asked for a link on the sign-in page (see the service)."""
    return services.user_password_link_request(email=email)


@shared_task(**EMAIL_TASK)
def send_password_changed(event_id: int) -> bool:
    """Tell a person their password was changed (see the service)."""
    return services.password_changed_email(event_id=event_id)
