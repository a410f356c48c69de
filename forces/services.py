"""Changes to a force's own record.

The 43 forces are loaded by a migration; a superuser corrects one in the
Django admin (a force renamed, or its region), which is the only place a
force changes. Its name and country are in every report of it (the country
names the guidance the report cites), so each change is in the audit trail,
as every change people make is.
"""

from django.db import transaction

from core import audit

from .models import Force

FORCE_FIELDS = ["name", "short_name", "slug", "country", "region"]


@transaction.atomic
def force_save_in_django_admin(*, force: Force, by) -> Force:
    """Save a force added or changed in the Django admin, recording what
    changed, from and to."""
    before = {}
    if not force._state.adding:
        stored = Force.objects.select_for_update().filter(pk=force.pk).first()
        before = audit.snapshot(stored, FORCE_FIELDS) if stored else {}
    force.save()
    changes = audit.diff(before, audit.snapshot(force, FORCE_FIELDS))
    if changes:
        action = "force.changed" if before else "force.created"
        # Not force=: that would hold the force, and a force added by mistake
        # could never be deleted (found by a code review). The audit trail's
        # search by force finds these rows by their object.
        audit.record(by=by, action=action, obj=force, changes=changes)
    return force


@transaction.atomic
def force_delete_in_django_admin(*, force: Force, by) -> None:
    """Delete a force in the Django admin (one added by mistake), keeping in
    the audit trail who deleted it, when, and what it was. A force with
    inspections, people or audit rows of its own is protected from deletion."""
    stored = Force.objects.get(pk=force.pk)
    audit.record(
        by=by,
        action="force.deleted",
        obj=stored,
        changes=audit.diff(audit.snapshot(stored, FORCE_FIELDS), dict.fromkeys(FORCE_FIELDS)),
    )
    stored.delete()
