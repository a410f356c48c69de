"""Admins change a person's name, email address, role or force, with a reason."""

import re

import pytest

from accounts.models import User
from accounts.tokens import password_link_tokens
from core.models import AuditEvent


def edit_url(person) -> str:
    return f"/account/users/{person.pk}/change/"


def details(person, **overrides):
    data = {
        "full_name": person.full_name,
        "email": person.email,
        "role": person.role,
        "force": person.force_id or "",
        "reason": "Moved to another force",
    }
    return data | overrides


def test_admin_moves_a_force_lead_to_another_force(
    client_for, admin_user, force_lead_a, force_b, force_a
):
    client = client_for(admin_user)
    page = client.get(edit_url(force_lead_a)).content.decode()
    assert 'value="Faye Forcelead"' in page and "Change details" in page
    response = client.post(
        edit_url(force_lead_a), details(force_lead_a, force=force_b.pk), follow=True
    )
    assert "Faye Forcelead’s details have been saved" in response.content.decode()
    force_lead_a.refresh_from_db()
    assert force_lead_a.force == force_b
    event = AuditEvent.objects.get(action="user_changed")
    assert event.actor == admin_user and event.comment == "Moved to another force"
    assert event.changes == {"force": [str(force_a), str(force_b)]}
    # From their next page they see the new force and not the old.
    lead = client_for(force_lead_a)
    assert lead.get(f"/forces/{force_a.slug}/").status_code == 404
    assert lead.get(f"/forces/{force_b.slug}/").status_code == 200
    # The account's history says what changed, from what, and why.
    history = client_for(admin_user).get(f"/account/users/{force_lead_a.pk}/").content.decode()
    assert f"Force: {force_a} → {force_b}" in history
    assert "Moved to another force" in history
    assert history.count(f"Force: {force_a} → {force_b}") == 1  # once, not per force


def test_a_person_moved_is_on_the_audit_trail_of_the_force_they_left(
    client_for, admin_user, force_lead_a, force_b, force_a
):
    client = client_for(admin_user)
    client.post(edit_url(force_lead_a), details(force_lead_a, force=force_b.pk))
    left = AuditEvent.objects.get(action="user_left_force")
    assert left.force == force_a and left.actor == admin_user
    assert left.changes == {"force": [str(force_a), str(force_b)]}
    trail = client.get("/audit/", {"force": force_a.pk}).content.decode()
    assert "User left the force" in trail and "Faye Forcelead" in trail
    # A change that keeps the force is filed under it alone.
    client.post(
        edit_url(force_lead_a),
        details(
            force_lead_a.__class__.objects.get(pk=force_lead_a.pk), full_name="Faye Forcelead-Smith"
        ),
    )
    assert AuditEvent.objects.filter(action="user_left_force").count() == 1


def test_making_a_force_lead_an_inspector_needs_no_force(client_for, admin_user, force_lead_a):
    client = client_for(admin_user)
    refused = client.post(edit_url(force_lead_a), details(force_lead_a, role="inspector"))
    assert "only force leads belong to a force" in refused.content.decode()
    client.post(edit_url(force_lead_a), details(force_lead_a, role="inspector", force=""))
    force_lead_a.refresh_from_db()
    assert force_lead_a.role == User.Role.INSPECTOR and force_lead_a.force is None


def test_a_new_email_address_ends_links_already_sent(client_for, admin_user, inspector):
    from accounts import services

    token = services.password_link_url(inspector).rstrip("/").rsplit("/", 1)[1]
    client_for(admin_user).post(edit_url(inspector), details(inspector, email="New@Example.org"))
    inspector.refresh_from_db()
    assert inspector.email == "new@example.org"
    assert not password_link_tokens.check_token(inspector, token)


@pytest.mark.parametrize(
    "change",
    [{"role": "lead_inspector"}, {"role": "force_lead", "force": "cleveland"}],
    ids=["new role", "new force"],
)
def test_a_new_role_or_force_ends_links_already_sent(
    client_for, admin_user, force_lead_a, force_b, change
):
    """A link sent for one role or force does not let anyone in with another:
    the invitation named the role and force it was sent for."""
    from accounts import services

    token = services.password_link_url(force_lead_a).rstrip("/").rsplit("/", 1)[1]
    answers = {**change, "force": force_b.pk if "force" in change else ""}
    response = client_for(admin_user).post(edit_url(force_lead_a), details(force_lead_a, **answers))
    assert response.status_code == 302
    force_lead_a.refresh_from_db()
    assert force_lead_a.role == change["role"]
    assert not password_link_tokens.check_token(force_lead_a, token)


