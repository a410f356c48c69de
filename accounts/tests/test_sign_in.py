import pytest
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD

SIGN_IN = "/account/sign-in/"


def test_sign_in_page_is_public(client, db):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in response.content.decode()


def test_correct_password_signs_in_and_lands_on_home(client, inspector):
    response = client.post(SIGN_IN, {"username": inspector.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_email_is_case_insensitive(client, inspector):
    response = client.post(
        SIGN_IN, {"username": inspector.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_shows_error_summary_not_500(client, inspector):
    response = client.post(SIGN_IN, {"username": inspector.email, "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct email address and password" in html
    assert "<title>Error: Sign in" in html


def test_empty_form_names_each_field(client, db):
    html = client.post(SIGN_IN, {}).content.decode()
    assert '<a href="#id_username">Enter your email address</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert "govuk-input--error" in html


def test_badly_formed_email_is_explained(client, db):
    html = client.post(SIGN_IN, {"username": "not-an-email", "password": "x"}).content.decode()
    assert "Enter an email address in the correct format" in html


def test_deactivated_user_cannot_sign_in(client, inspector):
    inspector.is_active = False
    inspector.save()
    response = client.post(SIGN_IN, {"username": inspector.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # The person with the right password is told why; a wrong password says nothing more.
    assert "This account has been deactivated" in response.content.decode()
    wrong = client.post(SIGN_IN, {"username": inspector.email, "password": "wrong"})
    assert "This account has been deactivated" not in wrong.content.decode()
    assert "Enter a correct email address and password" in wrong.content.decode()


def test_a_failed_sign_in_hashes_as_much_whoever_the_address_is(
    client, inspector, other_inspector, monkeypatch
):
    """Found by a security review: a deactivated account's password was
    checked twice, so a failed sign-in took twice as long for one, and the
    time told who had a deactivated account."""
    from django.contrib.auth import base_user

    hashed = []
    for name in ("make_password", "check_password"):
        real = getattr(base_user, name)
        monkeypatch.setattr(
            base_user, name, lambda *a, _real=real, **k: hashed.append(1) or _real(*a, **k)
        )
    other_inspector.is_active = False
    other_inspector.save()
    counts = []
    for email in ("nobody@example.org", inspector.email, other_inspector.email):
        hashed.clear()
        client.post(SIGN_IN, {"username": email, "password": "wrong"})
        counts.append(len(hashed))
    assert counts[0] == counts[1] == counts[2], counts


def test_a_locked_out_sign_in_hashes_as_much_whoever_the_address_is(
    client, inspector, other_inspector, monkeypatch
):
    """While the lockout holds, a deactivated account's password is not
    checked (it would tell whoever guessed it that it was right); the same
    hashing is done in its place, as for anyone else."""
    from django.contrib.auth import base_user

    hashed = []
    for name in ("make_password", "check_password"):
        real = getattr(base_user, name)
        monkeypatch.setattr(
            base_user, name, lambda *a, _real=real, **k: hashed.append(1) or _real(*a, **k)
        )
    other_inspector.is_active = False
    other_inspector.save()
    counts = []
    for email in ("nobody@example.org", inspector.email, other_inspector.email):
        for _ in range(5):
            client.post(SIGN_IN, {"username": email, "password": "wrong"})
        hashed.clear()
        response = client.post(SIGN_IN, {"username": email, "password": TEST_PASSWORD})
        assert response.status_code == 429
        counts.append(len(hashed))
    assert counts[0] == counts[1] == counts[2], counts


def test_sign_out_needs_post_and_signs_out(client_for, inspector):
    client = client_for(inspector)
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    response = client.post(reverse("accounts:sign_out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_every_page_but_sign_in_healthz_and_accessibility_needs_sign_in(client):
    from django.urls import get_resolver

    public = {
        "accounts:sign_in",
        "accounts:forgotten_password",
        "accounts:set_password_done",
        "healthz",
        "core:accessibility",
        # Says {"signed_in": false} and nothing else (test_sessions.py).
        "accounts:session_clock",
    }
    checked = 0
    for name, url in _simple_urls(get_resolver()):
        response = client.get(url)
        if name in public:
            assert response.status_code in (200, 503), name
        elif name == "accounts:forgotten_password_sent":  # public, but asks first
            assert response.url == reverse("accounts:forgotten_password")
        else:
            assert response.status_code == 302, name
            assert response.url.startswith(SIGN_IN), name
        checked += 1
    assert checked >= 6


def _simple_urls(resolver, namespace=""):
    """Every named URL pattern that takes no arguments."""
    from django.urls import URLPattern, URLResolver, reverse

    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "admin":
                continue
            yield from _simple_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
            name = f"{namespace}{pattern.name}"
            yield name, reverse(name)


def _token(html: str) -> str:
    import re

    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_an_expired_form_gets_a_page_of_the_service_not_djangos_bare_403(db, inspector):
    """Found by review: a form sent with an out-of-date token (signed in or
    out in another tab) got Django's unstyled 'CSRF verification failed'."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get(SIGN_IN)
    response = browser.post(
        SIGN_IN,
        {"username": inspector.email, "password": TEST_PASSWORD, "csrfmiddlewaretoken": "stale"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>This form has expired" in html
    assert "Nothing has been saved" in html
    assert 'class="govuk-service-navigation"' in html and f'href="{SIGN_IN}"' in html
    assert "CSRF verification failed" not in html
    assert "_auth_user_id" not in browser.session


def test_signing_in_from_a_second_tab_after_the_first_goes_on_home(db, inspector):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    second_tab = _token(browser.get(SIGN_IN).content.decode())
    first_tab = _token(browser.get(SIGN_IN).content.decode())
    data = {"username": inspector.email, "password": TEST_PASSWORD}
    assert browser.post(SIGN_IN, {**data, "csrfmiddlewaretoken": first_tab}).status_code == 302
    # Signing in changed the token: the second tab's form is out of date.
    response = browser.post(SIGN_IN, {**data, "csrfmiddlewaretoken": second_tab})
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_sign_out_from_a_page_older_than_the_last_sign_in_says_you_are_still_signed_in(
    db, inspector
):
    """Found by the sign-in review: a page left open past the 30 minutes,
    then signing in again in another tab, gave the first tab's Sign out an
    out-of-date token. It was refused with 'This form has expired. Nothing
    has been saved', which says nothing of still being signed in: the person
    walked away from a shared computer signed in. The refusal stands (no
    signing out from another site's form), but the page says so and offers
    the button again, with a token that works."""
    from datetime import timedelta

    import time_machine
    from django.test import Client

    from accounts.tests.factories import signed_in, totp_code, totp_device

    device = totp_device(inspector)
    browser = Client(enforce_csrf_checks=True)
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False) as clock:
        signed_in(browser, inspector)
        first_tab = _token(browser.get("/").content.decode())
        clock.shift(timedelta(minutes=31))
        second_tab = _token(browser.get(SIGN_IN).content.decode())
        data = {"username": inspector.email, "password": TEST_PASSWORD}
        browser.post(SIGN_IN, {**data, "csrfmiddlewaretoken": second_tab})
        code_page = "/account/two-factor/"
        token = _token(browser.get(code_page).content.decode())
        browser.post(code_page, {"code": totp_code(device.bin_key), "csrfmiddlewaretoken": token})
        response = browser.post(reverse("accounts:sign_out"), {"csrfmiddlewaretoken": first_tab})
        assert response.status_code == 403
        assert "_auth_user_id" in browser.session
        html = response.content.decode()
        assert "<title>You have not been signed out" in html
        assert "Nothing has been saved" not in html
        main = html[html.index("<main") :]
        assert 'action="/account/sign-out/"' in main
        response = browser.post(reverse("accounts:sign_out"), {"csrfmiddlewaretoken": _token(main)})
    assert response.status_code == 302
    assert "_auth_user_id" not in browser.session
