"""Synthetic inspections at national scale, for benchmarks and query budgets.

Factor 1 is the national programme over ten years: 129 inspections (three per
force), each with five judgments, 15 findings, 30 interviews and 50
documents. Factor 10 is 1,290 inspections. Each force's latest inspection is
at a stage that varies from force to force (planned, fieldwork, moderation,
checks, published, follow-up, closed) so that every page has something to
show and some deadlines are open; older ones are closed.

Bulk inserts only: no services, no per-object audit through core.audit (the
audit rows are written in bulk too), so factor 10 builds in minutes. Rows go
in through `insert_rows`: COPY on PostgreSQL, multi-row INSERT on SQLite.
Every key, date and choice comes from the seeded random generator, so the
same seed gives the same data (dates relative to the day it runs).
"""

import io
import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from core import fragments
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

Stage = Inspection.Stage
INSPECTIONS_PER_FACTOR = 129  # 43 forces x 3 over ten years
YEARS_DAYS = 3650
FINDINGS = 15
INTERVIEWS = 30
DOCUMENTS = 50
RECOMMENDATIONS_PER_CONCERN = 3
# 15 findings: 5 concerns with 3 recommendations each make the action plan's
# 20 items; 4 areas for improvement join them in the updated action plan.
FINDING_KINDS = [
    Finding.Kind.CAUSE_OF_CONCERN,
    Finding.Kind.AREA_FOR_IMPROVEMENT,
    Finding.Kind.INNOVATIVE_PRACTICE,
    Finding.Kind.CAUSE_OF_CONCERN,
    Finding.Kind.AREA_FOR_IMPROVEMENT,
    Finding.Kind.PROMISING_PRACTICE,
    Finding.Kind.CAUSE_OF_CONCERN,
    Finding.Kind.AREA_FOR_IMPROVEMENT,
    Finding.Kind.INNOVATIVE_PRACTICE,
    Finding.Kind.ACCELERATED,
    Finding.Kind.AREA_FOR_IMPROVEMENT,
    Finding.Kind.PROMISING_PRACTICE,
    Finding.Kind.CAUSE_OF_CONCERN,
    Finding.Kind.INNOVATIVE_PRACTICE,
    Finding.Kind.PROMISING_PRACTICE,
]
# The latest inspection's stage, force by force in turn.
LATEST_STAGES = [
    Stage.PLANNED,
    Stage.FIELDWORK,
    Stage.MODERATION,
    Stage.PRE_PUBLICATION,
    Stage.PUBLISHED,
    Stage.FOLLOW_UP,
    Stage.FOLLOW_UP,
    Stage.CLOSED,
]
GRADES = [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.ADEQUATE, Grade.ADEQUATE]
GRADES += [Grade.REQUIRES_IMPROVEMENT, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
ORGANISATIONS = list(Participant.Organisation.values)
ROLES = ["Detective sergeant", "Detective inspector", "Social worker", "Designated nurse"]
SCALE_EMAIL = "scale."


def scale_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID from the seeded generator, so keys repeat with the seed."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# Bulk insertion -----------------------------------------------------------------


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)  # psycopg2, as requirements.txt pins
    fragments.copied(connection)  # COPY goes around the write watch


def _converter(field):
    """A fast stand-in for field.get_db_prep_save for the common plain types."""
    target = getattr(field, "target_field", field)
    kind = target.get_internal_type()
    if kind == "UUIDField" and not connection.features.has_native_uuid_field:
        return lambda value: None if value is None else value.hex
    if kind in ("CharField", "TextField", "SlugField", "PositiveSmallIntegerField", "IntegerField"):
        return None  # passed as they are
    if kind in ("PositiveIntegerField", "BigIntegerField", "BigAutoField", "AutoField"):
        return None
    if kind in ("DateTimeField", "DateField"):
        # The same few instants and days recur: convert each once.
        cache: dict = {}

        def cached(value):
            if value not in cache:
                cache[value] = field.get_db_prep_save(value, connection)
            return cache[value]

        return cached
    return lambda value: field.get_db_prep_save(value, connection)


