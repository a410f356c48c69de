"""Who made a change, as the audit trail and an inspection's history name
them: told apart from a namesake, as the changes themselves name people
(core.audit.person). Found by the audit completeness review; each test
failed before its fix."""

from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from inspections.tests.factories import add_concern, schedule


def test_the_audit_trail_and_history_tell_apart_two_people_of_one_name(
    client_for, admin_user, force_a, lead_inspector, inspector
):
    """Two Ian Inspectors on one team: the trail said "Ian Inspector" made
    the change, and nobody could tell which one it was."""
    namesake = UserFactory(
        email="ian.inspector2@example.org", full_name="Ian Inspector", role=User.Role.INSPECTOR
    )
    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector, namesake])
    add_concern(inspection, by=namesake, recommendation=False)

    # The namesake's own records only: the scheduling, which names the team, is not among them.
    search = {"user": namesake.email}
    trail = client_for(admin_user).get(reverse("core:audit"), search)
    assert [e.action for e in trail.context["page_obj"].object_list] == ["finding.created"]
    assert "Ian Inspector (ian.inspector2@example.org)" in trail.text
    history = client_for(lead_inspector).get(reverse("inspections:history", args=[inspection.pk]))
    assert "by Ian Inspector (ian.inspector2@example.org)" in history.text
    # And an account's history: who changed the account.
    from accounts import services as account_services

    account_services.user_deactivate(user=inspector, by=namesake_admin(), reason="Left")
    account = client_for(admin_user).get(reverse("accounts:user_detail", args=[inspector.pk]))
    assert "Ada Admin (ada.admin2@example.org)" in account.text


def namesake_admin():
    """A second Ada Admin."""
    return UserFactory(email="ada.admin2@example.org", full_name="Ada Admin", role=User.Role.ADMIN)
