"""The Django admin: the one screen that adds people and changes roles, forces
and admin rights. Its changes go through a service into the account's history."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from core.models import AuditEvent

SIGN_IN = "/account/sign-in/"


def admin_form(person: User, **changes) -> dict:
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "role": person.role,
        "force": person.force_id or "",
        "is_active": "on" if person.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_a_role_change_in_the_django_admin_is_in_the_accounts_history(client_for, staff, inspector):
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    response = client.post(url, admin_form(inspector, role="admin", is_superuser="on"))
    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.role == User.Role.ADMIN and inspector.is_superuser
    event = AuditEvent.objects.for_object(inspector).get()
    assert event.action == "user_changed"
    assert event.actor == staff
    assert event.changes == {"role": ["Inspector", "Admin"], "is_superuser": [False, True]}
    history = client.get(reverse("accounts:user_detail", args=[inspector.pk])).content.decode()
    assert "Account changed" in history


def test_a_move_in_the_django_admin_is_filed_under_the_force_left_too(
    client_for, staff, force_lead_a, force_a, force_b
):
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[force_lead_a.pk])
    assert client.post(url, admin_form(force_lead_a, force=force_b.pk)).status_code == 302
    changed = AuditEvent.objects.get(action="user_changed")
    left = AuditEvent.objects.get(action="user_left_force")
    assert (changed.force, left.force) == (force_b, force_a)
    assert left.changes == changed.changes == {"force": [str(force_a), str(force_b)]}


def test_a_deactivation_in_the_django_admin_ends_sessions_for_good(client_for, staff, inspector):
    from django.test import Client

    from accounts.tests.factories import signed_in

    theirs = signed_in(Client(), inspector)
    assert theirs.get("/").status_code == 200
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    assert client.post(url, admin_form(inspector, is_active="")).status_code == 302
    inspector.refresh_from_db()
    assert client.post(url, admin_form(inspector, is_active="on")).status_code == 302

    assert theirs.get("/forces/").url.startswith(SIGN_IN)


@pytest.mark.parametrize(
    "change",
    [{"is_active": ""}, {"role": "inspector"}, {"is_superuser": ""}, {"is_staff": ""}],
    ids=["deactivated", "no longer an admin", "no longer a superuser", "no Django admin"],
)
def test_the_last_admin_cannot_lock_everyone_out(client_for, staff, change):
    """Nobody would be left to reactivate them, or to add another admin."""
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    data = admin_form(staff, **{"is_staff": "on", "is_superuser": "on", **change})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "the only active admin" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active and staff.is_admin and staff.is_superuser and staff.is_staff
    assert not AuditEvent.objects.exists()


def test_an_admin_may_step_down_while_another_remains(client_for, staff):
    UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    response = client.post(url, admin_form(staff, role="inspector"))
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == User.Role.INSPECTOR and not staff.is_superuser


def test_a_deactivation_in_the_django_admin_ends_links_for_good(client_for, staff, inspector):
    """As one on the Users pages does (accounts.tokens.ENDS_LINKS)."""
    from accounts.services import password_link_url
    from accounts.tokens import password_link_tokens

    token = password_link_url(inspector).rstrip("/").rsplit("/", 1)[1]
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    assert client.post(url, admin_form(inspector, is_active="")).status_code == 302
    inspector.refresh_from_db()
    assert client.post(url, admin_form(inspector, is_active="on")).status_code == 302
    inspector.refresh_from_db()
    assert not password_link_tokens.check_token(inspector, token)


@pytest.mark.parametrize("how", ["page", "action"])
def test_a_person_deleted_in_the_django_admin_is_in_the_audit_trail(
    client_for, staff, force_a, how
):
    """An account added by mistake may be deleted; who deleted it, when, and
    what it was, are kept (found by a review: nothing was)."""
    person = UserFactory(email="typo@example.org", role=User.Role.FORCE_LEAD, force=force_a)
    client = client_for(staff)
    if how == "page":
        url = reverse("admin:accounts_user_delete", args=[person.pk])
        response = client.post(url, {"post": "yes"})
    else:
        data = {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"}
        response = client.post(reverse("admin:accounts_user_changelist"), data)
    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(object_id=str(person.pk))
    assert event.action == "user_deleted" and event.actor == staff and event.force == force_a
    assert event.changes["email"] == ["typo@example.org", None]
    assert event.changes["role"] == ["Force lead", None]


@pytest.mark.parametrize("how", ["page", "action"])
def test_the_last_admin_with_django_admin_rights_cannot_be_deleted(client_for, staff, how):
    """As deactivating them is refused, so is deleting them: nobody could
    then add or reactivate an admin (found by a review)."""
    client = client_for(staff)
    change = client.get(reverse("admin:accounts_user_change", args=[staff.pk]))
    assert reverse("admin:accounts_user_delete", args=[staff.pk]) not in change.content.decode()
    if how == "page":
        url = reverse("admin:accounts_user_delete", args=[staff.pk])
        response = client.post(url, {"post": "yes"})
    else:
        data = {"action": "delete_selected", "_selected_action": [staff.pk], "post": "yes"}
        response = client.post(reverse("admin:accounts_user_changelist"), data)
    assert response.status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()
    assert not AuditEvent.objects.filter(action="user_deleted").exists()


def test_a_deletion_that_raced_to_the_last_admin_is_a_403_not_a_500(client_for, staff, monkeypatch):
    from accounts import services

    # As if another admin was deleted between the page and the post.
    monkeypatch.setattr(services, "may_delete_in_django_admin", lambda user: True)
    url = reverse("admin:accounts_user_delete", args=[staff.pk])
    response = client_for(staff).post(url, {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()


def test_deleting_the_last_admin_is_refused_under_lock_even_past_the_button(staff, inspector):
    """The button is hidden for the last admin; the service checks again, with
    the admins' rows locked, for a deletion that raced another."""
    from django.core.exceptions import ValidationError

    from accounts import services

    with pytest.raises(ValidationError, match="only active admin"):
        services.user_delete_in_django_admin(user=staff, by=staff)
    assert User.objects.filter(pk=staff.pk).exists()
    second = UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    services.user_delete_in_django_admin(user=staff, by=second)
    assert not User.objects.filter(pk=staff.pk).exists()


