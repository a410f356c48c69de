"""Admins add people; people choose their own password from an emailed link,
which also answers a forgotten password."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD
from accounts.tokens import password_link_tokens
from core.models import AuditEvent

ADD = "/account/users/add/"
FORGOTTEN = "/account/forgotten-password/"
NEW_PASSWORD = "river otter lantern maple"


def link_path(message) -> str:
    match = re.search(
        r"http://127\.0\.0\.1:8000(/account/set-password/[^/\s]+/[^/\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def add_form(**overrides):
    data = {"full_name": "Nadia Newlead", "email": "nadia@example.org", "role": "force_lead"}
    return data | overrides


def test_admin_adds_a_force_lead_who_is_emailed_an_invitation(
    client_for, admin_user, force_a, send_on_commit
):
    client = client_for(admin_user)
    response = send_on_commit(
        client.post, ADD, add_form(email="Nadia@Example.org", force=force_a.pk), follow=True
    )
    person = User.objects.get(email="nadia@example.org")
    assert person.force == force_a and person.role == User.Role.FORCE_LEAD
    assert not person.has_usable_password()
    html = response.content.decode()
    assert "Nadia Newlead has been added. We are sending them an email with a link" in html
    assert "Not set" in html  # the password, on their page
    [message] = mail.outbox
    assert message.to == ["nadia@example.org"]
    assert message.subject == "Set your password for the child protection inspections service"
    assert f"as force lead for {force_a.name}" in message.body
    assert "works once, for 3 days" in message.body
    actions = list(
        AuditEvent.objects.for_object(person).order_by("at").values_list("action", "actor")
    )
    assert actions == [
        ("user_created", admin_user.pk),
        ("user_password_link_sent", admin_user.pk),
    ]
    created = AuditEvent.objects.get(action="user_created")
    assert created.changes["role"] == [None, "Force lead"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"full_name": "  "}, "full_name", "Enter their full name"),
        ({"email": ""}, "email", "Enter their email address"),
        ({"email": "not an address"}, "email", "Enter an email address in the correct format"),
        ({"email": "LEAD@example.org"}, "email", "already has an account"),
        ({"role": ""}, "role", "Select their role"),
        ({"role": "superhero"}, "role", "Select their role"),
        ({}, "force", "Select the force this force lead belongs to"),
        ({"role": "inspector", "force": "FORCE"}, "force", "only force leads belong to a force"),
    ],
)
def test_adding_a_user_with_bad_details_is_refused_beside_the_field(
    client_for, admin_user, lead_inspector, force_a, overrides, field, message
):
    if overrides.get("force") == "FORCE":
        overrides["force"] = force_a.pk
    response = client_for(admin_user).post(ADD, add_form(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "<title>Error: Add a user" in html
    assert f'href="#id_{field}' in html
    assert message in html
    assert not User.objects.filter(full_name="Nadia Newlead").exists()
    assert not mail.outbox


def test_only_admins_add_users(client_for, lead_inspector, force_lead_a):
    for person in (lead_inspector, force_lead_a):
        client = client_for(person)
        assert client.get(ADD).status_code == 404
        assert client.post(ADD, add_form(role="inspector")).status_code == 404
    assert not User.objects.filter(email="nadia@example.org").exists()


def test_invited_person_chooses_a_password_and_the_link_then_stops_working(
    client, client_for, admin_user, force_a, send_on_commit
):
    send_on_commit(client_for(admin_user).post, ADD, add_form(force=force_a.pk))
    client.logout()
    path = link_path(mail.outbox[0])

    # The token leaves the address at once (no Referer can carry it on).
    response = client.get(path)
    assert response.status_code == 302 and response.url.endswith("/set-password/")
    page = client.get(response.url).content.decode()
    assert "Choose your password" in page and "nadia@example.org" in page

    mismatch = client.post(
        response.url, {"new_password1": NEW_PASSWORD, "new_password2": "something else"}
    )
    assert "Enter the same password twice" in mismatch.content.decode()
    short = client.post(response.url, {"new_password1": "short", "new_password2": "short"})
    assert 'href="#id_new_password1"' in short.content.decode()
    assert "Password must be 12 characters or more" in short.content.decode()
    person = User.objects.get(email="nadia@example.org")
    assert not person.has_usable_password()

    done = client.post(
        response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your password has been saved" in done.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user_password_set_with_link")
    assert event.actor == person and event.changes == {
        "password": ["", "chosen for the first time"]
    }
    assert NEW_PASSWORD not in str(event.changes)

    # Used once: the same link now says it does not work, and changes nothing.
    again = client.get(path)
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()

    signed_in = client.post(
        "/account/sign-in/", {"username": person.email, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302  # on to set up two-factor authentication


def test_a_link_expires_after_three_days(client, inspector, settings, monkeypatch):
    path = services.password_link_url(inspector).removeprefix(settings.SERVICE_URL)
    today = password_link_tokens._now()
    monkeypatch.setattr(password_link_tokens, "_now", lambda: today + timedelta(days=2, hours=23))
    assert "Choose your password" in client.get(path, follow=True).content.decode()
    monkeypatch.setattr(password_link_tokens, "_now", lambda: today + timedelta(days=3, minutes=1))
    assert "This link does not work" in client.get(path, follow=True).content.decode()


def test_a_deactivated_persons_link_does_not_work(client, inspector, settings):
    path = services.password_link_url(inspector).removeprefix(settings.SERVICE_URL)
    inspector.is_active = False
    inspector.save()
    html = client.get(path, follow=True).content.decode()
    assert "This link does not work" in html


def test_a_link_used_in_another_tab_meanwhile_is_refused(client, inspector, settings):
    path = services.password_link_url(inspector).removeprefix(settings.SERVICE_URL)
    form_url = client.get(path).url
    token = path.rstrip("/").rsplit("/", 1)[1]
    services.user_password_set_with_link(user=inspector, token=token, password=NEW_PASSWORD)

    response = client.post(
        form_url,
        {"new_password1": "another long pass phrase", "new_password2": "another long pass phrase"},
    )
    assert "This link does not work" in response.content.decode()
    inspector.refresh_from_db()
    assert inspector.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user_password_set_with_link").count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "Password must be 12 characters or more"),
        ("password1234", "This password is too common. Choose one that is harder to guess"),
        ("inspector@example.org", "Password is too like your email address. Choose something else"),
    ],
)
def test_the_link_service_itself_refuses_a_password_the_rules_refuse(inspector, password, message):
    # Any caller, not only the page's form: a command, a future API.
    token = password_link_tokens.make_token(inspector)
    with pytest.raises(ValidationError) as refused:
        services.user_password_set_with_link(user=inspector, token=token, password=password)
    assert refused.value.message_dict == {"new_password1": [message]}
    inspector.refresh_from_db()
    assert inspector.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action="user_password_set_with_link").exists()
    assert password_link_tokens.check_token(inspector, token)  # the link still works


def test_an_expired_link_is_said_before_the_password_rules(inspector):
    token = password_link_tokens.make_token(inspector)
    services.user_password_set_with_link(user=inspector, token=token, password=NEW_PASSWORD)
    with pytest.raises(ValidationError) as refused:
        services.user_password_set_with_link(user=inspector, token=token, password="short")
    assert refused.value.code == "link"


def test_setting_a_password_ends_the_persons_other_sessions(client_for, inspector, settings):
    from django.test import Client

    other_browser = client_for(inspector)
    assert other_browser.get("/").status_code == 200
    token = password_link_tokens.make_token(inspector)
    services.user_password_set_with_link(user=inspector, token=token, password=NEW_PASSWORD)
    assert other_browser.get("/").status_code == 302  # back to sign in
    assert (
        Client()
        .post("/account/sign-in/", {"username": inspector.email, "password": TEST_PASSWORD})
        .status_code
        == 200
    )  # the old password no longer works


def test_a_password_reset_ends_the_calendar_link(client, inspector, admin_user):
    """The sign-in review's suspicion: a password reset, because it was
    forgotten or feared known, left the calendar link (a secret address
    showing the person's deadlines) working."""
    from actionplans.services import calendar_feed_for

    feed_url = f"/calendar/{calendar_feed_for(inspector).token}.ics"
    assert client.get(feed_url).status_code == 200
    token = password_link_tokens.make_token(inspector)
    services.user_password_set_with_link(user=inspector, token=token, password=NEW_PASSWORD)
    assert client.get(feed_url).status_code == 404
    # Set in the Django admin (the way back in when email fails): the same.
    feed_url = f"/calendar/{calendar_feed_for(inspector).token}.ics"
    before = User.objects.get(pk=inspector.pk).password
    inspector.set_password("Another long passphrase 7")
    inspector.save()
    services.user_password_set_in_django_admin(user_id=inspector.pk, before=before, by=admin_user)
    assert client.get(feed_url).status_code == 404


def test_forgotten_password_sends_a_link_to_an_account_and_says_the_same_otherwise(
    client, inspector, send_on_commit
):
    known = send_on_commit(client.post, FORGOTTEN, {"email": inspector.email.upper()}, follow=True)
    unknown = send_on_commit(client.post, FORGOTTEN, {"email": "nobody@example.org"}, follow=True)
    for response, email in ((known, inspector.email.upper()), (unknown, "nobody@example.org")):
        html = response.content.decode()
        assert "Check your email" in html
        assert f"If <strong>{email}</strong> is the address of an account" in html
    [message] = mail.outbox
    assert message.to == [inspector.email]
    assert message.subject == "Set a new password for the child protection inspections service"
    assert "Your password has not changed" in message.body
    event = AuditEvent.objects.get(action="user_password_link_sent")
    assert event.actor is None and event.comment == "Asked for on the sign-in page"
    # The old password still works until the link is used.
    inspector.refresh_from_db()
    assert inspector.check_password(TEST_PASSWORD)


def test_forgotten_password_sends_at_most_one_email_in_five_minutes(
    client, inspector, send_on_commit
):
    for _ in range(3):
        send_on_commit(client.post, FORGOTTEN, {"email": inspector.email})
    assert len(mail.outbox) == 1
    AuditEvent.objects.filter(action="user_password_link_sent").update(
        at=timezone.now() - timedelta(minutes=6)
    )
    send_on_commit(client.post, FORGOTTEN, {"email": inspector.email})
    assert len(mail.outbox) == 2


def test_forgotten_password_sends_nothing_to_a_deactivated_account(
    client, inspector, send_on_commit
):
    inspector.is_active = False
    inspector.save()
    response = send_on_commit(client.post, FORGOTTEN, {"email": inspector.email}, follow=True)
    assert "Check your email" in response.content.decode()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "Enter your email address"), ("nope", "Enter an email address in the correct format")],
)
def test_forgotten_password_with_bad_input_is_explained(client, db, email, message):
    html = client.post(FORGOTTEN, {"email": email}).content.decode()
    assert "govuk-error-summary" in html and 'href="#id_email"' in html and message in html


