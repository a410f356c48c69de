"""Five wrong passwords for one email address from one IP address lock that pair out."""

from datetime import timedelta

import time_machine

from accounts.tests.factories import TEST_PASSWORD

SIGN_IN = "/account/sign-in/"
NOW = "2027-03-01 10:00:00+00:00"
WRONG = "not the password"


def attempt(client, email, password=WRONG, ip="192.0.2.10"):
    return client.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_fifth_wrong_password_shows_the_lockout_page(client, inspector):
    for _ in range(4):
        response = attempt(client, inspector.email)
        assert response.status_code == 200
        assert "Enter a correct email address and password" in response.content.decode()
    response = attempt(client, inspector.email)
    assert response.status_code == 429
    html = response.content.decode()
    assert "<title>You have entered the wrong password too many times – " in html
    assert '<h1 class="govuk-heading-l">You have entered the wrong password too many times' in html
    assert "You can try again in 30 minutes." in html
    assert "govuk-template" in html  # our layout, not axes' plain text


def test_right_password_is_refused_while_locked_out(client, inspector):
    for _ in range(5):
        attempt(client, inspector.email)
    response = attempt(client, inspector.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_30_minutes(client, inspector):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(5):
            attempt(client, inspector.email)
        clock.shift(timedelta(minutes=29))
        assert attempt(client, inspector.email, TEST_PASSWORD).status_code == 429
        # Trying during the lockout starts the 30 minutes again.
        clock.shift(timedelta(minutes=29))
        assert attempt(client, inspector.email, TEST_PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=31))
        response = attempt(client, inspector.email, TEST_PASSWORD)
    assert response.status_code == 302


def test_capitals_in_the_email_address_count_as_the_same_person(client, inspector):
    for spelling in [inspector.email, inspector.email.upper(), inspector.email.title()] * 2:
        response = attempt(client, spelling)
    assert response.status_code == 429


def test_lockout_is_for_that_address_and_ip_only(client, inspector, other_inspector):
    for _ in range(5):
        attempt(client, inspector.email, ip="192.0.2.10")
    # The same person from another network, and a colleague on the same one.
    assert attempt(client, inspector.email, TEST_PASSWORD, ip="198.51.100.7").status_code == 302
    client.post("/account/sign-out/")
    assert attempt(client, other_inspector.email, TEST_PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, inspector):
    for _ in range(4):
        attempt(client, inspector.email)
    assert attempt(client, inspector.email, TEST_PASSWORD).status_code == 302
    client.post("/account/sign-out/")
    for _ in range(4):
        response = attempt(client, inspector.email)
    assert response.status_code == 200


def test_unknown_addresses_are_locked_out_too(client, db):
    for _ in range(5):
        response = attempt(client, "nobody@example.org")
    assert response.status_code == 429


def test_client_address_is_read_through_the_trusted_proxies(rf, settings):
    from accounts.lockout import client_ip_address

    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip_address(request) == "10.0.0.2"  # no proxies trusted: the header is ignored
    settings.PROXY_COUNT = 1
    assert client_ip_address(request) == "203.0.113.9"  # 198.51.100.66 was the client's own claim
    settings.PROXY_COUNT = 2
    assert client_ip_address(request) == "198.51.100.66"
    settings.PROXY_COUNT = 3
    assert client_ip_address(request) == "10.0.0.2"  # fewer entries than proxies: not trusted
