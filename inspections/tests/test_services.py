"""Every lifecycle guard, the grading rules and the audit history."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from inspections import services
from inspections.models import Finding, Grade, Inspection, Judgment, Topic
from inspections.reports import FINDING_SECTIONS
from inspections.tests.factories import add_concern, change_team, grade_all, inspection_at, schedule

Stage = Inspection.Stage


# Scheduling ---------------------------------------------------------------


def test_schedule_creates_the_five_judgments_in_order(planned):
    topics = list(planned.judgments.values_list("topic", flat=True))
    assert topics == Topic.values
    assert planned.stage == Stage.PLANNED
    event = AuditEvent.objects.for_object(planned).get()
    assert event.action == "inspection.scheduled"
    assert event.actor.email == "admin@example.org"


@pytest.mark.parametrize(
    "kind", [Inspection.Kind.ACCELERATED, Inspection.Kind.POST_INSPECTION_REVIEW]
)
def test_only_an_inspection_or_a_re_inspection_is_scheduled(force_b, lead_inspector, kind):
    # An accelerated cause of concern is a finding, and a post-inspection
    # visit is booked on the inspection it follows: neither is an inspection
    # with five graded judgments and action plans.
    with pytest.raises(ValidationError) as error:
        schedule(force=force_b, lead=lead_inspector, kind=kind, start=date(2026, 6, 1))
    assert error.value.message_dict["kind"] == ["Select inspection or re-inspection"]
    assert not Inspection.objects.filter(force=force_b).exists()
    # A re-inspection follows a published inspection (found by a review: a
    # force never inspected could be given one).
    with pytest.raises(ValidationError) as error:
        schedule(force=force_b, lead=lead_inspector, kind=Inspection.Kind.RE_INSPECTION)
    assert error.value.message_dict["kind"] == [
        "Cleveland has no published inspection to follow, so select inspection"
    ]
    inspection_at(Stage.PUBLISHED, force=force_b, lead=lead_inspector, start=date(2025, 1, 13))
    again = schedule(force=force_b, lead=lead_inspector, kind=Inspection.Kind.RE_INSPECTION)
    assert again.get_kind_display() == "Re-inspection"


def test_a_plan_changed_to_a_re_inspection_needs_a_published_inspection(
    planned, admin_user, lead_inspector
):
    with pytest.raises(ValidationError) as error:
        services.inspection_update_plan(
            inspection=planned,
            kind=Inspection.Kind.RE_INSPECTION,
            fieldwork_start=planned.fieldwork_start,
            fieldwork_end=planned.fieldwork_end,
            lead_inspector=lead_inspector,
            team=[],
            by=admin_user,
        )
    assert "no published inspection to follow" in error.value.message_dict["kind"][0]
    planned.refresh_from_db()
    assert planned.kind == Inspection.Kind.INSPECTION


def test_a_plan_stored_with_a_kind_no_longer_scheduled_can_still_change(
    planned, admin_user, lead_inspector
):
    Inspection.objects.filter(pk=planned.pk).update(kind=Inspection.Kind.POST_INSPECTION_REVIEW)
    planned.refresh_from_db()
    plan = {
        "fieldwork_start": planned.fieldwork_start,
        "fieldwork_end": planned.fieldwork_end + timedelta(days=1),
        "lead_inspector": lead_inspector,
        "team": list(planned.team.all()),
        "by": admin_user,
    }
    services.inspection_update_plan(inspection=planned, kind=planned.kind, **plan)
    with pytest.raises(ValidationError):
        services.inspection_update_plan(
            inspection=planned, kind=Inspection.Kind.ACCELERATED, **plan
        )


def test_a_plan_saved_as_it_is_records_nothing(planned, admin_user):
    """The history said "Plan changed" by the admin, with nothing changed
    under it, for a plan page saved as it was."""
    change_team(planned, team=list(planned.team.all()), by=admin_user)
    assert not AuditEvent.objects.filter(action="inspection.plan_changed").exists()
    change_team(planned, team=[], by=admin_user)
    event = AuditEvent.objects.get(action="inspection.plan_changed")
    assert event.changes == {"team": ["Ian Inspector (inspector@example.org)", ""]}


def test_fieldwork_under_way_cannot_be_moved_to_start_in_the_future(
    in_fieldwork, admin_user, lead_inspector
):
    """Found by the admin review: an inspection in fieldwork, its topics being
    graded, was replanned to start in three months, without a word."""
    from django.utils import timezone

    later = timezone.localdate() + timedelta(days=90)
    plan = {
        "kind": in_fieldwork.kind,
        "lead_inspector": lead_inspector,
        "team": list(in_fieldwork.team.all()),
        "by": admin_user,
    }
    with pytest.raises(ValidationError) as error:
        services.inspection_update_plan(
            inspection=in_fieldwork,
            fieldwork_start=later,
            fieldwork_end=later + timedelta(days=4),
            **plan,
        )
    assert error.value.message_dict["fieldwork_start"] == [
        "Fieldwork has started, so its start date must be today or earlier"
    ]
    in_fieldwork.refresh_from_db()
    assert in_fieldwork.fieldwork_start < later
    # Its end may move, and a start left as it was is not refused.
    services.inspection_update_plan(
        inspection=in_fieldwork,
        fieldwork_start=in_fieldwork.fieldwork_start,
        fieldwork_end=later,
        **plan,
    )


def test_fieldwork_cannot_end_before_it_starts(force_a, lead_inspector, admin_user):
    with pytest.raises(ValidationError) as error:
        services.inspection_schedule(
            force=force_a,
            kind=Inspection.Kind.INSPECTION,
            fieldwork_start=date(2026, 3, 10),
            fieldwork_end=date(2026, 3, 9),
            lead_inspector=lead_inspector,
            team=[],
            by=admin_user,
        )
    assert "fieldwork_end" in error.value.message_dict


def test_an_inspector_cannot_be_double_booked(planned, force_b, other_inspector, inspector):
    with pytest.raises(ValidationError) as error:
        schedule(force=force_b, lead=other_inspector, team=[inspector], start=date(2026, 1, 14))
    message = error.value.message_dict["team"][0]
    assert "Ian Inspector is already booked on the Greater Manchester fieldwork" in message
    assert Inspection.objects.filter(force=force_b).count() == 0


def test_fieldwork_that_does_not_overlap_is_fine(planned, force_b, other_inspector, inspector):
    schedule(force=force_b, lead=other_inspector, team=[inspector], start=date(2026, 2, 1))


def test_a_force_cannot_have_two_open_inspections(planned, force_a, other_inspector):
    with pytest.raises(ValidationError) as error:
        schedule(force=force_a, lead=other_inspector, start=date(2026, 6, 1))
    assert "already has an open inspection" in error.value.message_dict["force"][0]


def test_a_force_with_a_planned_inspection_is_told_to_change_or_cancel_it(
    planned, force_a, other_inspector
):
    # An admin cannot publish an inspection still planned: the refusal said
    # "Publish it before scheduling another".
    with pytest.raises(ValidationError) as error:
        schedule(force=force_a, lead=other_inspector, start=date(2026, 6, 1))
    assert error.value.message_dict["force"] == [
        "Greater Manchester already has an open inspection, planned with fieldwork from "
        "12 January 2026. Change its plan or cancel it instead of scheduling another"
    ]


def test_a_force_with_an_inspection_under_way_is_told_to_wait_for_publication(
    make_inspection, force_a, other_inspector
):
    make_inspection(Stage.MODERATION)
    with pytest.raises(ValidationError) as error:
        schedule(force=force_a, lead=other_inspector, start=date(2026, 6, 1))
    assert error.value.message_dict["force"] == [
        "Greater Manchester already has an open inspection, at moderation. "
        "Schedule another once its report is published"
    ]


def test_a_published_inspection_does_not_block_the_next(make_inspection, force_a, other_inspector):
    make_inspection(Stage.PUBLISHED)
    schedule(force=force_a, lead=other_inspector, start=date(2026, 9, 1))


def test_only_admins_change_the_plan(planned, lead_inspector, inspector):
    with pytest.raises(PermissionDenied):
        change_team(planned, team=[inspector], by=lead_inspector)


def test_plan_change_is_audited_with_from_and_to(planned, admin_user, lead_inspector, inspector):
    services.inspection_update_plan(
        inspection=planned,
        kind=planned.kind,
        fieldwork_start=date(2026, 1, 19),
        fieldwork_end=date(2026, 1, 23),
        lead_inspector=lead_inspector,
        team=[],
        by=admin_user,
    )
    event = AuditEvent.objects.filter(action="inspection.plan_changed").get()
    assert event.changes["fieldwork_start"] == ["2026-01-12", "2026-01-19"]
    assert event.changes["team"] == ["Ian Inspector (inspector@example.org)", ""]


# Lifecycle ----------------------------------------------------------------


def test_moderation_needs_every_topic_submitted(make_inspection, lead_inspector):
    inspection = make_inspection(Stage.FIELDWORK)
    with pytest.raises(ValidationError, match="Submit these graded judgments"):
        services.inspection_start_moderation(inspection=inspection, by=lead_inspector)


def test_checks_need_every_judgment_final(make_inspection, lead_inspector):
    inspection = make_inspection(Stage.MODERATION)
    with pytest.raises(ValidationError, match="Agree the graded judgments for"):
        services.inspection_send_for_checks(
            inspection=inspection, received_on=date(2026, 2, 20), by=lead_inspector
        )


def test_a_cause_of_concern_without_recommendation_blocks_publication(
    make_inspection, lead_inspector
):
    inspection = make_inspection(Stage.MODERATION)
    add_concern(inspection, by=lead_inspector, topic=Topic.LEADERSHIP, recommendation=False)
    for judgment in inspection.judgments.all():
        services.judgment_agree(judgment=judgment, by=lead_inspector)
    with pytest.raises(ValidationError, match="Add a recommendation to the cause of concern"):
        services.inspection_send_for_checks(
            inspection=inspection, received_on=date(2026, 2, 20), by=lead_inspector
        )
    assert services.publication_blockers(inspection)


def test_sending_for_checks_derives_the_action_plan_deadline(make_inspection):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    assert inspection.received_for_checks_on == date(2026, 2, 21)
    assert inspection.action_plan_due_on == date(2026, 3, 21)


def test_publication_derives_the_updated_plan_and_pcc_deadlines(make_inspection):
    inspection = make_inspection(Stage.PUBLISHED)
    assert inspection.published_on == date(2026, 4, 2)
    assert inspection.updated_action_plan_due_on == date(2026, 5, 28)
    assert inspection.pcc_response_due_on == date(2026, 5, 28)


def test_publication_date_cannot_precede_receipt(make_inspection, lead_inspector):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    with pytest.raises(ValidationError) as error:
        services.inspection_publish(
            inspection=inspection, published_on=date(2026, 2, 1), by=lead_inspector
        )
    assert "published_on" in error.value.message_dict


def test_lifecycle_dates_follow_the_steps_before_them(
    client_for, make_inspection, lead_inspector, admin_user, force_b
):
    """Found by a review: a report 'received' in 2000, before its fieldwork,
    made the action plan due in 2000 and overdue notices went out at once; an
    inspection could be closed before it was published."""
    inspection = make_inspection(Stage.MODERATION)  # fieldwork 12 to 16 January 2026
    for judgment in inspection.judgments.all():
        services.judgment_agree(judgment=judgment, by=lead_inspector)
    with pytest.raises(ValidationError) as error:
        services.inspection_send_for_checks(
            inspection=inspection, received_on=date(2026, 1, 15), by=lead_inspector
        )
    assert error.value.message_dict["received_on"] == [
        "The date the force received the report must be the same as or after "
        "the end of fieldwork (16 January 2026)"
    ]
    # On the page, the message is beside the date.
    url = reverse("inspections:transition", args=[inspection.pk, "send-for-checks"])
    html = (
        client_for(lead_inspector)
        .post(url, {"date_0": "1", "date_1": "1", "date_2": "2000"})
        .content.decode()
    )
    assert 'id="id_date_1_error"' in html and "the end of fieldwork (16 January 2026)" in html
    inspection.refresh_from_db()
    assert inspection.stage == Stage.MODERATION and inspection.action_plan_due_on is None
    services.inspection_send_for_checks(
        inspection=inspection, received_on=date(2026, 1, 16), by=lead_inspector
    )
    with pytest.raises(ValidationError, match="after the end of fieldwork"):
        services.inspection_correct_dates(
            inspection=inspection, received_on=date(2025, 12, 1), by=admin_user, reason="Typo"
        )

    following = make_inspection(Stage.FOLLOW_UP, force=force_b, start=date(2025, 1, 13))
    with pytest.raises(ValidationError) as error:
        services.inspection_close(
            inspection=following,
            closed_on=following.published_on - timedelta(days=1),
            by=admin_user,
        )
    assert "after the publication date" in error.value.message_dict["closed_on"][0]
    following.refresh_from_db()
    assert following.stage == Stage.FOLLOW_UP


def test_lifecycle_dates_are_not_in_the_future(
    client_for, make_inspection, lead_inspector, admin_user, force_b
):
    """Found by a review: publishing 'on 31 December 2099' showed the report as
    published at once and set the updated action plan due in 2100; a report
    'received' next month showed the force the draft now but held it to a
    deadline weeks late; closing in 2099 put retention off for ever. Each
    step records what has happened, so its date is today or before (London)."""
    from django.utils import timezone

    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    moderation = make_inspection(Stage.MODERATION)
    for judgment in moderation.judgments.all():
        services.judgment_agree(judgment=judgment, by=lead_inspector)
    with pytest.raises(ValidationError) as error:
        services.inspection_send_for_checks(
            inspection=moderation, received_on=tomorrow, by=lead_inspector
        )
    assert error.value.message_dict["received_on"] == [
        "The date the force received the report must be today or in the past"
    ]
    # On the page, beside the date, and nothing moved.
    url = reverse("inspections:transition", args=[moderation.pk, "send-for-checks"])
    day = {"date_0": tomorrow.day, "date_1": tomorrow.month, "date_2": tomorrow.year}
    html = client_for(lead_inspector).post(url, day).content.decode()
    assert '<a href="#id_date_0">The date the force received the report must be today' in html
    moderation.refresh_from_db()
    assert moderation.stage == Stage.MODERATION and moderation.action_plan_due_on is None
    services.inspection_send_for_checks(inspection=moderation, received_on=today, by=lead_inspector)

    checks = make_inspection(Stage.PRE_PUBLICATION, force=force_b, start=date(2025, 1, 13))
    with pytest.raises(ValidationError) as error:
        services.inspection_publish(inspection=checks, published_on=tomorrow, by=lead_inspector)
    assert error.value.message_dict["published_on"] == [
        "The publication date must be today or in the past"
    ]
    with pytest.raises(ValidationError) as error:
        services.inspection_correct_dates(
            inspection=checks, received_on=tomorrow, by=admin_user, reason="Typo"
        )
    assert "must be today or in the past" in error.value.message_dict["received_on"][0]
    checks.refresh_from_db()
    assert checks.stage == Stage.PRE_PUBLICATION and checks.published_on is None

    from forces.models import Force

    kent = Force.objects.get(slug="kent")
    following = make_inspection(Stage.FOLLOW_UP, force=kent, start=date(2024, 1, 15))
    with pytest.raises(ValidationError) as error:
        services.inspection_correct_dates(
            inspection=following, published_on=tomorrow, by=admin_user, reason="Typo"
        )
    assert error.value.message_dict["published_on"] == [
        "The publication date must be today or in the past"
    ]
    with pytest.raises(ValidationError) as error:  # both wrong: both named at once
        services.inspection_correct_dates(
            inspection=following,
            received_on=tomorrow,
            published_on=tomorrow,
            by=admin_user,
            reason="Typo",
        )
    assert set(error.value.message_dict) == {"received_on", "published_on"}
    with pytest.raises(ValidationError) as error:
        services.inspection_close(inspection=following, closed_on=tomorrow, by=admin_user)
    assert error.value.message_dict["closed_on"] == ["The date closed must be today or in the past"]
    services.inspection_close(inspection=following, closed_on=today, by=admin_user)
    assert following.stage == Stage.CLOSED


def test_team_inspectors_cannot_publish(make_inspection, inspector):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    with pytest.raises(PermissionDenied):
        services.inspection_publish(
            inspection=inspection, published_on=date(2026, 4, 1), by=inspector
        )


@pytest.mark.parametrize(
    ("stage", "service"),
    [
        (Stage.FIELDWORK, "inspection_start_fieldwork"),
        (Stage.PLANNED, "inspection_start_moderation"),
        (Stage.PLANNED, "inspection_start_follow_up"),
    ],
)
def test_transitions_only_from_their_stage(make_inspection, lead_inspector, stage, service):
    inspection = make_inspection(stage)
    with pytest.raises(ValidationError, match="cannot be done while"):
        getattr(services, service)(inspection=inspection, by=lead_inspector)


def test_only_admins_close(make_inspection, lead_inspector, admin_user):
    inspection = make_inspection(Stage.FOLLOW_UP)
    with pytest.raises(PermissionDenied):
        services.inspection_close(
            inspection=inspection, closed_on=date(2026, 9, 1), by=lead_inspector
        )
    services.inspection_close(inspection=inspection, closed_on=date(2026, 9, 1), by=admin_user)
    assert inspection.stage == Stage.CLOSED


def test_correcting_a_trigger_date_recomputes_its_deadline(make_inspection, admin_user):
    inspection = make_inspection(Stage.PUBLISHED)
    services.inspection_correct_dates(
        inspection=inspection, received_on=date(2026, 2, 28), by=admin_user, reason="Typo"
    )
    assert inspection.action_plan_due_on == date(2026, 3, 28)
    event = AuditEvent.objects.filter(action="inspection.dates_corrected").get()
    assert event.changes["action_plan_due_on"] == ["2026-03-21", "2026-03-28"]


def test_publication_cannot_be_corrected_to_after_the_commissioners_response(
    make_inspection, admin_user
):
    from actionplans.pcc_response import pcc_response_record

    inspection = make_inspection(Stage.PUBLISHED)
    responded_on = inspection.published_on + timedelta(days=30)
    pcc_response_record(inspection=inspection, published_on=responded_on, by=admin_user)
    with pytest.raises(ValidationError) as error:
        services.inspection_correct_dates(
            inspection=inspection,
            published_on=responded_on + timedelta(days=1),
            by=admin_user,
            reason="Typo",
        )
    assert "commissioner's response was published" in error.value.message_dict["published_on"][0]
    services.inspection_correct_dates(
        inspection=inspection, published_on=responded_on, by=admin_user, reason="Typo"
    )
    assert inspection.published_on == responded_on


def test_publication_cannot_be_corrected_to_the_day_of_a_visit_or_after(
    make_inspection, admin_user, lead_inspector, force_lead_a
):
    """Found by the admin's journey review: a publication date corrected to
    after a post-inspection visit already held was saved, so the follow-up
    page listed a visit, held to see how the force answered the report, before
    the report was published (the commissioner's response is already checked so)."""
    from actionplans.models import PostInspectionVisit
    from actionplans.services import post_inspection_visit_schedule

    inspection = make_inspection(Stage.PUBLISHED)
    visit = post_inspection_visit_schedule(
        inspection=inspection, visit_on=timezone.localdate() + timedelta(days=20), by=lead_inspector
    )
    held_on = inspection.published_on + timedelta(days=20)  # it has taken place since
    PostInspectionVisit.objects.filter(pk=visit.pk).update(visit_on=held_on)
    with pytest.raises(ValidationError) as error:
        services.inspection_correct_dates(
            inspection=inspection, published_on=held_on, by=admin_user, reason="Typo"
        )
    assert error.value.message_dict["published_on"] == [
        "The publication date must be before the date of the first post-inspection visit "
        f"({held_on.day} {held_on:%B %Y})"
    ]
    inspection.refresh_from_db()
    assert inspection.published_on == held_on - timedelta(days=20)
    services.inspection_correct_dates(
        inspection=inspection,
        published_on=held_on - timedelta(days=1),
        by=admin_user,
        reason="Typo",
    )
    assert inspection.published_on == held_on - timedelta(days=1)


def test_the_whole_lifecycle_is_on_the_record(make_inspection):
    inspection = make_inspection(Stage.CLOSED)
    actions = list(
        AuditEvent.objects.for_object(inspection).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "inspection.scheduled",
        "inspection.fieldwork_started",
        "inspection.moderation_started",
        "inspection.sent_for_checks",
        "inspection.published",
        "inspection.follow_up_started",
        "inspection.closed",
    ]


# Graded judgments ---------------------------------------------------------


def _leadership(inspection) -> Judgment:
    return inspection.judgments.get(topic=Topic.LEADERSHIP)


def _save(judgment, by, grade=Grade.GOOD, rationale="Strong evidence"):
    return services.judgment_save(
        judgment=judgment,
        grade=grade,
        rationale=rationale,
        cites_case_reviews=False,
        interviews=[],
        documents=[],
        by=by,
    )


def test_inadequate_needs_a_cause_of_concern_before_it_is_submitted(in_fieldwork, inspector):
    """A draft keeps the work in progress (found by testing: the refusal lost
    the rationale of an inspector who went to record the concern)."""
    judgment = _leadership(in_fieldwork)
    _save(judgment, inspector, grade=Grade.INADEQUATE)
    assert judgment.status == Judgment.Status.DRAFT
    with pytest.raises(ValidationError) as error:
        services.judgment_submit(judgment=judgment, by=inspector)
    assert "needs a cause of concern" in error.value.message_dict["grade"][0]
    add_concern(in_fieldwork, by=inspector, topic=Topic.LEADERSHIP)
    services.judgment_submit(judgment=judgment, by=inspector)
    assert judgment.status == Judgment.Status.SUBMITTED


def test_inspectors_off_the_team_cannot_grade(planned, other_inspector):
    with pytest.raises(PermissionDenied):
        _save(_leadership(planned), other_inspector)


def test_grade_history_records_who_changed_what_from_and_to(in_fieldwork, inspector):
    judgment = _leadership(in_fieldwork)
    _save(judgment, inspector, grade=Grade.GOOD)
    _save(judgment, inspector, grade=Grade.ADEQUATE)
    latest = AuditEvent.objects.for_object(judgment).first()
    assert latest.actor == inspector
    assert latest.changes == {"grade": ["Good", "Adequate"]}


def test_lead_returns_with_a_comment_and_agrees(in_fieldwork, inspector, lead_inspector):
    judgment = _leadership(in_fieldwork)
    _save(judgment, inspector)
    services.judgment_submit(judgment=judgment, by=inspector)
    with pytest.raises(PermissionDenied):
        services.judgment_agree(judgment=judgment, by=inspector)
    with pytest.raises(ValidationError):
        services.judgment_return(judgment=judgment, comment=" ", by=lead_inspector)
    services.judgment_return(judgment=judgment, comment="Cite the data", by=lead_inspector)
    assert judgment.status == Judgment.Status.RETURNED
    _save(judgment, inspector, rationale="Strong evidence, with the data")
    services.judgment_submit(judgment=judgment, by=inspector)
    services.judgment_agree(judgment=judgment, by=lead_inspector)
    assert judgment.status == Judgment.Status.FINAL
    returned = AuditEvent.objects.filter(action="judgment.returned").get()
    assert returned.comment == "Cite the data"


def test_a_submitted_judgment_cannot_be_edited(in_fieldwork, inspector):
    judgment = _leadership(in_fieldwork)
    _save(judgment, inspector)
    services.judgment_submit(judgment=judgment, by=inspector)
    with pytest.raises(ValidationError, match="with the lead inspector"):
        _save(judgment, inspector)


def test_submitting_needs_a_rationale(in_fieldwork, inspector):
    judgment = _leadership(in_fieldwork)
    _save(judgment, inspector, rationale="   ")
    with pytest.raises(ValidationError, match="write a rationale"):
        services.judgment_submit(judgment=judgment, by=inspector)


def test_final_judgments_are_locked_after_publication(make_inspection, lead_inspector):
    inspection = make_inspection(Stage.PUBLISHED)
    judgment = _leadership(inspection)
    with pytest.raises(ValidationError):
        services.judgment_return(judgment=judgment, comment="Reopen", by=lead_inspector)
    with pytest.raises(ValidationError):
        _save(judgment, lead_inspector)


# Findings -----------------------------------------------------------------


def test_findings_are_listed_in_report_order(planned, inspector):
    def make(topic, kind):
        return services.finding_create(
            inspection=planned,
            topic=topic,
            kind=kind,
            summary=f"{topic} {kind}",
            detail="Detail",
            reported_to_force_on=date(2026, 1, 20) if kind == Finding.Kind.ACCELERATED else None,
            interviews=[],
            documents=[],
            by=inspector,
        )

    make(Topic.INVESTIGATION, Finding.Kind.AREA_FOR_IMPROVEMENT)
    make(Topic.LEADERSHIP, Finding.Kind.PROMISING_PRACTICE)
    make(Topic.LEADERSHIP, Finding.Kind.CAUSE_OF_CONCERN)
    make(Topic.INITIAL_RESPONSE, Finding.Kind.ACCELERATED)
    # Within a topic as the report prints them: an accelerated cause of
    # concern before a cause of concern written earlier (found by the
    # outputs review: the findings page put it after).
    make(Topic.LEADERSHIP, Finding.Kind.ACCELERATED)
    order = [(f.topic, f.kind) for f in planned.findings.all()]
    assert order == [
        (Topic.LEADERSHIP, Finding.Kind.ACCELERATED),
        (Topic.LEADERSHIP, Finding.Kind.CAUSE_OF_CONCERN),
        (Topic.LEADERSHIP, Finding.Kind.PROMISING_PRACTICE),
        (Topic.INITIAL_RESPONSE, Finding.Kind.ACCELERATED),
        (Topic.INVESTIGATION, Finding.Kind.AREA_FOR_IMPROVEMENT),
    ]
    report_kinds = [kind for kind, _ in FINDING_SECTIONS]
    assert report_kinds == Finding.REPORT_ORDER


def test_accelerated_cause_of_concern_needs_the_date_reported(planned, inspector):
    with pytest.raises(ValidationError) as error:
        services.finding_create(
            inspection=planned,
            topic=Topic.INITIAL_RESPONSE,
            kind=Finding.Kind.ACCELERATED,
            summary="Children left at risk overnight",
            detail="Detail",
            reported_to_force_on=None,
            interviews=[],
            documents=[],
            by=inspector,
        )
    assert "reported_to_force_on" in error.value.message_dict


def test_areas_for_improvement_carry_no_recommendation(planned, inspector):
    afi = services.finding_create(
        inspection=planned,
        topic=Topic.LEADERSHIP,
        kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
        summary="Supervision",
        detail="Detail",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=inspector,
    )
    with pytest.raises(ValidationError, match="Only a cause of concern"):
        services.recommendation_add(finding=afi, text="Do better", by=inspector)


def test_the_last_concern_of_an_inadequate_topic_cannot_be_deleted(in_fieldwork, inspector):
    concern = add_concern(in_fieldwork, by=inspector, topic=Topic.LEADERSHIP)
    _save(_leadership(in_fieldwork), inspector, grade=Grade.INADEQUATE)
    with pytest.raises(ValidationError, match="graded inadequate"):
        services.finding_delete(finding=concern, by=inspector)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic": Topic.INVESTIGATION}, "topic"),
        ({"kind": Finding.Kind.AREA_FOR_IMPROVEMENT}, "kind"),
    ],
)
def test_the_last_concern_of_an_inadequate_topic_cannot_be_moved_away(
    in_fieldwork, inspector, change, field
):
    """Found by a review: deleting it was refused, but editing its topic or
    kind took it away, and the report went out inadequate with no concern."""
    concern = add_concern(in_fieldwork, by=inspector, topic=Topic.LEADERSHIP, recommendation=False)
    _save(_leadership(in_fieldwork), inspector, grade=Grade.INADEQUATE)
    fields = {
        "topic": concern.topic,
        "kind": concern.kind,
        "summary": concern.summary,
        "detail": concern.detail,
        "reported_to_force_on": None,
        "interviews": [],
        "documents": [],
        "by": inspector,
    }
    with pytest.raises(ValidationError) as error:
        services.finding_update(finding=concern, **{**fields, **change})
    assert "Leadership is graded inadequate" in error.value.message_dict[field][0]
    concern.refresh_from_db()
    assert (concern.topic, concern.kind) == (Topic.LEADERSHIP, Finding.Kind.CAUSE_OF_CONCERN)
    # With a second cause of concern on the topic, the first may move.
    add_concern(in_fieldwork, by=inspector, topic=Topic.LEADERSHIP, summary="Another")
    services.finding_update(finding=concern, **{**fields, **change})


