"""Wrong passwords from one IP address are limited across all accounts
(password spraying), beside the lockout of one email address from one IP."""

import re

from accounts.sign_in_limit import FAILURES_PER_HOUR, REFUSAL
from accounts.tests.factories import TEST_PASSWORD, UserFactory

SIGN_IN = "/account/sign-in/"
ADMIN_SIGN_IN = "/django-admin/login/"
SPRAYED = "Summer2027!"
OFFICE = "192.0.2.10"


def attempt(client, email, password=SPRAYED, ip=OFFICE, url=SIGN_IN, **extra):
    data = {"username": email, "password": password}
    return client.post(url, data, REMOTE_ADDR=ip, **extra)


def spray(client, count, ip=OFFICE, **extra):
    """One common password tried once against each of `count` addresses."""
    for n in range(count):
        response = attempt(client, f"person{n}@example.org", ip=ip, **extra)
        assert response.status_code == 200, n
        assert "Enter a correct email address and password" in response.content.decode()


def test_one_password_tried_against_many_accounts_is_refused_past_the_limit(client, inspector):
    spray(client, FAILURES_PER_HOUR)
    response = attempt(client, "one.more@example.org")
    assert response.status_code == 429
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert REFUSAL in html
    # Even the right password of a real account: no password is checked.
    response = attempt(client, inspector.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_refusal_does_not_say_whether_the_account_exists(client, inspector):
    spray(client, FAILURES_PER_HOUR)
    known = attempt(client, inspector.email)
    unknown = attempt(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 429
    assert page_without_the_address(known, inspector.email) == page_without_the_address(
        unknown, "nobody@example.org"
    )


def page_without_the_address(response, email) -> str:
    """The page, less the address typed back and what differs on every page."""
    html = response.content.decode().replace(email, "")
    return re.sub(r'(nonce|value)="[^"]*"', "", html)


def test_guesses_spread_so_no_account_is_locked_out_still_reach_the_limit(client, db):
    people = [UserFactory(email=f"colleague{n}@example.org") for n in range(13)]
    tries = 0
    for person in people:
        for _ in range(4):  # one under the lockout of each account
            if tries < FAILURES_PER_HOUR:
                assert attempt(client, person.email).status_code == 200
                tries += 1
    assert attempt(client, people[-1].email).status_code == 429
    assert REFUSAL in attempt(client, people[0].email, TEST_PASSWORD).content.decode()


def test_a_handful_of_typos_in_a_shared_office_does_not_stop_a_colleague(client, db):
    """Nine people on one office address each locking themselves out (45
    wrong passwords) leave a tenth free to sign in."""
    for n in range(9):
        for _ in range(5):
            attempt(client, f"typist{n}@example.org")
    colleague = UserFactory(email="colleague@example.org")
    assert attempt(client, colleague.email, TEST_PASSWORD).status_code == 302


def test_the_limit_is_per_client_address_through_the_trusted_proxies(client, inspector, settings):
    settings.PROXY_COUNT = 1
    behind_proxy = {"ip": "10.0.0.2"}
    spray(client, FAILURES_PER_HOUR, HTTP_X_FORWARDED_FOR="198.51.100.66", **behind_proxy)
    refused = attempt(client, "x@example.org", HTTP_X_FORWARDED_FOR="198.51.100.66", **behind_proxy)
    assert refused.status_code == 429
    # Another client through the same proxy is not.
    response = attempt(
        client, inspector.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **behind_proxy
    )
    assert response.status_code == 302


def test_the_django_admin_sign_in_is_under_the_same_limit(client, staff):
    spray(client, FAILURES_PER_HOUR // 2)
    for n in range(FAILURES_PER_HOUR - FAILURES_PER_HOUR // 2):
        response = attempt(client, f"admin{n}@example.org", url=ADMIN_SIGN_IN)
        assert response.status_code == 200
        assert REFUSAL not in response.content.decode()
    response = attempt(client, staff.email, TEST_PASSWORD, url=ADMIN_SIGN_IN)
    assert REFUSAL in response.content.decode()
    assert "_auth_user_id" not in client.session
