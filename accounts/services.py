"""Account workflows: two-factor enrolment, people's own passwords, and
admins' changes to accounts."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from actionplans.models import CalendarFeed
from core.audit import diff, record, snapshot
from core.mail import send_unless_refused
from core.models import AuditEvent
from core.stale import fields_version, refuse_if_stale
from core.templatetags.govuk import govuk_datetime

from . import lockout, sign_in_limit
from .models import PasswordEmail, User, email_key
from .tokens import password_link_tokens
from .two_factor import DEVICE_NAME

logger = logging.getLogger(__name__)

TWO_FACTOR_SET_UP = "user_two_factor_set_up"
TWO_FACTOR_RESET = "user_two_factor_reset"


# Where a session keeps the unconfirmed device its set-up page showed.
ENROLMENT_DEVICE = "two_factor_enrolment_device"


@transaction.atomic
def two_factor_device_for_enrolment(*, user: User, session: SessionBase) -> TOTPDevice:
    """The unconfirmed device this session is setting up, made on its first visit.

    The same key is shown to the session until it is confirmed, so a code
    from an app that scanned the page earlier still works after a reload.
    Never another session's: whoever opened the page elsewhere with the
    password (a stolen phone's finder, after an admin's reset) and noted the
    key does not hold the one the person then sets up (found by the sign-in
    review). The person's row is locked first, and the session read again
    under the lock and saved with its device, so two first visits at once
    (two tabs, a quick reload) take turns and show the one key, not two of
    which only the first works.
    """
    list(User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk"))
    # As stored now: another request of this session may have chosen one
    # since this one read it.
    stored = type(session)(session.session_key) if session.session_key else session
    shown = stored.get(ENROLMENT_DEVICE)
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=shown).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    if session.get(ENROLMENT_DEVICE) != device.pk:
        # Saved now, for a request of this session waiting on the lock, and
        # in this request's copy, so that saving it later keeps the device.
        session[ENROLMENT_DEVICE] = device.pk
        session.save()
    return device


@transaction.atomic
def two_factor_device_confirm(*, device: TOTPDevice, by: User) -> TOTPDevice:
    """Confirm a device whose code the person has just given correctly.

    Claimed with a conditional update: two requests at once, each with a
    right code (this time step's and the next are both accepted), confirm
    it once and record "two-factor set up" once (found by a review: twice).
    A device gone meanwhile (an admin's reset) is not an error either."""
    claimed = TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True)
    device.confirmed = True
    if not claimed:
        return device  # confirmed by the other request a moment ago
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    record(
        by=by,
        action=TWO_FACTOR_SET_UP,
        obj=device.user,
        changes={"two_factor": [False, True]},
        force=device.user.force,  # as every change to an account is (audit review)
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


def lock_admins_with(user: User) -> None:
    """Lock this person's row and every active admin's and superuser's, in
    one order (by id), before a change that check_admins_remain checks. Two
    admins deactivating each other at once each locked their target first,
    then the other admins: each held the row the other wanted, PostgreSQL
    killed one as a deadlock, and that admin got a 500 (found by the review
    of the morning's changes). In one order, the second waits, then is
    refused with the last-admin message."""
    keeps_the_service = Q(role=User.Role.ADMIN) | Q(is_staff=True, is_superuser=True)
    rows = User.objects.select_for_update().filter(
        Q(pk=user.pk) | (Q(is_active=True) & keeps_the_service)
    )
    list(rows.order_by("pk").values_list("pk", flat=True))


def check_admins_remain(
    user: User, *, is_active: bool, role: str, is_staff: bool, is_superuser: bool
) -> None:
    """Refuse a change to this person (as stored, with these values after it)
    that leaves no active admin, or no active admin with Django admin rights.
    With no admin nobody would manage accounts or the programme, and the
    inspectorate's notices would go to nobody; with no superuser nobody could
    add or reactivate an admin. Call it after lock_admins_with, in the same
    transaction: the rows it reads are then locked, so two admins stepping
    down at once cannot both go (found by a review)."""
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    problem = admins_remain_problem(
        user, others, is_active=is_active, role=role, is_staff=is_staff, is_superuser=is_superuser
    )
    if problem:
        raise ValidationError(problem)


DJANGO_ADMIN_RIGHTS_ARE_ADMINS = (
    "Only an admin can have Django admin rights. Untick staff status and superuser "
    "status, or keep them an admin"
)


def check_django_admin_rights(*, role: str, is_staff: bool, is_superuser: bool) -> None:
    """Django admin rights (staff, superuser) only with the admin's role: the
    Django admin shows every force's records, so a force lead or inspector
    holding them saw what their role hides (found by the isolation review:
    a superuser made a force lead kept the rights ticked)."""
    if (is_staff or is_superuser) and role != User.Role.ADMIN:
        raise ValidationError({"is_staff": DJANGO_ADMIN_RIGHTS_ARE_ADMINS})


def admins_remain_problem(
    user: User, others, *, is_active: bool, role: str, is_staff: bool, is_superuser: bool
) -> str:
    """Why this change to this person would leave no active admin (or none
    with Django admin rights) among ``others``, the other active people; or ""."""
    if (
        user.is_active
        and user.is_admin
        and not (is_active and role == User.Role.ADMIN)
        and not others.filter(role=User.Role.ADMIN).exists()
    ):
        return f"{user.full_name} is the only active admin. Make someone else an admin first"
    # Only an admin's rights open the Django admin (config.urls._admins_only).
    rights = Q(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    if (
        user.is_active
        and user.is_admin
        and user.is_staff
        and user.is_superuser
        and not (is_active and role == User.Role.ADMIN and is_staff and is_superuser)
        and not others.filter(rights).exists()
    ):
        return (
            f"{user.full_name} is the only active admin with Django admin rights (staff and "
            "superuser). Give them to someone else first"
        )
    return ""


def may_delete_in_django_admin(user: User) -> bool:
    """Whether deleting this person would keep an active admin and an active
    superuser; for showing the delete button. The deletion checks again, locked."""
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    return not admins_remain_problem(
        user, others, is_active=False, role=user.role, is_staff=False, is_superuser=False
    )


HANDED_BACK_REASON = "Account deactivated"


def cases_to_hand_back(user: User) -> list[tuple]:
    """(inspection, cases) where deactivating this person would hand back
    case file reviews assigned to them and not submitted, for the
    deactivation page to say beforehand (_hand_back_cases)."""
    from casefiles.services import (  # noqa: PLC0415 (casefiles imports this app)
        cases_to_hand_back as cases_held,
    )
    from casefiles.services import inspections_with_cases_assigned  # noqa: PLC0415

    found = inspections_with_cases_assigned(user).select_related("force")
    return [
        (inspection, cases)
        for inspection in found
        for _, cases in cases_held(inspection=inspection, leaving=[user])
    ]


def hand_back_warning(user: User, handing_back: list[tuple]) -> str:
    """What to warn an admin of before deactivating a person with case file
    reviews to hand back (cases_to_hand_back), or ""."""
    if not handing_back:
        return ""
    total = sum(cases for _, cases in handing_back)
    them = "them" if total != 1 else "it"
    leads = all(inspection.lead_inspector_id == user.pk for inspection, _ in handing_back)
    told = (
        f"the lead inspector you give the inspection assigns {them} again"
        if leads
        else f"the lead inspector is told to assign {them} again"
    )
    return (
        f"{user.full_name} has {total} case file review{'s' if total != 1 else ''} assigned "
        f"and not submitted. Deactivating their account hands {them} back as not assigned: "
        f"anything written in {them} is kept, and {told}."
    )


def left_behind(user: User, handing_back: list[tuple]) -> str:
    """What a deactivation left for an admin to do, for a page with no check
    page before it (the Django admin): the inspections they lead, and the case
    file reviews handed back (cases_to_hand_back, read before); or ""."""
    said = []
    leading = list(inspections_led_not_closed(user))
    if leading:
        said.append(
            f"{user.full_name} leads {len(leading)} inspection{'s' if len(leading) != 1 else ''} "
            f"not yet closed: {'; '.join(str(inspection) for inspection in leading)}. Give each "
            "another lead inspector (its plan page, or ‘Change the lead inspector’)"
        )
    total = sum(cases for _, cases in handing_back)
    if total:
        told = any(inspection.lead_inspector_id != user.pk for inspection, _ in handing_back)
        said.append(
            f"{total} case file review{'s' if total != 1 else ''} of theirs, not submitted, "
            f"{'are' if total != 1 else 'is'} no longer assigned"
            + (", and the lead inspector has been told" if told else "")
        )
    return ". ".join(said) + "." if said else ""


def lock_inspections_with_cases_of(user: User) -> None:
    """Lock, in id order, the inspections on which this person has case file
    reviews to hand back, before their own row: the inspection services lock
    an inspection and then its people's rows, so taking them the other way
    round could deadlock with a plan saved at the same moment."""
    from casefiles.services import inspections_with_cases_assigned  # noqa: PLC0415

    list(inspections_with_cases_assigned(user).select_for_update(no_key=True).values("pk"))


def _hand_back_cases(user: User, *, by: User) -> None:
    """A person deactivated can no longer sign in to write the case file
    reviews assigned to them: those not submitted are handed back as not
    assigned (drafts kept, each audited), and each inspection's lead is told
    to assign them again, as when they are taken off its team (found by the
    deactivation review: they stayed with someone who could not sign in)."""
    from actionplans.notices import cases_handed_back_notices  # noqa: PLC0415
    from casefiles.services import (  # noqa: PLC0415 (casefiles imports this app)
        cases_hand_back,
        inspections_with_cases_assigned,
    )

    for inspection in inspections_with_cases_assigned(user).select_related(
        "force", "lead_inspector"
    ):
        handed_back = cases_hand_back(
            inspection=inspection, reviewers=[user], by=by, reason=HANDED_BACK_REASON
        )
        cases_handed_back_notices(inspection=inspection, people=[user], handed_back=handed_back)


def _user_set_active(*, user: User, by: User, reason: str, active: bool) -> User:
    verb = "reactivate" if active else "deactivate"
    if not active and user.pk != by.pk:
        lock_inspections_with_cases_of(user)
        lock_admins_with(user)
    user = _lock_other_user(user=user, by=by, refusal=f"You cannot {verb} your own account")
    if not active:
        try:
            check_admins_remain(
                user,
                is_active=False,
                role=user.role,
                is_staff=user.is_staff,
                is_superuser=user.is_superuser,
            )
        except ValidationError as error:
            raise PermissionDenied(error.message) from None
    if user.is_active != active:
        user.is_active = active
        fields = ["is_active"]
        if not active:
            # Ends their sessions for good: one would otherwise be signed in
            # again by the reactivation (User._get_session_auth_hash).
            user.sessions_ended_at = timezone.now()
            fields.append("sessions_ended_at")
        user.save(update_fields=fields)
        if not active:
            _hand_back_cases(user, by=by)
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

    They set up a new one the next time they sign in, with their password.
    Their open sessions end (User._get_session_auth_hash): one left open
    would be asked to set up a new app with no password, by whoever holds
    it, a lost phone's finder say.
    """
    user = _lock_other_user(
        user=user, by=by, refusal="You cannot reset your own two-factor authentication"
    )
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        user.sessions_ended_at = timezone.now()
        user.save(update_fields=["sessions_ended_at"])
        record(
            by=by,
            action=TWO_FACTOR_RESET,
            obj=user,
            changes={"two_factor": [True, False]},
            force=user.force,
            comment=reason,
        )
    return user


DETAILS = ["email", "full_name", "role", "force"]
EMAIL_TAKEN = "A person with this email address already has an account"


def _save_checked(user: User, update_fields: list[str] | None = None) -> None:
    """Validate and save a person added or changed by an admin. An address
    another admin took a moment ago (after the check, before the insert) is
    refused as the check would refuse it, not as a 500."""
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationError({"email": EMAIL_TAKEN}) from None


def inspections_led_not_closed(user: User):
    """The inspections this person leads that are not closed (nor cancelled), oldest first."""
    return user.inspections_led.current().select_related("force").order_by("fieldwork_start")


def check_role_change(user: User, *, before: str, after: str) -> None:
    """The lead of an inspection not closed keeps the lead inspector's role
    while they lead it: as a force lead they could take its steps for their
    own force's report, and as an inspector they would keep leading what the
    plan page no longer offers them for. Give each inspection another lead
    first (the plan page, or 'Change the lead inspector'). Found by reviews,
    through the Users pages and through the Django admin."""
    if after == before or after == User.Role.LEAD_INSPECTOR:
        return
    leading = inspections_led_not_closed(user).count()
    if leading:
        raise ValidationError(
            {
                "role": f"{user.full_name} leads {leading} inspection"
                f"{'s' if leading != 1 else ''} not yet closed. Give "
                f"{'each' if leading != 1 else 'it'} another lead inspector before "
                "changing their role"
            }
        )
    if after == User.Role.FORCE_LEAD:
        _check_off_every_team(user)


def _check_off_every_team(user: User) -> None:
    """A force lead on an inspection's team would stay listed there, with its
    case files still assigned to them and its notices addressed to them,
    about another force's inspection (found by the admin review). Take them
    off each team first."""
    teams = user.inspection_teams.current().count()
    if teams:
        raise ValidationError(
            {
                "role": f"{user.full_name} is on the team of {teams} inspection"
                f"{'s' if teams != 1 else ''} not yet closed. Take them off "
                f"{'each team' if teams != 1 else 'it'} on the inspection's plan page "
                "before making them a force lead"
            }
        )


STALE_DETAILS = (
    "Someone else saved changes to this person’s details after you opened the page, so your "
    "changes have not been saved. The account’s history shows what they changed. Save again "
    "to replace their changes with yours"
)


def user_details_version(user: User) -> str:
    """What the details page carries back (as "seen"): the details as the page
    showed them. Only these, so that a sign-in or a deactivation meanwhile
    does not make the page stale."""
    return fields_version(user, ["email", "full_name", "role", "force_id"])


@transaction.atomic
def user_details_change(
    *,
    user: User,
    by: User,
    full_name: str,
    email: str,
    role: str,
    force,
    reason: str,
    seen: str | None = None,
) -> bool:
    """Change a person's name, email address, role or force; True if anything
    changed. A force lead moved to another force sees the new force, and
    nothing of the old, from their next request. Admins' accounts (and anyone
    with Django admin rights) are changed by a superuser in the Django admin,
    so no admin holds two admin accounts or takes over a superuser's.

    `seen` is user_details_version() as the page showed it: if the details
    were changed since (another admin), nothing is saved."""
    user = _lock_other_user(
        user=user, by=by, refusal="You cannot change your own details. Ask another admin."
    )
    if user.changed_in_django_admin or role == User.Role.ADMIN:
        raise PermissionDenied("Admins' accounts are changed in the Django admin")
    check_role_change(user, before=user.role, after=role)
    before, version, was = snapshot(user, DETAILS), user_details_version(user), user.force
    user.full_name, user.email, user.role, user.force = full_name, email, role, force
    user.clean()  # the address in lower case, as stored, before comparing
    changes = diff(before, snapshot(user, DETAILS))
    if not changes:
        return False  # a second click on Save too, not a stale page
    refuse_if_stale(seen, version, STALE_DETAILS)
    _save_checked(user, update_fields=DETAILS)
    if {"role", "force"} & changes.keys():
        _calendar_link_end(user)
    record(
        by=by, action="user_changed", obj=user, changes=changes, force=user.force, comment=reason
    )
    _record_leaving(user, was=was, by=by, changes=changes, comment=reason)
    return True


def _record_leaving(user: User, *, was, by: User, changes: dict, comment: str = "") -> None:
    """A person moved out of a force is filed under the force they left too
    (as "user_left_force"), not only under their new one: the old force's
    audit trail would otherwise never show that its force lead went."""
    if was is not None and was.pk != user.force_id:
        record(
            by=by,
            action=LEFT_FORCE,
            obj=user,
            changes=changes,
            force=was,
            comment=comment,
        )


def _calendar_link_end(user: User) -> None:
    """A new role or force ends the person's calendar link: it follows the
    person, so one shared in their old force's team calendar would show the
    new force's deadlines there (found by the accounts review). Their
    calendar page makes a new link; the change itself is audited."""
    CalendarFeed.objects.filter(user=user).delete()


# The row filed under the force a person left (_record_leaving): the
# account's own history shows the change once, as "user_changed".
LEFT_FORCE = "user_left_force"

# What the Django admin can change about a person, kept in the account's history.
ADMIN_FIELDS = ["email", "full_name", "role", "force", "is_active", "is_staff", "is_superuser"]
ADMIN_RIGHTS = ["is_active", "role", "is_staff", "is_superuser"]


@transaction.atomic
def user_save_in_django_admin(*, user: User, by: User) -> User:
    """Save a person added or changed in the Django admin (where superusers
    add and change admins and Django admin rights; admins add and change
    everyone else on the Users pages), with what changed in the account's
    history."""
    before, was = {}, None
    if not user._state.adding:
        if not user.is_active:
            lock_inspections_with_cases_of(user)
        lock_admins_with(user)
        stored = User.objects.select_for_update().filter(pk=user.pk).first()
        before = snapshot(stored, ADMIN_FIELDS) if stored else {}
        if stored:  # the admin's form checked these too
            check_role_change(user, before=stored.role, after=user.role)
            check_admins_remain(stored, **{field: getattr(user, field) for field in ADMIN_RIGHTS})
        if stored and stored.is_active and not user.is_active:
            user.sessions_ended_at = timezone.now()  # as user_deactivate does
        if stored and (stored.role, stored.force_id) != (user.role, user.force_id):
            _calendar_link_end(user)
        was = stored.force if stored else None
    check_django_admin_rights(
        role=user.role, is_staff=user.is_staff, is_superuser=user.is_superuser
    )
    adding = user._state.adding
    user.save()
    if before.get("is_active") and not user.is_active:
        _hand_back_cases(user, by=by)
    changes = diff(before, snapshot(user, ADMIN_FIELDS))
    if adding:
        # A password chosen for them as they were added, as one set later
        # is recorded (user_password_set_in_django_admin); never the password.
        usable = user.has_usable_password()
        changes["password"] = [None, "set by an admin" if usable else "sign-in by password off"]
    if changes:
        record(
            by=by,
            action="user_changed" if before else "user_created",
            obj=user,
            changes=changes,
            force=user.force,
        )
        _record_leaving(user, was=was, by=by, changes=changes)
    return user


@transaction.atomic
def user_delete_in_django_admin(*, user: User, by: User) -> None:
    """Delete a person in the Django admin (an account added by mistake),
    keeping in the audit trail who deleted it, when, and what it was. Anyone
    who has made a change cannot be deleted: their audit rows protect them.
    Refused (ValidationError) if it would leave no active admin, or none with
    Django admin rights, as deactivating them would be."""
    lock_admins_with(user)
    stored = User.objects.get(pk=user.pk)
    # Not the last admin, nor the last with Django admin rights.
    check_admins_remain(
        stored, is_active=False, role=stored.role, is_staff=False, is_superuser=False
    )
    record(
        by=by,
        action="user_deleted",
        obj=stored,
        changes=diff(snapshot(stored, ADMIN_FIELDS), dict.fromkeys(ADMIN_FIELDS)),
        force=stored.force,
    )
    stored.delete()


def user_password_set_in_django_admin(*, user_id, before: str | None, by: User) -> None:
    """Record that an admin set someone's password in the Django admin (the
    way back in for a person who forgot theirs), or turned password sign-in
    off, if the stored hash changed from ``before``. Call inside the
    transaction that saved it. The password itself is never recorded."""
    user = User.objects.select_related("force").get(pk=user_id)
    if user.password == before:
        return
    usable = user.has_usable_password()
    _calendar_link_end(user)  # as a password set with a link ends it
    if usable:
        _wrong_passwords_forget(user.email)
    record(
        by=by,
        action="user_password_set" if usable else "user_password_disabled",
        obj=user,
        changes={"password": ["", "set by an admin" if usable else "sign-in by password off"]},
        force=user.force,
    )


# Adding people, and links to set a password.
#
# On the service's pages nobody chooses a password for anyone else: an admin
# adds a person, and the service emails them a link to choose their own. The
# same link answers a forgotten password. A link works once (setting the
# password changes the hash it is signed with), for PASSWORD_RESET_TIMEOUT,
# and only while it is the newest (accounts/tokens.py); the code from the
# authenticator app is still asked for at every sign-in. The Django admin,
# for superusers, keeps Django's own password forms as the way in when email
# fails, and every use of them is in the account's history.

LINK_SENT = "user_password_link_sent"
LINK_NOT_SENT = "user_password_link_not_sent"
# Someone asking again and again on the sign-in page gets one email in this long.
LINK_REQUEST_INTERVAL = timedelta(minutes=5)


class LinkPurpose:
    INVITATION = "invitation"
    RESET = "reset"


@transaction.atomic
def user_create(*, email: str, full_name: str, role: str, force, by: User) -> User:
    """Add a person, with no password yet, and email them a link to set one."""
    user = User(email=email, full_name=full_name, role=role, force=force)
    user.set_unusable_password()
    _save_checked(user)
    record(
        by=by,
        action="user_created",
        obj=user,
        changes=diff({}, snapshot(user, ADMIN_FIELDS)),
        force=user.force,
    )
    _password_link_send(user=user, by=by)
    return user


LINK_SENT_MEANWHILE = (
    "A link was sent to {name} after you opened that page, so we have not sent another: "
    "each new link stops the ones before it working"
)


def last_link_sent(user: User) -> str:
    """What the page that sends a link carries back (as "seen"): the newest
    link sent to the person, or "" for none."""
    event = AuditEvent.objects.for_object(user).filter(action=LINK_SENT).order_by("-at", "-pk")
    return str(event.values_list("pk", flat=True).first() or "")


@transaction.atomic
def user_password_link_send(*, user: User, by: User, reason: str, seen: str | None = None) -> User:
    """An admin sends someone a new link: an invitation that expired, or a
    forgotten password. Their password, if they have one, works until they use it.

    `seen` is last_link_sent() as the page showed it: a link sent since (a
    second click, the page gone back to and sent again) is not followed by
    another, which would stop the first working (found by the stale-page
    review: the person got two emails, and the first link was dead)."""
    user = _lock_other_user(
        user=user, by=by, refusal="You cannot send yourself a link. Use ‘Forgotten your password?’"
    )
    if not user.is_active:
        raise PermissionDenied("Reactivate the account before sending a link")
    if seen is not None and seen != last_link_sent(user):
        raise ValidationError(LINK_SENT_MEANWHILE.format(name=user.full_name), code="stale")
    _password_link_send(user=user, by=by, comment=reason)
    return user


@transaction.atomic
def user_password_link_request(*, email: str, asked_at: datetime | None = None) -> bool:
    """Someone who forgot their password (or lost their invitation) asked
    for a link on the sign-in page, at `asked_at`; run by a task, so the page
    takes the same time whether or not the address has an account. Only an
    active account whose password an admin has not turned off is sent
    anything, and not if a link was sent within LINK_REQUEST_INTERVAL before
    they asked, or since.

    Counted from when they asked, not from now: the broker delivers the task
    again to another worker when the one running it is lost before saying it
    was done (acks_late, after an hour's visibility timeout), and that
    delivery finds the link the first sent (found by the sign-in review: it
    sent a second link, which stopped the first working). None (a task
    queued before asked_at was given) is now."""
    user = User.objects.select_for_update().filter(email=email_key(email), is_active=True).first()
    if user is None or password_turned_off(user):
        return False
    asked_at = asked_at or timezone.now()
    recent = AuditEvent.objects.for_object(user).filter(
        action=LINK_SENT, at__gte=asked_at - LINK_REQUEST_INTERVAL
    )
    if recent.exists():
        return False
    _password_link_send(user=user, by=None, comment="Asked for on the sign-in page")
    return True


def password_rules_check(*, user: User, password: str) -> None:
    """Refuse a new password the password rules refuse (AUTH_PASSWORD_VALIDATORS:
    12 characters or more, not a common one, not like the person's name or
    address), named as the new password's field, so that every caller (a page,
    a command, an API) gets the same rules and a page shows why beside it."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"new_password1": error.error_list}) from None


@transaction.atomic
def user_password_set_with_link(*, user: User, token: str, password: str) -> User:
    """Set the password a person chose, if their link still works and the
    password rules accept it.

    The row is locked and the link checked again, so a link used in two tabs
    at once sets the password once and the second is refused. Setting it
    ends the person's other sessions (Django signs sessions with the hash).
    A link that no longer works is refused without naming a field; a
    password the rules refuse, as the new password's (password_rules_check).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not (user.is_active and password_link_tokens.check_token(user, token)):
        raise ValidationError("This link has expired or has already been used", code="link")
    password_rules_check(user=user, password=password)
    first = not user.has_usable_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    if not first:
        # A forgotten password, or one feared known: the calendar link goes
        # too, as the other sessions do (the sign-in review's suspicion).
        _calendar_link_end(user)
    _wrong_passwords_forget(user.email)
    record(
        by=user,
        action="user_password_set_with_link",
        obj=user,
        changes={"password": ["", "chosen for the first time" if first else "changed"]},
        force=user.force,
    )
    return user


def _wrong_passwords_forget(email: str) -> None:
    """Wrong passwords given before a new one no longer count: not toward a
    lockout from one computer, nor toward the limit for the account from
    anywhere (the way back in for someone whose password is being guessed)."""
    transaction.on_commit(lambda: axes_reset(username=email), robust=True)
    transaction.on_commit(lambda: sign_in_limit.forget_account(email), robust=True)


CHANGED_BY_OWNER = "user_password_changed"
# Each of these gives the account a new password.
PASSWORD_CHOSEN = ["user_password_set", "user_password_set_with_link", CHANGED_BY_OWNER]
PASSWORD_ACTIONS = [*PASSWORD_CHOSEN, "user_password_disabled"]


def password_turned_off(user: User) -> bool:
    """Whether an admin turned this person's password sign-in off in the
    Django admin, and nobody has set a password since. Such a person is not
    sent a link when they ask: only an admin can let them back in."""
    latest = (
        AuditEvent.objects.for_object(user)
        .filter(action__in=PASSWORD_ACTIONS)
        .order_by("-at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return latest == "user_password_disabled"


def _password_link_send(*, user: User, by: User | None, comment: str = "") -> None:
    # An invitation for someone who has never had a password; otherwise a reset.
    # Not an invitation for someone who has signed in before and whose password
    # an admin turned off: "An account has been made for you" would be untrue.
    never_signed_in = user.last_login is None and not user.has_usable_password()
    purpose = LinkPurpose.INVITATION if never_signed_in else LinkPurpose.RESET
    event = record(
        by=by,
        action=LINK_SENT,
        obj=user,
        changes={"link": ["", purpose]},
        force=user.force,
        comment=comment,
    )
    # After the commit: a broker that is down does not undo the change, and
    # the person's page says the link was not sent (_password_link_queue).
    transaction.on_commit(
        lambda: _password_link_queue(user=user, purpose=purpose, event_id=event.pk)
    )


def _password_link_queue(*, user: User, purpose: str, event_id: int) -> None:
    from .tasks import send_password_link

    try:
        send_password_link.delay(str(user.pk), purpose, event_id)
    except Exception:  # the broker refused it, or did not answer
        logger.exception("A password link for user %s could not be queued", user.pk)
        _password_link_not_sent(
            user,
            "The email could not be sent: part of the service was not working.",
        )


def _password_link_not_sent(user: User, why: str) -> None:
    """On the person's history, and on their page until a link is sent: the
    admin was told it was sent, and the person waits for an email that will
    never come (found by the on-call review: a refused address, a broker
    down, were only logged)."""
    record(by=None, action=LINK_NOT_SENT, obj=user, force=user.force, comment=why)


def password_link_given_up(*, user_id: str) -> None:
    """Every try to email a link failed: say so (see _password_link_not_sent)."""
    user = User.objects.select_related("force").filter(pk=user_id).first()
    if user is not None:
        _password_link_not_sent(
            user, "The email could not be sent: the email server did not answer for hours."
        )


def password_link_not_sent(user: User) -> AuditEvent | None:
    """The failure, if the last link asked for was not sent."""
    latest = (
        AuditEvent.objects.for_object(user)
        .filter(action__in=[LINK_SENT, LINK_NOT_SENT])
        .order_by("-at", "-id")
        .first()
    )
    return latest if latest is not None and latest.action == LINK_NOT_SENT else None


def password_link_url(user: User) -> str:
    """The address of a new link for this person to set their password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_link_tokens.make_token(user)
    path = reverse("accounts:set_password", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SERVICE_URL}{path}"


LINK_DAYS = settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)
EMAILS = {
    LinkPurpose.INVITATION: (
        "Set your password for the child protection inspections service",
        "An account has been made for you on the child protection inspections "
        "service, as {role}.\n\n"
        "Choose your password here:\n{link}\n\n"
        "The link works once, for {days} days. If it has expired, ask for a new "
        "one on the sign-in page: choose ‘Forgotten your password?’.\n\n"
        "After choosing your password you will set up two-factor authentication, "
        "with an authenticator app on your phone.",
    ),
    LinkPurpose.RESET: (
        "Set a new password for the child protection inspections service",
        "Someone asked for a link to set a new password for your account on the "
        "child protection inspections service.\n\n"
        "Choose a new password here:\n{link}\n\n"
        "The link works once, for {days} days. Your password has not changed, "
        "and will not unless the link is used. If you did not ask for this, you "
        "can ignore this email. If it keeps happening, tell the programme team.",
    ),
}