def test_check_your_email_page_needs_an_address_asked_for(client, db):
    response = client.get("/account/forgotten-password/sent/")
    assert response.status_code == 302 and response.url == FORGOTTEN


def test_sign_in_page_links_to_forgotten_password(client, db):
    html = client.get("/account/sign-in/").content.decode()
    assert f'href="{FORGOTTEN}"' in html


def test_admin_sends_someone_a_new_link_with_a_reason(
    client_for, admin_user, force_lead_a, send_on_commit
):
    url = f"/account/users/{force_lead_a.pk}/send-password-link/"
    client = client_for(admin_user)
    page = client.get(url).content.decode()
    assert "Send a link to set a password" in page
    refused = client.post(url, {"reason": ""})
    assert "Enter why you are sending a link" in refused.content.decode()
    assert not mail.outbox
    response = send_on_commit(client.post, url, {"reason": "Lost the invitation"}, follow=True)
    assert "We are sending Faye Forcelead an email with a link to set their password" in (
        response.content.decode()
    )
    [message] = mail.outbox
    assert message.to == [force_lead_a.email]
    event = AuditEvent.objects.get(action="user_password_link_sent")
    assert event.actor == admin_user and event.comment == "Lost the invitation"
    assert event.changes == {"link": ["", "reset"]}
    force_lead_a.refresh_from_db()
    assert force_lead_a.check_password(TEST_PASSWORD)


