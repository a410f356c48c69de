"""The admins' Users pages: find a person, deactivate, reactivate, reset two-factor."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory, totp_device
from core.models import AuditEvent

NON_ADMINS = ["lead_inspector", "inspector", "force_lead_a"]


def change_url(name, person):
    return reverse(f"accounts:{name}", args=[person.pk])


def test_admin_sees_users_with_role_force_and_status_tags(client_for, admin_user, force_lead_a):
    totp_device(force_lead_a)
    gone = UserFactory(full_name="Gail Gone", is_active=False)
    html = client_for(admin_user).get("/account/users/").content.decode()
    assert "Faye Forcelead" in html and "Greater Manchester" in html
    assert "Force lead" in html
    assert "Gail Gone" in html and "Deactivated" in html
    assert "Set up" in html and "Not set up" in html
    assert f'href="/account/users/{gone.pk}/"' in html


def test_search_by_name_or_email(client_for, admin_user, inspector, lead_inspector):
    client = client_for(admin_user)
    html = client.get("/account/users/?q=ian+insp").content.decode()
    assert "Ian Inspector" in html and "Lena Lead" not in html
    html = client.get("/account/users/?q=LEAD@example").content.decode()
    assert "Lena Lead" in html and "Ian Inspector" not in html


def test_a_bad_filter_value_is_left_out_and_the_rest_kept(
    client_for, admin_user, inspector, lead_inspector
):
    """Found by review: one bad value made the list ignore every filter."""
    client = client_for(admin_user)
    html = client.get("/account/users/", {"q": "Lena", "status": "bogus"}).content.decode()
    assert "Lena Lead" in html and "Ian Inspector" not in html
    html = client.get("/account/users/", {"q": "Lena" * 30}).content.decode()
    assert "Lena Lead" not in html and "Ian Inspector" not in html


def test_filter_by_status(client_for, admin_user, inspector):
    UserFactory(full_name="Gail Gone", is_active=False)
    client = client_for(admin_user)
    html = client.get("/account/users/?status=deactivated").content.decode()
    assert "Gail Gone" in html and "Ian Inspector" not in html
    html = client.get("/account/users/?status=active").content.decode()
    assert "Gail Gone" not in html and "Ian Inspector" in html


def test_filter_by_role_and_force(client_for, admin_user, inspector, force_lead_a, force_lead_b):
    """Hundreds of people: an admin looking for a force's leads, or every
    lead inspector, no longer pages through them all (found by the admin
    review). A page of results keeps the filters."""
    client = client_for(admin_user)
    html = client.get("/account/users/", {"role": "force_lead"}).content.decode()
    assert force_lead_a.full_name in html and force_lead_b.full_name in html
    assert inspector.full_name not in html
    html = client.get("/account/users/", {"force": str(force_lead_b.force_id)}).content.decode()
    assert force_lead_b.full_name in html and force_lead_a.full_name not in html
    assert f'<option value="{force_lead_b.force_id}" selected>' in html
    html = client.get("/account/users/", {"role": "bogus", "force": "nope"}).content.decode()
    assert inspector.full_name in html  # a value not on the list is left out


def test_users_are_paginated_in_name_order(client_for, admin_user):
    for n in range(30):
        UserFactory(full_name=f"Person {n:02d}")
    client = client_for(admin_user)
    first = client.get("/account/users/").content.decode()
    assert "31 users" in first
    assert "Person 23" in first and "Person 24" not in first
    assert 'aria-label="Pagination"' in first
    second = client.get("/account/users/?page=2").content.decode()
    assert "Person 24" in second and "Person 23" not in second


def test_user_list_queries_do_not_grow_with_users(
    client_for, admin_user, force_a, django_assert_max_num_queries
):
    for n in range(25):
        person = UserFactory(role=User.Role.FORCE_LEAD, force=force_a)
        if n % 2:
            totp_device(person)
    client = client_for(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get("/account/users/")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_non_admins_get_404_for_every_users_page(client_for, request, persona, inspector):
    client = client_for(request.getfixturevalue(persona))
    target = UserFactory()
    urls = ["/account/users/", f"/account/users/{target.pk}/"]
    urls += [
        change_url(name, target)
        for name in ("user_deactivate", "user_reactivate", "user_reset_two_factor")
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    target.refresh_from_db()
    assert target.is_active


def test_unknown_user_is_404(client_for, admin_user):
    import uuid

    assert client_for(admin_user).get(f"/account/users/{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_only_admins_have_users_in_navigation(client_for, request, persona, admin_user):
    assert 'href="/account/users/"' in client_for(admin_user).get("/").content.decode()
    assert 'href="/account/users/"' not in (
        client_for(request.getfixturevalue(persona)).get("/").content.decode()
    )


def test_user_page_summarises_the_person_and_offers_deactivation(
    client_for, admin_user, force_lead_a
):
    html = client_for(admin_user).get(f"/account/users/{force_lead_a.pk}/").content.decode()
    assert "Faye Forcelead" in html and "lead.a@example.org" in html
    assert "Greater Manchester Police" in html
    assert "Never" in html  # not signed in yet
    assert change_url("user_deactivate", force_lead_a) in html
    assert change_url("user_reactivate", force_lead_a) not in html


def test_deactivation_is_checked_then_confirmed_with_a_reason(client_for, admin_user, inspector):
    client = client_for(admin_user)
    url = change_url("user_deactivate", inspector)
    html = client.get(url).content.decode()
    assert "Check this is the right person" in html
    assert "govuk-warning-text" in html
    assert "govuk-button--warning" in html
    assert "inspector@example.org" in html

    response = client.post(url, {"reason": ""})
    assert "Enter why you are deactivating this account" in response.content.decode()
    inspector.refresh_from_db()
    assert inspector.is_active

    response = client.post(url, {"reason": "Left the inspectorate"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/account/users/{inspector.pk}/"
    html = response.content.decode()
    assert "Ian Inspector’s account has been deactivated" in html
    assert "Left the inspectorate" in html  # in the account history
    inspector.refresh_from_db()
    assert not inspector.is_active
    event = AuditEvent.objects.get(action="user_deactivated")
    assert event.actor == admin_user
    assert event.changes == {"is_active": [True, False]}
    assert event.comment == "Left the inspectorate"
    # A second admin's page, drawn before: told it is done already, nothing recorded twice.
    response = client.post(url, {"reason": "Leaving"}, follow=True)
    assert "Ian Inspector’s account is already deactivated" in response.content.decode()
    assert AuditEvent.objects.filter(action="user_deactivated").count() == 1


def test_deactivation_signs_an_open_session_out_at_once(client_for, admin_user, inspector):
    from accounts.services import user_deactivate

    theirs = client_for(inspector)
    assert theirs.get("/").status_code == 200

    user_deactivate(user=inspector, by=admin_user, reason="Laptop stolen")

    response = theirs.get("/forces/")
    assert response.status_code == 302
    assert response.url.startswith("/account/sign-in/")


def test_reactivation_does_not_bring_back_a_session_open_before_deactivation(
    client_for, admin_user, inspector
):
    """Found by a review: the session kept its sign-in through the
    deactivation, and was let in again by the reactivation."""
    from accounts.services import user_deactivate, user_reactivate

    theirs = client_for(inspector)  # on a laptop left signed in, and stolen
    assert theirs.get("/").status_code == 200
    user_deactivate(user=inspector, by=admin_user, reason="Laptop stolen")
    user_reactivate(user=inspector, by=admin_user, reason="New laptop issued")

    response = theirs.get("/forces/")
    assert response.status_code == 302
    assert response.url.startswith("/account/sign-in/")
    assert "_auth_user_id" not in theirs.session


def test_reactivation_lets_them_back_in(client_for, admin_user, inspector):
    inspector.is_active = False
    inspector.save()
    client = client_for(admin_user)
    html = client.get(change_url("user_reactivate", inspector)).content.decode()
    assert "govuk-button--warning" not in html  # nothing dangerous about it
    response = client.post(change_url("user_reactivate", inspector), {"reason": "Returned"})
    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.is_active
    assert AuditEvent.objects.filter(action="user_reactivated", actor=admin_user).count() == 1


def test_reset_two_factor_removes_the_app(client_for, admin_user, inspector):
    totp_device(inspector)
    client = client_for(admin_user)
    url = change_url("user_reset_two_factor", inspector)
    page = client.get(url).content.decode()
    assert "Reset two-factor authentication" in page
    assert "they will be signed out at once" in page
    client.post(url, {"reason": "New phone"})
    inspector.refresh_from_db()
    assert not inspector.totpdevice_set.exists()
    assert AuditEvent.objects.filter(action="user_two_factor_reset").count() == 1


def test_changes_that_do_not_apply_go_back_to_the_user_page(client_for, admin_user, inspector):
    client = client_for(admin_user)
    for name in ("user_reactivate", "user_reset_two_factor"):
        response = client.post(change_url(name, inspector), {"reason": "x"})
        assert response.status_code == 302
        assert response.url == f"/account/users/{inspector.pk}/"
    assert not AuditEvent.objects.exists()


def test_admins_cannot_change_their_own_access(client_for, admin_user):
    client = client_for(admin_user)
    html = client.get(f"/account/users/{admin_user.pk}/").content.decode()
    assert "You cannot change your own access" in html
    response = client.post(change_url("user_deactivate", admin_user), {"reason": "x"})
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_long_account_history_is_paged_not_cut_off(client_for, admin_user, inspector):
    """Found by review: the newest 50 changes were shown, and the rest hidden
    without a word."""
    from core.audit import record

    for n in range(30):
        record(by=admin_user, action="user_deactivated", obj=inspector, comment=f"Reason {n}")
    client = client_for(admin_user)
    address = change_url("user_detail", inspector)
    first = client.get(address).content.decode()
    assert first.count("Account deactivated") == 25
    assert "Reason 29" in first and "Reason 4" not in first
    assert 'class="govuk-pagination"' in first
    second = client.get(address, {"page": 2}).content.decode()
    assert second.count("Account deactivated") == 5 and "Reason 0" in second


def test_a_reason_over_two_lines_that_the_count_says_fits_is_accepted(
    client_for, admin_user, inspector
):
    """The page's character count (500) counts a line break once; the browser
    sends it as CR LF. A reason of 500 by the count was refused as too long."""
    client = client_for(admin_user)
    reason = "Left the inspectorate. " * 10 + "\r\n" + "x" * (499 - 23 * 10)
    response = client.post(change_url("user_deactivate", inspector), {"reason": reason})
    assert response.status_code == 302, response.content.decode()
    inspector.refresh_from_db()
    assert not inspector.is_active
