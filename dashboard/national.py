"""The national picture: grades, open findings, deadlines and visits across forces.

Each function runs a fixed number of queries whatever the number of forces or
inspections, so the dashboard costs the same for one force or 43 with ten
years of history. Until the action plans app is on main, "open" and "done"
are read from the inspection's stage (see the functions marked so below).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from forces.models import Force
from inspections import charts
from inspections.models import Finding, Grade, Inspection, Topic
from inspections.programme import ProgrammeRow, programme

Stage = Inspection.Stage
QUARTER_DAYS = 91
DUE_SOON_DAYS = 30


@dataclass
class MatrixRow:
    force: Force
    inspection: Inspection | None
    grades: list[str]  # one grade value (or "") per topic, in topic order
    open_concerns: int = 0
    open_afis: int = 0
    is_due: bool = False
    last_inspected_on: date | None = None


@dataclass
class Deadline:
    force: Force
    inspection: Inspection
    what: str
    due_on: date
    days: int  # negative when overdue

    @property
    def is_overdue(self) -> bool:
        return self.days < 0


@dataclass
class Visit:
    force: Force
    inspection: Inspection | None
    what: str
    start: date
    end: date


@dataclass
class Picture:
    rows: list[MatrixRow]
    due_soon: list[Deadline] = field(default_factory=list)
    overdue: list[Deadline] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    quarter: tuple[date, date] | None = None

    @property
    def forces_due(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.is_due]

    @property
    def open_concerns(self) -> int:
        return sum(row.open_concerns for row in self.rows)

    @property
    def open_afis(self) -> int:
        return sum(row.open_afis for row in self.rows)


def open_findings_q(prefix: str = "") -> Q:
    """Findings still open: those of published inspections not yet closed.

    (Until the action plans app is on main, a finding closes with its inspection.)
    """
    return Q(**{f"{prefix}inspection__stage__in": [Stage.PUBLISHED, Stage.FOLLOW_UP]})


def open_finding_counts(force_ids: list) -> dict:
    """(force id, kind) -> count of open causes of concern and areas for improvement."""
    kinds = [*Finding.CONCERN_KINDS, Finding.Kind.AREA_FOR_IMPROVEMENT]
    counts = (
        Finding.objects.filter(
            open_findings_q(), kind__in=kinds, inspection__force_id__in=force_ids
        )
        .values_list("inspection__force_id", "kind")
        .annotate(n=Count("id"))
    )
    return {(force_id, kind): n for force_id, kind, n in counts}


def action_plan_deadlines(*, today: date, force_ids: list) -> list[Deadline]:
    """Action plans and updated action plans not yet in, due within 30 days or overdue.

    Until the action plans app is on main, a plan counts as not yet in while
    the inspection waits at the stage that asks for it: the action plan at
    pre-publication checks, the updated plan while published and before
    follow-up starts.
    """
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    inspections = Inspection.objects.filter(force_id__in=force_ids).filter(
        Q(stage=Stage.PRE_PUBLICATION, action_plan_due_on__lte=horizon)
        | Q(stage=Stage.PUBLISHED, updated_action_plan_due_on__lte=horizon)
    )
    deadlines = []
    for inspection in inspections.select_related("force"):
        if inspection.stage == Stage.PRE_PUBLICATION:
            what, due_on = "Action plan", inspection.action_plan_due_on
        else:
            what, due_on = "Updated action plan", inspection.updated_action_plan_due_on
        deadlines.append(
            Deadline(inspection.force, inspection, what, due_on, (due_on - today).days)
        )
    return sorted(deadlines, key=lambda d: (d.due_on, d.force.short_name))


def post_inspection_visits(*, start: date, end: date, force_ids: list) -> list[Visit]:
    """Post-inspection visits between start and end: from the action plans app
    once it is on main; none until then."""
    return []


def coming_visits(*, today: date, force_ids: list) -> tuple[list[Visit], tuple[date, date]]:
    """Fieldwork and post-inspection visits in the coming quarter (13 weeks)."""
    end = today + timedelta(days=QUARTER_DAYS)
    fieldwork = (
        Inspection.objects.filter(force_id__in=force_ids)
        .exclude(stage=Stage.CLOSED)
        .overlapping(today, end)
        .select_related("force")
    )
    visits = [
        Visit(i.force, i, f"{i.get_kind_display()} fieldwork", i.fieldwork_start, i.fieldwork_end)
        for i in fieldwork
    ]
    visits += post_inspection_visits(start=today, end=end, force_ids=force_ids)
    return sorted(visits, key=lambda v: (v.start, v.force.short_name)), (today, end)


def national_picture(*, today: date, region: str = "", country: str = "") -> Picture:
    rows: list[ProgrammeRow] = programme(today=today, region=region, country=country, sort="force")
    force_ids = [row.force.pk for row in rows]
    counts = open_finding_counts(force_ids)
    matrix = []
    for row in rows:
        judgments = (
            {j.topic: j.grade for j in row.last_published.judgments.all()}
            if (row.last_published)
            else {}
        )
        matrix.append(
            MatrixRow(
                force=row.force,
                inspection=row.last_published,
                grades=[judgments.get(topic, "") for topic in Topic.values],
                open_concerns=sum(counts.get((row.force.pk, k), 0) for k in Finding.CONCERN_KINDS),
                open_afis=counts.get((row.force.pk, Finding.Kind.AREA_FOR_IMPROVEMENT), 0),
                is_due=row.is_due,
                last_inspected_on=row.last_inspected_on,
            )
        )
    deadlines = action_plan_deadlines(today=today, force_ids=force_ids)
    visits, quarter = coming_visits(today=today, force_ids=force_ids)
    return Picture(
        rows=matrix,
        due_soon=[d for d in deadlines if not d.is_overdue],
        overdue=[d for d in deadlines if d.is_overdue],
        visits=visits,
        quarter=quarter,
    )


# Charts ------------------------------------------------------------------------

GRADE_SEGMENTS = [
    (Grade.OUTSTANDING, charts.GREEN),
    (Grade.GOOD, charts.TURQUOISE),
    (Grade.ADEQUATE, charts.YELLOW),
    (Grade.REQUIRES_IMPROVEMENT, charts.ORANGE),
    (Grade.INADEQUATE, charts.RED),
]


def grade_distribution(rows: list[MatrixRow]) -> list[dict]:
    """Per topic, how many forces hold each latest published grade."""
    table = []
    for index, topic in enumerate(Topic):
        tally = Counter(row.grades[index] for row in rows if row.grades[index])
        table.append({"topic": topic.label, "counts": [tally.get(g, 0) for g, _ in GRADE_SEGMENTS]})
    return table


def grade_distribution_chart(table: list[dict]):
    total = sum(sum(row["counts"]) for row in table)
    return charts.stacked_bars(
        title="Latest published grades by topic",
        description=(
            f"For each of the five topics, how many forces hold each grade, from {total} "
            "latest published graded judgments. The table below gives the same figures."
        ),
        rows=[
            (
                row["topic"],
                [
                    charts.Segment(grade.label, count, colour)
                    for (grade, colour), count in zip(GRADE_SEGMENTS, row["counts"], strict=True)
                ],
            )
            for row in table
        ],
    )


def visits_chart(visits: list[Visit], quarter: tuple[date, date]):
    start, end = quarter
    return charts.timeline(
        title="Fieldwork and post-inspection visits in the coming quarter",
        description=(
            f"{len(visits)} visit{'s' if len(visits) != 1 else ''} between "
            f"{start.day} {start:%B %Y} and {end.day} {end:%B %Y}, one bar per visit on a "
            "calendar. The table below lists the same visits with their dates."
        ),
        start=start,
        end=end,
        spans=[
            charts.Span(
                v.force.short_name,
                v.start,
                v.end,
                v.what,
                charts.BLUE if "fieldwork" in v.what else charts.PURPLE,
            )
            for v in visits
        ],
    )
