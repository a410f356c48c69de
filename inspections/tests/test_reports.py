"""The report PDF: what it says, how it is typeset, and what it was built from."""

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import get_template

from core.models import StoredFile
from forces.tests.factories import force
from inspections import reports
from inspections.models import Grade, Inspection, ReportFile, Topic
from inspections.tests.pdf import inflated, pdf_info, pdf_structure, pdf_text, squashed
from inspections.tests.report_factories import (
    ACCELERATED,
    AFI,
    CONCERN,
    PRACTICE,
    RECOMMENDATIONS,
)
from tests.locks import skip_unless_postgresql
from tests.races import race

pytestmark = pytest.mark.django_db
Stage = Inspection.Stage


def test_published_report_has_the_grades_findings_and_page_count(make_report):
    rendered = reports.render_report_pdf(make_report())
    text = pdf_text(rendered.pdf)
    for grade in ("Outstanding", "Good", "Requires", "Adequate", "Inadequate"):
        assert grade in text
    for words in (CONCERN, AFI, PRACTICE, *RECOMMENDATIONS):
        assert squashed(words) in squashed(text)
    # Cover, summary, one page per topic, the annex and the index.
    assert rendered.page_count == 9
    assert pdf_info(rendered.pdf)["Pages"] == "9"
    assert "Page 9 of 9" in text
    assert "Working Together to Safeguard Children 2023" in pdf_text(rendered.pdf, page=1)


def test_summary_table_lists_the_five_grades_in_order(make_report):
    text = pdf_text(reports.render_report_pdf(make_report()).pdf, page=2)
    rows = [line.split()[0] for line in text.splitlines() if line.strip()]
    order = [rows.index(word) for word in ("Leadership", "Partnership", "Initial", "Risk")]
    assert order == sorted(order)


def test_draft_is_watermarked_on_every_page_and_published_is_not(make_report):
    inspection = make_report(Stage.PRE_PUBLICATION)
    draft = reports.render_report_pdf(inspection)
    assert draft.is_draft
    for page in range(1, draft.page_count + 1):
        assert "DRAFT" in squashed(pdf_text(draft.pdf, page=page, raw=True))

    from inspections import services

    services.inspection_publish(
        inspection=inspection,
        published_on=inspection.received_for_checks_on,
        by=inspection.lead_inspector,
    )
    published = reports.render_report_pdf(inspection)
    assert not published.is_draft
    assert "DRAFT" not in squashed(pdf_text(published.pdf, raw=True))


def test_a_drafts_words_read_in_order_without_the_watermarks_letters(make_report):
    """Found by the PDF review: the watermark was drawn as text, so its
    letters ("DR", "AF", "T") were copied, and read by tools that do not use
    the tags, in among the page's words. It is outlines now; the margin says
    DRAFT in words."""
    draft = reports.render_report_pdf(make_report(Stage.PRE_PUBLICATION))
    for page in range(1, draft.page_count + 1):
        lines = [line.strip() for line in pdf_text(draft.pdf, page=page, raw=True).splitlines()]
        assert not {"DR", "AF", "T", "D", "R", "A", "F"} & set(lines), lines
        assert any(line.startswith("OFFICIAL-SENSITIVE: DRAFT") for line in lines), lines


DRAFT_FOR_CHECKS = "Draft for pre-publication checks: not for circulation"


def test_a_draft_before_the_force_has_it_does_not_claim_to_be_for_its_checks(make_report):
    """Found by a review: a PDF built in moderation said "Draft for
    pre-publication checks" on its cover and every page, though the force
    had not been sent it and could not see it."""
    draft = reports.render_report_pdf(make_report(Stage.MODERATION))
    assert draft.is_draft
    for page in range(1, draft.page_count + 1):
        text = squashed(pdf_text(draft.pdf, page=page))
        assert "OFFICIAL-SENSITIVE" in text, page
        assert squashed(reports.DRAFT_NOT_SENT) in text, page
        assert squashed("pre-publication checks") not in text, page


