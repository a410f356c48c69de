"""The Django admin, the one place a force's record changes: each change is
in the audit trail, who, when, and what from and to."""

from django.urls import reverse

from core.models import AuditEvent
from forces.models import Force


def force_form(force: Force, **changes) -> dict:
    data = {field: getattr(force, field) for field in ["name", "short_name", "slug"]}
    data |= {"country": force.country, "region": force.region}
    return data | changes


def test_a_change_to_a_force_in_the_django_admin_is_in_the_audit_trail(client_for, staff):
    """A force's name and country are in every report of it (the country names
    the guidance the report cites): they changed with no trace."""
    gwent = Force.objects.get(slug="gwent")
    url = reverse("admin:forces_force_change", args=[gwent.pk])
    response = client_for(staff).post(url, force_form(gwent, country="england"))
    assert response.status_code == 302
    gwent.refresh_from_db()
    assert gwent.country == Force.Country.ENGLAND
    event = AuditEvent.objects.for_object(gwent).get()
    assert (event.action, event.actor) == ("force.changed", staff)
    assert event.changes == {"country": ["Wales", "England"]}
    trail = client_for(staff).get(reverse("core:audit"), {"force": gwent.pk}).content.decode()
    assert "Gwent Police" in trail and "England" in trail


def test_a_force_saved_unchanged_records_nothing(client_for, staff):
    gwent = Force.objects.get(slug="gwent")
    url = reverse("admin:forces_force_change", args=[gwent.pk])
    assert client_for(staff).post(url, force_form(gwent)).status_code == 302
    assert not AuditEvent.objects.for_object(gwent).exists()


def test_a_force_added_and_one_deleted_in_the_django_admin_are_in_the_audit_trail(
    client_for, staff
):
    gwent = Force.objects.get(slug="gwent")
    client = client_for(staff)
    response = client.post(reverse("admin:forces_force_delete", args=[gwent.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Force.objects.filter(slug="gwent").exists()
    deleted = AuditEvent.objects.get(action="force.deleted")
    assert deleted.actor == staff and deleted.object_repr == "Gwent Police"
    assert deleted.changes["name"] == ["Gwent Police", None]
    new = {"name": "Gwent Police", "short_name": "Gwent", "slug": "gwent"}
    response = client.post(
        reverse("admin:forces_force_add"), new | {"country": "wales", "region": "wales"}
    )
    assert response.status_code == 302
    created = AuditEvent.objects.get(action="force.created")
    assert created.actor == staff
    assert created.changes["country"] == [None, "Wales"]


def test_a_force_added_by_mistake_can_be_deleted(client_for, staff):
    """Found by a code review: its own 'added' row held it, so it never could."""
    client = client_for(staff)
    new = {"name": "Mistake Police", "short_name": "Mistake", "slug": "mistake"}
    client.post(reverse("admin:forces_force_add"), new | {"country": "wales", "region": "wales"})
    mistake = Force.objects.get(slug="mistake")
    client.post(
        reverse("admin:forces_force_change", args=[mistake.pk]),
        force_form(mistake, short_name="Oops"),
    )
    response = client.post(reverse("admin:forces_force_delete", args=[mistake.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Force.objects.filter(slug="mistake").exists()
    assert [e.action for e in AuditEvent.objects.for_object(mistake).order_by("id")] == [
        "force.created",
        "force.changed",
        "force.deleted",
    ]
