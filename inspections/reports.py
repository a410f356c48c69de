"""The inspection report as a PDF: its data, its HTML and its build.

One function, render_report_pdf(), turns an inspection into PDF bytes; the
Celery task and `manage.py export_report` both call it, so they give the same
bytes for the same data. The report's data is gathered first into plain
values, whose hash is the "data version" a stored PDF was built from; a
draft also records the "wording version", a digest of what words the data.
"""

import functools
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from casefiles.services import case_review_figures
from core import audit, background, fragments, uploads
from core.models import AuditEvent

from . import charts
from .models import GRADE_MEANINGS, Finding, Inspection, ReportFile, Topic
from .services import _lock

# WeasyPrint logs every layout step at INFO; keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Findings in each topic section, in this order, under these headings.
FINDING_SECTIONS = [
    (Finding.Kind.ACCELERATED, "Accelerated causes of concern"),
    (Finding.Kind.CAUSE_OF_CONCERN, "Causes of concern"),
    (Finding.Kind.AREA_FOR_IMPROVEMENT, "Areas for improvement"),
    (Finding.Kind.INNOVATIVE_PRACTICE, "Innovative practice"),
    (Finding.Kind.PROMISING_PRACTICE, "Promising practice"),
]


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _ratings(figures, label: str | None = None) -> dict:
    return {
        "label": label or figures.label,
        "good": figures.good,
        "requires_improvement": figures.requires_improvement,
        "inadequate": figures.inadequate,
        "total": figures.total,
    }


def case_review_annex(inspection: Inspection) -> dict | None:
    """The submitted case file reviews' figures for the annex, or None when no
    review has been submitted. Overall ratings are after second review."""
    figures = case_review_figures(inspection)
    if not figures.submitted:
        return None
    overall = figures.overall
    summary = (
        f"We reviewed {figures.submitted} case file{'s' if figures.submitted != 1 else ''}: "
        f"{overall.good} ({overall.good_percent}%) good, {overall.requires_improvement} "
        f"({overall.requires_improvement_percent}%) requiring improvement and "
        f"{overall.inadequate} ({overall.inadequate_percent}%) inadequate."
    )
    annex = {
        "summary": summary,
        "rows": [_ratings(row) for row in figures.overall_by_category],
        "topics": [_ratings(t.overall, t.label) for t in figures.topics if t.overall.total],
    }
    if figures.second_reviews_waiting:
        # Chosen for a second review the lead could not do, having written
        # the review: their ratings are the first reviewer's alone, which the
        # annex now says (found by a review: they passed as moderated). Only
        # then, so every other report's data, and its stored PDF, stand.
        annex["first_reviewer_only"] = figures.second_reviews_waiting
    return annex


def in_report_order(findings: list, *, topic_of=attrgetter("topic"), kind_of=attrgetter("kind")):
    """(topic, kind heading, findings) in the order the report prints them.
    The findings may be plain values, given how to read their topic and kind."""
    for topic in Topic:
        for kind, heading in FINDING_SECTIONS:
            items = [f for f in findings if topic_of(f) == topic and kind_of(f) == kind]
            if items:
                yield topic, heading, items


DRAFT_FOR_CHECKS = "Draft for pre-publication checks: not for circulation"
DRAFT_NOT_SENT = "Draft not yet sent to the force: not for circulation"


def draft_marking(inspection: Inspection) -> str:
    """What a draft says it is: for the force's pre-publication checks once
    the force has it; before then, that the force does not (found by a review:
    a report drawn in moderation claimed to be the force's draft for checks)."""
    if inspection.is_published:
        return ""
    return DRAFT_FOR_CHECKS if inspection.force_sees_findings else DRAFT_NOT_SENT


