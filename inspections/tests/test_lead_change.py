"""Who leads an inspection: found by an exploratory review, a lead inspector
made force lead of the force they were inspecting could still start its
fieldwork, publish its report and accept its action plans, and an inspection
whose lead left after fieldwork could not be given another."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import UserFactory
from core.models import AuditEvent
from inspections import services
from inspections.models import Inspection, Judgment
from tests.races import first_click_lands_first

Stage = Inspection.Stage


@pytest.fixture
def second_lead(db):
    return UserFactory(
        email="second.lead@example.org", full_name="Sam Second", role=User.Role.LEAD_INSPECTOR
    )


def test_a_lead_inspector_made_force_lead_takes_no_step(
    client_for, make_inspection, lead_inspector, admin_user, force_a
):
    """However the role came to change (both the Users pages and the Django
    admin now refuse it, below), the role decides: the lead's id on the
    inspection is not enough."""
    inspection = make_inspection(Stage.FIELDWORK)
    User.objects.filter(pk=lead_inspector.pk).update(role=User.Role.FORCE_LEAD, force=force_a)
    lead_inspector.refresh_from_db()

    with pytest.raises(PermissionDenied):
        services.inspection_start_moderation(inspection=inspection, by=lead_inspector)
    client = client_for(lead_inspector)
    url = reverse("inspections:transition", args=[inspection.pk, "start-moderation"])
    assert client.post(url).status_code == 404  # a force lead is not shown the step
    judgment = inspection.judgments.first()
    url = reverse("inspections:judgment_moderate", args=[inspection.pk, judgment.topic])
    assert client.post(url, {"agree": "1"}).status_code == 404  # a force lead sees no judgment
    inspection.refresh_from_db()
    assert inspection.stage == Stage.FIELDWORK
    assert not Judgment.objects.filter(status=Judgment.Status.FINAL).exists()


def test_the_users_pages_keep_a_lead_of_an_open_inspection_among_the_inspectors(
    client_for, make_inspection, lead_inspector, admin_user, force_a, force_b
):
    make_inspection(Stage.MODERATION)
    url = reverse("accounts:user_edit", args=[lead_inspector.pk])
    form = {
        "full_name": lead_inspector.full_name,
        "email": lead_inspector.email,
        "role": User.Role.FORCE_LEAD,
        "force": force_a.pk,
        "reason": "Joined the force",
    }
    response = client_for(admin_user).post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lena Lead leads 1 inspection not yet closed. Give it another lead inspector" in html
    assert 'href="#id_role' in html  # in the error summary, linked to the role
    lead_inspector.refresh_from_db()
    assert lead_inspector.role == User.Role.LEAD_INSPECTOR
    assert not AuditEvent.objects.filter(action="user_changed").exists()
    # Nor an inspector (found by a review): they would lead what the plan
    # page no longer offers them for. Other details still change.
    with pytest.raises(ValidationError):
        account_services.user_details_change(
            user=lead_inspector,
            by=admin_user,
            full_name=lead_inspector.full_name,
            email=lead_inspector.email,
            role=User.Role.INSPECTOR,
            force=None,
            reason="Stepping back",
        )
    assert account_services.user_details_change(
        user=lead_inspector,
        by=admin_user,
        full_name="Lena Lead-Smith",
        email=lead_inspector.email,
        role=User.Role.LEAD_INSPECTOR,
        force=None,
        reason="Married",
    )


def test_the_django_admin_keeps_a_lead_of_an_open_inspection_a_lead_inspector(
    client_for, make_inspection, lead_inspector, admin_user, force_a
):
    """Found by a review: the Django admin went around the Users pages' refusal."""
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    make_inspection(Stage.MODERATION)
    url = reverse("admin:accounts_user_change", args=[lead_inspector.pk])
    form = {
        "email": lead_inspector.email,
        "full_name": lead_inspector.full_name,
        "role": User.Role.FORCE_LEAD,
        "force": force_a.pk,
        "is_active": "on",
    }
    response = client_for(admin_user).post(url, form)
    assert response.status_code == 200
    assert "Lena Lead leads 1 inspection not yet closed" in response.text
    lead_inspector.refresh_from_db()
    assert lead_inspector.role == User.Role.LEAD_INSPECTOR
    with pytest.raises(ValidationError):  # and the service itself, behind the form
        lead_inspector.role = User.Role.INSPECTOR
        account_services.user_save_in_django_admin(user=lead_inspector, by=admin_user)


def test_a_lead_of_closed_inspections_only_may_become_a_force_lead(
    make_inspection, lead_inspector, admin_user, force_a
):
    make_inspection(Stage.CLOSED)
    assert account_services.user_details_change(
        user=lead_inspector,
        by=admin_user,
        full_name=lead_inspector.full_name,
        email=lead_inspector.email,
        role=User.Role.FORCE_LEAD,
        force=force_a,
        reason="Joined the force",
    )


