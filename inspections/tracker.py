"""The action plan tracker: every recommendation and area for improvement of an
inspection, with the force's response, target date, status and plan version.

Numbered as the report numbers them. The response columns come from the
newest submitted version of the force's action plans: the updated action plan
where there is one, otherwise the action plan.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.template.loader import render_to_string

from actionplans.models import ActionPlan, PlanResponse
from dashboard.csvio import csv_response

from . import reports
from .models import Finding, Inspection

logger = logging.getLogger(__name__)


class TrackerPdfError(Exception):
    """The tracker could not be drawn as a PDF; the view says so, and sends no file."""


@dataclass
class Response:
    text: str = ""
    target_date: date | None = None
    status: str = "No response yet"
    plan_version: str = ""


@dataclass
class TrackerRow:
    reference: str
    topic: str
    kind: str
    finding: str
    text: str
    response: Response


def plan_responses(inspection: Inspection) -> dict[tuple[str, str], Response]:
    """The force's latest submitted response per ("recommendation" | "finding", id).

    Two queries: the plans with their versions, then the responses of each
    plan's newest version. The updated action plan, being later, wins.
    """
    plans = ActionPlan.objects.filter(inspection=inspection).prefetch_related("versions")
    latest = {plan.kind: (plan, plan.latest_version) for plan in plans if plan.latest_version}
    rows = PlanResponse.objects.filter(version__in=[v for _, v in latest.values()])
    by_version: dict = {}
    for row in rows:
        by_version.setdefault(row.version_id, []).append(row)
    responses: dict[tuple[str, str], Response] = {}
    for kind in ActionPlan.Kind.values:  # action plan first, so the updated one overrides
        if kind not in latest:
            continue
        plan, version = latest[kind]
        status = version.get_status_display().lower()
        label = f"{plan.get_kind_display()} version {version.number} ({status})"
        for row in by_version.get(version.pk, []):
            key = (
                ("recommendation", str(row.recommendation_id))
                if row.recommendation_id
                else ("finding", str(row.finding_id))
            )
            responses[key] = Response(row.action, row.target_on, row.get_status_display(), label)
    return responses


def tracker_rows(inspection: Inspection) -> list[TrackerRow]:
    findings = list(inspection.findings.prefetch_related("recommendations"))
    responses = plan_responses(inspection)
    rows: list[TrackerRow] = []
    counts = {"recommendation": 0, "afi": 0}
    for topic, _, items in reports.in_report_order(findings):
        for finding in items:
            if finding.kind == Finding.Kind.AREA_FOR_IMPROVEMENT:
                counts["afi"] += 1
                rows.append(
                    TrackerRow(
                        f"Area for improvement {counts['afi']}",
                        topic.label,
                        "Area for improvement",
                        finding.summary,
                        finding.detail,
                        responses.get(("finding", str(finding.pk)), Response()),
                    )
                )
            for recommendation in finding.recommendations.all():
                counts["recommendation"] += 1
                rows.append(
                    TrackerRow(
                        f"Recommendation {counts['recommendation']}",
                        topic.label,
                        "Recommendation",
                        finding.summary,
                        recommendation.text,
                        responses.get(("recommendation", str(recommendation.pk)), Response()),
                    )
                )
    return rows


HEADER = [
    "Reference",
    "Topic",
    "Type",
    "Finding",
    "Recommendation or area for improvement",
    "Force's response",
    "Target date",
    "Status",
    "Action plan version",
]


def filename(inspection: Inspection, extension: str) -> str:
    """Named as the report's PDF is: "draft" until the report is published,
    so a copy kept from the pre-publication checks says what it is, the CSV
    above all, which has no page to print a marking on."""
    month = f"{inspection.fieldwork_start:%Y-%m}"
    status = "" if inspection.is_published else "draft-"
    return f"{inspection.force.slug}-{status}action-plan-tracker-{month}.{extension}"


def tracker_csv_response(inspection: Inspection):
    rows = (
        [
            row.reference,
            row.topic,
            row.kind,
            row.finding,
            row.text,
            row.response.text,
            row.response.target_date,
            row.response.status,
            row.response.plan_version,
        ]
        for row in tracker_rows(inspection)
    )
    return csv_response(filename(inspection, "csv"), HEADER, rows)


def tracker_pdf_response(inspection: Inspection) -> HttpResponse:
    html = render_to_string(
        "reports/tracker.html",
        {
            "title": f"Action plan tracker: {inspection}",
            "inspection": inspection,
            "rows": tracker_rows(inspection),
            "header": HEADER,
            # report.css draws the draft marking unless told the report is published.
            "is_published": inspection.is_published,
            "draft_marking": reports.draft_marking(inspection),
        },
    )
    try:
        pdf = reports.cached_pdf(html)
    except reports.PdfBusyError as error:
        # Another PDF took its time: a wait, not a fault to be alerted to.
        logger.warning("The action plan tracker of %s waited too long to be drawn", inspection.pk)
        raise TrackerPdfError from error
    except Exception as error:  # robust: WeasyPrint failing is a page, not a 500
        logger.exception("The action plan tracker of %s could not be drawn as a PDF", inspection.pk)
        raise TrackerPdfError from error
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(inspection, "pdf")}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
