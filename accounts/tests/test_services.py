"""Account services: each change is atomic, audited, and refused on one's own account."""

import contextlib
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import User
from accounts.tests.factories import totp_device
from core.models import AuditEvent
from tests.locks import assert_waits_for_row_lock, skip_unless_postgresql


def test_deactivating_twice_records_one_change(admin_user, force_lead_a):
    services.user_deactivate(user=force_lead_a, by=admin_user, reason="Moved force")
    services.user_deactivate(user=force_lead_a, by=admin_user, reason="Moved force")
    event = AuditEvent.objects.get()
    assert event.action == "user_deactivated"
    assert event.force == force_lead_a.force


@pytest.mark.parametrize(
    "service", [services.user_deactivate, services.user_reactivate, services.user_two_factor_reset]
)
def test_nobody_changes_their_own_access(admin_user, service):
    with pytest.raises(PermissionDenied):
        service(user=admin_user, by=admin_user, reason="x")
    assert not AuditEvent.objects.exists()


def test_two_admins_deactivating_each_other_at_once_leave_one(admin_user):
    """Each page was sent while both were active: the second to commit is
    refused, or nobody would be left to reactivate either."""
    other = User.objects.create_user("other.admin@example.org", full_name="Al Admin", role="admin")
    services.user_deactivate(user=other, by=admin_user, reason="Left")
    with pytest.raises(PermissionDenied, match="the only active admin"):
        services.user_deactivate(user=admin_user, by=other, reason="Left")
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert AuditEvent.objects.filter(action="user_deactivated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_deactivating_each_other_at_the_same_moment_meet_no_deadlock(
    admin_user, monkeypatch
):
    """Each locked the other's row, then the other admins': each held what
    the other wanted, and PostgreSQL killed one as a deadlock, a 500 (found
    by the review of the morning's changes). Both hold their target before
    either goes on, when they can: in one order, the second waits instead."""
    skip_unless_postgresql()
    other = User.objects.create_user("other.admin@example.org", full_name="Al Admin", role="admin")
    both_hold_their_target = threading.Barrier(2, timeout=3)
    lock_other_user = services._lock_other_user

    def lock_then_meet(**kwargs):
        row = lock_other_user(**kwargs)
        # Broken when the other is waiting for this one's locks.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_hold_their_target.wait()
        return row

    monkeypatch.setattr(services, "_lock_other_user", lock_then_meet)
    outcomes = []

    def deactivate(person, by):
        try:
            services.user_deactivate(user=person, by=by, reason="Left")
            outcomes.append("deactivated")
        except PermissionDenied:
            outcomes.append("refused")
        except Exception as error:  # the deadlock, as a 500 would have shown it
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deactivate, args=(other, admin_user)),
        threading.Thread(target=deactivate, args=(admin_user, other)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == ["deactivated", "refused"]
    assert User.objects.filter(role="admin", is_active=True).count() == 1


def test_reactivation_keeps_the_authenticator_app(admin_user, inspector):
    device = totp_device(inspector)
    services.user_deactivate(user=inspector, by=admin_user, reason="Leave")
    services.user_reactivate(user=inspector, by=admin_user, reason="Back")
    inspector.refresh_from_db()
    assert inspector.is_active
    assert inspector.totpdevice_set.get() == device
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "user_reactivated",
        "user_deactivated",
    ]


def test_two_factor_reset_signs_an_open_session_out(client_for, admin_user, inspector):
    """Found by a review: a phone stolen signed in was asked to set up a new
    app by its open session, and whoever held it could, with no password;
    the new app is set up after signing in again."""
    client = client_for(inspector)  # on the stolen phone
    services.user_two_factor_reset(user=inspector, by=admin_user, reason="Phone stolen")
    response = client.get("/account/two-factor/set-up/")
    assert response.status_code == 302
    assert response.url.startswith("/account/sign-in/")
    assert "_auth_user_id" not in client.session
    assert not TOTPDevice.objects.filter(user=inspector).exists()


@pytest.mark.django_db(transaction=True)
def test_two_first_visits_to_set_up_take_turns(inspector):
    """The second waits for the first's device, instead of making a second key."""
    skip_unless_postgresql()
    assert_waits_for_row_lock(
        User,
        inspector.pk,
        lambda: services.two_factor_device_for_enrolment(user=inspector, session=SessionStore()),
    )
    assert not inspector.totpdevice_set.exists()


def test_two_requests_confirming_one_device_record_the_set_up_once(inspector):
    """Found by a review (two threads, each posting a right code: this time
    step's and the next, both accepted): both requests confirmed the device
    and "two-factor set up" was recorded twice. The second request's copy of
    the device was read before the first confirmed it."""
    device = services.two_factor_device_for_enrolment(user=inspector, session=SessionStore())
    second = TOTPDevice.objects.get(pk=device.pk)
    services.two_factor_device_confirm(device=device, by=inspector)
    services.two_factor_device_confirm(device=second, by=inspector)
    assert AuditEvent.objects.filter(action=services.TWO_FACTOR_SET_UP).count() == 1
    assert inspector.totpdevice_set.get().confirmed


def test_enrolment_reuses_the_unconfirmed_device_and_confirm_drops_spares(inspector):
    session = SessionStore()
    first = services.two_factor_device_for_enrolment(user=inspector, session=session)
    assert services.two_factor_device_for_enrolment(user=inspector, session=session) == first
    services.two_factor_device_confirm(device=first, by=inspector)
    assert inspector.totpdevice_set.get().confirmed


def test_a_second_tab_read_before_the_first_chose_a_device_is_shown_the_same_key(inspector):
    """Each session has its own key (test_two_factor.py); two requests of one
    session at once, the second having read the session before the first
    chose its device, still show one key: the session is read again under
    the lock."""
    first_tab = SessionStore()
    first_tab.save()
    second_tab = SessionStore(first_tab.session_key)
    assert services.ENROLMENT_DEVICE not in second_tab  # read before the first tab chose
    device = services.two_factor_device_for_enrolment(user=inspector, session=first_tab)
    assert services.two_factor_device_for_enrolment(user=inspector, session=second_tab) == device
    assert second_tab[services.ENROLMENT_DEVICE] == device.pk
