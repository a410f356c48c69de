"""Your account: a signed-in person sees who the service knows them as, and
changes their own password, giving their current one."""

import threading
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client

from accounts import services
from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, signed_in, totp_device
from core.models import AuditEvent
from tests.locks import skip_unless_postgresql

YOUR_ACCOUNT = "/account/your-account/"
CHANGE = "/account/your-account/change-password/"
SIGN_IN = "/account/sign-in/"
NEW_PASSWORD = "river otter lantern maple"
WRONG = "not my password at all"


def change_form(current=TEST_PASSWORD, new=NEW_PASSWORD, again=None) -> dict:
    return {"current_password": current, "new_password1": new, "new_password2": again or new}


def signs_in(email: str, password: str, ip: str = "127.0.0.1") -> bool:
    response = Client().post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=ip)
    assert response.status_code in (200, 302, 429)
    return response.status_code == 302


# The page


@pytest.mark.parametrize(
    ("persona", "role", "force", "ask"),
    [
        ("admin_user", "Admin", None, "Ask the service’s system administrators to change"),
        ("lead_inspector", "Lead inspector", None, "Ask an admin to change"),
        ("inspector", "Inspector", None, "Ask an admin to change"),
        ("force_lead_a", "Force lead", "Greater Manchester Police", "Ask an admin to change"),
    ],
)
def test_each_role_sees_their_own_details(client_for, request, persona, role, force, ask):
    person = request.getfixturevalue(persona)
    response = client_for(person).get(YOUR_ACCOUNT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Your account – " in html
    assert '<h1 class="govuk-heading-l">Your account</h1>' in html
    assert f'<dd class="govuk-summary-list__value">{person.full_name}</dd>' in html
    assert f'<dd class="govuk-summary-list__value">{person.email}</dd>' in html
    assert f'<dd class="govuk-summary-list__value">{role}</dd>' in html
    assert ('<dt class="govuk-summary-list__key">Force</dt>' in html) == bool(force)
    if force:
        assert f'<dd class="govuk-summary-list__value">{force}</dd>' in html
    assert f"{ask} your name or email address." in html
    assert f'<a class="govuk-link" href="{CHANGE}">Change your password</a>' in html


def test_it_shows_no_one_elses_details(client_for, inspector, other_inspector, force_lead_a):
    html = client_for(inspector).get(YOUR_ACCOUNT).content.decode()
    for other in (other_inspector, force_lead_a):
        assert other.email not in html and other.full_name not in html


@pytest.mark.parametrize("persona", ["admin_user", "lead_inspector", "inspector", "force_lead_a"])
def test_every_signed_in_person_has_it_in_the_header(client_for, request, persona):
    html = client_for(request.getfixturevalue(persona)).get("/").content.decode()
    assert f'<a class="govuk-service-navigation__link" href="{YOUR_ACCOUNT}">Your account</a>' in (
        html
    )
    current = client_for(request.getfixturevalue(persona)).get(CHANGE).content.decode()
    assert f'href="{YOUR_ACCOUNT}" aria-current="page"' in current


@pytest.mark.parametrize("url", [YOUR_ACCOUNT, CHANGE])
def test_anonymous_people_are_sent_to_sign_in(client, db, url):
    for response in (client.get(url), client.post(url, change_form())):
        assert response.status_code == 302
        assert response.url == f"{SIGN_IN}?next={url}"


def test_two_factor_and_password_dates_come_from_the_history(client_for, inspector, admin_user):
    with time_machine.travel("2027-03-01 10:00:00+00:00", tick=False) as clock:
        device = totp_device(inspector, confirmed=False)
        services.two_factor_device_confirm(device=device, by=inspector)
        clock.shift(timedelta(days=40))
        services.user_password_set_in_django_admin(
            user_id=inspector.pk, before="an older hash", by=admin_user
        )
    html = client_for(inspector).get(YOUR_ACCOUNT).content.decode()
    assert "Set up on 1 March 2027" in html
    assert '<dt class="govuk-summary-list__key">Password last changed</dt>' in html
    assert '<dd class="govuk-summary-list__value">10 April 2027</dd>' in html


def test_dates_the_history_does_not_know_are_left_out(client_for, inspector):
    html = client_for(inspector).get(YOUR_ACCOUNT).content.decode()
    assert '<dd class="govuk-summary-list__value">Set up</dd>' in html  # signed in with a code
    assert "Password last changed" not in html


def test_a_two_factor_reset_since_it_was_set_up_leaves_the_date_unknown(admin_user, inspector):
    with time_machine.travel("2027-03-01 10:00:00+00:00", tick=False) as clock:
        services.two_factor_device_confirm(
            device=totp_device(inspector, confirmed=False), by=inspector
        )
        clock.shift(timedelta(days=1))
        services.user_two_factor_reset(user=inspector, by=admin_user, reason="New phone")
        assert services.account_dates(inspector).two_factor_set_up is None
        clock.shift(timedelta(days=1))
        services.two_factor_device_confirm(
            device=totp_device(inspector, confirmed=False), by=inspector
        )
        dates = services.account_dates(inspector)
    assert f"{dates.two_factor_set_up:%Y-%m-%d}" == "2027-03-03"
    assert dates.password_changed is None


def test_the_page_runs_a_fixed_few_queries(client_for, force_lead_a, django_assert_num_queries):
    client = client_for(force_lead_a)
    for _ in range(3):
        device = totp_device(force_lead_a, confirmed=False)
        services.two_factor_device_confirm(device=device, by=force_lead_a)
    # The session, the person, their authenticator app, their force, their history.
    with django_assert_num_queries(5):
        assert client.get(YOUR_ACCOUNT).status_code == 200


# Changing the password


def test_change_page_asks_for_the_current_password_then_the_new_one_twice(client_for, inspector):
    html = client_for(inspector).get(CHANGE).content.decode()
    assert "<title>Change your password – " in html
    assert f'<a href="{YOUR_ACCOUNT}" class="govuk-back-link">Back to your account</a>' in html
    current, new, again = (html.index(f'name="{name}"') for name in change_form())
    assert current < new < again
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert ">Change password</button>" in html


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    client_for, inspector, send_on_commit
):
    other_browser = signed_in(Client(), inspector)
    assert other_browser.get(YOUR_ACCOUNT).status_code == 200
    client = client_for(inspector)

    response = send_on_commit(client.post, CHANGE, change_form(), follow=True)

    assert response.redirect_chain == [(YOUR_ACCOUNT, 302)]
    html = response.content.decode()
    assert "govuk-notification-banner--success" in html
    assert "Your password has been changed. Any other device or browser signed in" in html
    assert client.get(YOUR_ACCOUNT).status_code == 200  # still signed in here
    ended = other_browser.get(YOUR_ACCOUNT)
    assert ended.status_code == 302 and ended.url.startswith(SIGN_IN)
    inspector.refresh_from_db()
    assert inspector.check_password(NEW_PASSWORD)
    assert not signs_in(inspector.email, TEST_PASSWORD)
    assert signs_in(inspector.email, NEW_PASSWORD)