def test_send_link_clicked_twice_sends_one_link_that_works(
    client_for, admin_user, force_lead_a, send_on_commit
):
    """Found by the stale-page review: a second click (or the page gone back
    to and sent again) emailed a second link, which stopped the first
    working. A link sent since the page was drawn is said, not sent again."""
    url = f"/account/users/{force_lead_a.pk}/send-password-link/"
    client = client_for(admin_user)
    page = client.get(url)
    form = {"reason": "Lost the invitation", "seen": page.context["form"].initial["seen"]}
    send_on_commit(client.post, url, form)
    again = send_on_commit(client.post, url, form, follow=True)
    assert "A link was sent to Faye Forcelead after you opened that page" in again.content.decode()
    [message] = mail.outbox
    assert AuditEvent.objects.filter(action="user_password_link_sent").count() == 1
    assert Client().get(link_path(message), follow=True).status_code == 200
    assert "Choose your password" in Client().get(link_path(message), follow=True).text

    # Asked for again from a page opened since: a new link, knowingly.
    fresh = client.get(url).context["form"].initial["seen"]
    send_on_commit(client.post, url, {"reason": "Still lost", "seen": fresh})
    assert len(mail.outbox) == 2


def test_someone_whose_password_was_turned_off_is_not_sent_an_invitation(
    admin_user, inspector, send_on_commit
):
    """Found by an email review: a person who had used the service for months,
    whose password sign-in an admin turned off, was emailed "An account has
    been made for you" and told to set up two-factor authentication again."""
    inspector.last_login = timezone.now() - timedelta(days=90)
    inspector.set_unusable_password()
    inspector.save()
    send_on_commit(
        services.user_password_link_send, user=inspector, by=admin_user, reason="Back from leave"
    )
    [message] = mail.outbox
    assert message.subject == "Set a new password for the child protection inspections service"
    assert "An account has been made for you" not in message.body
    event = AuditEvent.objects.get(action="user_password_link_sent")
    assert event.changes == {"link": ["", "reset"]}