def test_an_inadequate_topic_without_a_cause_of_concern_blocks_publication(
    make_inspection, lead_inspector
):
    """However it came about (a grade agreed before this check, a change in
    the database), the report does not go out inadequate without a concern."""
    inspection = make_inspection(Stage.MODERATION)
    for judgment in inspection.judgments.all():
        services.judgment_agree(judgment=judgment, by=lead_inspector)
    Judgment.objects.filter(inspection=inspection, topic=Topic.LEADERSHIP).update(
        grade=Grade.INADEQUATE
    )
    blocker = "Add a cause of concern on leadership, which is graded inadequate"
    assert blocker in services.publication_blockers(inspection)
    with pytest.raises(ValidationError, match=blocker):
        services.inspection_send_for_checks(
            inspection=inspection, received_on=date(2026, 2, 20), by=lead_inspector
        )


def test_the_evidence_cited_and_recommendations_removed_are_on_the_record(in_fieldwork, inspector):
    """Found by a review: changing the evidence a judgment or finding cites
    wrote an audit row with no changes, and deleting a cause of concern took
    its recommendations with it without a word."""
    interview = services.interview_record(
        inspection=in_fieldwork,
        held_on=date(2026, 1, 13),
        topics=["leadership"],
        notes="",
        participants=[("Chief inspector", "police")],
        by=inspector,
    )
    judgment = _leadership(in_fieldwork)
    services.judgment_save(
        judgment=judgment,
        grade=Grade.GOOD,
        rationale="Strong",
        cites_case_reviews=False,
        interviews=[interview],
        documents=[],
        by=inspector,
    )
    saved = AuditEvent.objects.filter(action="judgment.saved").latest("id")
    assert saved.changes["interviews"] == ["", "13 January 2026: Chief inspector (Police)"]
    services.judgment_save(
        judgment=judgment,
        grade=Grade.GOOD,
        rationale="Strong",
        cites_case_reviews=False,
        interviews=[],
        documents=[],
        by=inspector,
    )
    saved = AuditEvent.objects.filter(action="judgment.saved").latest("id")
    assert saved.changes == {"interviews": ["13 January 2026: Chief inspector (Police)", ""]}

    concern = add_concern(in_fieldwork, by=inspector, topic=Topic.INVESTIGATION)
    text = concern.recommendations.get().text
    services.finding_delete(finding=concern, by=inspector)
    removed = AuditEvent.objects.filter(action="recommendation.deleted").get()
    assert removed.changes == {"text": [text, None]}
    assert removed.inspection_id == in_fieldwork.pk