def test_the_change_is_in_the_history_without_the_password(
    client_for, admin_user, inspector, send_on_commit
):
    send_on_commit(client_for(inspector).post, CHANGE, change_form())
    event = AuditEvent.objects.get(action="user_password_changed")
    assert event.actor == inspector and event.object_id == str(inspector.pk)
    assert event.changes == {"password": ["", "changed"]}
    assert NEW_PASSWORD not in str(event.changes) + event.comment
    assert TEST_PASSWORD not in str(event.changes) + event.comment
    admin_page = client_for(admin_user).get(f"/account/users/{inspector.pk}/").content.decode()
    assert "Password changed by its owner" in admin_page
    inspector.refresh_from_db()  # signed in again with the new password's hash
    page = client_for(inspector).get(YOUR_ACCOUNT).content.decode()
    assert '<dt class="govuk-summary-list__key">Password last changed</dt>' in page


def test_the_person_is_emailed_what_to_do_if_it_was_not_them(
    client_for, inspector, send_on_commit, settings
):
    settings.SERVICE_URL = "https://inspections.example.org"
    with time_machine.travel("2027-07-01 13:05:00+00:00", tick=False):
        send_on_commit(client_for(inspector).post, CHANGE, change_form())
    [message] = mail.outbox
    assert message.to == [inspector.email]
    assert message.subject == (
        "Your password for the child protection inspections service has been changed"
    )
    assert message.body.startswith(f"Dear {inspector.full_name},\n\n")
    assert "was changed on 1 July 2027 at 2:05pm." in message.body  # London time
    assert (
        "If you did not change it, someone else may know your password. Ask for a link "
        "to set a new one straight away, here:\n"
        "https://inspections.example.org/account/forgotten-password/\n\n" in message.body
    )
    assert message.body.endswith(
        "Sign in to the child protection inspections service to see your account: "
        "https://inspections.example.org/account/your-account/"
    )
    assert NEW_PASSWORD not in message.body and TEST_PASSWORD not in message.body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (change_form(current=WRONG), "current_password", "Your current password is not correct"),
        (change_form(current=""), "current_password", "Enter your current password"),
        (change_form(new=""), "new_password1", "Enter a new password"),
        (change_form(again="river otter lantern"), "new_password2", "Enter the same password"),
        (change_form(new="short pass"), "new_password1", "Password must be 12 characters or more"),
        (change_form(new="password1234"), "new_password1", "This password is too common"),
        (change_form(new="inspector@example.org"), "new_password1", "too like your email address"),
        (
            change_form(new=TEST_PASSWORD),
            "new_password1",
            "Your new password must be different from your current password",
        ),
    ],
)
def test_a_refused_change_is_explained_beside_the_field_and_changes_nothing(
    client_for, inspector, send_on_commit, data, field, message
):
    response = send_on_commit(client_for(inspector).post, CHANGE, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Change your password – " in html
    assert "govuk-error-summary" in html and f'href="#id_{field}"' in html
    assert html.count(message) == 2  # in the summary and beside the field
    inspector.refresh_from_db()
    assert inspector.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action="user_password_changed").exists()
    assert not mail.outbox
    assert NEW_PASSWORD not in html and TEST_PASSWORD not in html  # not typed back in