def report_data(inspection: Inspection) -> dict:
    """Everything the report prints, as plain values (so it can be hashed)."""
    judgments = {j.topic: j for j in inspection.judgments.all()}
    findings = list(inspection.findings.prefetch_related("recommendations"))
    recommendations: list[dict] = []
    sections_by_topic: dict[str, list] = {}
    for topic, heading, items in in_report_order(findings):
        entries = []
        for finding in items:
            numbered = []
            for recommendation in finding.recommendations.all():
                entry = {"number": len(recommendations) + 1, "text": recommendation.text}
                numbered.append(entry)
                recommendations.append({**entry, "topic": topic.label, "concern": finding.summary})
            entries.append(
                {
                    "summary": finding.summary,
                    "detail": finding.detail,
                    "reported_to_force_on": _day(finding.reported_to_force_on),
                    "recommendations": numbered,
                }
            )
        sections_by_topic.setdefault(topic.value, []).append(
            {"heading": heading, "findings": entries}
        )
    topics = []
    for topic in Topic:
        judgment = judgments.get(topic.value)
        sections = sections_by_topic.get(topic.value, [])
        grade = judgment.grade if judgment else ""
        topics.append(
            {
                "topic": topic.value,
                "label": topic.label,
                "grade": grade,
                "grade_label": judgment.get_grade_display() if grade else "Not graded",
                "grade_meaning": str(GRADE_MEANINGS.get(grade, "")),
                "rationale": judgment.rationale if judgment else "",
                "sections": sections,
            }
        )
    force = inspection.force
    data = {
        "force": {"name": force.name, "short_name": force.short_name},
        "guidance": force.statutory_guidance,
        "country": force.get_country_display(),
        "kind": inspection.get_kind_display(),
        "fieldwork": f"{_day(inspection.fieldwork_start)} to {_day(inspection.fieldwork_end)}",
        "is_published": inspection.is_published,
        "published_on": _day(inspection.published_on),
        "received_for_checks_on": _day(inspection.received_for_checks_on),
        "topics": topics,
        "recommendations": recommendations,
        "case_reviews": case_review_annex(inspection),
    }
    if not inspection.is_published:
        # Only a draft's: a published report's data, and so the version its
        # stored PDF was built from, stay as they were before drafts said which.
        data["draft_marking"] = draft_marking(inspection)
    return data