def test_finding_changes_are_audited(planned, inspector):
    concern = add_concern(planned, by=inspector)
    services.finding_update(
        finding=concern,
        topic=concern.topic,
        kind=concern.kind,
        summary="A sharper summary",
        detail=concern.detail,
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=inspector,
    )
    changed = AuditEvent.objects.filter(action="finding.changed").get()
    assert changed.changes == {
        "summary": ["Investigations into child abuse are delayed", "A sharper summary"]
    }
    assert AuditEvent.objects.filter(action="recommendation.created").count() == 1


def test_a_judgment_or_finding_saved_as_it_was_records_nothing(in_fieldwork, inspector):
    """The judgment's and the finding's history said "Draft saved" or
    "Changed" with nothing under it, for a page saved as it was."""
    judgment = _leadership(in_fieldwork)
    draft = {"grade": Grade.GOOD, "rationale": "Strong", "cites_case_reviews": False}
    for _ in range(2):
        services.judgment_save(
            judgment=judgment, **draft, interviews=[], documents=[], by=inspector
        )
    saved = AuditEvent.objects.for_object(judgment).get(action="judgment.saved")
    assert saved.changes["grade"] == ["", "Good"]
    concern = add_concern(in_fieldwork, by=inspector)
    services.finding_update(
        finding=concern,
        topic=concern.topic,
        kind=concern.kind,
        summary=concern.summary,
        detail=concern.detail,
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=inspector,
    )
    assert not AuditEvent.objects.filter(action="finding.changed").exists()


