"""The programme across the 43 forces: last inspected, next planned, who is due.

Everything is fetched in a fixed number of queries, whatever the number of
forces or inspections: subqueries pick each force's latest published and next
planned inspection, and one query loads those with their judgments.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.conf import settings
from django.db.models import F, Max, OuterRef, Q, Subquery

from core.links import ANY, url_maker
from forces.models import Force

from .models import Inspection, Judgment, Topic

Stage = Inspection.Stage
TOPIC_LABELS = dict(Topic.choices)


def cadence_start(today: date) -> date:
    """The earliest last-inspection date that still counts as within cadence."""
    years = settings.PROGRAMME_RULES["CADENCE_YEARS"]
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True, slots=True)
class InspectionSummary:
    """What a line about an inspection shows, as plain values: a row is 43
    forces wide, and model instances, their display methods and a reverse()
    for each link cost more than the query."""

    pk: UUID
    url: str
    kind: str
    kind_label: str
    stage: str
    stage_label: str
    fieldwork_start: date
    fieldwork_end: date
    published_on: date | None

    def get_stage_display(self) -> str:
        return self.stage_label


@dataclass
class ProgrammeRow:
    force: Force
    last_inspected_on: date | None
    last_published: InspectionSummary | None
    next_planned: InspectionSummary | None
    is_due: bool
    # The latest published grades, in topic order: (topic, its label, grade).
    grades: list[tuple[str, str, str]]
    # The force's page, its name and region, read once here rather than per
    # use in the template.
    force_url: str = ""
    short_name: str = ""
    region_label: str = ""


def inspection_summaries(ids) -> dict:
    """Inspection id -> InspectionSummary, in one query of plain values."""
    url = url_maker("inspections:detail", ANY)
    kinds, stages = dict(Inspection.Kind.choices), dict(Stage.choices)
    values = Inspection.objects.filter(pk__in=ids).values_list(
        "pk", "kind", "stage", "fieldwork_start", "fieldwork_end", "published_on"
    )
    return {
        pk: InspectionSummary(
            pk,
            url(pk),
            kind,
            kinds.get(kind, kind),
            stage,
            stages.get(stage, stage),
            start,
            end,
            published_on,
        )
        for pk, kind, stage, start, end, published_on in values
    }


# "due" (the default) sorts in Python after the due flag is known.
SORTS = {
    "force": ["short_name"],
    "region": ["region", "short_name"],
    "last": [F("last_inspected_on").asc(nulls_first=True), "short_name"],
    "due": ["short_name"],
}


def programme(*, today: date, region: str = "", country: str = "", due: str = "", sort="due"):
    """One row per force, filtered and sorted."""
    after_fieldwork = Q(inspections__stage__in=Inspection.STAGES_AFTER_FIELDWORK)
    last_published = (
        Inspection.objects.filter(force=OuterRef("pk"), published_on__isnull=False)
        .order_by("-published_on")
        .values("pk")[:1]
    )
    # The open inspection, if any: planned, in fieldwork or on its way to publication.
    next_planned = (
        Inspection.objects.filter(force=OuterRef("pk"), stage__in=Inspection.OPEN_STAGES)
        .order_by("fieldwork_start")
        .values("pk")[:1]
    )
    forces = Force.objects.annotate(
        last_inspected_on=Max("inspections__fieldwork_end", filter=after_fieldwork),
        last_published_id=Subquery(last_published),
        next_planned_id=Subquery(next_planned),
    )
    threshold = cadence_start(today)
    due_q = Q(last_inspected_on__isnull=True) | Q(last_inspected_on__lt=threshold)
    if region:
        forces = forces.filter(region=region)
    if country:
        forces = forces.filter(country=country)
    if due == "due":
        forces = forces.filter(due_q)
    elif due == "not_due":
        forces = forces.exclude(due_q)
    forces = list(forces.order_by(*SORTS.get(sort, SORTS["due"])))
    wanted = {f.last_published_id for f in forces} | {f.next_planned_id for f in forces}
    wanted.discard(None)
    # Only what the programme and the dashboard show.
    by_id = inspection_summaries(wanted)
    published_ids = [f.last_published_id for f in forces if f.last_published_id]
    grades: dict = {}
    for inspection_id, topic, grade in (
        Judgment.objects.filter(inspection_id__in=published_ids)
        .order_by("position")
        .values_list("inspection_id", "topic", "grade")
    ):
        grades.setdefault(inspection_id, []).append((topic, TOPIC_LABELS[topic], grade))
    force_url = url_maker("forces:detail", ANY)
    regions = dict(Force.Region.choices)
    rows = [
        ProgrammeRow(
            force=f,
            last_inspected_on=f.last_inspected_on,
            last_published=by_id.get(f.last_published_id),
            next_planned=by_id.get(f.next_planned_id),
            is_due=f.last_inspected_on is None or f.last_inspected_on < threshold,
            grades=grades.get(f.last_published_id, []),
            force_url=force_url(f.slug),
            short_name=f.short_name,
            region_label=regions.get(f.region, f.region),
        )
        for f in forces
    ]
    if sort == "due" or sort not in SORTS:
        # Due forces first, the longest since inspection (or never) at the top.
        rows.sort(key=lambda r: (not r.is_due, r.last_inspected_on or date.min))
    return rows