def test_draft_is_marked_official_sensitive_and_for_checks_on_every_page(make_report):
    draft = reports.render_report_pdf(make_report(Stage.PRE_PUBLICATION))
    for page in range(1, draft.page_count + 1):
        text = pdf_text(draft.pdf, page=page)
        assert text.count("OFFICIAL-SENSITIVE") >= 2, page  # top and bottom
        assert squashed(DRAFT_FOR_CHECKS) in squashed(text), page
    assert "not for publication" not in pdf_text(draft.pdf)


def test_draft_watermark_is_not_read_out_between_the_contents(make_report):
    """The watermark is decoration (the cover and every page's marking say
    it is a draft): a screen reader reading the tags must not hear "DRAFT"
    at each page break, in the middle of a section or a table."""
    draft = reports.render_report_pdf(make_report(Stage.PRE_PUBLICATION))
    tags = pdf_structure(draft.pdf)
    assert '"DRAFT"' not in tags
    assert squashed(DRAFT_FOR_CHECKS) in squashed(tags)  # on the cover


def test_cover_details_are_read_with_their_labels(make_report):
    """A table with row headers, each value tagged with its label's header:
    the cover was a list of twelve items, labels and values read apart
    (PDF/UA; found by the report review)."""
    tags = pdf_structure(reports.render_report_pdf(make_report(Stage.PRE_PUBLICATION)).pdf)
    cover = tags[: tags.index("Summary of graded judgments")]
    assert "LI (block)" not in cover
    for label in ("Force", "Fieldwork", "Protective marking"):
        header = rf'TH <[^>]+>\s+Span \(inline\)\s+"{label}"\s+TD:\s+/Headers'
        assert re.search(header, cover), label
    assert "{%" not in cover and "comment" not in cover


def test_published_report_is_public_and_carries_no_protective_marking(make_report):
    published = pdf_text(reports.render_report_pdf(make_report()).pdf)
    assert "OFFICIAL-SENSITIVE" not in published
    assert "Protective marking" not in published
    assert "circulation" not in published
    assert "Published 21 May 2026" in published


def test_welsh_force_report_cites_the_wales_safeguarding_procedures(make_report):
    rendered = reports.render_report_pdf(make_report(force=force("dyfed-powys")))
    cover = pdf_text(rendered.pdf, page=1)
    assert "Dyfed-Powys Police" in cover
    assert "Wales Safeguarding Procedures" in cover
    assert "Working Together" not in pdf_text(rendered.pdf)