def test_an_admin_gives_an_inspection_past_fieldwork_another_lead(
    client_for, make_inspection, lead_inspector, second_lead, admin_user
):
    inspection = make_inspection(Stage.MODERATION)
    inspection.team.add(second_lead)
    client = client_for(admin_user)
    deactivate = client.get(reverse("accounts:user_deactivate", args=[lead_inspector.pk]))
    assert "Lena Lead leads 1 inspection not yet closed" in deactivate.text
    assert f'href="{inspection.get_absolute_url()}"' in deactivate.text
    account_services.user_deactivate(user=lead_inspector, by=admin_user, reason="Left")
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert "Deactivated" in page and "Change the lead inspector" in page
    url = reverse("inspections:lead", args=[inspection.pk])
    form = client.get(url).content.decode()
    assert "Lena Lead leads this inspection, but their account is deactivated" in form
    assert "Sam Second" in form

    refused = client.post(url, {"lead_inspector": "", "reason": ""}).content.decode()
    assert "Select the new lead inspector" in refused and "Enter why the lead" in refused
    assert 'class="govuk-error-summary"' in refused

    response = client.post(url, {"lead_inspector": second_lead.pk, "reason": "Lena has left"})
    assert response.status_code == 302 and response.url == inspection.get_absolute_url()
    inspection.refresh_from_db()
    assert inspection.lead_inspector == second_lead
    assert second_lead not in inspection.team.all()
    event = AuditEvent.objects.get(action="inspection.lead_changed")
    assert event.actor == admin_user and event.comment == "Lena has left"
    assert event.changes == {
        "lead_inspector": ["Lena Lead (lead@example.org)", "Sam Second (second.lead@example.org)"],
        "team": [  # the new lead left the team
            "Ian Inspector (inspector@example.org), Sam Second (second.lead@example.org)",
            "Ian Inspector (inspector@example.org)",
        ],
    }
    # The new lead moderates; the old one cannot, even if let back in.
    judgment = inspection.judgments.first()
    services.judgment_agree(judgment=judgment, by=second_lead)
    account_services.user_reactivate(user=lead_inspector, by=admin_user, reason="Back")
    with pytest.raises(PermissionDenied):
        services.inspection_send_for_checks(
            inspection=inspection, received_on=inspection.fieldwork_end, by=lead_inspector
        )


