"""The national picture: grades, open findings, deadlines and visits across forces.

Each function runs a fixed number of queries whatever the number of forces or
inspections, so the dashboard costs the same for one force or 43 with ten
years of history. A finding is open while its inspection is published and
not yet closed; an action plan is in once the force has submitted a version
that was not returned.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery

from actionplans.models import ActionPlan, ActionPlanVersion, Notice, PostInspectionVisit
from actionplans.pcc_response import pcc_response_open
from actionplans.services import Status, deadline_status
from core.links import ANY, url_maker
from forces.models import Force
from inspections import charts
from inspections.models import Finding, Grade, Inspection, Topic
from inspections.programme import ProgrammeRow, programme

Stage = Inspection.Stage
QUARTER_DAYS = 91
# How far ahead the dashboard and the home pages list deadlines. Only a list:
# the words for each (due soon or not yet due) are actionplans.services.deadline_status's.
LISTED_DAYS = 30
# Deadline.kind of the police and crime commissioner's response, as a notice names it.
PCC_RESPONSE = Notice.Subject.PCC_RESPONSE.value


@dataclass
class MatrixRow:
    force: Force
    inspection: Inspection | None
    grades: list[str]  # one grade value (or "") per topic, in topic order
    open_concerns: int = 0
    open_afis: int = 0
    is_due: bool = False
    last_inspected_on: date | None = None
    force_url: str = ""
    short_name: str = ""


@dataclass
class Deadline:
    force: Force
    inspection: Inspection
    kind: str  # ActionPlan.Kind
    due_on: date
    days: int  # negative when overdue
    returned: bool = False  # a version came back to the force for changes
    # The page of the plan, or of the follow-up for the commissioner's
    # response, and the force's page (see _links).
    plan_url: str = ""
    force_url: str = ""

    @property
    def what(self) -> str:
        if self.kind == PCC_RESPONSE:
            return "Police and crime commissioner’s response"
        return ActionPlan.Kind(self.kind).label

    @property
    def is_overdue(self) -> bool:
        return self.days < 0

    @property
    def status(self) -> Status:
        """In the words the plan and follow-up pages use for the same deadline."""
        return deadline_status(self.days, returned=self.returned)


def _links() -> dict:
    """Each deadline's kind -> its page's URL for an inspection's id, and
    "force" -> a force's page for its slug: a reverse() for each kind rather
    than two for each deadline (core.links)."""
    links = {
        kind: url_maker("actionplans:plan", ANY, slug) for kind, slug in ActionPlan.SLUGS.items()
    }
    followup = url_maker("actionplans:followup", ANY)
    links[PCC_RESPONSE] = lambda pk: f"{followup(pk)}#pcc-response"
    links["force"] = url_maker("forces:detail", ANY)
    return links


def _deadline(links: dict, force: Force, inspection: Inspection, kind: str, due_on: date, **kw):
    return Deadline(
        force,
        inspection,
        kind,
        due_on,
        plan_url=links[kind](inspection.pk),
        force_url=links["force"](force.slug),
        **kw,
    )


@dataclass
class Visit:
    force: Force
    what: str
    start: date
    end: date


@dataclass
class Picture:
    rows: list[MatrixRow]
    due_soon: list[Deadline] = field(default_factory=list)
    overdue: list[Deadline] = field(default_factory=list)
    # Police and crime commissioners' responses not recorded: past due, and
    # due in the next 30 days.
    pcc_overdue: list[Deadline] = field(default_factory=list)
    pcc_due_soon: list[Deadline] = field(default_factory=list)
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
    """Findings still open: those of published inspections not yet closed."""
    return Q(**{f"{prefix}inspection__stage__in": [Stage.PUBLISHED, Stage.FOLLOW_UP]})


def open_finding_counts(forces: dict | None) -> dict:
    """(force id, kind) -> count of open causes of concern and areas for
    improvement, for these forces (None: every force)."""
    kinds = [*Finding.CONCERN_KINDS, Finding.Kind.AREA_FOR_IMPROVEMENT]
    counts = (
        _of_forces(
            Finding.objects.filter(open_findings_q(), kind__in=kinds),
            "inspection__force_id",
            forces,
        )
        .values_list("inspection__force_id", "kind")
        .annotate(n=Count("id"))
    )
    return {(force_id, kind): n for force_id, kind, n in counts}


PLAN_STAGES = [Stage.PRE_PUBLICATION, Stage.PUBLISHED, Stage.FOLLOW_UP]


def latest_plan_status(kind: str) -> Subquery:
    """The status of the newest version of the inspection's plan of this kind."""
    versions = ActionPlanVersion.objects.filter(
        plan__inspection=OuterRef("pk"), plan__kind=kind
    ).order_by("-number")
    return Subquery(versions.values("status")[:1])