# Evidence -----------------------------------------------------------------


def test_interviews_need_a_participant_and_record_roles_not_names(planned, inspector):
    with pytest.raises(ValidationError):
        services.interview_record(
            inspection=planned,
            held_on=date(2026, 1, 13),
            topics=[],
            notes="",
            participants=[],
            by=inspector,
        )
    interview = services.interview_record(
        inspection=planned,
        held_on=date(2026, 1, 13),
        topics=[Topic.LEADERSHIP],
        notes="Discussed governance",
        participants=[("Detective superintendent", "police"), ("Team manager", "health")],
        by=inspector,
    )
    assert [str(p) for p in interview.participants.all()] == [
        "Detective superintendent (Police)",
        "Team manager (Health)",
    ]
    assert interview.topic_labels == ["Leadership"]


def test_grading_all_and_moderation(planned, inspector, lead_inspector):
    services.inspection_start_fieldwork(inspection=planned, by=lead_inspector)
    grade_all(planned, by=inspector)
    services.inspection_start_moderation(inspection=planned, by=lead_inspector)
    assert planned.stage == Stage.MODERATION


def test_evidence_and_accelerated_concerns_are_not_dated_in_the_future(
    make_inspection, inspector, lead_inspector
):
    """The forms said so, but the services took a future date from any other
    caller (the demo data recorded an interview a day ahead)."""
    from django.utils import timezone

    inspection = make_inspection(Stage.FIELDWORK)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.interview_record(
            inspection=inspection,
            held_on=tomorrow,
            topics=[Topic.LEADERSHIP],
            notes="",
            participants=[("Superintendent", "police")],
            by=inspector,
        )
    assert error.value.message_dict["held_on"] == [
        "The date of the interview must be today or in the past"
    ]
    with pytest.raises(ValidationError) as error:
        services.document_record(
            inspection=inspection,
            title="Policy",
            kind="policy",
            received_on=tomorrow,
            notes="",
            by=inspector,
        )
    assert "must be today or in the past" in error.value.message_dict["received_on"][0]
    with pytest.raises(ValidationError) as error:
        services.finding_create(
            inspection=inspection,
            topic=Topic.INVESTIGATION,
            kind=Finding.Kind.ACCELERATED,
            summary="Children are left at risk overnight",
            detail="",
            reported_to_force_on=tomorrow,
            interviews=[],
            documents=[],
            by=lead_inspector,
        )
    assert error.value.message_dict["reported_to_force_on"] == [
        "The date the cause of concern was reported to the force must be today or in the past"
    ]
    assert not inspection.interviews.exists() and not inspection.documents.exists()
    assert not inspection.findings.exists()