def test_pdf_is_tagged_for_pdf_ua_with_title_and_language(make_report):
    pdf = reports.render_report_pdf(make_report()).pdf
    info = pdf_info(pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Inspection of Greater Manchester Police"
    assert info["Page size"].endswith("(A4)")
    content = inflated(pdf)
    assert b"/Lang (en-GB)" in content
    assert b"pdfuaid:part" in content  # PDF/UA identification in the XMP metadata
    assert b"/StructTreeRoot" in content and b"/Table" in content and b"/TH" in content
    assert b"/H1" in content and b"/H2" in content


def test_annex_says_no_case_file_reviews_are_recorded(make_report):
    text = pdf_text(reports.render_report_pdf(make_report()).pdf)
    assert "No case file reviews are recorded for this inspection." in text


def test_index_numbers_every_recommendation_with_its_topic(make_report):
    data = reports.report_data(make_report(extra_findings=3))
    index = data["recommendations"]
    assert [r["number"] for r in index] == list(range(1, len(index) + 1))
    assert index[0]["topic"] == "Partnership working"  # extra finding 2, topic 2
    assert index[-1]["topic"] == "Investigation"
    assert {r["text"] for r in index} >= set(RECOMMENDATIONS)


def test_data_version_changes_with_the_report_data(make_report):
    inspection = make_report(Stage.PRE_PUBLICATION)
    before = reports.data_version(reports.report_data(inspection))
    assert before == reports.data_version(reports.report_data(inspection))
    from inspections import services

    services.inspection_publish(
        inspection=inspection,
        published_on=inspection.received_for_checks_on,
        by=inspection.lead_inspector,
    )
    assert reports.data_version(reports.report_data(inspection)) != before


def test_a_draft_built_before_the_force_has_it_is_out_of_date_once_sent(make_report):
    """Its marking says the force has not been sent it: built again, it says
    the force has it for checks."""
    inspection = make_report(Stage.MODERATION)
    before = reports.data_version(reports.report_data(inspection))
    inspection.stage = Stage.PRE_PUBLICATION  # as sent, all else the same
    assert reports.data_version(reports.report_data(inspection)) != before


def test_a_published_reports_data_carries_no_draft_marking(make_report):
    """So the version a published PDF was built from is what it was before
    drafts said whether the force had them: no stored PDF goes out of date."""
    assert "draft_marking" not in reports.report_data(make_report())


def test_build_stores_the_pdf_with_its_hash_and_data_version(
    make_report, private_storage, admin_user
):
    inspection = make_report()
    report_file = ReportFile.objects.create(inspection=inspection, requested_by=admin_user)
    reports.report_build(report_file_id=report_file.pk)
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.READY
    stored = report_file.stored_file
    content = (private_storage / stored.storage_name).read_bytes()
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.content_type == "application/pdf"
    assert report_file.data_version == reports.data_version(reports.report_data(inspection))
    assert report_file.audit_event_id == reports.latest_audit_event_id(inspection)
    assert report_file.stage == Stage.PUBLISHED and not report_file.is_draft
    assert reports.report_is_current(report_file, inspection)


def _built(inspection, by):
    report_file = ReportFile.objects.create(inspection=inspection, requested_by=by)
    reports.report_build(report_file_id=report_file.pk)
    report_file.refresh_from_db()
    assert report_file.is_ready
    return report_file


def test_a_report_asked_for_as_it_is_published_is_built_as_published(
    make_report, lead_inspector, force_lead_a
):
    """The request reads the stage under the inspection's lock, and builds
    for that stage: it used the stage of the inspection as its page had
    read it, before the lock. Asked for as publication committed, the
    draft's build still waiting was returned as the one to follow, and the
    published report was not built; a new build was recorded as of
    pre-publication checks, which the force lead, now the report is
    published, may not see (ReportFile.visible_to)."""
    from inspections import services

    inspection = make_report(Stage.PRE_PUBLICATION)
    waiting = reports.report_request(inspection=inspection, by=lead_inspector)
    read_before_the_lock = Inspection.objects.get(pk=inspection.pk)
    services.inspection_publish(
        inspection=inspection, published_on=inspection.received_for_checks_on, by=lead_inspector
    )
    asked = reports.report_request(inspection=read_before_the_lock, by=lead_inspector)
    assert asked != waiting
    assert asked.stage == Stage.PUBLISHED
    assert ReportFile.objects.visible_to(force_lead_a).filter(pk=asked.pk).exists()
    # Asked for again, the published report's build is the one to follow.
    assert reports.report_request(inspection=read_before_the_lock, by=lead_inspector) == asked


@pytest.mark.django_db(transaction=True)
def test_a_report_asked_for_while_publication_holds_the_lock_is_built_as_published(
    make_report, lead_inspector
):
    """The race itself (tests/races.py): the request, its inspection read by
    its page before publication, waits on the lock the publication holds,
    and once it has it builds the report as published. It built for the
    stage its page had read (see the test above)."""
    import threading
    import time

    from django.db import connection, transaction

    from inspections import services

    skip_unless_postgresql()  # pg_stat_activity
    inspection = make_report(Stage.PRE_PUBLICATION)
    waiting = reports.report_request(inspection=inspection, by=lead_inspector)
    read_before_the_lock = Inspection.objects.get(pk=inspection.pk)
    publishing = threading.Event()

    def publish() -> None:
        with transaction.atomic():
            services.inspection_publish(
                inspection=Inspection.objects.get(pk=inspection.pk),
                published_on=inspection.received_for_checks_on,
                by=lead_inspector,
            )
            publishing.set()
            # Commit only once the request waits on the inspection's lock
            # (seen afresh each time: a transaction keeps its first look).
            for _ in range(1000):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE "
                        "datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0]:
                        return
                time.sleep(0.01)
            raise AssertionError("the request never waited on the lock")

    def ask() -> ReportFile:
        assert publishing.wait(10)
        return reports.report_request(inspection=read_before_the_lock, by=lead_inspector)

    asked = next(done for done in race(publish, ask) if done is not None)
    assert asked != waiting
    assert asked.stage == Stage.PUBLISHED


def test_a_stored_draft_is_out_of_date_once_a_deploy_changes_the_reports_wording(
    make_report, private_storage, lead_inspector, reworded
):
    """Found by the report wording review: a draft built before a wording fix
    was deployed kept its old words and was served as current, to the force
    lead at pre-publication checks and to the team, until the data changed.
    Asked for again, it is built again, as a draft built from older data is."""
    inspection = make_report(Stage.PRE_PUBLICATION)
    draft = _built(inspection, lead_inspector)
    assert draft.is_draft and draft.wording_version == reports.wording_version()
    assert reports.report_is_current(draft, inspection)
    assert reports.report_request(inspection=inspection, by=lead_inspector) == draft

    reworded()
    assert reports.report_data_is_current(draft, inspection)
    assert not reports.report_is_current(draft, inspection)
    again = reports.report_request(inspection=inspection, by=lead_inspector)
    assert again != draft
    reports.report_build(report_file_id=again.pk)
    again.refresh_from_db()
    assert again.wording_version == reports.wording_version() != draft.wording_version
    assert reports.report_is_current(again, inspection)


def test_a_draft_stored_before_drafts_recorded_their_wording_is_out_of_date(
    make_report, private_storage, lead_inspector
):
    inspection = make_report(Stage.PRE_PUBLICATION)
    draft = _built(inspection, lead_inspector)
    ReportFile.objects.filter(pk=draft.pk).update(wording_version="")  # as migrated
    draft.refresh_from_db()
    assert not reports.report_is_current(draft, inspection)


def test_a_published_report_stays_as_published_whatever_wording_is_deployed_after(
    make_report, private_storage, lead_inspector, reworded
):
    """A published report must not change after publication: a later wording
    fix leaves its stored PDF current, and asking for it again builds nothing."""
    inspection = make_report()
    published = _built(inspection, lead_inspector)
    assert not published.is_draft
    reworded()
    assert reports.report_is_current(published, inspection)
    assert reports.report_request(inspection=inspection, by=lead_inspector) == published
    ReportFile.objects.filter(pk=published.pk).update(wording_version="")  # built before
    published.refresh_from_db()
    assert reports.report_is_current(published, inspection)


def test_a_changed_report_template_makes_a_stored_draft_out_of_date(
    make_report, private_storage, lead_inspector, settings, tmp_path, reworded
):
    """A deploy that changes only report.html's words: the draft built before
    is out of date, and built again says the new words."""
    inspection = make_report(Stage.MODERATION)
    draft = _built(inspection, lead_inspector)
    source = Path(get_template("reports/report.html").origin.name).read_text()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "report.html").write_text(
        source.replace("<h2>Index of recommendations</h2>", "<h2>Recommendations by number</h2>")
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    reports.wording_version.cache_clear()  # as a new process, after the deploy

    assert not reports.report_is_current(draft, inspection)
    again = reports.report_request(inspection=inspection, by=lead_inspector)
    reports.report_build(report_file_id=again.pk)
    again.refresh_from_db()
    assert reports.report_is_current(again, inspection)
    pdf = (private_storage / again.stored_file.storage_name).read_bytes()
    assert "Recommendations by number" in pdf_text(pdf)


def _includes(name: str) -> set[str]:
    source = Path(get_template(name).origin.name).read_text()
    names = set(re.findall(r"{%\s*include\s+\"([^\"]+)\"", source))
    return {name}.union(*(_includes(included) for included in names))


def test_the_wording_version_reads_every_template_the_report_includes():
    assert set(reports.REPORT_TEMPLATES) == _includes("reports/report.html")


def test_a_second_run_of_the_task_builds_nothing(make_report, private_storage, admin_user):
    report_file = ReportFile.objects.create(inspection=make_report(), requested_by=admin_user)
    reports.report_build(report_file_id=report_file.pk)
    assert reports.report_build(report_file_id=report_file.pk) is None
    assert StoredFile.objects.count() == 1


def test_export_report_command_writes_the_same_bytes_as_the_service(
    make_report, private_storage, admin_user, tmp_path
):
    inspection = make_report()
    report_file = ReportFile.objects.create(inspection=inspection, requested_by=admin_user)
    reports.report_build(report_file_id=report_file.pk)
    out = tmp_path / "report.pdf"
    call_command("export_report", str(inspection.pk), "--out", str(out))
    report_file.refresh_from_db()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == report_file.stored_file.sha256


def test_export_report_command_is_on_the_record(make_report, private_storage, tmp_path):
    """Found by the audit completeness review: a report PDF, a draft even,
    written out of the service by the command left no trace, where one
    downloaded from the service is recorded."""
    from core.models import AuditEvent

    inspection = make_report()
    call_command("export_report", str(inspection.pk), "--out", str(tmp_path / "report.pdf"))
    event = AuditEvent.objects.get(action="report.exported")
    assert event.inspection_id == inspection.pk and event.force_id == inspection.force_id
    assert event.actor is None and "export_report" in event.comment


def test_export_report_command_refuses_an_unknown_inspection(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_report", "not-a-uuid", "--out", str(tmp_path / "x.pdf"))


def test_export_report_command_refuses_a_cancelled_inspection(planned, admin_user, tmp_path):
    """Found by the report wording review: the service has no report of a
    cancelled inspection (report_request refuses one), but the command wrote
    a PDF of it, marked "Draft not yet sent to the force", for a report there
    will never be."""
    from django.core.management.base import CommandError

    from core.models import AuditEvent
    from inspections import services

    services.inspection_cancel(inspection=planned, reason="Called off", by=admin_user)
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match=reports.NO_REPORT_CANCELLED):
        call_command("export_report", str(planned.pk), "--out", str(out))
    assert not out.exists()
    assert not AuditEvent.objects.filter(action="report.exported").exists()


def test_annex_chart_is_a_tagged_figure_with_alt_text(make_report):
    data = reports.report_data(make_report())
    data["case_reviews"] = {
        "summary": "We reviewed 20 cases: 12 good, 5 requiring improvement, 3 inadequate.",
        "rows": [
            {
                "label": "Missing children",
                "good": 8,
                "requires_improvement": 2,
                "inadequate": 1,
                "total": 11,
            },
            {"label": "Custody", "good": 4, "requires_improvement": 3, "inadequate": 2, "total": 9},
        ],
        "topics": [],
    }
    pdf, _ = reports.html_to_pdf(reports.report_html(data))
    content = inflated(pdf)
    assert b"/Figure" in content
    assert b"/Alt (We reviewed 20 cases" in content
    text = pdf_text(pdf)
    assert "Missing children" in text and "No case file reviews" not in text


def test_a_build_that_cannot_store_its_file_is_marked_failed(
    make_report, private_storage, admin_user, settings
):
    # Storage rooted under a plain file: every write fails, as on a full or broken disk.
    blocker = private_storage.parent / "not-a-folder"
    blocker.write_text("")
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": blocker / "x"}},
    }
    report_file = ReportFile.objects.create(inspection=make_report(), requested_by=admin_user)
    reports.report_build(report_file_id=report_file.pk)
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED
    assert report_file.stored_file is None and report_file.error
    assert StoredFile.objects.count() == 0


