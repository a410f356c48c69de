"""Headers on every response, CSRF tokens in every form, and settings that refuse to be unsafe."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.tests.factories import TEST_PASSWORD, UserFactory, totp_device
from core.tests.test_settings import PRODUCTION, _import_settings


def test_security_headers_are_on_pages(client_for, inspector):
    response = client_for(inspector).get("/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_permissions_policy_is_on_public_pages_and_errors_too(client, db):
    assert "camera=()" in client.get("/account/sign-in/")["Permissions-Policy"]
    assert "camera=()" in client.get("/no-such-page/")["Permissions-Policy"]


def test_hsts_is_sent_over_https(client, db):
    response = client.get("/account/sign-in/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_the_session_cookie_is_forgotten_when_the_browser_closes(client, inspector):
    """Found by the sign-in review: the session cookie was kept on disk for
    12 hours, so on a shared computer closing the browser did not end the
    session, and whoever opened it next within the 30 minutes was in. The
    server still ends it after 30 minutes idle and 12 hours in all."""
    totp_device(inspector)
    response = client.post(
        "/account/sign-in/", {"username": inspector.email, "password": TEST_PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


class _Forms(HTMLParser):
    """Each POST form on a page, and whether it carries a CSRF token."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._open = {"action": attrs.get("action"), "token": False}
            self.forms.append(self._open)
        elif (
            tag == "input"
            and self._open is not None
            and attrs.get("name") == "csrfmiddlewaretoken"
            and attrs.get("value")
        ):
            self._open["token"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def test_every_post_form_carries_a_csrf_token(client, client_for, admin_user, inspector, db):
    pages = [client.get("/account/sign-in/")]
    newcomer = UserFactory()
    client.force_login(newcomer)
    pages.append(client.get("/account/two-factor/set-up/"))
    totp_device(newcomer)
    pages.append(client.get("/account/two-factor/"))
    totp_device(inspector)
    admin = client_for(admin_user)
    pages += [
        admin.get("/"),
        admin.get("/account/users/"),
        admin.get(f"/account/users/{inspector.pk}/deactivate/"),
        admin.get(f"/account/users/{inspector.pk}/reset-two-factor/"),
    ]
    found = 0
    for response in pages:
        assert response.status_code == 200, response.wsgi_request.path
        for form in post_forms(response.content.decode()):
            assert form["token"], f"{response.wsgi_request.path}: form to {form['action']}"
            found += 1
    assert found >= 7


def test_posts_without_a_csrf_token_are_refused(db, inspector):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/account/sign-in/", {"username": inspector.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "Password must be 12 characters or more"),
        ("password1234", "This password is too common. Choose one that is harder to guess"),
        ("x" * 129, "128 characters or fewer"),
    ],
)
def test_passwords_follow_ncsc_advice(password, problem):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert problem in " ".join(error.value.messages)


def test_a_password_like_the_persons_email_address_is_refused(db):
    from accounts.models import User

    person = User(email="wiwa.records@example.org", full_name="Winifred Walsingham")
    with pytest.raises(ValidationError) as error:
        validate_password("wiwa.records", person)
    assert error.value.messages == [
        "Password is too like your email address. Choose something else"
    ]


@pytest.mark.parametrize("password", ["winifred walsingham", "walsinghamwinifred"])
def test_a_password_like_the_persons_name_is_refused(db, password):
    from accounts.models import User

    person = User(email="ww@example.org", full_name="Winifred Walsingham")
    with pytest.raises(ValidationError) as error:
        validate_password(password, person)
    assert error.value.messages == ["Password is too like your full name. Choose something else"]


def test_a_long_pass_phrase_is_accepted():
    validate_password("three random words are plenty " + "x" * 90)


def test_production_refuses_to_turn_two_factor_off():
    result = _import_settings(
        SECRET_KEY="x" * 50, SERVICE_URL="https://x.example.org", TWO_FACTOR_REQUIRED="false"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "TWO_FACTOR_REQUIRED" in result.stderr


def test_two_factor_is_on_unless_debug_and_the_variable_say_otherwise(settings):
    assert "TWO_FACTOR_REQUIRED" not in os.environ
    assert settings.TWO_FACTOR_REQUIRED is True
    result = _import_settings(DEBUG="true", TWO_FACTOR_REQUIRED="false")
    assert result.returncode == 0, result.stderr


def test_deployment_checklist_is_clean():
    unset = {"PYTEST_VERSION", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the last is for Playwright
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(
        PRODUCTION,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="inspections.example.org",
        SERVICE_URL="https://inspections.example.org",
        DEBUG="false",
        SECURE_SSL_REDIRECT="true",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