def _insert(model: type[Model], fields: list, rows: list[tuple]) -> None:
    """Multi-row INSERT with each value prepared for the database, for SQLite."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    converters = [_converter(field) for field in fields]
    per_statement = max(1, 900 // len(fields))  # SQLite's limit on parameters
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [
                value if convert is None else convert(value)
                for row in chunk
                for convert, value in zip(converters, row, strict=True)
            ]
            # Table and column names are our own models'; the values are parameters.
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608  # nosec B608
                + ", ".join([row_sql] * len(chunk)),
                params,
            )


def insert_rows(model: type[Model], names: list[str], rows: Iterable[tuple], chunk=50_000) -> int:
    """Insert raw rows (values in the order of the field names), streamed in
    chunks: COPY on PostgreSQL, multi-row INSERT elsewhere. No model instances,
    no signals, no save(): synthetic data only. Returns the number of rows."""
    fields = [model._meta.get_field(name) for name in names]
    table, columns = model._meta.db_table, [f.column for f in fields]
    count = 0
    batch: list[tuple] = []

    def flush() -> None:
        if connection.vendor == "postgresql":
            _copy(table, columns, batch)
        else:
            _insert(model, fields, batch)
        batch.clear()

    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return count


# People -------------------------------------------------------------------------


def _people(rng: random.Random, forces: list[Force]) -> tuple[list[User], list[User]]:
    """40 inspectors (every fourth a lead inspector) and a force lead per force."""
    people = [
        User(
            email=f"{SCALE_EMAIL}inspector.{n}@example.org",
            full_name=f"Scale Inspector {n}",
            role=User.Role.LEAD_INSPECTOR if n % 4 == 0 else User.Role.INSPECTOR,
        )
        for n in range(40)
    ]
    people += [
        User(
            email=f"{SCALE_EMAIL}force.lead.{force.slug}@example.org",
            full_name=f"Scale Force Lead {force.short_name}",
            role=User.Role.FORCE_LEAD,
            force=force,
        )
        for force in forces
    ]
    for user in people:
        user.pk = scale_uuid(rng)
        user.set_unusable_password()
    User.objects.bulk_create(people, batch_size=500, ignore_conflicts=True)
    inspectors = list(
        User.objects.filter(email__startswith=f"{SCALE_EMAIL}inspector.").order_by("email")
    )
    return inspectors, [u for u in inspectors if u.role == User.Role.LEAD_INSPECTOR]


# The inspections ----------------------------------------------------------------


@dataclass
class Planned:
    force: Force
    stage: str
    start: date
    received: date | None = None
    published: date | None = None
    closed: date | None = None


def _latest_dates(stage: str, today: date, rng: random.Random) -> Planned:
    """Dates of a force's latest inspection at this stage; some deadlines are
    still to come, some overdue."""
    days = rng.randint
    if stage == Stage.PLANNED:
        return Planned(None, stage, today + timedelta(days=days(20, 120)))
    if stage == Stage.FIELDWORK:
        return Planned(None, stage, today - timedelta(days=days(0, 3)))
    if stage == Stage.MODERATION:
        return Planned(None, stage, today - timedelta(days=days(15, 40)))
    if stage == Stage.PRE_PUBLICATION:
        received = today - timedelta(days=days(0, 40))
        return Planned(None, stage, received - timedelta(days=45), received)
    if stage == Stage.PUBLISHED:
        published = today - timedelta(days=days(5, 100))
        start = published - timedelta(days=90)
        return Planned(None, stage, start, start + timedelta(days=45), published)
    start = today - timedelta(days=days(200, 400))
    return Planned(None, stage, start, start + timedelta(days=45), start + timedelta(days=90))


def _plan(forces: list[Force], count: int, today: date, rng: random.Random) -> list[Planned]:
    """count inspections over the forces in turn, each force's spread over ten years."""
    per_force = [
        count // len(forces) + (1 if i < count % len(forces) else 0) for i in range(len(forces))
    ]
    planned = []
    for index, (force, n) in enumerate(zip(forces, per_force, strict=False)):
        if not n:
            continue
        latest = _latest_dates(LATEST_STAGES[index % len(LATEST_STAGES)], today, rng)
        latest.force = force
        gap = YEARS_DAYS // n
        for k in range(n - 1):
            start = latest.start - timedelta(days=gap * (n - 1 - k) + rng.randint(0, 20))
            published = start + timedelta(days=90)
            # The one before an open inspection may still be in follow-up.
            follow_up = k == n - 2 and latest.stage in Inspection.OPEN_STAGES and index % 2 == 1
            planned.append(
                Planned(
                    force,
                    Stage.FOLLOW_UP if follow_up else Stage.CLOSED,
                    start,
                    start + timedelta(days=45),
                    published,
                    None if follow_up else min(published + timedelta(days=400), today),
                )
            )
        if latest.stage == Stage.CLOSED:
            latest.closed = min(latest.published + timedelta(days=400), today)
        planned.append(latest)
    return planned