def test_annex_has_the_case_file_review_figures_and_chart(make_report):
    inspection = make_report(case_reviews=12)
    annex = reports.report_data(inspection)["case_reviews"]
    # Ratings cycle good, good, requires improvement, good, inadequate.
    assert annex["summary"] == (
        "We reviewed 12 case files: 8 (67%) good, 2 (17%) requiring improvement "
        "and 2 (17%) inadequate."
    )
    assert [row["total"] for row in annex["rows"]] == [4, 4, 4]
    rendered = reports.render_report_pdf(inspection)
    text = pdf_text(rendered.pdf)
    assert "No case file reviews" not in text
    for category in ("Missing children", "Children detained in custody", "Investigation"):
        assert category in text
    content = inflated(rendered.pdf)
    assert b"/Figure" in content and b"/Alt (We reviewed 12 case files" in content


def test_a_long_cause_of_concern_starts_beneath_its_heading_on_its_topics_page(make_report):
    """A finding too long for the space left on its topic's page runs on to
    the next page. Found by a review: a cause of concern of three paragraphs
    was moved whole past its page, which was left all but empty, and its
    heading was left alone on a blank page between them."""
    inspection = make_report()
    paragraph = "In too many of the cases we reviewed, investigations were delayed. " * 14
    inspection.findings.filter(summary=CONCERN).update(detail="\n\n".join([paragraph] * 3))
    rendered = reports.render_report_pdf(inspection)
    pages = [squashed(pdf_text(rendered.pdf, page=n)) for n in range(1, rendered.page_count + 1)]
    [topic_page] = [text for text in pages if squashed("5. Investigation") in text]
    assert squashed("Causes of concern") in topic_page
    assert squashed(CONCERN) in topic_page