def test_topics_are_graded_from_the_start_of_fieldwork(client_for, make_inspection, inspector):
    """Found by a review: all five topics could be graded, submitted and agreed
    while the inspection was planned, though the 'Start fieldwork' page says
    grading starts then."""
    planned = make_inspection(Stage.PLANNED)
    judgment = planned.judgments.get(topic=Topic.LEADERSHIP)
    with pytest.raises(ValidationError, match="cannot be done while the inspection is at Planned"):
        services.judgment_save(
            judgment=judgment,
            grade=Grade.GOOD,
            rationale="Early",
            cites_case_reviews=False,
            interviews=[],
            documents=[],
            by=inspector,
        )
    page = client_for(inspector).get(judgment.get_absolute_url()).content.decode()
    assert "Grading opens when fieldwork starts" in page and 'name="rationale"' not in page
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.NOT_STARTED and judgment.rationale == ""


def test_the_date_reported_to_the_force_is_checked_only_where_it_is_kept(
    make_inspection, lead_inspector
):
    """Found by a review: an accelerated concern 'reported' years before its
    fieldwork was taken, and another kind's date (never kept) was refused."""
    from django.utils import timezone

    inspection = make_inspection(Stage.FIELDWORK)  # fieldwork from 12 January 2026
    finding = {
        "inspection": inspection,
        "topic": Topic.INVESTIGATION,
        "detail": "",
        "interviews": [],
        "documents": [],
        "by": lead_inspector,
    }
    with pytest.raises(ValidationError) as error:
        services.finding_create(
            **finding,
            kind=Finding.Kind.ACCELERATED,
            summary="Children left at risk",
            reported_to_force_on=date(2020, 1, 1),
        )
    assert error.value.message_dict["reported_to_force_on"] == [
        "The date the cause of concern was reported to the force must be the same as or "
        "after the start of fieldwork (12 January 2026)"
    ]
    area = services.finding_create(
        **finding,
        kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
        summary="Record the child's voice",
        reported_to_force_on=timezone.localdate() + timedelta(days=3),
    )
    assert area.reported_to_force_on is None