def _inspection(plan: Planned, lead: User, rng: random.Random) -> Inspection:
    received, published = plan.received, plan.published
    return Inspection(
        id=scale_uuid(rng),
        force=plan.force,
        kind=Inspection.Kind.INSPECTION,
        stage=plan.stage,
        fieldwork_start=plan.start,
        fieldwork_end=plan.start + timedelta(days=4),
        lead_inspector=lead,
        received_for_checks_on=received,
        published_on=published,
        closed_on=plan.closed,
        action_plan_due_on=derive(received, action_plan_rule()) if received else None,
        updated_action_plan_due_on=derive(published, updated_action_plan_rule())
        if published
        else None,
        pcc_response_due_on=derive(published, pcc_response_rule()) if published else None,
        pcc_response_published_on=_pcc_response_on(plan),
    )


def _pcc_response_on(plan: Planned) -> date | None:
    """Commissioners respond a week before the deadline, once the inspection
    has moved on from publication; those just published have not yet, so some
    are overdue, for the dashboard and the sweep to find."""
    if plan.published is None or plan.stage == Stage.PUBLISHED:
        return None
    responded = plan.published + timedelta(days=settings.PROGRAMME_RULES["PCC_RESPONSE_DAYS"] - 7)
    return responded if responded <= timezone.localdate() else None


def has_contents(inspection: Inspection) -> bool:
    """Planned inspections have nothing in them yet."""
    return inspection.stage != Stage.PLANNED


# Contents -----------------------------------------------------------------------

JUDGMENT_STATUS = {
    Stage.PLANNED: Judgment.Status.NOT_STARTED,
    Stage.FIELDWORK: Judgment.Status.DRAFT,
    Stage.MODERATION: Judgment.Status.SUBMITTED,
}


def _judgments(inspections, rng, now) -> Iterable[tuple]:
    for i in inspections:
        status = JUDGMENT_STATUS.get(i.stage, Judgment.Status.FINAL)
        for topic in Topic.values:
            graded = status != Judgment.Status.NOT_STARTED
            yield (
                scale_uuid(rng),
                now,
                now,
                i.pk,
                topic,
                Topic.position(topic),
                rng.choice(GRADES) if graded else "",
                "Synthetic rationale citing the evidence. " * 8 if graded else "",
                status,
                "",
                graded and topic != Topic.LEADERSHIP,
            )


def _findings(inspections, rng, now, recommendations: list) -> Iterable[tuple]:
    for i in (i for i in inspections if has_contents(i)):
        for n, kind in enumerate(FINDING_KINDS):
            topic = Topic.values[n % 5]
            finding_id = scale_uuid(rng)
            if kind in Finding.CONCERN_KINDS:
                recommendations.extend(
                    (scale_uuid(rng), now, now, finding_id, f"Within six months, the force {m}.")
                    for m in range(1, RECOMMENDATIONS_PER_CONCERN + 1)
                )
            yield (
                finding_id,
                now,
                now,
                i.pk,
                topic,
                Topic.position(topic),
                kind,
                Finding.kind_order(kind),
                f"Synthetic finding {n + 1}: {Finding.Kind(kind).label.lower()}",
                "Synthetic detail of what inspectors found. " * 12,
                i.fieldwork_end if kind == Finding.Kind.ACCELERATED else None,
            )


def _interviews(inspections, rng, now, participants: list) -> Iterable[tuple]:
    for i in (i for i in inspections if has_contents(i)):
        for n in range(INTERVIEWS):
            interview_id = scale_uuid(rng)
            participants.extend(
                (
                    scale_uuid(rng),
                    now,
                    now,
                    interview_id,
                    rng.choice(ROLES),
                    rng.choice(ORGANISATIONS),
                )
                for _ in range(1 + n % 2)
            )
            yield (
                interview_id,
                now,
                now,
                i.pk,
                i.fieldwork_start + timedelta(days=n % 5),
                rng.sample(Topic.values, 2),
                "Synthetic interview notes.",
            )