def test_a_person_added_in_the_django_admin_is_stored_in_lower_case_and_recorded(client_for, staff):
    client = client_for(staff)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.org",
            "full_name": "Nia New",
            "role": "inspector",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(full_name="Nia New")
    assert person.email == "new.person@example.org"
    assert AuditEvent.objects.for_object(person).get().action == "user_created"


def test_an_email_differing_only_in_capitals_is_refused_so_sign_in_finds_one_person(
    client, client_for, staff, inspector
):
    """Before, the Django admin accepted Inspector@… beside inspector@…, and
    signing in as either was a 500 (two people found), locking both out."""
    response = client_for(staff).post(
        reverse("admin:accounts_user_add"),
        {
            "email": inspector.email.upper(),
            "full_name": "Ian Twice",
            "role": "inspector",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert not User.objects.filter(full_name="Ian Twice").exists()
    client.logout()
    signed_in = client.post(SIGN_IN, {"username": inspector.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_email_differing_only_in_capitals():
    UserFactory(email="same@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create(email="Same@Example.org", full_name="Sam Same", role="inspector")


def test_no_one_reads_or_edits_authenticator_secrets_in_the_django_admin(
    client_for, staff, force_lead_a
):
    """Found by a security review: django-otp's own admin showed every
    person's authenticator key to anyone with Django admin access."""
    from accounts.tests.factories import totp_device

    device = totp_device(force_lead_a)
    client = client_for(staff)
    for url in (
        f"/django-admin/otp_totp/totpdevice/{device.pk}/change/",
        f"/django-admin/otp_totp/totpdevice/{device.pk}/config/",
        "/django-admin/otp_totp/totpdevice/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert device.key not in response.content.decode()


def test_a_password_set_in_the_django_admin_is_in_the_accounts_history(
    client_for, staff, force_lead_a
):
    """Found by a security review: an admin could set anyone's password with
    nothing recorded. It is the way back in for someone who forgot theirs."""
    client = client_for(staff)
    url = reverse("admin:auth_user_password_change", args=[force_lead_a.pk])
    new = "a brand new pass phrase"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    force_lead_a.refresh_from_db()
    assert force_lead_a.check_password(new)
    event = AuditEvent.objects.for_object(force_lead_a).get()
    assert event.action == "user_password_set" and event.actor == staff
    assert new not in str(event.changes)
    history = client.get(reverse("accounts:user_detail", args=[force_lead_a.pk])).content.decode()
    assert "Password set by an admin" in history


def test_only_a_real_password_change_in_the_django_admin_is_recorded(
    client_for, staff, force_lead_a
):
    """Found by a review: any redirect from the password page was recorded as
    a password set, though Django also redirects having saved nothing."""
    client = client_for(staff)
    url = reverse("admin:auth_user_password_change", args=[force_lead_a.pk])
    refused = client.post(url, {"password1": "one pass phrase", "password2": "another one"})
    assert refused.status_code == 200
    assert not AuditEvent.objects.for_object(force_lead_a).exists()
    client.post(url, {"usable_password": "false", "unset-password": "1"})
    force_lead_a.refresh_from_db()
    assert not force_lead_a.has_usable_password()
    event = AuditEvent.objects.for_object(force_lead_a).get()
    assert event.action == "user_password_disabled"


def test_groups_are_not_offered_in_the_django_admin(client_for, staff):
    """Roles are a field of the person, changed through the audited service:
    a group would grant rights that no history shows."""
    client = client_for(staff)
    assert client.get("/django-admin/auth/group/").status_code == 404
    assert client.get("/django-admin/auth/group/add/").status_code == 404


def test_sign_in_lockouts_are_seen_not_changed_in_the_django_admin(client_for, staff, inspector):
    """Deleting a lockout here unlocked someone with no record of who did it:
    a lockout ends by itself, or with a new password set through a link."""
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username=inspector.email, ip_address="192.0.2.1", user_agent="x", failures_since_start=5
    )
    client = client_for(staff)
    listing = client.get("/django-admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert inspector.email in listing.content.decode()
    assert client.get(f"/django-admin/axes/accessattempt/{attempt.pk}/delete/").status_code == 403
    client.post(
        "/django-admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert client.get("/django-admin/axes/accesslog/add/").status_code == 403


@pytest.mark.parametrize("role", ["force_lead", "inspector"])
def test_only_an_admin_may_keep_django_admin_rights(client_for, staff, force_a, role):
    """A superuser given another role, its rights left ticked, read every
    force's notices, case reviews, plans and calendar links in the Django
    admin: a force lead all forces', an inspector every inspection's."""
    other = UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[other.pk])
    data = admin_form(other, role=role, is_staff="on", is_superuser="on")
    if role == "force_lead":
        data["force"] = force_a.pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only an admin can have Django admin rights" in response.content.decode()
    other.refresh_from_db()
    assert other.role == User.Role.ADMIN and other.force is None


def test_a_non_admin_with_django_admin_rights_is_not_let_in(client_for, force_lead_b):
    """One given the rights before they were refused (or in the database)
    still gets no Django admin: the service's roles decide what anyone sees."""
    User.objects.filter(pk=force_lead_b.pk).update(is_staff=True, is_superuser=True)
    client = client_for(force_lead_b)
    for page in ("admin:index", "admin:actionplans_notice_changelist"):
        response = client.get(reverse(page))
        assert response.status_code == 302, page
        assert response.url.startswith(reverse("admin:login")), page


def test_rights_left_on_a_force_lead_do_not_count_as_another_django_admin(
    client_for, staff, force_lead_b
):
    """They open nothing, so the last admin with the rights keeps them."""
    UserFactory(role=User.Role.ADMIN)  # another admin, without the rights
    User.objects.filter(pk=force_lead_b.pk).update(is_staff=True, is_superuser=True)
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    response = client.post(url, admin_form(staff, is_staff="on"))
    assert response.status_code == 200
    assert "the only active admin with Django admin rights" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_superuser


def test_a_password_chosen_for_a_person_added_in_the_django_admin_is_recorded(client_for, staff):
    """Found by the audit completeness review: a password set for someone in
    the Django admin is in their account's history (the password form), but
    one chosen for them as they were added there was not: the account read as
    made with no password, as on the Users pages, where the person chooses
    their own."""
    client = client_for(staff)
    secret = "a long enough passphrase 42"
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nia.new@example.org",
            "full_name": "Nia New",
            "role": "inspector",
            "password1": secret,
            "password2": secret,
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="nia.new@example.org")
    assert person.has_usable_password()
    event = AuditEvent.objects.for_object(person).get()
    assert event.action == "user_created" and event.actor == staff
    assert event.changes["password"] == [None, "set by an admin"]
    assert secret not in str(event.changes)