def test_a_long_unbroken_address_in_a_finding_is_printed_whole(make_report):
    """A link without hyphens or spaces (a policy's address, with underscores)
    in a cause of concern and its recommendation ran off the right edge of
    the page and was cut off there; in the index of recommendations it pushed
    the Topic column off the page altogether (found by the outputs review)."""
    from inspections.models import Recommendation

    inspection = make_report()
    address = (
        "https://www.example.police.uk/sites/default/files/child_protection_policies_2026_"
        "missing_children_and_child_exploitation_procedure_version_14_final_approved.pdf"
    )
    inspection.findings.filter(summary=CONCERN).update(detail=f"See {address} for the procedure.")
    Recommendation.objects.filter(finding__summary=CONCERN).update(text=f"Adopt {address}")
    rendered = reports.render_report_pdf(inspection)
    topic_page = squashed(pdf_text(rendered.pdf, page=rendered.page_count - 2))
    assert topic_page.count(address) == 3
    index = squashed(pdf_text(rendered.pdf, page=rendered.page_count, raw=True))
    assert index.count(address) == 2
    assert "RecommendationTopic" in index


def test_a_report_without_recommendations_says_so_in_its_summary(make_report):
    """Found by the outputs review: the summary said "0 recommendations in
    this report are listed in the index of recommendations", pointing to an
    index that lists none."""
    from inspections.models import Recommendation

    inspection = make_report()
    Recommendation.objects.filter(finding__inspection=inspection).delete()
    summary = squashed(pdf_text(reports.render_report_pdf(inspection).pdf, page=2))
    assert squashed("0 recommendations") not in summary
    assert squashed("This report makes no recommendations.") in summary


