"""Cancelling a planned inspection: found by the admin's journey review, an
inspection scheduled by mistake, or called off, could not be withdrawn, and
it kept its force from being scheduled again ("already has an open
inspection") and its team booked for the dates."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from actionplans.models import Notice
from core.models import AuditEvent
from inspections import services
from inspections.models import Inspection
from inspections.tests.factories import schedule

Stage = Inspection.Stage
REASON = "Scheduled by mistake: the force asked to move it to the spring"


@pytest.fixture
def upcoming(force_a, lead_inspector, inspector, admin_user):
    """Force A's planned inspection, fieldwork in two weeks."""
    start = timezone.localdate() + timedelta(days=14)
    return schedule(
        force=force_a, lead=lead_inspector, team=[inspector], start=start, by=admin_user
    )


def _cancel(inspection, by, **kwargs):
    return services.inspection_cancel(inspection=inspection, reason=REASON, by=by, **kwargs)


def _schedule_again(inspection, *, lead, team, by):
    return schedule(
        force=inspection.force, lead=lead, team=team, start=inspection.fieldwork_start, by=by
    )


# The service ------------------------------------------------------------------


def test_cancelling_records_when_why_and_who_and_ends_the_inspection(
    upcoming, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(upcoming, admin_user)
    upcoming.refresh_from_db()
    assert upcoming.stage == Stage.CANCELLED and upcoming.is_cancelled and upcoming.has_ended
    assert upcoming.cancelled_at is not None and upcoming.cancellation_reason == REASON
    event = AuditEvent.objects.get(action="inspection.cancelled")
    assert event.actor == admin_user and event.inspection_id == upcoming.pk
    assert event.changes == {"stage": ["Planned", "Cancelled"]}
    assert event.comment == REASON


def test_a_second_cancel_is_refused_and_changes_nothing(
    upcoming, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(upcoming, admin_user)
    cancelled_at = Inspection.objects.get(pk=upcoming.pk).cancelled_at
    notices = Notice.objects.count()
    with pytest.raises(ValidationError, match="already been cancelled"):
        services.inspection_cancel(inspection=upcoming, reason="Again", by=admin_user)
    upcoming.refresh_from_db()
    assert upcoming.cancelled_at == cancelled_at and upcoming.cancellation_reason == REASON
    assert AuditEvent.objects.filter(action="inspection.cancelled").count() == 1
    assert Notice.objects.count() == notices


def test_only_a_planned_inspection_can_be_cancelled(in_fieldwork, admin_user):
    with pytest.raises(ValidationError, match="Only a planned inspection can be cancelled"):
        _cancel(in_fieldwork, admin_user)
    assert Inspection.objects.get(pk=in_fieldwork.pk).stage == Stage.FIELDWORK
    assert not AuditEvent.objects.filter(action="inspection.cancelled").exists()


def test_only_an_admin_cancels(upcoming, lead_inspector, inspector, force_lead_a):
    for person in (lead_inspector, inspector, force_lead_a):
        with pytest.raises(PermissionDenied):
            _cancel(upcoming, person)
    assert Inspection.objects.get(pk=upcoming.pk).stage == Stage.PLANNED


def test_a_reason_is_required(upcoming, admin_user):
    with pytest.raises(ValidationError, match="Enter why the inspection is being cancelled"):
        services.inspection_cancel(inspection=upcoming, reason="  ", by=admin_user)
    assert Inspection.objects.get(pk=upcoming.pk).stage == Stage.PLANNED


def test_a_page_that_showed_another_plan_is_refused(upcoming, admin_user, inspector):
    seen = services.cancel_version(upcoming)
    services.inspection_update_plan(
        inspection=upcoming,
        kind=upcoming.kind,
        fieldwork_start=upcoming.fieldwork_start + timedelta(days=7),
        fieldwork_end=upcoming.fieldwork_end + timedelta(days=7),
        lead_inspector=upcoming.lead_inspector,
        team=[inspector],
        by=admin_user,
    )
    with pytest.raises(ValidationError, match="has changed since you opened this page"):
        _cancel(upcoming, admin_user, seen=seen)
    assert Inspection.objects.get(pk=upcoming.pk).stage == Stage.PLANNED
    _cancel(upcoming, admin_user, seen=services.cancel_version(upcoming))


# The pages --------------------------------------------------------------------


def test_an_admin_cancels_a_planned_inspection_from_its_page(
    client_for, upcoming, admin_user, force_lead_a, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    url = reverse("inspections:cancel", args=[upcoming.pk])
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert url in page and "Cancel this inspection" in page

    form = client.get(url).content.decode()
    assert "<title>Cancel this inspection – " in form
    assert "Why is this inspection being cancelled?" in form
    assert "govuk-warning-text" in form and "You cannot undo this" in form
    assert "govuk-button--warning" in form and "Cancel inspection" in form
    assert f'href="{upcoming.get_absolute_url()}" class="govuk-back-link"' in form

    html = client.post(url, {"reason": " ", "seen": services.cancel_version(upcoming)})
    html = html.content.decode()
    assert "govuk-error-summary" in html and "<title>Error: Cancel this inspection" in html
    assert "Enter why the inspection is being cancelled" in html
    assert Inspection.objects.get(pk=upcoming.pk).stage == Stage.PLANNED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"reason": REASON, "seen": services.cancel_version(upcoming)}, follow=True
        )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == upcoming.get_absolute_url()
    assert "Inspection cancelled. The force’s leads, the lead inspector and the team" in html
    assert "govuk-tag--red" in html and "Cancelled" in html and REASON in html
    assert url not in html  # no second cancel offered
    assert "Start fieldwork" not in html


def test_a_double_submit_or_a_stale_page_is_harmless(
    client_for, upcoming, admin_user, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    url = reverse("inspections:cancel", args=[upcoming.pk])
    answers = {"reason": REASON, "seen": services.cancel_version(upcoming)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, answers)
    response = client.post(url, answers, follow=True)
    assert response.redirect_chain[-1][0] == upcoming.get_absolute_url()
    assert "This inspection has already been cancelled" in response.content.decode()
    assert AuditEvent.objects.filter(action="inspection.cancelled").count() == 1
    assert client.get(url).status_code == 302


def test_after_fieldwork_starts_the_page_says_it_cannot_be_cancelled(
    client_for, in_fieldwork, admin_user
):
    client = client_for(admin_user)
    page = client.get(in_fieldwork.get_absolute_url()).content.decode()
    assert "Cancel this inspection" not in page
    url = reverse("inspections:cancel", args=[in_fieldwork.pk])
    response = client.post(url, {"reason": REASON}, follow=True)
    assert "Only a planned inspection can be cancelled" in response.content.decode()
    assert Inspection.objects.get(pk=in_fieldwork.pk).stage == Stage.FIELDWORK


def test_only_an_admin_may_open_the_page(
    client_for, upcoming, lead_inspector, inspector, other_inspector, force_lead_a, force_lead_b
):
    url = reverse("inspections:cancel", args=[upcoming.pk])
    # The team may see the inspection: 403. Others, and force leads (as on the
    # plan page, not shown the programme's own pages): 404.
    expected = {lead_inspector: 403, inspector: 403, other_inspector: 404}
    expected |= {force_lead_a: 404, force_lead_b: 404}
    for person, status in expected.items():
        client = client_for(person)
        assert client.get(url).status_code == status, person
        assert client.post(url, {"reason": REASON}).status_code == status, person
    assert Inspection.objects.get(pk=upcoming.pk).stage == Stage.PLANNED


# No longer open anywhere ------------------------------------------------------


def test_cancelling_lifts_the_block_on_scheduling_the_force_and_its_team(
    upcoming, admin_user, lead_inspector, inspector
):
    with pytest.raises(ValidationError) as refused:
        _schedule_again(upcoming, lead=lead_inspector, team=[inspector], by=admin_user)
    assert "already has an open inspection" in str(refused.value)
    _cancel(upcoming, admin_user)
    again = _schedule_again(upcoming, lead=lead_inspector, team=[inspector], by=admin_user)
    assert again.stage == Stage.PLANNED


def test_a_cancelled_inspection_books_no_one_on_another_force(
    upcoming, admin_user, lead_inspector, inspector, force_b
):
    """The booking clash check alone: force B's inspection on the same dates."""

    def book():
        return schedule(
            force=force_b,
            lead=lead_inspector,
            team=[inspector],
            start=upcoming.fieldwork_start,
            by=admin_user,
        )

    with pytest.raises(ValidationError, match="already booked"):
        book()
    _cancel(upcoming, admin_user)
    assert book().force == force_b


def test_a_cancelled_inspection_is_not_next_or_current_anywhere(
    upcoming, admin_user, lead_inspector, inspector, force_lead_a
):
    from accounts.services import inspections_led_not_closed
    from actionplans.services import due_items_for_force
    from core.views import _home_context
    from dashboard import national
    from inspections.programme import programme

    today = timezone.localdate()
    force = upcoming.force

    def next_planned():
        row = next(r for r in programme(today=today) if r.force.pk == force.pk)
        return row.next_planned

    def coming():
        visits, _ = national.coming_visits(today=today, forces={force.pk: force})
        return [v for v in visits if v.force.pk == force.pk]

    def homes():
        return [list(_home_context(p)["inspections"]) for p in (lead_inspector, inspector)]

    assert next_planned().pk == upcoming.pk and coming() and all(homes())
    assert list(inspections_led_not_closed(lead_inspector)) == [upcoming]
    assert list(Inspection.objects.current()) == [upcoming]
    _cancel(upcoming, admin_user)
    assert next_planned() is None
    assert coming() == []
    assert homes() == [[], []]
    assert list(_home_context(force_lead_a)["inspections"]) == []
    assert list(inspections_led_not_closed(lead_inspector)) == []
    assert due_items_for_force(force) == []
    assert not Inspection.objects.open().exists() and not Inspection.objects.current().exists()


def test_a_cancelled_inspection_has_no_deadlines_notices_or_exported_grades(upcoming, admin_user):
    from actionplans.calendar import calendar_events
    from actionplans.notices import notices_sweep
    from dashboard import exports

    _cancel(upcoming, admin_user)
    swept = Notice.objects.count()
    for days in (0, 30, 400):
        notices_sweep(today=timezone.localdate() + timedelta(days=days))
    assert Notice.objects.count() == swept
    assert calendar_events(admin_user) == []
    for export in (exports.grades, exports.findings):
        _, rows = export()
        assert list(rows) == []


# Who is told ------------------------------------------------------------------


def test_the_force_leads_the_lead_inspector_and_the_team_are_told_without_the_reason(
    client_for,
    upcoming,
    admin_user,
    lead_inspector,
    inspector,
    force_lead_a,
    force_lead_b,
    django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(upcoming, admin_user)
    told = Notice.objects.filter(kind=Notice.Kind.INSPECTION_CANCELLED, inspection=upcoming)
    people = {force_lead_a.pk, lead_inspector.pk, inspector.pk}
    assert set(told.values_list("recipient", flat=True)) == people
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [force_lead_a.email, lead_inspector.email, inspector.email]
    )
    for message in mail.outbox:
        assert "Inspection cancelled" in message.subject
        assert "spring" not in message.body and "mistake" not in message.body
        assert "The reason is on the inspection's page." in message.body
        assert message.body.endswith(f"{settings.SERVICE_URL}{upcoming.get_absolute_url()}")

    # The force lead sees it cancelled, with the reason, on its own page and
    # the force's; its dates are no longer upcoming on their home page.
    client = client_for(force_lead_a)
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert "This inspection was cancelled" in page and REASON in page
    assert "will not take place" in page and "govuk-tag--red" in page
    force_page = client.get(reverse("forces:detail", args=[upcoming.force.slug])).content
    assert "Cancelled on" in force_page.decode() and REASON in force_page.decode()
    # Force B's lead is told nothing of it.
    assert not Notice.objects.filter(recipient=force_lead_b).exists()


def test_the_force_page_keeps_a_cancelled_inspection_in_its_history(
    client_for, upcoming, admin_user, other_inspector
):
    _cancel(upcoming, admin_user)
    url = reverse("forces:detail", args=[upcoming.force.slug])
    html = client_for(admin_user).get(url).content.decode()
    assert "govuk-tag--red" in html and "Cancelled on" in html and REASON in html
    assert "Grades are shown" not in html
    # An inspector not on the team sees that it was cancelled, not why.
    html = client_for(other_inspector).get(url).content.decode()
    assert "Cancelled on" in html and REASON not in html


def test_a_cancelled_inspections_report_page_says_there_is_no_report_to_the_team(
    client_for, upcoming, admin_user, inspector, lead_inspector
):
    """Found by the outputs review: the team and the admins were shown a draft
    report ("Draft not yet sent to the force ... not final until the report is
    published") with five topics not graded, for a report there will never be;
    the force lead was told there is no report."""
    _cancel(upcoming, admin_user)
    url = reverse("inspections:report", args=[upcoming.pk])
    for person in (inspector, lead_inspector, admin_user):
        page = client_for(person).get(url)
        assert page.status_code == 200
        assert "There is no report: the inspection was cancelled." in page.text
        assert "not final until the report is published" not in page.text
        assert "Graded judgments" not in page.text


def test_the_confirmation_names_only_those_who_were_told(
    client_for, force_a, lead_inspector, admin_user, django_capture_on_commit_callbacks
):
    """Found by the admin's work review: cancelling an inspection of a force
    with no force lead in the service, and with no team, said "The force's
    leads, the lead inspector and the team have been told", where only the
    lead inspector was. The admin may mean to tell the force themselves."""
    start = timezone.localdate() + timedelta(days=14)
    alone = schedule(force=force_a, lead=lead_inspector, team=[], start=start, by=admin_user)
    url = reverse("inspections:cancel", args=[alone.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            url, {"reason": REASON, "seen": services.cancel_version(alone)}, follow=True
        )
    html = response.content.decode()
    assert Inspection.objects.get(pk=alone.pk).stage == Stage.CANCELLED
    assert "Inspection cancelled. The lead inspector has been told" in html
    assert "force’s leads" not in html and "the team have been told" not in html
    assert "Greater Manchester has no force lead in the service to tell" in html


def test_a_page_that_showed_another_team_or_kind_is_refused(
    upcoming, admin_user, inspector, other_inspector, force_a
):
    """The cancellation page lists the team and the kind, and says the team
    will be told and freed: a team changed meanwhile by another admin (or the
    inspection made a re-inspection) was cancelled unseen, as only the dates
    and the lead made the page stale (found by the admin's work review)."""
    seen = services.cancel_version(upcoming)
    services.inspection_update_plan(
        inspection=upcoming,
        kind=upcoming.kind,
        fieldwork_start=upcoming.fieldwork_start,
        fieldwork_end=upcoming.fieldwork_end,
        lead_inspector=upcoming.lead_inspector,
        team=[inspector, other_inspector],
        by=admin_user,
    )
    with pytest.raises(ValidationError, match="has changed since you opened this page"):
        _cancel(upcoming, admin_user, seen=seen)
    assert Inspection.objects.get(pk=upcoming.pk).stage == Stage.PLANNED
    _cancel(upcoming, admin_user, seen=services.cancel_version(upcoming))


@pytest.mark.parametrize("ended", ["cancelled", "published"])
def test_a_plan_page_kept_open_offers_no_change_once_cancelled_or_past_fieldwork(
    client_for, admin_user, lead_inspector, inspector, make_inspection, ended
):
    """Found by the admin's journey review: the plan page, opened before the
    inspection was cancelled (or kept as a bookmark past its fieldwork),
    still drew the plan form; moving fieldwork to a day gone by then drew
    'Check the plan before you save it', whose Save inspection could only be
    refused. The inspection's page says why the plan cannot change."""
    inspection = make_inspection(Stage.PLANNED if ended == "cancelled" else Stage.PUBLISHED)
    url = reverse("inspections:edit", args=[inspection.pk])
    client = client_for(admin_user)
    seen = services.plan_version(inspection)
    if ended == "cancelled":
        _cancel(inspection, admin_user, seen=seen)
    why = {
        "cancelled": "The inspection is cancelled, so its plan cannot change",
        "published": "The plan cannot change once fieldwork has finished",
    }[ended]

    response = client.get(url, follow=True)
    assert response.redirect_chain, "the plan form was drawn"
    assert response.redirect_chain[-1][0] == inspection.get_absolute_url()
    assert why in response.text and "Change the inspection plan" not in response.text

    start = timezone.localdate() - timedelta(days=3)
    answers = {
        "kind": "inspection",
        **{f"fieldwork_start_{n}": v for n, v in enumerate((start.day, start.month, start.year))},
        **{f"fieldwork_end_{n}": v for n, v in enumerate((start.day, start.month, start.year))},
        "lead_inspector": lead_inspector.pk,
        "team": [inspector.pk],
        "seen": seen,
    }
    for sent in (answers, {**answers, "confirm": "1"}):
        response = client.post(url, sent, follow=True)
        assert response.redirect_chain, "the plan form, or its check page, was drawn"
        assert response.redirect_chain[-1][0] == inspection.get_absolute_url()
        assert "Check the plan before you save it" not in response.text
        assert why in response.text
    assert Inspection.objects.get(pk=inspection.pk).fieldwork_start != start
    assert not AuditEvent.objects.filter(action="inspection.plan_changed").exists()
