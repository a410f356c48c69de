"""Synthetic inspections at national scale, for benchmarks and query budgets.

Bulk inserts only: no services, no audit rows per object (one audit row per
inspection stands for its history), so factor 10 builds in minutes.
"""

import random
from datetime import date, timedelta

from accounts.models import User
from core.deadlines import action_plan_rule, derive, pcc_response_rule, updated_action_plan_rule
from core.models import AuditEvent
from forces.models import Force

from .models import (
    Document,
    Finding,
    Grade,
    Inspection,
    Interview,
    Judgment,
    Participant,
    Recommendation,
    Topic,
)

BATCH = 2000
Stage = Inspection.Stage


def _team(rng: random.Random, count: int) -> list[User]:
    inspectors = [
        User(
            email=f"scale.inspector.{n}@example.org",
            full_name=f"Scale Inspector {n}",
            role=User.Role.LEAD_INSPECTOR if n % 4 == 0 else User.Role.INSPECTOR,
        )
        for n in range(count)
    ]
    for user in inspectors:
        user.set_unusable_password()
    User.objects.bulk_create(inspectors, batch_size=BATCH, ignore_conflicts=True)
    return list(User.objects.filter(email__startswith="scale.inspector."))


def build(*, factor: float, rng: random.Random, stdout) -> list[Inspection]:
    """3 inspections per force per factor, over ten years, with their contents."""
    per_force = max(1, round(3 * factor))
    team = _team(rng, 40)
    leads = [u for u in team if u.role == User.Role.LEAD_INSPECTOR]
    today = date.today()
    inspections = []
    for force in Force.objects.all():
        for n in range(per_force):
            start = today - timedelta(
                days=int(3650 * (n + 1) / (per_force + 1)) + rng.randint(0, 30)
            )
            received = start + timedelta(days=45)
            published = start + timedelta(days=90)
            closed = n < per_force - 1
            inspections.append(
                Inspection(
                    force=force,
                    kind=Inspection.Kind.INSPECTION,
                    stage=Stage.CLOSED if closed else Stage.FOLLOW_UP,
                    fieldwork_start=start,
                    fieldwork_end=start + timedelta(days=4),
                    lead_inspector=rng.choice(leads),
                    received_for_checks_on=received,
                    published_on=published,
                    closed_on=published + timedelta(days=400) if closed else None,
                    action_plan_due_on=derive(received, action_plan_rule()),
                    updated_action_plan_due_on=derive(published, updated_action_plan_rule()),
                    pcc_response_due_on=derive(published, pcc_response_rule()),
                )
            )
    Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    membership = Inspection.team.through
    membership.objects.bulk_create(
        [
            membership(inspection_id=i.pk, user_id=member.pk)
            for i in inspections
            for member in rng.sample(team, 3)
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    grades = list(Grade.values)
    Judgment.objects.bulk_create(
        [
            Judgment(
                inspection=i,
                topic=topic,
                position=Topic.position(topic),
                grade=rng.choice(grades[:4]),
                rationale="Synthetic rationale " * 10,
                status=Judgment.Status.FINAL,
            )
            for i in inspections
            for topic in Topic.values
        ],
        batch_size=BATCH,
    )
    kinds = list(Finding.Kind.values)
    findings = []
    for i in inspections:
        for n in range(15):
            kind = kinds[n % len(kinds)]
            topic = Topic.values[n % 5]
            findings.append(
                Finding(
                    inspection=i,
                    topic=topic,
                    topic_position=Topic.position(topic),
                    kind=kind,
                    kind_position=kinds.index(kind) + 1,
                    summary=f"Synthetic finding {n}",
                    detail="Synthetic detail " * 20,
                    reported_to_force_on=i.fieldwork_end
                    if kind == Finding.Kind.ACCELERATED
                    else None,
                )
            )
    Finding.objects.bulk_create(findings, batch_size=BATCH)
    Recommendation.objects.bulk_create(
        [
            Recommendation(finding=f, text="The force should act within six months.")
            for f in findings
            if f.kind in Finding.CONCERN_KINDS
        ],
        batch_size=BATCH,
    )
    interviews = [
        Interview(
            inspection=i,
            held_on=i.fieldwork_start,
            topics=rng.sample(Topic.values, 2),
            notes="Synthetic notes",
        )
        for i in inspections
        for _ in range(30)
    ]
    Interview.objects.bulk_create(interviews, batch_size=BATCH)
    Participant.objects.bulk_create(
        [
            Participant(interview=v, role="Detective sergeant", organisation="police")
            for v in interviews
        ],
        batch_size=BATCH,
    )
    Document.objects.bulk_create(
        [
            Document(
                inspection=i,
                title=f"Synthetic document {n}",
                kind=Document.Kind.POLICY,
                received_on=i.fieldwork_start,
            )
            for i in inspections
            for n in range(50)
        ],
        batch_size=BATCH,
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="inspection.scheduled",
                object_type="inspections.inspection",
                object_id=str(i.pk),
                object_repr="Synthetic inspection",
                force_id=i.force_id,
                inspection_id=i.pk,
            )
            for i in inspections
        ],
        batch_size=BATCH,
    )
    stdout.write(f"inspections: {len(inspections)}, findings: {len(findings)}")
    return inspections
