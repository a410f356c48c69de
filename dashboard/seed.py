"""Demo history for the dashboard and force pages, called by core's seed_demo.

About thirty forces get one or two published inspections over the last eight
years, built through the inspections services so the audit trail is real.
Each is found by force and fieldwork start, so running this again creates
nothing new. Grades follow a fixed pattern per force (no randomness), with a
cause of concern for every inadequate grade and an area for improvement for
every grade that requires improvement.
"""

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from accounts.services import user_password_set_in_django_admin
from actionplans import services as plan_services
from actionplans.models import ActionPlan, ActionPlanVersion, Notice, PlanResponse
from actionplans.notices import notices_sweep
from actionplans.pcc_response import pcc_response_record
from core.tests.files import pdf  # a small valid PDF, so the demo documents open
from forces.models import Force
from inspections import services
from inspections.models import Finding, Grade, Inspection, Topic

# Forces the inspections demo already uses are left to it.
SKIP = {
    "dorset",
    "merseyside",
    "greater-manchester",
    "cleveland",
    "kent",
    "west-yorkshire",
    "gwent",
}
SCALE = [
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.ADEQUATE,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
]
FIRST_WEEK = date(2018, 1, 8)  # a Monday
HISTORY_FORCES = 30


def _plan() -> list[tuple[str, date, int]]:
    """(force slug, fieldwork start, pattern seed): one week per inspection, no overlaps."""
    slugs = [
        slug
        for slug in Force.objects.order_by("slug").values_list("slug", flat=True)
        if slug not in SKIP
    ][:HISTORY_FORCES]
    plan = []
    week = 0
    for index, slug in enumerate(slugs):
        visits = 2 if index % 3 == 0 else 1
        for visit in range(visits):
            # Spread over 2018 to mid-2026; a force's second visit four years on.
            start = FIRST_WEEK + timedelta(weeks=(week * 7) % 200 + visit * 208)
            plan.append((slug, start, index + visit))
            week += 1
    return plan


def _grade(seed: int, position: int) -> str:
    # Mostly good and adequate, with some of every grade.
    pattern = [1, 2, 1, 3, 2, 1, 0, 2, 4, 1, 2, 3]
    return SCALE[pattern[(seed * 5 + position * 7) % len(pattern)]]


HISTORY_LEAD_EMAIL = "history.lead@example.org"


def seed(stdout) -> None:
    admin = User.objects.get(email="admin@example.org")
    inspector = User.objects.get(email="inspector@example.org")
    # A lead inspector of the past leads the history: the other apps find
    # their demo inspections by the demo lead inspector, and must not count
    # these; and the demo inspector, an inspector, must not be shown leading
    # them, or be sent their notices. Nobody signs in as them.
    lead, made = User.objects.get_or_create(
        email=HISTORY_LEAD_EMAIL,
        defaults={"full_name": "Hal Historic", "role": User.Role.LEAD_INSPECTOR},
    )
    if made:
        # Password sign-in off, as an admin turns it off: nobody is sent a
        # link to set one, even by asking on the sign-in page.
        before = lead.password
        lead.set_unusable_password()
        lead.save(update_fields=["password"])
        user_password_set_in_django_admin(user_id=lead.pk, before=before, by=admin)
    created = 0
    for slug, start, pattern in _plan():
        force = Force.objects.get(slug=slug)
        if Inspection.objects.filter(force=force, fieldwork_start=start).exists():
            continue
        _published_inspection(force, start, pattern, admin=admin, lead=lead, inspector=inspector)
        created += 1
    # History's plans were sent in and accepted years ago: nobody is told of
    # them today (found by the newcomer review: the first `make run` emailed
    # 80 "version 1 submitted" notices about 2018 inspections). Gone before
    # the seed commits, their emails are not sent (notice_email).
    Notice.objects.filter(
        inspection__lead_inspector=lead,
        kind__in=(Notice.Kind.PLAN_SUBMITTED, Notice.Kind.PLAN_ACCEPTED),
    ).delete()
    # The overdue plans made here get their notices now, as the follow-up
    # demo's sweep ran before they existed (the sweep never repeats a notice).
    sent = notices_sweep()
    stdout.write(
        f"Dashboard: {created} published inspections of history created; "
        f"the deadline sweep sent {sent} more notice{'s' if sent != 1 else ''}"
    )


