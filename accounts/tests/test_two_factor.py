"""Two-factor sign-in: set up an authenticator app, then give its code each time."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD, totp_code, totp_device
from core.models import AuditEvent

TWO_FACTOR = "/account/two-factor/"
SET_UP = "/account/two-factor/set-up/"
NOW = "2027-03-01 10:00:00+00:00"


def test_password_alone_leads_to_the_code_page_not_home(client, inspector):
    totp_device(inspector)
    response = client.post(
        "/account/sign-in/", {"username": inspector.email, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{TWO_FACTOR}?next=/"
    html = response.content.decode()
    assert "Enter the 6-digit code from your authenticator app" in html
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_unverified_user_is_sent_to_the_code_page_with_next(password_only_client, inspector):
    client = password_only_client(inspector)
    response = client.get("/forces/?region=wales")
    assert response.status_code == 302
    assert response.url == f"{TWO_FACTOR}?next=/forces/%3Fregion%3Dwales"


def test_unverified_user_gets_no_navigation_links(password_only_client, inspector):
    totp_device(inspector)
    html = password_only_client(inspector).get(TWO_FACTOR).content.decode()
    assert "govuk-service-navigation__item" in html  # the sign-out button only
    assert 'href="/forces/"' not in html
    assert "Sign out" in html


@pytest.mark.parametrize("url", ["/accessibility/", "/healthz"])
def test_public_pages_stay_open_before_the_code(password_only_client, inspector, url):
    assert password_only_client(inspector).get(url).status_code in (200, 503)


def test_sign_out_works_before_the_code(password_only_client, inspector):
    client = password_only_client(inspector)
    response = client.post(reverse("accounts:sign_out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_every_signed_in_page_waits_for_the_code(password_only_client, inspector):
    from django.urls import get_resolver

    from accounts.tests.test_sign_in import _simple_urls

    client = password_only_client(inspector)
    allowed = {
        "accounts:sign_in",
        "accounts:sign_out",
        "accounts:two_factor",
        "accounts:two_factor_setup",
        # Public: for anyone who cannot sign in.
        "accounts:forgotten_password",
        "accounts:forgotten_password_sent",
        "accounts:set_password_done",
        "healthz",
        "core:accessibility",
        # Answers signed_in false until the code is given (test_sessions.py).
        "accounts:session_clock",
    }
    checked = 0
    for name, url in _simple_urls(get_resolver()):
        if name in allowed:
            continue
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(TWO_FACTOR), name
        checked += 1
    assert checked >= 3


def test_without_a_device_the_code_page_sends_to_set_up(password_only_client, inspector):
    response = password_only_client(inspector).get(f"{TWO_FACTOR}?next=/forces/")
    assert response.status_code == 302
    assert response.url == f"{SET_UP}?next=%2Fforces%2F"


def test_set_up_shows_the_key_grouped_and_an_inline_svg_qr_code(password_only_client, inspector):
    client = password_only_client(inspector)
    response = client.get(SET_UP)
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=inspector)
    assert not device.confirmed
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', html).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    assert "<svg" in html and 'role="img"' in html
    assert "<img" not in html
    assert "style=" not in html  # the CSP forbids inline styles
    assert response["Cache-Control"].startswith("max-age=0")
    # A reload shows the same key, so an app that scanned it still works.
    assert key in client.get(SET_UP).content.decode()
    assert TOTPDevice.objects.filter(user=inspector).count() == 1
    # The key is the session's: one scanned in an earlier sign-in and never
    # confirmed no longer works, and the page says what to do about it.
    assert "Delete that entry in the app, then scan this code." in html


def test_set_up_with_the_right_code_verifies_and_is_audited(password_only_client, inspector):
    client = password_only_client(inspector)
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', client.get(SET_UP).content.decode())
    response = client.post(f"{SET_UP}?next=/forces/", {"code": totp_code(key.group(1))})
    assert response.status_code == 302
    assert response.url == "/forces/"
    device = TOTPDevice.objects.get(user=inspector)
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/forces/").status_code == 200
    event = AuditEvent.objects.get(action="user_two_factor_set_up")
    assert event.actor == inspector
    assert event.object_id == str(inspector.pk)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the 6-digit code"),
        ("12ab56", "The code must be 6 numbers"),
        ("1234567", "The code must be 6 numbers"),
    ],
)
def test_badly_formed_codes_are_explained(password_only_client, inspector, code, message):
    totp_device(inspector)
    response = password_only_client(inspector).post(TWO_FACTOR, {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert f'<a href="#id_code">{message}</a>' in html
    assert "<title>Error: Enter the code from your authenticator app" in html


def test_wrong_code_is_refused_with_the_govuk_message(password_only_client, inspector):
    device = totp_device(inspector)
    wrong = f"{(int(totp_code(device.bin_key)) + 1) % 1000000:06d}"
    response = password_only_client(inspector).post(TWO_FACTOR, {"code": wrong})
    assert "The code is not correct. Check your authenticator app and try again" in (
        response.content.decode()
    )
    assert DEVICE_ID_SESSION_KEY not in response.wsgi_request.session


def test_right_code_with_spaces_verifies_and_follows_next(password_only_client, inspector):
    device = totp_device(inspector)
    client = password_only_client(inspector)
    code = totp_code(device.bin_key)
    response = client.post(f"{TWO_FACTOR}?next=/forces/", {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    assert response.url == "/forces/"
    assert client.get("/").status_code == 200


def test_verifying_gives_a_new_session_key(password_only_client, inspector):
    device = totp_device(inspector)
    client = password_only_client(inspector)
    before = client.session.session_key
    client.post(TWO_FACTOR, {"code": totp_code(device.bin_key)})
    assert client.session.session_key != before


def test_next_to_another_site_is_ignored(password_only_client, inspector):
    device = totp_device(inspector)
    response = password_only_client(inspector).post(
        f"{TWO_FACTOR}?next=https://evil.example.com/", {"code": totp_code(device.bin_key)}
    )
    assert response.url == "/"


@pytest.mark.parametrize("next_url", ["0", "-1", "%", "'\"<x>", "core:home", "//evil.example.com/"])
def test_a_next_that_is_not_a_path_goes_home_not_to_a_500(
    password_only_client, inspector, next_url
):
    """Found by a security review: a bare word was taken by redirect() for
    the name of a view, and the right code then gave a 500."""
    device = totp_device(inspector)
    client = password_only_client(inspector)
    client.raise_request_exception = False
    response = client.post(TWO_FACTOR, {"code": totp_code(device.bin_key), "next": next_url})
    assert response.status_code == 302 and response.url == "/"
    assert client.get(TWO_FACTOR, {"next": next_url}).url == "/"  # verified already


def test_signing_in_again_with_next_the_sign_in_page_goes_home(client_for, inspector):
    """Found by a security review: Django refused the redirect loop with a 500."""
    client = client_for(inspector)
    client.raise_request_exception = False
    response = client.get(reverse("accounts:sign_in"), {"next": reverse("accounts:sign_in")})
    assert response.status_code == 302 and response.url == "/"


def test_a_code_cannot_be_used_twice(client, inspector):
    device = totp_device(inspector)
    with time_machine.travel(NOW, tick=False):
        code = totp_code(device.bin_key)
        client.force_login(inspector)
        assert client.post(TWO_FACTOR, {"code": code}).status_code == 302
        client.post(reverse("accounts:sign_out"))
        client.force_login(inspector)
        response = client.post(TWO_FACTOR, {"code": code})
    assert "The code is not correct" in response.content.decode()


def test_wrong_codes_make_the_next_try_wait(password_only_client, inspector):
    device = totp_device(inspector)
    with time_machine.travel(NOW, tick=False) as clock:
        client = password_only_client(inspector)
        for _ in range(4):
            client.post(TWO_FACTOR, {"code": "000000"})
            clock.shift(timedelta(seconds=10))
        # Four failures: the next try must wait 8 seconds after the last.
        clock.shift(timedelta(seconds=-8))
        response = client.post(TWO_FACTOR, {"code": totp_code(device.bin_key)})
        assert "You have entered a wrong code too many times. Wait 6 seconds and try again" in (
            response.content.decode()
        )
        clock.shift(timedelta(seconds=7))
        response = client.post(TWO_FACTOR, {"code": totp_code(device.bin_key)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_verified_user_on_the_code_page_goes_home(client_for, inspector):
    response = client_for(inspector).get(TWO_FACTOR)
    assert response.status_code == 302
    assert response.url == "/"


def test_someone_with_an_app_cannot_set_up_another(password_only_client, inspector):
    totp_device(inspector)
    response = password_only_client(inspector).get(SET_UP)
    assert response.status_code == 302
    assert response.url.startswith(TWO_FACTOR)
    assert TOTPDevice.objects.filter(user=inspector).count() == 1


def test_unconfirmed_device_does_not_verify_a_session(client, inspector):
    device = totp_device(inspector, confirmed=False)
    client.force_login(inspector)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/").url.startswith(TWO_FACTOR)


def test_switched_off_two_factor_lets_password_alone_in(password_only_client, inspector, settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert password_only_client(inspector).get("/").status_code == 200


def test_client_for_gives_a_verified_client(client_for, force_lead_a):
    client = client_for(force_lead_a)
    assert client.get("/").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY]


def test_throttle_message_counts_minutes_for_long_waits(inspector):
    from accounts.forms import _wait_phrase

    now = timezone.now()
    assert _wait_phrase(now + timedelta(seconds=1)) in ("1 second", "2 seconds")
    assert _wait_phrase(now + timedelta(minutes=10)) in ("10 minutes", "11 minutes")
    assert _wait_phrase(now + timedelta(hours=5)) in ("5 hours", "6 hours")


def test_the_key_one_session_was_shown_is_not_the_key_another_sets_up(inspector):
    """Found by the sign-in review: the key on the set-up page was the
    account's until someone confirmed it, whichever session asked. Whoever
    had the password (a stolen phone's finder, after an admin reset the
    person's two-factor) could open the page, note the key and leave it;
    the person, signing in next, was shown the same key and set it up, and
    the finder then held both factors without anyone noticing."""
    from base64 import b32encode

    from django.test import Client

    finder, person = Client(), Client()
    finder.force_login(inspector)
    person.force_login(inspector)
    pattern = r'id="two-factor-key">([A-Z2-7 ]+)<'
    seen = re.search(pattern, finder.get(SET_UP).content.decode()).group(1)
    key = re.search(pattern, person.get(SET_UP).content.decode()).group(1)
    assert key != seen
    # A reload, in either, still shows that session's own key.
    assert key in person.get(SET_UP).content.decode()
    assert seen in finder.get(SET_UP).content.decode()
    response = person.post(SET_UP, {"code": totp_code(key)})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=inspector)
    assert device.confirmed
    assert b32encode(device.bin_key).decode() == key.replace(" ", "")
