"""Found by the security review of sign-in, two-factor and headers: each
test failed on the code as reviewed."""

from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD
from core.models import AuditEvent

SIGN_IN = "/account/sign-in/"
WRONG = "not the password at all"
IP = "192.0.2.10"


def _attempt(client, email, password=WRONG):
    return client.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=IP)


# --- 1. Lockout bypass with a Unicode lookalike of the email address ----------


def test_a_unicode_lookalike_of_the_address_does_not_escape_the_lockout(client, inspector):
    """django-axes counts failures under accounts.lockout.axes_username
    (Python's str.lower()), but sign-in found the person with email__iexact,
    which PostgreSQL runs as UPPER(email) = UPPER(%s). UPPER('ſ') is 'S'
    and UPPER('ı') is 'I', while 'ſ'.lower() and 'ı'.lower() are unchanged,
    and Django's EmailField accepts both letters. So 'inſpector@example.org'
    signed in as inspector@example.org with a fresh count of failures: each
    s or i in an address doubled the guesses allowed, and the right password
    was accepted while the real address was locked out."""
    for _ in range(5):
        response = _attempt(client, inspector.email)
    assert response.status_code == 429  # locked out, as it should be

    lookalike = inspector.email.replace("s", "\u017f", 1)  # LATIN SMALL LETTER LONG S
    assert lookalike != inspector.email
    response = _attempt(client, lookalike, TEST_PASSWORD)
    assert "_auth_user_id" not in client.session, (
        f"signed in as {inspector.email} with {lookalike!r} while locked out "
        f"(status {response.status_code})"
    )


# --- 2. The Django admin's own password change page -----------------------------


ADMIN_PASSWORD_CHANGE = "/django-admin/password_change/"
NEW = "a brand new pass phrase for the admin"


def test_the_django_admins_password_change_is_the_services_own(client_for, staff):
    """The Django admin's page (Django's PasswordChangeForm) counted no wrong
    current password toward the lockout, recorded nothing and emailed no
    one: a hijacked admin session could guess for ever, then change the
    password without trace. It now sends the person to the service's page."""
    client = client_for(staff)
    own = reverse("accounts:password_change")
    for path in (ADMIN_PASSWORD_CHANGE, f"{ADMIN_PASSWORD_CHANGE}done/"):
        assert client.get(path).url == own
    answers = {"old_password": TEST_PASSWORD, "new_password1": NEW, "new_password2": NEW}
    assert client.post(ADMIN_PASSWORD_CHANGE, answers).url == own
    staff.refresh_from_db()
    assert staff.check_password(TEST_PASSWORD)  # not changed there
    assert not AuditEvent.objects.for_object(staff).filter(action="user_password_changed")


# --- 3. Security headers on responses that skip part of the middleware -----------


def test_the_413_page_says_it_may_not_be_framed(client_for, inspector):
    """core.middleware.RequestSizeLimitMiddleware answered before
    XFrameOptionsMiddleware (then further down MIDDLEWARE) saw the response,
    so the 413 page had no X-Frame-Options, unlike every other error page."""
    client = client_for(inspector)
    response = client.post(
        reverse("core:home"),
        data=b"x",
        content_type="text/plain",
        CONTENT_LENGTH=str(10**9),
        secure=True,
    )
    assert response.status_code == 413
    assert response.headers.get("X-Frame-Options") == "DENY"


def test_healthz_over_https_has_hsts_and_permissions_policy(client, db):
    """core.middleware.HealthzMiddleware answers before SecurityMiddleware and
    PermissionsPolicyMiddleware: it copied some of their headers by hand,
    but not Strict-Transport-Security (over https) nor Permissions-Policy."""
    response = client.get("/healthz", secure=True)
    assert "Strict-Transport-Security" in response.headers
    assert "Permissions-Policy" in response.headers