def test_the_summary_counts_the_recommendations_in_the_index(make_report):
    summary = squashed(pdf_text(reports.render_report_pdf(make_report()).pdf, page=2))
    assert squashed("2 recommendations in this report are listed in the index") in summary


def test_the_index_of_recommendations_keeps_each_topic_word_whole(make_report):
    """The rule that breaks a long address anywhere was given to every cell
    of the index, so the narrow Topic column broke its own words too:
    "Investigati" on one line, "on" on the next, in every published report
    (found by the review of the day's changes)."""
    inspection = make_report()
    rendered = reports.render_report_pdf(inspection)
    words = pdf_text(rendered.pdf, page=rendered.page_count, raw=True).split()
    # Once in each recommendation's Topic cell, as "Investigation".
    assert words.count("Investigation") == 2


def _index_of_recommendations(html: str) -> str:
    return html[html.index("<h2>Index of recommendations</h2>") :]


def test_the_index_names_an_accelerated_cause_of_concern_as_accelerated(make_report):
    """Found by the report wording review: the index labelled every
    recommendation's finding "Cause of concern", so one made under an
    accelerated cause of concern (reported early, children at serious risk)
    was indexed as an ordinary one, where the report's body lists it under
    "Accelerated causes of concern"."""
    html = reports.report_html(reports.report_data(make_report(accelerated=True)))
    index = _index_of_recommendations(html)
    assert f"<em>Accelerated cause of concern: {ACCELERATED}</em>" in index
    assert f"<em>Cause of concern: {ACCELERATED}</em>" not in index
    assert f"<em>Cause of concern: {CONCERN}</em>" in index


def test_the_pdfs_index_names_an_accelerated_cause_of_concern_as_accelerated(make_report):
    rendered = reports.render_report_pdf(make_report(accelerated=True))
    index = squashed(pdf_text(rendered.pdf, page=rendered.page_count, raw=True))
    assert squashed(f"Accelerated cause of concern: {ACCELERATED}") in index
    assert squashed(f"Cause of concern: {CONCERN}") in index