def with_plan_statuses(inspections):
    return inspections.annotate(
        action_plan_status=latest_plan_status(ActionPlan.Kind.ACTION_PLAN),
        updated_action_plan_status=latest_plan_status(ActionPlan.Kind.UPDATED_ACTION_PLAN),
    )


def plan_deadlines(inspection: Inspection) -> list[tuple[str, date | None, str | None]]:
    """(kind, due on, latest version status) for both plans; needs with_plan_statuses()."""
    return [
        (ActionPlan.Kind.ACTION_PLAN, inspection.action_plan_due_on, inspection.action_plan_status),
        (
            ActionPlan.Kind.UPDATED_ACTION_PLAN,
            inspection.updated_action_plan_due_on,
            inspection.updated_action_plan_status,
        ),
    ]


def _deadline_inspections(
    *, today: date, forces: dict, narrow: bool, among=None, pcc: bool = False
):
    """The inspections with a plan due within 30 days or overdue (and, with
    pcc=True, a commissioner's response not recorded, due within 30 days or
    overdue), with their plans' statuses: one query."""
    horizon = today + timedelta(days=LISTED_DAYS)
    due = Q(action_plan_due_on__lte=horizon) | Q(updated_action_plan_due_on__lte=horizon)
    if pcc:
        due |= Q(pcc_response_due_on__lte=horizon, pcc_response_published_on__isnull=True)
    inspections = Inspection.objects.filter(stage__in=PLAN_STAGES).filter(due)
    if among is not None:
        inspections = inspections.filter(pk__in=among.values("pk"))
    return with_plan_statuses(
        _of_forces(inspections, "force_id", forces if narrow else None).only(
            "force_id",
            "stage",
            "action_plan_due_on",
            "updated_action_plan_due_on",
            "pcc_response_due_on",
            "pcc_response_published_on",
        )
    )


def _plan_deadlines(inspections, *, today: date, forces: dict) -> list[Deadline]:
    horizon = today + timedelta(days=LISTED_DAYS)
    links = _links()
    deadlines = [
        _deadline(
            links,
            forces[inspection.force_id],
            inspection,
            kind,
            due_on,
            days=(due_on - today).days,
            returned=status == ActionPlanVersion.Status.RETURNED,
        )
        for inspection in inspections
        if inspection.force_id in forces
        for kind, due_on, status in plan_deadlines(inspection)
        if due_on is not None and due_on <= horizon and status not in ActionPlanVersion.IN
    ]
    return sorted(deadlines, key=lambda d: (d.due_on, d.force.short_name))


def _pcc_deadlines(inspections, *, today: date, forces: dict) -> list[Deadline]:
    """Commissioners' responses with none recorded, overdue (as the service
    chases them) or due within 30 days, soonest first (found by the admin
    review: one due in 3 days was on the force lead's home, not the admin's)."""
    horizon = today + timedelta(days=LISTED_DAYS)
    links = _links()
    deadlines = [
        _deadline(
            links,
            forces[inspection.force_id],
            inspection,
            PCC_RESPONSE,
            inspection.pcc_response_due_on,
            days=(inspection.pcc_response_due_on - today).days,
        )
        for inspection in inspections
        if inspection.force_id in forces
        and pcc_response_open(
            due_on=inspection.pcc_response_due_on,
            published_on=inspection.pcc_response_published_on,
            stage=inspection.stage,
            horizon=horizon,
        )
    ]
    return sorted(deadlines, key=lambda d: (d.due_on, d.force.short_name))


def action_plan_deadlines(
    *, today: date, forces: dict, narrow: bool = True, among=None
) -> list[Deadline]:
    """Action plans and updated action plans not yet in, due within 30 days or overdue.

    A plan is in once a version is submitted or accepted; a returned version
    puts it back with the force. Closed inspections ask for nothing. `among`
    (a queryset of inspections) narrows them further: an inspector's own.
    """
    inspections = _deadline_inspections(today=today, forces=forces, narrow=narrow, among=among)
    return _plan_deadlines(inspections, today=today, forces=forces)


def _of_forces(queryset, field: str, forces: dict | None):
    """Narrowed to these forces; None means every force, and sends no list of ids."""
    if forces is None:
        return queryset
    return queryset.filter(**{f"{field}__in": list(forces)})