def test_nothing_changed_says_so_and_records_nothing(client_for, admin_user, inspector):
    response = client_for(admin_user).post(edit_url(inspector), details(inspector), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert not AuditEvent.objects.filter(action="user_changed").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "reason", "Enter why you are making this change"),
        ({"email": "lead@example.org"}, "email", "already has an account"),
        ({"full_name": ""}, "full_name", "Enter their full name"),
        ({"role": "admin"}, "role", "Select their role"),
    ],
)
def test_bad_changes_are_refused_beside_the_field(
    client_for, admin_user, inspector, lead_inspector, overrides, field, message
):
    response = client_for(admin_user).post(edit_url(inspector), details(inspector, **overrides))
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: Change details" in html
    assert f'href="#id_{field}' in html and message in html
    inspector.refresh_from_db()
    assert inspector.role == User.Role.INSPECTOR and inspector.full_name != ""


def test_admins_are_changed_only_in_the_django_admin(client_for, admin_user):
    from accounts.tests.factories import UserFactory

    other_admin = UserFactory(role=User.Role.ADMIN)
    client = client_for(admin_user)
    assert client.get(edit_url(other_admin)).status_code == 403
    assert client.get(edit_url(admin_user)).status_code == 403
    detail = client.get(f"/account/users/{other_admin.pk}/").content.decode()
    assert edit_url(other_admin) not in detail


@pytest.mark.parametrize("rights", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_people_with_django_admin_rights_are_changed_only_there(client_for, admin_user, rights):
    """Found by a review: an admin could give a superuser whose role is not
    admin their own email address, send the link and reset two-factor, and
    sign in as the superuser."""
    from accounts.tests.factories import UserFactory

    superuser = UserFactory(role=User.Role.LEAD_INSPECTOR, **rights)
    client = client_for(admin_user)
    assert edit_url(superuser) not in client.get(f"/account/users/{superuser.pk}/").content.decode()
    response = client.post(edit_url(superuser), details(superuser, email="mine@example.org"))
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.email != "mine@example.org"
    assert not AuditEvent.objects.filter(action="user_changed").exists()


def test_only_admins_change_details(client_for, lead_inspector, force_lead_a, inspector):
    for person in (lead_inspector, force_lead_a):
        client = client_for(person)
        assert client.get(edit_url(inspector)).status_code == 404
        response = client.post(edit_url(inspector), details(inspector, full_name="Hacked"))
        assert response.status_code == 404
    inspector.refresh_from_db()
    assert inspector.full_name != "Hacked"


def _seen(client, person) -> str:
    """The "seen" the page carries, as drawn now ("" if it carries none)."""
    found = re.search(r'name="seen" value="([^"]*)"', client.get(edit_url(person)).text)
    return found.group(1) if found else ""


def test_a_change_from_a_page_drawn_before_another_admins_save_is_refused(
    client_for, admin_user, inspector
):
    """Found by a review: a page drawn before another admin's save silently
    put back the name, address, role or force they had just changed."""
    from accounts import services
    from accounts.tests.factories import UserFactory

    mine = client_for(admin_user)
    seen = _seen(mine, inspector)
    services.user_details_change(
        user=User.objects.get(pk=inspector.pk),
        by=UserFactory(role=User.Role.ADMIN),
        **details(inspector, full_name="Ivy Renamed", force=None, reason="Theirs"),
    )

    page = mine.post(edit_url(inspector), details(inspector, email="ivy@example.org", seen=seen))

    assert page.status_code == 200
    assert "Someone else saved changes to this person’s details after you opened" in page.text
    inspector.refresh_from_db()
    assert (inspector.full_name, inspector.email) == ("Ivy Renamed", "inspector@example.org")
    assert AuditEvent.objects.filter(action="user_changed").count() == 1
    # Told, they can save theirs over it.
    again = mine.post(
        edit_url(inspector),
        details(inspector, email="ivy@example.org", seen=page.context["form"].data["seen"]),
    )
    assert again.status_code == 302
    inspector.refresh_from_db()
    assert inspector.email == "ivy@example.org"


def test_the_same_details_from_a_stale_page_are_not_refused(admin_user, inspector):
    """A second click on Save: what it asks for is saved already."""
    from accounts import services

    seen = services.user_details_version(inspector)
    answers = details(inspector, full_name="Ivy Renamed", force=None)
    assert services.user_details_change(user=inspector, by=admin_user, **answers, seen=seen)
    assert not services.user_details_change(user=inspector, by=admin_user, **answers, seen=seen)
    assert AuditEvent.objects.filter(action="user_changed").count() == 1