def data_version(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# Bump when what words the report changes outside the files wording_version()
# reads (its templates, this module and charts.py): a template filter, say.
REPORT_WORDING_REVISION = 1

# The templates that word and lay out the report PDF: report.html and all it
# includes (a test holds the list to that).
REPORT_TEMPLATES = ("reports/report.html", "reports/report.css", "reports/_ratings_table.html")


def _wording_files() -> list[tuple[str, Path]]:
    templates = [(name, Path(get_template(name).origin.name)) for name in REPORT_TEMPLATES]
    modules = [Path(charts.__file__), Path(__file__)]
    return [*templates, *((f"inspections/{path.name}", path) for path in modules)]


@functools.cache
def wording_version() -> str:
    """A digest of what turns the report's data into its words and layout,
    read once a process: a draft built by other code than the running code
    is out of date (report_is_current), as one built from other data is.
    Files are named by template and module name, not where they lie on disk,
    so it is the same on every machine running the same build."""
    digest = hashlib.sha256(f"revision {REPORT_WORDING_REVISION}".encode())
    for name, path in _wording_files():
        digest.update(f"\x1f{name}\x1f".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def latest_audit_event_id(inspection: Inspection) -> int | None:
    return (
        AuditEvent.objects.filter(inspection_id=inspection.pk)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def report_title(data: dict) -> str:
    return f"{data['kind']} of {data['force']['name']}"


def _annex_chart(annex: dict) -> dict | None:
    rows = [
        (
            row["label"],
            [
                charts.Segment("Good", row["good"], charts.GREEN),
                charts.Segment("Requires improvement", row["requires_improvement"], charts.ORANGE),
                charts.Segment("Inadequate", row["inadequate"], charts.RED),
            ],
        )
        for row in annex["rows"]
    ]
    if not rows:
        return None
    svg = charts.stacked_bars(
        title="Case file reviews by category and rating",
        description=annex["summary"],
        rows=rows,
    )
    return {"uri": charts.as_data_uri(svg), "alt": annex["summary"]}


# What each section's findings are called, one at a time: "Accelerated cause
# of concern", "Cause of concern".
FINDING_KIND_BY_HEADING = {heading: kind.label for kind, heading in FINDING_SECTIONS}


def recommendation_index(data: dict) -> list[dict]:
    """The index of recommendations: data["recommendations"], each naming the
    kind of cause of concern it was made under (found by the report wording
    review: an accelerated cause of concern's was called a cause of concern).
    Read from the sections the report prints it under, not kept in the data:
    the data's hash is the version every stored PDF, published ones included,
    was built from, and the wording is not the data."""
    kinds = {
        recommendation["number"]: FINDING_KIND_BY_HEADING[section["heading"]]
        for topic in data["topics"]
        for section in topic["sections"]
        for finding in section["findings"]
        for recommendation in finding["recommendations"]
    }
    return [{**r, "kind": kinds[r["number"]]} for r in data["recommendations"]]


def concerns_without_recommendations(data: dict) -> int:
    """Causes of concern, accelerated or not, with no recommendation yet: a
    draft's, before the force has it (services.publication_blockers)."""
    concerns = {heading for kind, heading in FINDING_SECTIONS if kind in Finding.CONCERN_KINDS}
    return sum(
        1
        for topic in data["topics"]
        for section in topic["sections"]
        if section["heading"] in concerns
        for finding in section["findings"]
        if not finding["recommendations"]
    )


def report_html(data: dict) -> str:
    annex = data["case_reviews"]
    graded = sum(1 for topic in data["topics"] if topic["grade"])
    context = {
        **data,
        "title": report_title(data),
        "annex_chart": _annex_chart(annex) if annex else None,
        "recommendation_index": recommendation_index(data),
        # A draft drawn during fieldwork says how many topics it grades (found
        # by the report wording review: it said all five, beside "Not graded").
        "graded_topics": graded,
        "ungraded_topics": len(data["topics"]) - graded,
        # Before the force has the draft, case file reviews may still come
        # (casefiles.access.case_files_open).
        "case_reviews_open": data.get("draft_marking") == DRAFT_NOT_SENT,
        "concerns_without_recommendations": (
            0 if data["is_published"] else concerns_without_recommendations(data)
        ),
    }
    return render_to_string("reports/report.html", context)


# One PDF drawn at a time in a process. gunicorn runs web in threads (the
# Procfile's --threads), and WeasyPrint does not promise that two documents
# can be laid out at once in one process (Pango and fontconfig underneath).
# A report is drawn once for each change to it (cached_pdf), so the wait is
# rare; a request does not wait longer than PDF_WAIT_SECONDS for its turn,
# holding one of the worker's threads with nothing to end the wait.
_PDF_LOCK = threading.Lock()
PDF_WAIT_SECONDS = 20


class PdfBusyError(Exception):
    """Another PDF took longer than PDF_WAIT_SECONDS to draw in this process."""


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """WeasyPrint, tagged for PDF/UA, fetching nothing but data: URLs."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    if not _PDF_LOCK.acquire(timeout=PDF_WAIT_SECONDS):
        raise PdfBusyError(f"another PDF was still being drawn after {PDF_WAIT_SECONDS} s")
    try:
        document = HTML(
            string=html, base_url=".", url_fetcher=URLFetcher(allowed_protocols={"data"})
        ).render()
        return document.write_pdf(pdf_variant="pdf/ua-1"), len(document.pages)
    finally:
        _PDF_LOCK.release()


PDF_KEPT_SECONDS = 24 * 60 * 60


def cached_pdf(html: str) -> bytes:
    """html_to_pdf(html)'s bytes, kept in the shared cache under a digest of
    the HTML and the build. The same HTML makes the same PDF, so a PDF drawn
    on request (the action plan tracker) is drawn once for each change to
    what it shows, however often it is asked for, and never served stale.
    With the cache unreachable it is drawn each time, and the cache is left
    alone for a while (core.fragments.cache_paused), as the pages' fragments do."""
    if fragments.cache_paused():
        return html_to_pdf(html)[0]
    digest = hashlib.sha256(f"{fragments.build_id()}\x1f{html}".encode()).hexdigest()
    key = f"pdf:{digest}"
    try:
        pdf = cache.get(key)
    except Exception:  # robust: the PDF does not need the cache
        fragments.cache_failed("reading a PDF")
        return html_to_pdf(html)[0]
    if pdf is None:
        pdf, _ = html_to_pdf(html)
        try:
            cache.set(key, pdf, PDF_KEPT_SECONDS)
        except Exception:
            fragments.cache_failed("keeping a PDF")
    return pdf


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    page_count: int
    data_version: str
    is_draft: bool
    wording_version: str


def render_report_pdf(inspection: Inspection) -> RenderedReport:
    """The report PDF for an inspection as it stands now."""
    data = report_data(inspection)
    pdf, pages = html_to_pdf(report_html(data))
    return RenderedReport(
        pdf, pages, data_version(data), not data["is_published"], wording_version()
    )


def report_filename(inspection: Inspection, *, draft: bool) -> str:
    status = "draft-" if draft else ""
    return f"{inspection.force.slug}-{status}report-{inspection.fieldwork_start:%Y-%m}.pdf"


# Building and keeping the PDF ----------------------------------------------


NO_REPORT_CANCELLED = "There is no report: the inspection was cancelled"


@transaction.atomic
def report_request(*, inspection: Inspection, by) -> ReportFile:
    """Ask for a fresh PDF of the report; a task builds it once this commits.

    No build is added when one would only repeat another: a build still
    waiting for its worker or building (same inspection and stage) is
    returned, as it draws the report as it is when it starts or near enough;
    so is a built PDF of the report as it stands now. A second click, a
    second person or a reload of the form builds nothing more, whoever may
    see the report. The inspection's row lock makes two requests take turns.

    The inspection is read again under the lock, and the build is of its
    stage then: the stage the page had read, before the lock, may have
    moved since (found by the notices review: asked for as publication
    committed, the draft's waiting build was returned, and a new one was
    recorded as of pre-publication checks, hidden from the force lead).
    """
    from .tasks import build_report

    _lock(inspection)
    if inspection.stage == Inspection.Stage.CANCELLED:
        # Found by the stage review: a PDF, marked DRAFT, of a report there
        # will never be.
        raise ValidationError(NO_REPORT_CANCELLED)
    newest = ReportFile.objects.filter(inspection=inspection, stage=inspection.stage).first()
    if newest is not None:
        background.give_up_if_lost(newest)
    if newest is not None and (
        newest.is_in_progress or (newest.is_ready and report_is_current(newest, inspection))
    ):
        return newest  # what the status page shows: building, or current
    report_file = ReportFile.objects.create(
        inspection=inspection, requested_by=by, stage=inspection.stage
    )
    audit.record(
        by=by,
        action="report.requested",
        obj=report_file,
        force=inspection.force,
        inspection_id=inspection.pk,  # found by the inspection it is of (audit review)
    )
    background.queue_on_commit(build_report, report_file)
    return report_file


def report_build(
    *, report_file_id, delivery: background.Delivery | None = None
) -> ReportFile | None:
    """Build one requested PDF (core.background: claimed once, failure recorded)."""
    rows = ReportFile.objects.select_related("inspection__force")
    return background.build_claimed(rows=rows, pk=report_file_id, build=_store, delivery=delivery)


@transaction.atomic
def _store(report_file: ReportFile) -> None:
    inspection = report_file.inspection
    audit_id = latest_audit_event_id(inspection)
    rendered = render_report_pdf(inspection)
    report_file.stored_file = uploads.store_bytes(
        rendered.pdf,
        name=report_filename(inspection, draft=rendered.is_draft),
        kind="pdf",
        by=report_file.requested_by,
    )
    report_file.data_version = rendered.data_version
    report_file.wording_version = rendered.wording_version
    report_file.audit_event_id = audit_id
    report_file.is_draft = rendered.is_draft
    report_file.stage = inspection.stage
    report_file.page_count = rendered.page_count
    report_file.status = ReportFile.Status.READY
    report_file.finished_at = timezone.now()
    report_file.save()


def report_is_current(report_file: ReportFile, inspection: Inspection) -> bool:
    """True when the PDF is of the report as it stands now: built from the
    inspection's report data as it is, and, for a draft, worded by the
    running code (not report_wording_changed)."""
    return report_data_is_current(report_file, inspection) and not report_wording_changed(
        report_file
    )


def report_data_is_current(report_file: ReportFile, inspection: Inspection) -> bool:
    """True when the inspection's report data is what the PDF was built from."""
    return report_file.data_version == data_version(report_data(inspection))


def report_wording_changed(report_file: ReportFile) -> bool:
    """True for a draft built before a deploy changed the report's wording
    (a draft stored before drafts recorded it has none): without this, the
    force lead at pre-publication checks and the team were served a draft
    in the old words as current until the inspection next changed.

    Never for a published PDF: a published report stays as published,
    whatever is deployed after it (only a change to its data, as before,
    says it is out of date)."""
    return report_file.is_draft and report_file.wording_version != wording_version()
