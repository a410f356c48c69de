"""Account workflows: two-factor enrolment, and admins' changes to accounts."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import diff, record, snapshot

from .models import User
from .two_factor import DEVICE_NAME


@transaction.atomic
def two_factor_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed device a person is setting up, made on first visit.

    The same key is shown until they confirm it, so a code from an app that
    scanned the page earlier still works after a reload. The person's row is
    locked first, so two first visits at once (two tabs, a quick reload) take
    turns and show the one key, not two of which only the first works.
    """
    list(User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def two_factor_device_confirm(*, device: TOTPDevice, by: User) -> TOTPDevice:
    """Confirm a device whose code the person has just given correctly."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    record(
        by=by,
        action="user_two_factor_set_up",
        obj=device.user,
        changes={"two_factor": [False, True]},
    )
    return device


def _lock_other_user(*, user: User, by: User, refusal: str) -> User:
    """The account row, locked for the change; refuses changes to one's own account.

    Admins cannot change their own access here, so one admin cannot lock
    everyone out, and every change to an admin is made by a second person.
    """
    if user.pk == by.pk:
        raise PermissionDenied(refusal)
    return User.objects.select_for_update().get(pk=user.pk)


def _user_set_active(*, user: User, by: User, reason: str, active: bool) -> User:
    verb = "reactivate" if active else "deactivate"
    user = _lock_other_user(user=user, by=by, refusal=f"You cannot {verb} your own account")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(
            by=by,
            action=f"user_{verb}d",
            obj=user,
            changes={"is_active": [not active, active]},
            force=user.force,
            comment=reason,
        )
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User, reason: str) -> User:
    """Stop a person signing in, at once.

    Their open sessions end on their next request: Django's ModelBackend
    refuses an inactive user when it loads them from the session.
    Deactivating an account that is already deactivated changes nothing.
    """
    return _user_set_active(user=user, by=by, reason=reason, active=False)


@transaction.atomic
def user_reactivate(*, user: User, by: User, reason: str) -> User:
    """Let a deactivated person sign in again. Their two-factor set-up is kept."""
    return _user_set_active(user=user, by=by, reason=reason, active=True)


@transaction.atomic
def user_two_factor_reset(*, user: User, by: User, reason: str) -> User:
    """Remove a person's authenticator app, for a lost or replaced phone.

    They set up a new one the next time they sign in; a session they already
    have open loses its verification at once, as its device is gone.
    """
    user = _lock_other_user(
        user=user, by=by, refusal="You cannot reset your own two-factor authentication"
    )
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        record(
            by=by,
            action="user_two_factor_reset",
            obj=user,
            changes={"two_factor": [True, False]},
            force=user.force,
            comment=reason,
        )
    return user


# What the Django admin can change about a person, kept in the account's history.
ADMIN_FIELDS = ["email", "full_name", "role", "force", "is_active", "is_staff", "is_superuser"]


@transaction.atomic
def user_save_in_django_admin(*, user: User, by: User) -> User:
    """Save a person added or changed in the Django admin (the only screen
    that adds people or changes a role, a force or Django admin rights), with
    what changed in the account's history."""
    before = {}
    if not user._state.adding:
        stored = User.objects.select_for_update().filter(pk=user.pk).first()
        before = snapshot(stored, ADMIN_FIELDS) if stored else {}
    user.save()
    changes = diff(before, snapshot(user, ADMIN_FIELDS))
    if changes:
        record(
            by=by,
            action="user_changed" if before else "user_created",
            obj=user,
            changes=changes,
            force=user.force,
        )
    return user


def user_password_set_in_django_admin(*, user_id, before: str | None, by: User) -> None:
    """Record that an admin set someone's password in the Django admin (the
    way back in for a person who forgot theirs), or turned password sign-in
    off, if the stored hash changed from ``before``. Call inside the
    transaction that saved it. The password itself is never recorded."""
    user = User.objects.select_related("force").get(pk=user_id)
    if user.password == before:
        return
    usable = user.has_usable_password()
    record(
        by=by,
        action="user_password_set" if usable else "user_password_disabled",
        obj=user,
        changes={"password": ["", "set by an admin" if usable else "sign-in by password off"]},
        force=user.force,
    )
