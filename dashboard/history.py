"""One force's inspection history: grades over time and every recommendation.

What a person sees follows the inspections app: published grades for all who
may see the force; grades of an unpublished inspection only for those who may
see that inspection's findings (its team and admins; the force's lead from
pre-publication checks on), marked draft.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef

from actionplans.models import ActionPlanVersion, PlanResponse
from core.links import ANY, url_maker
from forces.models import Force
from inspections import charts, reports
from inspections.models import Finding, Grade, Inspection, Judgment, Recommendation, Topic

Stage = Inspection.Stage


@dataclass
class HistoryRow:
    inspection: Inspection
    grades: list[str] | None  # one per topic; None when this user may not see them
    is_draft: bool
    can_open: bool
    # When a person who may not see the grades yet will: a force's own lead
    # sees them as drafts from pre-publication checks, others on publication.
    shown_from: str
    # The inspection's page and kind, read once here (see force_history).
    url: str = ""
    kind_label: str = ""


@dataclass
class RecommendationRow:
    inspection: Inspection
    number: int
    topic: str
    concern: str
    text: str
    status: str

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")


STATUS_COLOURS = {
    "Draft": "yellow",
    "Complete": "green",
    "In progress": "blue",
    "Not started": "orange",
    "No response yet": "orange",
}


def _may_see_findings(user, inspection: Inspection, visible_ids: set) -> bool:
    if inspection.is_published:
        return True
    if inspection.pk not in visible_ids:
        return False
    if user.is_force_lead:
        return inspection.force_sees_findings
    return inspection.stage in Inspection.STAGES_AFTER_FIELDWORK


def _shown_from(user, inspection: Inspection, visible_ids: set) -> str:
    if user.is_force_lead and inspection.pk in visible_ids:
        return "when your force receives the draft report for pre-publication checks"
    return "when the report is published"


def recommendation_status(inspection: Inspection, response_status: str | None) -> str:
    """Draft before publication; then the force's latest submitted response
    (not started, in progress, complete); closed with the inspection."""
    if not inspection.is_published:
        return "Draft"
    if inspection.stage == Stage.CLOSED:
        return "Closed"
    return PlanResponse.Status(response_status).label if response_status else "No response yet"


def latest_responses(recommendation_ids: list) -> dict:
    """Recommendation id -> the status of its response in the newest submitted
    plan version that the lead inspector has not returned (a returned
    version's 'Complete' is what they sent back). One query of two columns,
    however long the history; the updated action plan is the later plan, so
    it wins."""
    rows = (
        PlanResponse.objects.filter(recommendation_id__in=recommendation_ids, version__isnull=False)
        .exclude(version__status=ActionPlanVersion.Status.RETURNED)
        .order_by("version__submitted_at", "version__number")
        .values_list("recommendation_id", "status")
    )
    return dict(rows)


# Recommendations are paged by inspection, so each keeps its report's numbering
# and a page costs the same however long the force's history.
INSPECTIONS_PER_PAGE = 2
# The history table shows the newest inspections unless all are asked for; the
# charts show the newest published ones (more columns' labels would not fit 300 pixels).
HISTORY_ROWS = 10
CHART_COLUMNS = 4


def force_history(force: Force, user, page: str | int | None = 1, show_all: bool = False) -> dict:
    inspections = list(
        Inspection.objects.filter(force=force)
        .for_summary()
        .order_by("fieldwork_start")
        .annotate(
            has_recommendations=Exists(
                Recommendation.objects.filter(finding__inspection=OuterRef("pk"))
            )
        )
    )
    visible_ids = set(
        Inspection.objects.visible_to(user).filter(force=force).values_list("pk", flat=True)
    )
    shown_ids = {i.pk for i in inspections if _may_see_findings(user, i, visible_ids)}
    listed = inspections if show_all else inspections[-HISTORY_ROWS:]
    by_topic: dict = {}
    for inspection_id, topic, grade in Judgment.objects.filter(
        inspection_id__in=[i.pk for i in listed if i.pk in shown_ids]
    ).values_list("inspection_id", "topic", "grade"):
        by_topic.setdefault(inspection_id, {})[topic] = grade
    # One reverse() for the rows' links, rather than one a row.
    url = url_maker("inspections:detail", ANY)
    kinds = dict(Inspection.Kind.choices)
    rows = [
        HistoryRow(
            inspection,
            [by_topic.get(inspection.pk, {}).get(t, "") for t in Topic.values]
            if inspection.pk in shown_ids
            else None,
            not inspection.is_published,
            inspection.pk in visible_ids,
            _shown_from(user, inspection, visible_ids),
            url(inspection.pk),
            kinds.get(inspection.kind, inspection.kind),
        )
        for inspection in listed
    ]
    newest_first = [i for i in reversed(inspections) if i.pk in shown_ids and i.has_recommendations]
    recommendation_page = Paginator(newest_first, INSPECTIONS_PER_PAGE).get_page(page)
    return {
        "rows": rows,
        "total": len(inspections),
        "history_rows": HISTORY_ROWS,
        "chart_columns": CHART_COLUMNS,
        "show_all": show_all,
        "charts": _topic_charts(force, rows),
        "recommendation_page": recommendation_page,
        "recommendations": _recommendations(recommendation_page),
    }


def _topic_charts(force: Force, rows: list[HistoryRow]) -> list:
    published = [row for row in rows if row.grades is not None and not row.is_draft]
    published = published[-CHART_COLUMNS:]
    if not published:
        return []
    result = []
    for index, topic in enumerate(Topic):
        points = [
            (
                f"{row.inspection.fieldwork_start:%b %Y}",
                row.grades[index],
                Grade(row.grades[index]).label if row.grades[index] else "Not graded",
            )
            for row in published
        ]
        words = ", ".join(f"{when}: {label}" for when, _, label in points)
        svg = charts.grade_columns(
            title=f"{force.short_name}: {topic.label} grades over time",
            description=f"Published grades for {topic.label.lower()}, oldest first. {words}.",
            points=points,
        )
        result.append({"topic": topic.label, "svg": svg})
    return result


def _recommendations(page: Page) -> list[RecommendationRow]:
    """The recommendations of the inspections on this page, newest first.

    Read as plain values, by the same two queries a prefetch would run: a
    page lists dozens, and their model instances cost more than the queries.
    """
    findings = list(
        Finding.objects.filter(inspection_id__in=[i.pk for i in page]).values_list(
            "pk", "inspection_id", "topic", "kind", "summary"
        )
    )
    texts: dict = {}
    for pk, finding_id, text in Recommendation.objects.filter(
        finding_id__in=[finding[0] for finding in findings]
    ).values_list("pk", "finding_id", "text"):
        texts.setdefault(finding_id, []).append((pk, text))
    sections: dict = {}
    for pk, inspection_id, topic, kind, summary in findings:
        sections.setdefault((inspection_id, topic, kind), []).append((pk, summary))
    responses = latest_responses(
        [pk for finding in findings for pk, _ in texts.get(finding[0], [])]
    )
    result = []
    for inspection in page:
        number = 0
        # In the order the report prints them (reports.in_report_order).
        for topic in Topic:
            for kind, _ in reports.FINDING_SECTIONS:
                for finding_id, summary in sections.get((inspection.pk, topic, kind), []):
                    for pk, text in texts.get(finding_id, []):
                        number += 1
                        result.append(
                            RecommendationRow(
                                inspection,
                                number,
                                topic.label,
                                summary,
                                text,
                                recommendation_status(inspection, responses.get(pk)),
                            )
                        )
    return result