def _published_inspection(force, start: date, pattern: int, *, admin, lead, inspector) -> None:
    inspection = services.inspection_schedule(
        force=force,
        kind=Inspection.Kind.INSPECTION,
        fieldwork_start=start,
        fieldwork_end=start + timedelta(days=4),
        lead_inspector=lead,
        team=[inspector],
        by=admin,
    )
    services.inspection_start_fieldwork(inspection=inspection, by=lead)
    for position, topic in enumerate(Topic):
        grade = _grade(pattern, position)
        _findings_for(inspection, topic, grade, by=inspector)
        judgment = inspection.judgments.get(topic=topic)
        services.judgment_save(
            judgment=judgment,
            grade=grade,
            rationale=f"{force.short_name}: {Grade(grade).label.lower()} against the "
            f"characteristics of good for {topic.label.lower()}.",
            cites_case_reviews=False,
            interviews=[],
            documents=[],
            by=inspector,
        )
        services.judgment_submit(judgment=judgment, by=inspector)
    services.inspection_start_moderation(inspection=inspection, by=lead)
    for judgment in inspection.judgments.all():
        services.judgment_agree(judgment=judgment, by=lead)
    received = start + timedelta(days=42)
    services.inspection_send_for_checks(inspection=inspection, received_on=received, by=lead)
    services.inspection_publish(
        inspection=inspection, published_on=received + timedelta(days=35), by=lead
    )
    # Older inspections are closed; the 2024 ones are in follow-up with both
    # plans accepted; the newest has its action plan in and its updated plan
    # overdue, so the dashboard has something to chase.
    # Commissioners responded by the deadline to all but one newest report in
    # three, which the dashboard lists as overdue once its deadline passes.
    responded = inspection.pcc_response_due_on - timedelta(days=pattern % 7)
    if (start < date(2025, 1, 1) or pattern % 3) and responded <= timezone.localdate():
        pcc_response_record(inspection=inspection, published_on=responded, by=admin)
    if start < date(2025, 1, 1):
        kinds = list(ActionPlan.Kind.values)
        _accepted_plans(inspection, kinds, by=admin, lead=lead)
        services.inspection_start_follow_up(inspection=inspection, by=lead)
        if start < date(2024, 1, 1):
            services.inspection_close(
                inspection=inspection, closed_on=start + timedelta(days=400), by=admin
            )
    else:
        _accepted_plans(inspection, [ActionPlan.Kind.ACTION_PLAN], by=admin, lead=lead)


def _accepted_plans(inspection, kinds: list[str], *, by, lead) -> None:
    """Plans sent in and accepted through the follow-up services (entered by an
    admin on the force's behalf, as the demo has no lead for most forces)."""
    for kind in kinds:
        plan = plan_services.action_plan_for(inspection, kind)
        name = f"{inspection.force.short_name} {plan.get_kind_display().lower()}.pdf"
        upload = SimpleUploadedFile(name, pdf(name[:-4]), content_type="application/pdf")
        plan_services.action_plan_attach_document(plan=plan, upload=upload, by=by)
        for item in plan_services.plan_items(plan):
            plan_services.action_plan_save_response(
                plan=plan,
                item=item,
                action=f"We will address {item.label.lower()} through the force's "
                "child protection improvement board.",
                owner_role="Head of public protection",
                target_on=inspection.published_on + timedelta(days=180),
                status=PlanResponse.Status.IN_PROGRESS,
                by=by,
            )
        version = plan_services.action_plan_submit(plan=plan, by=by)
        plan_services.action_plan_version_accept(version=version, by=lead)
        _dated_as_of_old(version, due_on=plan.due_on)


def _dated_as_of_old(version, *, due_on: date) -> None:
    """History's plans read as sent in before they were due and accepted a
    week later, not today (found by the outputs review: a 2018 inspection's
    plan "submitted on" the day the demo was seeded). Demo data: its audit
    trail keeps the day it was made."""
    submitted = timezone.make_aware(datetime.combine(due_on - timedelta(days=2), time(11)))
    ActionPlanVersion.objects.filter(pk=version.pk).update(
        submitted_at=submitted, reviewed_at=submitted + timedelta(days=7)
    )


def _findings_for(inspection, topic, grade: str, *, by) -> None:
    name = topic.label.lower()
    kinds = {
        Grade.INADEQUATE: (
            Finding.Kind.CAUSE_OF_CONCERN,
            f"{topic.label} does not keep children safe enough",
            f"In too many cases we reviewed, {name} fell short of what children at risk need.",
        ),
        Grade.REQUIRES_IMPROVEMENT: (
            Finding.Kind.AREA_FOR_IMPROVEMENT,
            f"The force should improve {name}",
            "Practice was inconsistent across the cases we reviewed.",
        ),
        Grade.OUTSTANDING: (
            Finding.Kind.INNOVATIVE_PRACTICE,
            f"Innovative practice in {name}",
            "Other forces could learn from this approach.",
        ),
    }
    if grade not in kinds:
        return
    kind, summary, detail = kinds[grade]
    finding = services.finding_create(
        inspection=inspection,
        topic=topic,
        kind=kind,
        summary=summary,
        detail=detail,
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=by,
    )
    if finding.is_concern:
        services.recommendation_add(
            finding=finding,
            text=f"Within six months, the force should improve {name} so that children at "
            "risk are identified and protected without delay.",
            by=by,
        )