# The data version of report_inspection()'s published report, with an
# accelerated cause of concern, as the code that built today's stored PDFs
# computed it. A change to the report's wording must not change it: every
# published report's stored PDF would show as out of date, when it is the
# record of what was published.
PUBLISHED_DATA_VERSION = "2d5a3bf180586df644e9b452f93377d1f7c5ebda142cc5ad31ecd28df7a81a6f"
PUBLISHED_DATA_KEYS = {
    "force",
    "guidance",
    "country",
    "kind",
    "fieldwork",
    "is_published",
    "published_on",
    "received_for_checks_on",
    "topics",
    "recommendations",
    "case_reviews",
}


def test_a_published_reports_data_version_stays_as_its_stored_pdf_was_built(make_report):
    data = reports.report_data(make_report(accelerated=True))
    assert set(data) == PUBLISHED_DATA_KEYS
    assert set(data["recommendations"][0]) == {"number", "text", "topic", "concern"}
    assert reports.data_version(data) == PUBLISHED_DATA_VERSION


def _summary_of_graded_judgments(html: str) -> str:
    start = html.index("<h2>Summary of graded judgments</h2>")
    return html[start : html.index("</section>", start)]


def _grade(inspection, topic, grade, *, by):
    from inspections import services

    services.judgment_save(
        judgment=inspection.judgments.get(topic=topic),
        grade=grade,
        rationale="Rationale, citing evidence.",
        cites_case_reviews=False,
        interviews=[],
        documents=[],
        by=by,
    )


def test_a_draft_in_fieldwork_says_how_many_topics_it_has_graded(in_fieldwork, inspector):
    """Found by the report wording review: a draft built during fieldwork
    said "We graded Greater Manchester on 5 topics" with three of them "Not
    graded" in the table beneath."""
    _grade(in_fieldwork, Topic.LEADERSHIP, Grade.GOOD, by=inspector)
    _grade(in_fieldwork, Topic.INVESTIGATION, Grade.ADEQUATE, by=inspector)
    summary = _summary_of_graded_judgments(reports.report_html(reports.report_data(in_fieldwork)))
    assert "on 5 topics" not in summary
    assert "So far we have graded Greater Manchester on 2 of the 5 topics" in summary
    assert "The other 3 are not graded yet." in summary


def test_a_draft_with_one_topic_left_says_the_other_one_is_not_graded_yet(in_fieldwork, inspector):
    """Found by the review of the day's changes: four topics graded, the
    draft said "The other 1 are not graded yet"."""
    for topic in list(Topic)[:4]:
        _grade(in_fieldwork, topic, Grade.GOOD, by=inspector)
    summary = _summary_of_graded_judgments(reports.report_html(reports.report_data(in_fieldwork)))
    assert "So far we have graded Greater Manchester on 4 of the 5 topics" in summary
    assert "The other 1 are" not in summary
    assert "The other one is not graded yet." in summary


def test_a_draft_before_any_grade_says_no_topic_is_graded_yet(planned):
    summary = _summary_of_graded_judgments(reports.report_html(reports.report_data(planned)))
    assert "We graded" not in summary
    assert "We have not graded Greater Manchester on any of the 5 topics yet." in summary


def test_a_report_graded_on_every_topic_says_it_graded_all_five(make_report):
    for inspection in (make_report(), make_report(Stage.MODERATION, start=date(2026, 5, 4))):
        summary = _summary_of_graded_judgments(reports.report_html(reports.report_data(inspection)))
        assert "We graded Greater Manchester on 5 topics, against the characteristics" in summary


# A fieldwork draft's data version (two topics graded), as the code that
# built today's stored drafts computed it: the wording's fixes leave it.
FIELDWORK_DRAFT_DATA_VERSION = "815ff822a2131ca29d9db495189ebaebd5f44ab5c9e8d16d3e8057702ac7ea5d"


def test_a_drafts_data_version_stays_as_its_stored_pdf_was_built(in_fieldwork, inspector):
    _grade(in_fieldwork, Topic.LEADERSHIP, Grade.GOOD, by=inspector)
    _grade(in_fieldwork, Topic.INVESTIGATION, Grade.ADEQUATE, by=inspector)
    data = reports.report_data(in_fieldwork)
    assert set(data) == {*PUBLISHED_DATA_KEYS, "draft_marking"}
    assert reports.data_version(data) == FIELDWORK_DRAFT_DATA_VERSION