def _turned_off_since_asked(user: User) -> bool:
    """Whether an admin turned the person's password sign-in off after the
    link was asked for: an email still being tried (the mail server down)
    would carry a link made now, which works, and only an admin lets such a
    person back in (found by the email review). A link an admin sends after
    turning it off is sent."""
    latest = (
        AuditEvent.objects.for_object(user)
        .filter(action__in=[LINK_SENT, "user_password_disabled"])
        .order_by("-at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return latest == "user_password_disabled"


def password_email_claim(*, event_id: int | None, action: str) -> bool:
    """Whether the email answering this event is still to send; call inside
    the transaction that sends it, then password_email_record(). The event's
    row is locked, so a second delivery of its task (acks_late: the worker
    lost after sending, before saying so) waits for the first, then finds
    it sent; an error rolls back, and a retry sends it. A task queued
    before events were given (event_id None) is sent as it was."""
    if event_id is None:
        return True
    event = AuditEvent.objects.select_for_update(no_key=True).filter(pk=event_id, action=action)
    if not list(event.values_list("pk", flat=True)):
        return False
    return not PasswordEmail.objects.filter(event_id=event_id).exists()


def password_email_record(*, event_id: int | None, refused: bool) -> None:
    """The row that proves the event's email was sent, or refused for good."""
    if event_id is not None:
        now = timezone.now()
        PasswordEmail.objects.create(
            event_id=event_id,
            emailed_at=None if refused else now,
            refused_at=now if refused else None,
        )


@transaction.atomic
def password_link_email(*, user_id: str, purpose: str, event_id: int | None = None) -> bool:
    """Email a person a link to set their password, made now: a link is
    signed with their current password hash, so it works until it is used.
    Once for each link sent (event_id, the user_password_link_sent event):
    see password_email_claim."""
    if not password_email_claim(event_id=event_id, action=LINK_SENT):
        return False
    user = User.objects.select_related("force").filter(pk=user_id, is_active=True).first()
    if user is None or _turned_off_since_asked(user):
        return False
    subject, body = EMAILS[purpose]
    role = user.get_role_display().lower()
    if user.force:
        role = f"{role} for {user.force.name}"
    message = EmailMessage(
        subject=subject,
        body=f"Dear {user.full_name},\n\n"
        + body.format(role=role, link=password_link_url(user), days=LINK_DAYS),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    # Refused for good (a mistyped address): logged, not retried, and shown.
    refusal = send_unless_refused(message, about=f"a password link for user {user.pk}")
    password_email_record(event_id=event_id, refused=refusal is not None)
    if refusal is not None:
        what = f"the address {user.email}" if refusal.of_recipient else "the email"
        _password_link_not_sent(
            # Its code is in the log, for whoever looks into it: not words for an admin.
            user,
            f"The email server did not accept {what}.",
        )
    return refusal is None


# A signed-in person changing their own password, on their account page.

WRONG_CURRENT = "Your current password is not correct"
SAME_AS_CURRENT = "Your new password must be different from your current password"


def user_password_change(
    *, user: User, current_password: str, new_password: str, request: HttpRequest
) -> User:
    """Change a signed-in person's password to a new one they chose, if they
    give their current one.

    The current password is checked as signing in checks it
    (accounts.lockout.password_checked), before the transaction, so that a
    wrong one is still counted toward the lockout once this refusal has
    rolled back; whoever is at an unattended desk cannot guess for ever. The
    new password must differ from it, and the password rules must accept it
    (password_rules_check). Changing it ends the person's other
    sessions (Django signs sessions with the password hash) and keeps the
    one in ``request``; the person is emailed, in case it was not them.
    """
    checked = lockout.password_checked(request, user, current_password)
    if checked is None:
        raise ValidationError({"current_password": WRONG_CURRENT}, code="wrong_password")
    if new_password == current_password:
        raise ValidationError({"new_password1": SAME_AS_CURRENT}, code="same_password")
    password_rules_check(user=checked, password=new_password)
    return _password_change(user=checked, new_password=new_password, request=request)


@transaction.atomic
def _password_change(*, user: User, new_password: str, request: HttpRequest) -> User:
    # The row is locked, and must still hold the password just checked: a
    # change made meanwhile in another tab has made that one wrong.
    stored = User.objects.select_for_update().get(pk=user.pk)
    if stored.password != user.password:
        raise ValidationError({"current_password": WRONG_CURRENT}, code="wrong_password")
    stored.set_password(new_password)
    stored.save(update_fields=["password"])
    update_session_auth_hash(request, stored)
    _wrong_passwords_forget(stored.email)
    event = record(
        by=stored,
        action=CHANGED_BY_OWNER,
        obj=stored,
        changes={"password": ["", "changed"]},
        force=stored.force,
    )
    from .tasks import send_password_changed

    # robust: a broker that is down does not undo the change.
    transaction.on_commit(lambda: send_password_changed.delay(event.pk), robust=True)
    return stored


CHANGED_EMAIL = (
    "Your password for the child protection inspections service has been changed",
    "The password for your account on the child protection inspections service "
    "was changed on {when}.\n\n"
    "If you changed it, you do not need to do anything.\n\n"
    "If you did not change it, someone else may know your password. Ask for a "
    "link to set a new one straight away, here:\n{forgotten}\n\n"
    "Setting a new password signs everyone out of your account. Then tell the "
    "programme team.\n\n"
    "Sign in to the child protection inspections service to see your account: {account}",
)


@transaction.atomic
def password_changed_email(*, event_id: int) -> bool:
    """Tell a person their password was changed, and what to do if it was
    not them. Once for each change: see password_email_claim."""
    return _account_email(
        event_id=event_id,
        action=CHANGED_BY_OWNER,
        email=CHANGED_EMAIL,
        about="a password change",
        account=settings.SERVICE_URL + reverse("accounts:your_account"),
    )


def _account_email(*, event_id: int, action: str, email: tuple[str, str], about: str, **words):
    """Send the email of audit event `event_id` to its person, once
    (password_email_claim), with the event's time and the forgotten-password
    link among `words`; False when claimed already, the person is gone or
    inactive, or the mail server refused it for good (logged, not retried)."""
    if not password_email_claim(event_id=event_id, action=action):
        return False
    event = AuditEvent.objects.get(pk=event_id)
    user = User.objects.filter(pk=event.object_id, is_active=True).first()
    if user is None:
        return False
    subject, body = email
    message = EmailMessage(
        subject=subject,
        body=f"Dear {user.full_name},\n\n"
        + body.format(
            when=govuk_datetime(event.at),
            forgotten=settings.SERVICE_URL + reverse("accounts:forgotten_password"),
            **words,
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    refusal = send_unless_refused(message, about=f"{about} for user {user.pk}")
    password_email_record(event_id=event_id, refused=refusal is not None)
    return refusal is None


@dataclass(frozen=True)
class AccountDates:
    """When a person set up two-factor authentication and last got a new
    password, where the account's history says (None where it does not: an
    account made before the history was kept, or by a developer's command)."""

    two_factor_set_up: datetime | None
    password_changed: datetime | None


def account_dates(user: User) -> AccountDates:
    """The dates for a person's account page, from their history, in one query."""
    latest = dict(
        AuditEvent.objects.for_object(user)
        .filter(action__in=[TWO_FACTOR_SET_UP, TWO_FACTOR_RESET, *PASSWORD_CHOSEN])
        .order_by()
        .values_list("action")
        .annotate(at=Max("at"))
    )
    set_up = latest.get(TWO_FACTOR_SET_UP)
    if set_up and latest.get(TWO_FACTOR_RESET, set_up) > set_up:
        set_up = None  # reset since, and not set up again
    changed = [latest[action] for action in PASSWORD_CHOSEN if action in latest]
    return AccountDates(two_factor_set_up=set_up, password_changed=max(changed, default=None))


# Too many wrong passwords for one account, from anywhere (accounts.sign_in_limit).

SIGN_IN_LIMITED = "user_sign_in_limited"
SIGN_IN_LIMITED_EMAIL = (
    "Too many wrong passwords for your account",
    "Someone entered the wrong password for your account on the child protection "
    "inspections service {failures} times within {minutes} minutes, up to {when}.\n\n"
    "To keep your account safe, nobody can sign in to it with a password for "
    "up to {minutes} minutes. This includes you.\n\n"
    "If it was you, wait {minutes} minutes and sign in again.\n\n"
    "If it was not you, someone may be trying to guess your password. Signing "
    "in also needs the code from your authenticator app. To sign in straight "
    "away, set a new password here:\n{forgotten}\n\n"
    "Then tell the programme team.",
)


@transaction.atomic
def user_sign_in_limit_reach(*, email: str, failures: int, window: int) -> AuditEvent | None:
    """Record on a person's history that their password has been refused
    from anywhere for a while, after `failures` wrong ones in `window`
    seconds, and email them (send_sign_in_limited). Called once a window, by
    the wrong password that reached the limit. An address with no account
    is refused all the same, and nothing is recorded."""
    user = User.objects.select_related("force").filter(email=email_key(email)).first()
    if user is None:
        return None
    minutes = window // 60
    event = record(
        by=None,
        action=SIGN_IN_LIMITED,
        obj=user,
        force=user.force,
        changes={"sign_in_with_a_password": ["", f"refused for up to {minutes} minutes"]},
        comment=f"{failures} wrong passwords within {minutes} minutes, from any computer",
    )
    from .tasks import send_sign_in_limited

    # robust: a broker that is down does not undo the record.
    transaction.on_commit(lambda: send_sign_in_limited.delay(event.pk), robust=True)
    return event


@transaction.atomic
def sign_in_limited_email(*, event_id: int) -> bool:
    """Tell a person their password was refused from anywhere for a while,
    and the way back in. Once for each time: see password_email_claim."""
    return _account_email(
        event_id=event_id,
        action=SIGN_IN_LIMITED,
        email=SIGN_IN_LIMITED_EMAIL,
        about="a sign-in limit",
        failures=sign_in_limit.ACCOUNT_FAILURES,
        minutes=sign_in_limit.ACCOUNT_WINDOW // 60,
    )