# Wrong current passwords count toward the lockout


def test_the_fifth_wrong_current_password_signs_the_person_out(client_for, inspector):
    client = client_for(inspector)
    for _ in range(4):
        response = client.post(CHANGE, change_form(current=WRONG))
        assert response.status_code == 200
        assert "Your current password is not correct" in response.content.decode()
    response = client.post(CHANGE, change_form(current=WRONG))
    assert response.status_code == 429
    html = response.content.decode()
    assert "You have entered the wrong password too many times" in html
    assert "To keep your account safe, you have been signed out." in html
    assert "You can sign in again in 30 minutes." in html
    assert "_auth_user_id" not in client.session
    assert client.get(YOUR_ACCOUNT).status_code == 302
    inspector.refresh_from_db()
    assert inspector.check_password(TEST_PASSWORD)
    # Locked out as five wrong passwords on the sign-in page would: from this
    # address, even with the right password, for 30 minutes.
    assert not signs_in(inspector.email, TEST_PASSWORD)
    assert signs_in(inspector.email, TEST_PASSWORD, ip="198.51.100.7")


def test_wrong_passwords_here_and_on_the_sign_in_page_count_together(client_for, inspector):
    for _ in range(3):
        assert not signs_in(inspector.email, WRONG)
    client = client_for(inspector)
    assert client.post(CHANGE, change_form(current=WRONG)).status_code == 200
    assert client.post(CHANGE, change_form(current=WRONG)).status_code == 429