NOTHING_FOUND = (
    "We found no causes of concern, areas for improvement or practice to highlight on this topic."
)


def _topic_section(html: str, heading: str) -> str:
    start = html.index(f"<h2>{heading}</h2>")
    return html[start : html.index("</section>", start)]


def test_a_draft_does_not_say_it_found_nothing_on_a_topic_not_yet_graded(in_fieldwork, inspector):
    """Found by the report wording review: a draft drawn during fieldwork
    said "We found no causes of concern…" under every topic still "Not
    graded", as if each had been inspected and cleared."""
    _grade(in_fieldwork, Topic.LEADERSHIP, Grade.GOOD, by=inspector)
    html = reports.report_html(reports.report_data(in_fieldwork))
    assert NOTHING_FOUND in _topic_section(html, "1. Leadership")
    investigation = _topic_section(html, "5. Investigation")
    assert "Not graded" in investigation
    assert NOTHING_FOUND not in investigation
    assert "No findings are recorded on this topic yet." in investigation


def test_a_published_report_says_it_found_nothing_on_a_topic_without_findings(make_report):
    html = reports.report_html(reports.report_data(make_report()))
    assert NOTHING_FOUND in _topic_section(html, "1. Leadership")
    assert "yet" not in _topic_section(html, "1. Leadership")


def test_a_draft_with_a_cause_of_concern_still_without_recommendations_says_so(
    in_fieldwork, inspector
):
    """Found by the report wording review: a draft whose cause of concern had
    no recommendation yet said "This report makes no recommendations", in its
    summary and its index, beside the cause of concern, which the methodology
    says always carries one or more."""
    from inspections.tests.factories import add_concern

    add_concern(in_fieldwork, by=inspector, recommendation=False)
    html = reports.report_html(reports.report_data(in_fieldwork))
    summary = _summary_of_graded_judgments(html)
    index = _index_of_recommendations(html)
    for part in (summary, index):
        assert "This report makes no recommendations." not in part
        assert "This draft makes no recommendations yet." in part
    assert "1 cause of concern in this draft has no recommendation yet." in summary

    add_concern(in_fieldwork, by=inspector, summary="Referrals wait for days")
    summary = _summary_of_graded_judgments(reports.report_html(reports.report_data(in_fieldwork)))
    assert "1 recommendation in this report is listed in the index" in summary
    assert "1 cause of concern in this draft has no recommendation yet." in summary


def test_a_draft_with_case_file_reviews_in_progress_does_not_say_none_is_recorded(
    in_fieldwork, lead_inspector, inspector
):
    """Found by the report wording review: a draft drawn while the team was
    reviewing the sampled case files said "No case file reviews are recorded
    for this inspection", the reviews saved in the service notwithstanding:
    only submitted reviews are counted, and none was submitted yet."""
    from casefiles import services as casefile_services
    from casefiles.models import Case
    from casefiles.tests.factories import COMPLETE_ANSWERS, add_cases

    add_cases(in_fieldwork, {"missing-children": 4})
    casefile_services.sample_draw(
        inspection=in_fieldwork, sizes={"missing-children": 2}, seed=7, reason="", by=lead_inspector
    )
    case = Case.objects.sampled().filter(inspection=in_fieldwork).first()
    casefile_services.case_review_save(case=case, answers=COMPLETE_ANSWERS, by=inspector)
    html = reports.report_html(reports.report_data(in_fieldwork))
    annex = html[html.index("<h2>Annex: case file reviews</h2>") :]
    assert "No case file reviews are recorded" not in annex
    assert "No case file review has been submitted yet." in annex


def test_a_draft_for_checks_without_case_file_reviews_does_not_promise_more(make_report):
    """Case files are closed once the force has the draft: no "yet"."""
    html = reports.report_html(reports.report_data(make_report(Stage.PRE_PUBLICATION)))
    annex = html[html.index("<h2>Annex: case file reviews</h2>") :]
    assert "No case file reviews are recorded for this inspection." in annex
