"""An address no mail server takes: the part before the @ over 64
characters (RFC 5321). It was accepted for a new person, in the service and
in the Django admin, and the invitation could never reach them (found by the
bad input review)."""

import pytest
from django.urls import reverse

from accounts.models import User

LONG_LOCAL = "a" * 65 + "@example.org"
TOO_LONG = "The part of the email address before the @ must be 64 characters or fewer"


def test_an_email_address_too_long_before_the_at_adds_nobody(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("accounts:user_add"),
        {"full_name": "Lou Long", "email": LONG_LOCAL, "role": "inspector"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(full_name="Lou Long").exists()
    html = response.content.decode()
    assert f'<a href="#id_email">{TOO_LONG}</a>' in html
    assert html.count(TOO_LONG) == 2  # beside the field and in the summary


def test_a_person_is_not_given_an_address_too_long_before_the_at(client_for, admin_user, inspector):
    response = client_for(admin_user).post(
        reverse("accounts:user_edit", args=[inspector.pk]),
        {
            "full_name": inspector.full_name,
            "email": LONG_LOCAL,
            "role": "inspector",
            "reason": "Their new address",
        },
    )
    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    inspector.refresh_from_db()
    assert inspector.email != LONG_LOCAL


def test_64_characters_before_the_at_is_an_address(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("accounts:user_add"),
        {"full_name": "Lou Long", "email": "a" * 64 + "@example.org", "role": "inspector"},
    )
    assert response.status_code == 302
    assert User.objects.filter(full_name="Lou Long").exists()


@pytest.mark.parametrize("change", [False, True])
def test_the_django_admin_refuses_an_address_too_long_before_the_at(
    client_for, staff, inspector, change
):
    if change:
        url = reverse("admin:accounts_user_change", args=[inspector.pk])
        data = {"email": LONG_LOCAL, "full_name": inspector.full_name, "role": "inspector"}
    else:
        url = reverse("admin:accounts_user_add")
        secret = "a long enough passphrase 42"
        data = {
            "email": LONG_LOCAL,
            "full_name": "Lou Long",
            "role": "inspector",
            "password1": secret,
            "password2": secret,
        }
    response = client_for(staff).post(url, data)
    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert not User.objects.filter(email=LONG_LOCAL).exists()


HIDDEN = "new.person@exam\u200bple.org"  # pasted with a zero-width space inside
NOT_AN_ADDRESS = "Enter an email address in the correct format, like name@example.org"


def test_an_email_address_with_an_invisible_character_inside_adds_nobody(client_for, admin_user):
    """Django's check takes it, reading the domain as example.org, and it was
    stored as pasted: the person, typing their address to sign in, was never
    found, and an address already taken looked free."""
    response = client_for(admin_user).post(
        reverse("accounts:user_add"),
        {"full_name": "Nia New", "email": HIDDEN, "role": "inspector"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="#id_email">{NOT_AN_ADDRESS}</a>' in html
    assert html.count(NOT_AN_ADDRESS) == 2  # once beside the field, once in the summary
    assert not User.objects.filter(full_name="Nia New").exists()


def test_the_django_admin_refuses_an_email_address_with_an_invisible_character_inside(
    client_for, staff
):
    secret = "a long enough passphrase 42"
    response = client_for(staff).post(
        reverse("admin:accounts_user_add"),
        {
            "email": HIDDEN,
            "full_name": "Nia New",
            "role": "inspector",
            "password1": secret,
            "password2": secret,
        },
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()  # the admin's words
    assert not User.objects.filter(full_name="Nia New").exists()