def _documents(inspections, rng, now) -> Iterable[tuple]:
    kinds = list(Document.Kind.values)
    for i in (i for i in inspections if has_contents(i)):
        for n in range(DOCUMENTS):
            yield (
                scale_uuid(rng),
                now,
                now,
                i.pk,
                f"Synthetic document {n + 1}",
                kinds[n % len(kinds)],
                i.fieldwork_start - timedelta(days=n % 30),
                "",
                None,
            )


def audit_rows(inspection: Inspection, events: Iterable[tuple], when: datetime):
    """AuditEvent rows (without the key, which the database assigns) for
    (actor id, action, object type, object id, description) tuples."""
    for actor_id, action, object_type, object_id, description in events:
        yield (
            when,
            actor_id,
            action,
            object_type,
            str(object_id),
            description,
            inspection.force_id,
            inspection.pk,
            {},
            "",
        )


AUDIT_FIELDS = [
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "force",
    "inspection_id",
    "changes",
    "comment",
]


def _audit(inspections, judgment_rows: list[tuple]) -> Iterable[tuple]:
    """One row for the scheduling and two per judgment (saved, then its status)."""
    by_inspection: dict = {}
    for row in judgment_rows:
        by_inspection.setdefault(row[3], []).append(row)
    for i in inspections:
        when = timezone.make_aware(datetime.combine(i.fieldwork_start, datetime.min.time()))
        events = [(None, "inspection.scheduled", "inspections.inspection", i.pk, str(i))]
        for row in by_inspection.get(i.pk, []):
            if row[8] != Judgment.Status.NOT_STARTED:
                label = f"{Topic(row[4]).label} judgment"
                events.append(
                    (i.lead_inspector_id, "judgment.saved", "inspections.judgment", row[0], label)
                )
                events.append(
                    (
                        i.lead_inspector_id,
                        f"judgment.{row[8]}",
                        "inspections.judgment",
                        row[0],
                        label,
                    )
                )
        yield from audit_rows(i, events, when)


def build(*, factor: float, rng: random.Random, stdout) -> list[Inspection]:
    """round(129 x factor) inspections over the 43 forces and ten years, with
    their judgments, findings, recommendations, interviews and documents."""
    today = timezone.localdate()
    now = timezone.now()
    forces = list(Force.objects.order_by("slug"))
    team, leads = _people(rng, forces)
    count = max(1, round(INSPECTIONS_PER_FACTOR * factor))
    inspections = [
        _inspection(plan, rng.choice(leads), rng) for plan in _plan(forces, count, today, rng)
    ]
    Inspection.objects.bulk_create(inspections, batch_size=1000)
    membership = Inspection.team.through
    insert_rows(
        membership,
        ["inspection", "user"],
        (
            (i.pk, member.pk)
            for i in inspections
            for member in rng.sample([u for u in team if u.pk != i.lead_inspector_id], 3)
        ),
    )
    judgment_rows = list(_judgments(inspections, rng, now))
    insert_rows(
        Judgment,
        ["id", "created_at", "updated_at", "inspection", "topic", "position", "grade"]
        + ["rationale", "status", "moderation_comment", "cites_case_reviews"],
        judgment_rows,
    )
    recommendations: list[tuple] = []
    findings = insert_rows(
        Finding,
        ["id", "created_at", "updated_at", "inspection", "topic", "topic_position", "kind"]
        + ["kind_position", "summary", "detail", "reported_to_force_on"],
        _findings(inspections, rng, now, recommendations),
    )
    insert_rows(
        Recommendation, ["id", "created_at", "updated_at", "finding", "text"], recommendations
    )
    participants: list[tuple] = []
    interviews = insert_rows(
        Interview,
        ["id", "created_at", "updated_at", "inspection", "held_on", "topics", "notes"],
        _interviews(inspections, rng, now, participants),
    )
    insert_rows(
        Participant,
        ["id", "created_at", "updated_at", "interview", "role", "organisation"],
        participants,
    )
    documents = insert_rows(
        Document,
        ["id", "created_at", "updated_at", "inspection", "title", "kind", "received_on"]
        + ["notes", "stored_file"],
        _documents(inspections, rng, now),
    )
    audits = insert_rows(AuditEvent, AUDIT_FIELDS, _audit(inspections, judgment_rows))
    stdout.write(
        f"inspections: {len(inspections):,}; findings {findings:,}, recommendations "
        f"{len(recommendations):,}, interviews {interviews:,}, documents {documents:,}, "
        f"audit events {audits:,}"
    )
    return inspections