def test_no_link_for_a_deactivated_account_or_ones_own(client_for, admin_user, inspector):
    inspector.is_active = False
    inspector.save()
    client = client_for(admin_user)
    response = client.post(
        f"/account/users/{inspector.pk}/send-password-link/", {"reason": "x"}, follow=True
    )
    assert "deactivated. Reactivate it before sending a link" in response.content.decode()
    own = client.get(f"/account/users/{admin_user.pk}/send-password-link/")
    assert own.status_code == 403
    assert not mail.outbox


def test_the_email_link_starts_with_the_service_url_not_the_request_host(
    client, inspector, settings, send_on_commit
):
    settings.SERVICE_URL = "https://inspections.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example.com"]
    send_on_commit(client.post, FORGOTTEN, {"email": inspector.email}, HTTP_HOST="evil.example.com")
    [message] = mail.outbox
    assert "https://inspections.example.org/account/set-password/" in message.body
    assert "evil" not in message.body


def test_new_user_link_token_is_not_in_the_audit_trail(admin_user, force_a, send_on_commit):
    person = send_on_commit(
        services.user_create,
        email="x@example.org",
        full_name="X",
        role="force_lead",
        force=force_a,
        by=admin_user,
    )
    token = link_path(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert password_link_tokens.check_token(person, token)
    for event in AuditEvent.objects.all():
        assert token not in str(event.changes) + event.comment


def test_admins_are_not_added_on_the_users_pages(client_for, admin_user):
    client = client_for(admin_user)
    assert 'value="admin"' not in client.get(ADD).content.decode()
    html = client.post(ADD, add_form(role="admin")).content.decode()
    assert "Select their role" in html and "Select a valid choice" not in html
    assert not User.objects.filter(email="nadia@example.org").exists()


def test_a_simultaneous_add_of_the_same_address_is_refused_not_a_500(
    admin_user, inspector, monkeypatch
):
    # As if the other admin's row landed between the check and the insert.
    monkeypatch.setattr(User, "full_clean", lambda self, **kwargs: None)
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            email=inspector.email, full_name="Twin", role="inspector", force=None, by=admin_user
        )
    assert refused.value.message_dict == {
        "email": ["A person with this email address already has an account"]
    }