def test_the_right_password_is_refused_while_locked_out(client_for, inspector):
    for _ in range(5):
        signs_in(inspector.email, WRONG)
    client = client_for(inspector)  # signed in before the lockout, elsewhere
    response = client.post(CHANGE, change_form())
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    inspector.refresh_from_db()
    assert inspector.check_password(TEST_PASSWORD)


def test_a_change_clears_the_wrong_passwords_before_it(client_for, inspector, send_on_commit):
    client = client_for(inspector)
    for _ in range(4):
        client.post(CHANGE, change_form(current=WRONG))
    response = send_on_commit(client.post, CHANGE, change_form())
    assert response.status_code == 302
    for _ in range(4):
        response = client.post(CHANGE, change_form(current=WRONG, new="a fifth new pass phrase"))
    assert response.status_code == 200


def test_no_password_typed_is_kept_with_the_failures(client_for, inspector):
    client_for(inspector).post(CHANGE, change_form(current=WRONG))
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == inspector.email
    assert "current_password=********************" in attempt.post_data
    for typed in (WRONG, NEW_PASSWORD):
        assert typed not in attempt.post_data


# The service


def change_as(rf, user, current=TEST_PASSWORD, new=NEW_PASSWORD):
    """The service, called as the view calls it, with a request of the user's own."""
    request = rf.post(CHANGE)
    request.user = user
    request.session = SessionStore()
    return services.user_password_change(
        user=user, current_password=current, new_password=new, request=request
    )


def test_the_service_refuses_a_wrong_current_password_or_the_same_one(rf, inspector):
    with pytest.raises(ValidationError) as wrong:
        change_as(rf, inspector, current=WRONG)
    assert wrong.value.message_dict == {"current_password": [services.WRONG_CURRENT]}
    with pytest.raises(ValidationError) as same:
        change_as(rf, inspector, new=TEST_PASSWORD)
    assert same.value.message_dict == {"new_password1": [services.SAME_AS_CURRENT]}
    inspector.refresh_from_db()
    assert inspector.check_password(TEST_PASSWORD)
    assert AccessAttempt.objects.get().failures_since_start == 1  # the wrong one only


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short pass", "Password must be 12 characters or more"),
        ("password1234", "This password is too common. Choose one that is harder to guess"),
        ("Ian Inspector", "Password is too like your full name. Choose something else"),
    ],
)
def test_the_service_itself_refuses_a_new_password_the_rules_refuse(rf, inspector, new, message):
    # Any caller, not only the page's form: a command, a future API.
    with pytest.raises(ValidationError) as refused:
        change_as(rf, inspector, new=new)
    assert refused.value.message_dict == {"new_password1": [message]}
    inspector.refresh_from_db()
    assert inspector.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action="user_password_changed").exists()
    assert not AccessAttempt.objects.exists()  # the current password was right


@pytest.mark.django_db(transaction=True)
def test_a_change_made_meanwhile_in_another_tab_is_kept_and_this_one_refused(rf, inspector):
    """The other tab holds the row, with its new password not yet committed,
    while this one checks the current password (still right) and then waits
    for the row; it must find the password it checked gone, not overwrite."""
    skip_unless_postgresql()
    other_password = "the other tab's pass phrase"
    changed, release = threading.Event(), threading.Event()

    def other_tab():
        try:
            with transaction.atomic():
                person = User.objects.select_for_update().get(pk=inspector.pk)
                person.set_password(other_password)
                person.save(update_fields=["password"])
                changed.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_tab)
    thread.start()
    try:
        assert changed.wait(10)
        threading.Timer(1, release.set).start()
        with pytest.raises(ValidationError):
            change_as(rf, inspector)
    finally:
        release.set()
        thread.join(10)
    inspector.refresh_from_db()
    assert inspector.check_password(other_password)
    assert not AuditEvent.objects.filter(action="user_password_changed").exists()