def post_inspection_visits(
    *, start: date, end: date, forces: dict, narrow: bool = True
) -> list[Visit]:
    """Post-inspection visits booked between start and end, for these forces
    (id -> Force, already loaded; narrow=False when they are every force)."""
    visits = _of_forces(
        PostInspectionVisit.objects.booked().filter(visit_on__range=(start, end)),
        "inspection__force_id",
        forces if narrow else None,
    ).values_list("inspection__force_id", "visit_on")
    return [
        Visit(forces[force_id], "Post-inspection visit", visit_on, visit_on)
        for force_id, visit_on in visits
        if force_id in forces
    ]


def coming_visits(
    *, today: date, forces: dict, narrow: bool = True
) -> tuple[list[Visit], tuple[date, date]]:
    """Fieldwork and post-inspection visits in the coming quarter (13 weeks)."""
    end = today + timedelta(days=QUARTER_DAYS)
    fieldwork = _of_forces(
        Inspection.objects.current().overlapping(today, end),
        "force_id",
        forces if narrow else None,
    ).values_list("force_id", "kind", "fieldwork_start", "fieldwork_end")
    kinds = dict(Inspection.Kind.choices)
    visits = [
        Visit(forces[force_id], f"{kinds[kind]} fieldwork", start, finish)
        for force_id, kind, start, finish in fieldwork
        if force_id in forces
    ]
    visits += post_inspection_visits(start=today, end=end, forces=forces, narrow=narrow)
    return sorted(visits, key=lambda v: (v.start, v.force.short_name)), (today, end)


def deadlines_of(user, *, today: date) -> tuple[list[Deadline], list[Deadline]]:
    """(overdue, due in the next 30 days): the action plans of the inspections
    an inspector works on (an admin: all), and their commissioners' responses
    not recorded, for their home page. Two queries."""
    forces = Force.objects.in_bulk()
    inspections = list(
        _deadline_inspections(
            today=today,
            forces=forces,
            narrow=False,
            among=Inspection.objects.visible_to(user),
            pcc=True,
        )
    )
    deadlines = _plan_deadlines(inspections, today=today, forces=forces)
    deadlines += _pcc_deadlines(inspections, today=today, forces=forces)
    deadlines.sort(key=lambda d: (d.due_on, d.force.short_name))
    return [d for d in deadlines if d.is_overdue], [d for d in deadlines if not d.is_overdue]


def inspections_open_to(user, deadlines: list[Deadline]) -> set | None:
    """Which of the deadlines' inspections the user may open: None for all
    (admins). An inspector opens only those whose team they are on; the
    dashboard links the rest to their force's page. One query, or none."""
    if user.is_admin:
        return None
    ids = {deadline.inspection.pk for deadline in deadlines}
    if not ids:
        return set()
    return set(Inspection.objects.filter(pk__in=ids).visible_to(user).values_list("pk", flat=True))


def national_picture(*, today: date, region: str = "", country: str = "") -> Picture:
    rows: list[ProgrammeRow] = programme(today=today, region=region, country=country, sort="force")
    # The forces are loaded once, here; with no filter they are every force, and
    # the queries below need no list of their ids.
    forces = {row.force.pk: row.force for row in rows}
    narrow = bool(region or country)
    counts = open_finding_counts(forces if narrow else None)
    matrix = []
    for row in rows:
        judgments = {topic: grade for topic, _, grade in row.grades}
        matrix.append(
            MatrixRow(
                force=row.force,
                inspection=row.last_published,
                grades=[judgments.get(topic, "") for topic in Topic.values],
                open_concerns=sum(counts.get((row.force.pk, k), 0) for k in Finding.CONCERN_KINDS),
                open_afis=counts.get((row.force.pk, Finding.Kind.AREA_FOR_IMPROVEMENT), 0),
                is_due=row.is_due,
                last_inspected_on=row.last_inspected_on,
                force_url=row.force_url,
                short_name=row.short_name,
            )
        )
    # The plans and the commissioners' responses from the same query.
    inspections = list(_deadline_inspections(today=today, forces=forces, narrow=narrow, pcc=True))
    deadlines = _plan_deadlines(inspections, today=today, forces=forces)
    pcc = _pcc_deadlines(inspections, today=today, forces=forces)
    visits, quarter = coming_visits(today=today, forces=forces, narrow=narrow)
    return Picture(
        rows=matrix,
        due_soon=[d for d in deadlines if not d.is_overdue],
        overdue=[d for d in deadlines if d.is_overdue],
        pcc_overdue=[d for d in pcc if d.is_overdue],
        pcc_due_soon=[d for d in pcc if not d.is_overdue],
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
            f"For each of the 5 topics, how many forces hold each grade, from {total} "
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