def test_a_newer_link_ends_the_older_one(inspector, admin_user, settings):
    older = services.password_link_url(inspector)
    services.user_password_link_send(user=inspector, by=admin_user, reason="Lost it")
    newer = services.password_link_url(inspector)
    assert older != newer
    token = older.rstrip("/").rsplit("/", 1)[1]
    assert not password_link_tokens.check_token(inspector, token)
    assert password_link_tokens.check_token(inspector, newer.rstrip("/").rsplit("/", 1)[1])


@pytest.mark.parametrize(
    "change",
    [
        lambda person, admin: (
            services.user_deactivate(user=person, by=admin, reason="Left"),
            services.user_reactivate(user=person, by=admin, reason="Back"),
        ),
        lambda person, admin: services.user_two_factor_reset(
            user=person, by=admin, reason="Phone stolen"
        ),
    ],
    ids=["deactivated and reactivated", "two-factor reset"],
)
def test_an_admins_change_to_the_account_ends_its_links(inspector, admin_user, change):
    from accounts.tests.factories import totp_device

    totp_device(inspector)
    token = services.password_link_url(inspector).rstrip("/").rsplit("/", 1)[1]
    assert password_link_tokens.check_token(inspector, token)
    change(inspector, admin_user)
    inspector.refresh_from_db()
    assert not password_link_tokens.check_token(inspector, token)


def test_no_link_when_an_admin_turned_password_sign_in_off(
    client, client_for, admin_user, inspector, send_on_commit
):
    before = inspector.password
    inspector.set_unusable_password()
    inspector.save()
    services.user_password_set_in_django_admin(user_id=inspector.pk, before=before, by=admin_user)
    response = send_on_commit(client.post, FORGOTTEN, {"email": inspector.email}, follow=True)
    assert "Check your email" in response.content.decode()
    assert not mail.outbox
    page = client_for(admin_user).get(f"/account/users/{inspector.pk}/").content.decode()
    assert "Turned off by an admin" in page


def test_a_new_password_ends_a_lockout_for_wrong_passwords(
    client, inspector, settings, send_on_commit
):
    from django.test import Client

    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/account/sign-in/", {"username": inspector.email, "password": "wrong"})
    locked = Client().post("/account/sign-in/", {"username": inspector.email, "password": "x"})
    assert locked.status_code == 429
    path = services.password_link_url(inspector).removeprefix(settings.SERVICE_URL)
    form_url = client.get(path).url
    send_on_commit(
        client.post, form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    signed_in = Client().post(
        "/account/sign-in/", {"username": inspector.email, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_one_computer_asking_for_many_links_is_refused_after_ten_an_hour(client, db):
    for n in range(10):
        response = client.post(FORGOTTEN, {"email": f"someone{n}@example.org"})
        assert response.status_code == 302
    refused = client.post(FORGOTTEN, {"email": "one.more@example.org"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "govuk-error-summary" in html
    assert "You have asked for too many links from this computer" in html


def test_opening_a_link_gives_the_browser_a_new_session_key(client, inspector, settings):
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    path = services.password_link_url(inspector).removeprefix(settings.SERVICE_URL)
    client.get(path)
    assert client.cookies["sessionid"].value != planted


def test_a_link_asked_for_before_an_admin_turned_password_sign_in_off_is_not_sent(
    client, admin_user, inspector, settings
):
    """The mail server was down when the person asked, and the email was
    still being tried when an admin turned their password sign-in off (they
    feared it known): the link, made when the email goes, would have let
    whoever reads it choose a password again. Only an admin lets them back in
    (found by the email review)."""
    services.user_password_link_request(email=inspector.email)  # queued, not yet sent
    before = inspector.password
    inspector.set_unusable_password()
    inspector.save()
    services.user_password_set_in_django_admin(user_id=inspector.pk, before=before, by=admin_user)
    sent = services.password_link_email(
        user_id=str(inspector.pk), purpose=services.LinkPurpose.RESET
    )
    assert sent is False
    assert mail.outbox == []
    # A link an admin sends afterwards, on purpose, is sent.
    services.user_password_link_send(user=inspector, by=admin_user, reason="Asked by phone")
    assert services.password_link_email(
        user_id=str(inspector.pk), purpose=services.LinkPurpose.RESET
    )
    [message] = mail.outbox
    assert message.to == [inspector.email]
