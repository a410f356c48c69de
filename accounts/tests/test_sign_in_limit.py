"""Wrong passwords from one IP address are limited across all accounts
(password spraying), beside the lockout of one email address from one IP."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import forms, services, sign_in_limit
from accounts.models import PasswordEmail
from accounts.sign_in_limit import ACCOUNT_FAILURES, FAILURES_PER_HOUR, REFUSAL
from accounts.tasks import send_sign_in_limited
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tokens import password_link_tokens
from core.models import AuditEvent
from tests.races import race

SIGN_IN = "/account/sign-in/"
ADMIN_SIGN_IN = "/django-admin/login/"
SPRAYED = "Summer2027!"
OFFICE = "192.0.2.10"
NEW_PASSWORD = "river otter lantern maple"


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


# One account's password guessed from many addresses (a botnet): a limit per
# account across all addresses, beside the two above.

LOCKOUT_PAGE = "You have entered the wrong password too many times"


def guess_from_many_addresses(client, email, count=ACCOUNT_FAILURES, url=SIGN_IN):
    """`count` wrong passwords for one address, each from an address of its
    own: neither the lockout of an account from one address nor the limit
    per address is reached."""
    for n in range(count):
        response = attempt(client, email, ip=f"198.51.{n // 250}.{n % 250 + 1}", url=url)
        assert response.status_code == 200, n
        assert LOCKOUT_PAGE not in response.content.decode()


def test_one_account_guessed_from_many_addresses_is_refused_past_the_limit(client, inspector):
    guess_from_many_addresses(client, inspector.email)
    # Even the right password, from an address that has given no wrong one.
    response = attempt(client, inspector.email, TEST_PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429
    html = response.content.decode()
    assert f"<title>{LOCKOUT_PAGE} – " in html
    assert "You can try again in 30 minutes." in html
    assert "_auth_user_id" not in client.session
    # Everyone else still signs in from anywhere.
    assert attempt(client, "nobody@example.org", ip="203.0.113.50").status_code == 200


def test_the_account_limit_says_nothing_of_whether_the_account_exists(client, inspector):
    guess_from_many_addresses(client, inspector.email)
    guess_from_many_addresses(client, "nobody@example.org")
    known = attempt(client, inspector.email, TEST_PASSWORD, ip="203.0.113.50")
    unknown = attempt(client, "nobody@example.org", TEST_PASSWORD, ip="203.0.113.51")
    assert known.status_code == unknown.status_code == 429
    assert page_without_the_address(known, inspector.email) == page_without_the_address(
        unknown, "nobody@example.org"
    )


def test_capitals_count_as_the_same_account(client, inspector):
    guess_from_many_addresses(client, inspector.email.upper())
    response = attempt(client, inspector.email.title(), TEST_PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429


def test_the_account_limit_is_recorded_and_its_holder_emailed_once_a_window(
    client, inspector, admin_user, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guess_from_many_addresses(client, inspector.email)
        for n in range(3):  # refused, and recorded and emailed no more
            assert attempt(client, inspector.email, ip=f"203.0.113.{n}").status_code == 429
    [event] = AuditEvent.objects.for_object(inspector).filter(action=services.SIGN_IN_LIMITED)
    assert event.actor is None
    assert f"{ACCOUNT_FAILURES} wrong passwords" in event.comment
    [message] = mail.outbox
    assert message.to == [inspector.email]
    assert message.subject == "Too many wrong passwords for your account"
    assert "/account/forgotten-password/" in message.body
    # The broker delivers the email's task again: no second email.
    assert send_sign_in_limited.delay(event.pk).get() is False
    assert len(mail.outbox) == 1
    assert PasswordEmail.objects.get(event=event).emailed_at is not None
    # On the person's history, for an admin to see.
    page = client_for(admin_user).get(reverse("accounts:user_detail", args=[inspector.pk]))
    html = page.content.decode()
    assert "Password sign-in refused for a while: too many wrong passwords" in html
    assert f"{ACCOUNT_FAILURES} wrong passwords within 30 minutes, from any computer" in html


def test_an_unknown_address_at_the_limit_records_and_emails_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guess_from_many_addresses(client, "nobody@example.org")
    assert not AuditEvent.objects.filter(action=services.SIGN_IN_LIMITED).exists()
    assert mail.outbox == []


def test_the_account_limit_ends_with_its_window_and_refusals_do_not_extend_it(
    client, inspector, monkeypatch
):
    # A window of 3 seconds and a limit of 3, so the test can wait it out.
    monkeypatch.setattr(sign_in_limit, "ACCOUNT_WINDOW", 3)
    monkeypatch.setattr(sign_in_limit, "ACCOUNT_FAILURES", 3)
    guess_from_many_addresses(client, inspector.email, count=3)
    reached = time.monotonic()  # the window started before this
    for n, after in enumerate([0.3, 1.0]):  # refused tries check no password, add no time
        time.sleep(max(0, reached + after - time.monotonic()))
        assert attempt(client, inspector.email, ip=f"203.0.113.{n}").status_code == 429
    time.sleep(max(0, reached + 3.1 - time.monotonic()))
    response = attempt(client, inspector.email, TEST_PASSWORD, ip="203.0.113.50")
    assert response.status_code == 302


def test_a_new_password_set_with_a_link_ends_the_account_limit(client, inspector, send_on_commit):
    """The way back in for someone whose account is being guessed: the
    guesses were at a password no longer in use."""
    guess_from_many_addresses(client, inspector.email)
    token = password_link_tokens.make_token(inspector)
    send_on_commit(
        services.user_password_set_with_link, user=inspector, token=token, password=NEW_PASSWORD
    )
    response = attempt(client, inspector.email, NEW_PASSWORD, ip="203.0.113.50")
    assert response.status_code == 302


def test_the_django_admin_sign_in_is_under_the_account_limit(client, staff):
    guess_from_many_addresses(client, staff.email, url=ADMIN_SIGN_IN)
    response = attempt(client, staff.email, TEST_PASSWORD, ip="203.0.113.50", url=ADMIN_SIGN_IN)
    assert response.status_code == 429
    assert LOCKOUT_PAGE in response.content.decode()
    assert "_auth_user_id" not in client.session
    # And guesses at either door count together.
    response = attempt(client, staff.email, TEST_PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429


# Guesses sent at the same moment: each is counted before its password is
# checked, so no more of them are checked than the limit allows.

PASSWORD_CHECK = 0.3  # seconds: the production hasher's order, not the tests' MD5


def slow_password_check(monkeypatch):
    """Checking a password takes as long as it does in production (tests
    hash with MD5), so guesses sent together are all being checked at once."""
    check = forms.authenticate

    def slow(*args, **kwargs):
        time.sleep(PASSWORD_CHECK)
        return check(*args, **kwargs)

    monkeypatch.setattr(forms, "authenticate", slow)


@pytest.mark.django_db(transaction=True)
def test_guesses_sent_at_once_get_no_more_tries_than_the_account_limit(inspector, monkeypatch):
    """A botnet's last guesses under the limit, sent at the same moment from
    as many computers: only the one guess left is checked, the others get the
    lockout page. Each guess is a request of its own, with its own database
    connection, against the real cache."""
    guess_from_many_addresses(Client(), inspector.email, count=ACCOUNT_FAILURES - 1)
    assert not AuditEvent.objects.filter(action=services.SIGN_IN_LIMITED).exists()
    slow_password_check(monkeypatch)

    def guess(n):
        return lambda: attempt(Client(), inspector.email, ip=f"203.0.113.{n}").status_code

    statuses = race(*[guess(n) for n in range(6)])
    assert sorted(statuses) == [200] + [429] * 5
    # The limit was reached once: recorded once.
    assert AuditEvent.objects.filter(action=services.SIGN_IN_LIMITED).count() == 1
    # And refused for everyone after, the right password too.
    assert attempt(Client(), inspector.email, TEST_PASSWORD, ip="203.0.113.50").status_code == 429


def test_the_right_password_uses_none_of_the_account_limit(client, inspector):
    """Each password is counted before it is checked; the right one is
    taken off again, so only wrong passwords reach the limit."""
    guess_from_many_addresses(client, inspector.email, count=ACCOUNT_FAILURES - 1)
    response = attempt(Client(), inspector.email, TEST_PASSWORD, ip="203.0.113.50")
    assert response.status_code == 302
    assert attempt(Client(), inspector.email, ip="203.0.113.51").status_code == 200
    assert attempt(Client(), inspector.email, ip="203.0.113.52").status_code == 429


# A deactivated account's right password: the person is told the account is
# deactivated (accounts/tests/test_sign_in.py), which nobody without the
# password learns. It is not a wrong password, so it counts toward no limit.


def test_a_deactivated_accounts_right_password_is_not_counted_as_a_wrong_one(client, inspector):
    inspector.is_active = False
    inspector.save()
    for n in range(FAILURES_PER_HOUR):
        response = attempt(client, inspector.email, TEST_PASSWORD)
        assert response.status_code == 200, n
        assert "This account has been deactivated" in response.content.decode(), n
    # The office's wrong passwords this hour: none, so a colleague's typo is just a typo.
    response = attempt(client, "colleague@example.org")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()


def test_a_deactivated_accounts_wrong_passwords_are_still_counted(client, inspector):
    inspector.is_active = False
    inspector.save()
    for _ in range(5):
        response = attempt(client, inspector.email)
    assert response.status_code == 429
    assert LOCKOUT_PAGE in response.content.decode()
    # Locked out, the right password is not checked: nothing says it was right.
    response = attempt(client, inspector.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "This account has been deactivated" not in response.content.decode()


def test_a_deactivated_accounts_right_password_uses_none_of_the_account_limit(client, inspector):
    inspector.is_active = False
    inspector.save()
    guess_from_many_addresses(client, inspector.email, count=ACCOUNT_FAILURES - 1)
    response = attempt(client, inspector.email, TEST_PASSWORD, ip="203.0.113.50")
    assert "This account has been deactivated" in response.content.decode()
    assert attempt(client, inspector.email, ip="203.0.113.51").status_code == 200
    assert attempt(client, inspector.email, ip="203.0.113.52").status_code == 429


def test_the_holder_is_emailed_once_though_their_own_sign_in_is_checked_meanwhile(
    client, inspector, rf, django_capture_on_commit_callbacks
):
    """A right password is counted before it is checked, and taken off once
    it proves right. Checked while the guesses reached the limit, it gave
    two wrong passwords the 50th count: the person was recorded and emailed
    twice in one window."""
    with django_capture_on_commit_callbacks(execute=True):
        guess_from_many_addresses(client, inspector.email, count=ACCOUNT_FAILURES - 2)
        # The person's own right password, being checked (counted: the 49th).
        theirs = rf.post(SIGN_IN, {"username": inspector.email, "password": TEST_PASSWORD})
        assert sign_in_limit.claim_account_try(theirs, inspector.email)
        # A guess meanwhile (counted the 50th), then theirs proves right.
        assert attempt(client, inspector.email, ip="203.0.113.1").status_code == 200
        sign_in_limit.give_back_account_try(theirs)
        # The 50th wrong password, then refused.
        assert attempt(client, inspector.email, ip="203.0.113.2").status_code == 200
        assert attempt(client, inspector.email, ip="203.0.113.3").status_code == 429
    events = AuditEvent.objects.for_object(inspector).filter(action=services.SIGN_IN_LIMITED)
    assert events.count() == 1
    assert len(mail.outbox) == 1