def test_changing_the_lead_is_refused_where_the_plan_or_nothing_decides(
    client_for, make_inspection, lead_inspector, second_lead, inspector, admin_user, force_b
):
    planned = make_inspection(Stage.FIELDWORK)
    closed = make_inspection(Stage.CLOSED, force=force_b, start=date(2024, 6, 3))
    client = client_for(admin_user)
    for inspection in (planned, closed):
        url = reverse("inspections:lead", args=[inspection.pk])
        assert client.get(url).status_code == 404
        assert (
            "Change the lead inspector"
            not in client.get(inspection.get_absolute_url()).content.decode()
        )
        with pytest.raises(ValidationError):
            services.inspection_change_lead(
                inspection=inspection, lead_inspector=second_lead, reason="x", by=admin_user
            )
    moderation = make_inspection(Stage.MODERATION, force=force_b, start=date(2025, 6, 2))
    for who in (inspector, lead_inspector):  # only admins
        with pytest.raises(PermissionDenied):
            services.inspection_change_lead(
                inspection=moderation, lead_inspector=second_lead, reason="x", by=who
            )
    url = reverse("inspections:lead", args=[moderation.pk])
    response = client.post(url, {"lead_inspector": inspector.pk, "reason": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" not in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    # The lead already (a second click, the back button): said calmly, nothing changed.
    response = client.post(url, {"lead_inspector": lead_inspector.pk, "reason": "x"}, follow=True)
    assert response.redirect_chain[-1][0] == moderation.get_absolute_url()
    assert "Lena Lead leads this inspection" in response.content.decode()
    with pytest.raises(ValidationError, match="already leads"):
        services.inspection_change_lead(
            inspection=moderation, lead_inspector=lead_inspector, reason="x", by=admin_user
        )
    moderation.refresh_from_db()
    assert moderation.lead_inspector == lead_inspector


def test_a_lead_made_force_lead_books_and_records_no_visit(
    make_inspection, lead_inspector, admin_user, force_a
):
    """Found by a review of the fix above: the visit pages asked only for the
    lead's id, so a former lead, now their force's lead, could record the
    outcome of a visit to their own force."""
    from actionplans.services import can_record_visit, can_schedule_visit

    published = make_inspection(Stage.PUBLISHED)
    assert can_schedule_visit(lead_inspector, published)
    User.objects.filter(pk=lead_inspector.pk).update(role=User.Role.FORCE_LEAD, force=force_a)
    lead_inspector.refresh_from_db()
    assert not can_record_visit(lead_inspector, published)
    assert not can_schedule_visit(lead_inspector, published)


def test_with_no_other_lead_inspector_the_page_says_how_to_add_one(
    client_for, make_inspection, admin_user
):
    inspection = make_inspection(Stage.MODERATION)
    page = client_for(admin_user).get(reverse("inspections:lead", args=[inspection.pk])).text
    assert "There is no other active lead inspector to choose" in page
    assert reverse("accounts:user_add") in page and "Change lead inspector</button>" not in page


def test_an_inspector_on_a_team_is_not_made_a_force_lead_until_taken_off_it(
    client_for, make_inspection, inspector, admin_user, force_b
):
    """Found by the admin review: made a force lead, they stayed on the team of
    another force's inspection, its case files assigned to them and its
    notices addressed to them."""
    make_inspection(Stage.FIELDWORK)
    url = reverse("accounts:user_edit", args=[inspector.pk])
    form = {
        "full_name": inspector.full_name,
        "email": inspector.email,
        "role": User.Role.FORCE_LEAD,
        "force": force_b.pk,
        "reason": "Joined Cleveland Police",
    }
    response = client_for(admin_user).post(url, form)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert (
        "Ian Inspector is on the team of 1 inspection not yet closed. Take them off it on "
        "the inspection's plan page before making them a force lead"
    ) in html
    assert 'href="#id_role' in html  # in the error summary, linked to the role
    inspector.refresh_from_db()
    assert inspector.role == User.Role.INSPECTOR
    assert inspector.force is None


def test_an_inspector_on_closed_inspections_only_may_become_a_force_lead(
    make_inspection, inspector, admin_user, force_b
):
    make_inspection(Stage.CLOSED)
    assert account_services.user_details_change(
        user=inspector,
        by=admin_user,
        full_name=inspector.full_name,
        email=inspector.email,
        role=User.Role.FORCE_LEAD,
        force=force_b,
        reason="Joined Cleveland Police",
    )


def test_two_admins_changing_the_lead_do_not_silently_overwrite(
    client_for, make_inspection, second_lead, admin_user, monkeypatch
):
    """Found by the concurrency review: a page drawn before another admin
    gave the inspection a new lead replaced that lead with its own choice,
    without a word; and a second click on Save (or the back button) was told
    'Sam Second already leads this inspection' as an error."""
    import re

    inspection = make_inspection(Stage.MODERATION)
    third_lead = UserFactory(full_name="Tom Third", role=User.Role.LEAD_INSPECTOR)
    client = client_for(admin_user)
    url = reverse("inspections:lead", args=[inspection.pk])
    seen = re.search(r'name="seen" value="([^"]+)"', client.get(url).text).group(1)
    services.inspection_change_lead(  # the other admin
        inspection=Inspection.objects.get(pk=inspection.pk),
        lead_inspector=second_lead,
        reason="Lena is ill",
        by=admin_user,
    )
    mine = {"lead_inspector": third_lead.pk, "reason": "Lena has left", "seen": seen}
    refused = client.post(url, mine)
    assert refused.status_code == 200
    assert "Someone else changed the lead inspector after you opened this page" in refused.text
    assert "Sam Second leads this inspection" in refused.text
    inspection.refresh_from_db()
    assert inspection.lead_inspector == second_lead
    assert AuditEvent.objects.filter(action="inspection.lead_changed").count() == 1

    # Saving again, having been told, replaces them; the same sent again says so calmly.
    again = re.search(r'name="seen" value="([^"]+)"', refused.text).group(1)
    assert client.post(url, {**mine, "seen": again}).status_code == 302
    twice = client.post(url, {**mine, "seen": again}, follow=True)
    assert twice.redirect_chain[-1][0] == inspection.get_absolute_url()
    assert "Tom Third leads this inspection" in twice.text
    assert "There is a problem" not in twice.text
    inspection.refresh_from_db()
    assert inspection.lead_inspector == third_lead

    # A second click that waited for the first: refused by the service, said calmly.
    first_click_lands_first(monkeypatch, services, "inspection_change_lead")
    back = {"lead_inspector": second_lead.pk, "reason": "Sam is back", "seen": str(third_lead.pk)}
    response = client.post(url, back, follow=True)
    assert response.redirect_chain[-1][0] == inspection.get_absolute_url()
    assert "Sam Second leads this inspection" in response.text
    assert "There is a problem" not in response.text
    assert AuditEvent.objects.filter(action="inspection.lead_changed").count() == 3