def test_blockers_name_who_each_judgment_waits_for(make_inspection):
    """Only a judgment put forward waits for the lead inspector: one not put
    forward yet was listed under 'Agree', which the lead cannot do (found by
    the review of the morning's changes)."""
    inspection = make_inspection(Stage.FIELDWORK)
    inspection.judgments.update(status=Judgment.Status.DRAFT)
    inspection.judgments.filter(topic=Topic.LEADERSHIP).update(status=Judgment.Status.SUBMITTED)
    blockers = services.publication_blockers(inspection)
    assert "Agree the graded judgments for: Leadership" in blockers
    assert (
        "Submit these graded judgments for moderation: Partnership working, "
        "Initial response, Risk assessment and referral, Investigation" in blockers
    )


def test_a_leadership_judgment_cites_no_case_file_figures(client_for, in_fieldwork, inspector):
    """Found by the grading review: case file reviews rate every topic but
    leadership, yet its judgment could be marked as citing their figures,
    which the grading page shows none of for it."""
    leadership = _leadership(in_fieldwork)
    with pytest.raises(ValidationError) as refused:
        services.judgment_save(
            judgment=leadership,
            grade=Grade.GOOD,
            rationale="Strong evidence",
            cites_case_reviews=True,
            interviews=[],
            documents=[],
            by=inspector,
        )
    assert "do not rate leadership" in refused.value.message_dict["cites_case_reviews"][0]
    leadership.refresh_from_db()
    assert not leadership.cites_case_reviews
    client = client_for(inspector)
    question = "This judgment cites the case file review figures"
    assert question not in client.get(leadership.get_absolute_url()).text
    investigation = in_fieldwork.judgments.get(topic=Topic.INVESTIGATION)
    assert question in client.get(investigation.get_absolute_url()).text
    answers = {"grade": Grade.GOOD, "rationale": "Strong", "cites_case_reviews": "on"}
    assert client.post(leadership.get_absolute_url(), answers).status_code == 302
    leadership.refresh_from_db()
    assert leadership.grade == Grade.GOOD and not leadership.cites_case_reviews
