"""The report PDF pages and the action plan tracker: who gets what."""

import csv
import io
import threading

import pytest
from django.urls import reverse

from core.models import AuditEvent
from inspections.models import Inspection, ReportFile
from inspections.tests.report_factories import (
    AFI,
    RECOMMENDATIONS,
)
from tests.builders import live_builder

pytestmark = pytest.mark.django_db
Stage = Inspection.Stage


def status_url(inspection):
    return reverse("inspections:report_pdf", args=[inspection.pk])


def build_url(inspection):
    return reverse("inspections:report_pdf_build", args=[inspection.pk])


def request_build(client, inspection, capture):
    with capture(execute=True):
        response = client.post(build_url(inspection))
    assert response.status_code == 302
    return ReportFile.objects.filter(inspection=inspection).first()


def download_url(report_file):
    return reverse(
        "inspections:report_pdf_download", args=[report_file.inspection_id, report_file.pk]
    )


def test_with_the_broker_down_a_build_is_asked_for_and_said_not_started(
    client_for, inspector, make_report, django_capture_on_commit_callbacks, monkeypatch
):
    """The request still succeeds (queuing runs after the commit). Found by
    the on-call review: the build then sat "Waiting to start building the
    report…", refreshing every 3 seconds for 30 minutes, though no worker
    would ever be told of it; now its page says so at once and offers
    another try, which builds once the broker is back."""
    from kombu.exceptions import OperationalError

    from inspections import tasks

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_report, "delay", broker_down)
    inspection = make_report()
    client = client_for(inspector)
    report_file = request_build(client, inspection, django_capture_on_commit_callbacks)
    assert report_file.status == ReportFile.Status.FAILED
    assert report_file.error.startswith("Not queued")
    assert AuditEvent.objects.filter(action="report.requested", actor=inspector).exists()
    page = client.get(status_url(inspection))
    assert "The report could not be built" in page.text
    assert "data-app-refresh-seconds" not in page.text
    assert "Build the PDF again" in page.text

    monkeypatch.undo()
    again = request_build(client, inspection, django_capture_on_commit_callbacks)
    assert again != report_file and again.status == ReportFile.Status.READY


def test_inspector_builds_then_downloads_the_report(
    client_for, inspector, make_report, private_storage, django_capture_on_commit_callbacks
):
    inspection = make_report()
    client = client_for(inspector)
    page = client.get(status_url(inspection))
    assert "Build the report PDF" in page.text
    report_file = request_build(client, inspection, django_capture_on_commit_callbacks)
    assert report_file.status == ReportFile.Status.READY
    assert AuditEvent.objects.filter(action="report.requested", actor=inspector).exists()

    page = client.get(status_url(inspection))
    assert "The report PDF is ready" in page.text
    assert report_file.stored_file.sha256 in page.text
    assert "has changed since" not in page.text
    assert "data-app-refresh-seconds" not in page.text

    response = client.get(download_url(report_file))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="file.downloaded", actor=inspector).exists()


def test_status_page_refreshes_while_building(client_for, inspector, make_report):
    inspection = make_report()
    building = ReportFile.objects.create(inspection=inspection, status=ReportFile.Status.BUILDING)
    with live_builder(building):
        page = client_for(inspector).get(status_url(inspection))
        stopped = client_for(inspector).get(status_url(inspection), {"refresh": "off"})
    assert "data-app-refresh-seconds" in page.text
    assert "Building the report…" in page.text
    assert "Build the PDF again" not in page.text
    assert "data-app-refresh-seconds" not in stopped.text
    assert "Building the report…" in stopped.text and "Check again" in stopped.text


def test_a_build_lost_with_its_worker_is_offered_again(client_for, inspector, make_report):
    from datetime import timedelta

    from django.utils import timezone

    inspection = make_report()
    lost = ReportFile.objects.create(inspection=inspection, status=ReportFile.Status.BUILDING)
    started = timezone.now() - timedelta(minutes=31)
    ReportFile.objects.filter(pk=lost.pk).update(started_at=started)
    page = client_for(inspector).get(status_url(inspection))
    assert "was not built in time" in page.text
    assert "data-app-refresh-seconds" not in page.text
    assert "Build the PDF again" in page.text
    # Started 29 minutes ago by a worker still building it.
    ReportFile.objects.filter(pk=lost.pk).update(started_at=started + timedelta(minutes=2))
    with live_builder(lost):
        page = client_for(inspector).get(status_url(inspection))
    assert "Building the report…" in page.text and "Build the PDF again" not in page.text


def test_a_second_click_shares_the_build_still_waiting_for_its_worker(
    client_for, inspector, lead_inspector, make_report
):
    from datetime import timedelta

    from django.utils import timezone

    inspection = make_report()
    client_for(inspector).post(build_url(inspection))  # queued: no worker in this test
    client_for(inspector).post(build_url(inspection))
    client_for(lead_inspector).post(build_url(inspection))
    waiting = ReportFile.objects.get(inspection=inspection)
    assert waiting.status == ReportFile.Status.QUEUED
    assert AuditEvent.objects.filter(action="report.requested").count() == 1

    # Waiting so long it is lost with its worker: asking again makes a new one.
    created = timezone.now() - timedelta(minutes=31)
    ReportFile.objects.filter(pk=waiting.pk).update(created_at=created)
    client_for(inspector).post(build_url(inspection))
    assert ReportFile.objects.filter(inspection=inspection).count() == 2


def test_asking_again_for_a_pdf_of_the_report_as_it_stands_builds_nothing(
    client_for,
    lead_inspector,
    force_lead_a,
    make_report,
    private_storage,
    django_capture_on_commit_callbacks,
):
    """Anyone who may read the report may ask for its PDF, a force lead too:
    while one is building, or once one of the report as it stands is built,
    asking again shares it instead of filling the workers and the storage."""
    from inspections import services

    inspection = make_report(Stage.PRE_PUBLICATION)
    client = client_for(force_lead_a)
    building = ReportFile.objects.create(
        inspection=inspection, stage=inspection.stage, status="building"
    )
    with live_builder(building):
        client.post(build_url(inspection))
    assert ReportFile.objects.filter(inspection=inspection).count() == 1
    ReportFile.objects.all().delete()

    built = request_build(client, inspection, django_capture_on_commit_callbacks)
    assert built.is_ready
    page = client.get(status_url(inspection))
    assert "This PDF is of the report as it stands now" in page.text
    assert "Build the PDF again" not in page.text
    for _ in range(3):
        assert request_build(client, inspection, django_capture_on_commit_callbacks) == built
    assert ReportFile.objects.filter(inspection=inspection).count() == 1
    assert AuditEvent.objects.filter(action="report.requested").count() == 1

    # The newest build failed (an older one being current): asking again
    # builds, as the page offers, rather than silently doing nothing.
    ReportFile.objects.create(
        inspection=inspection, stage=inspection.stage, status=ReportFile.Status.FAILED
    )
    page = client.get(status_url(inspection))
    assert "Build the PDF again" in page.text
    client.post(build_url(inspection))
    assert ReportFile.objects.filter(inspection=inspection).count() == 3
    ReportFile.objects.exclude(pk=built.pk).delete()

    # Changed since: asking again builds the report as it now stands.
    services.inspection_publish(
        inspection=inspection, published_on=inspection.received_for_checks_on, by=lead_inspector
    )
    client_for(lead_inspector).post(build_url(inspection))
    assert ReportFile.objects.filter(inspection=inspection).count() == 2


def test_page_offers_a_rebuild_once_the_data_has_changed(
    client_for,
    lead_inspector,
    make_report,
    private_storage,
    django_capture_on_commit_callbacks,
):
    from inspections import services

    inspection = make_report(Stage.PRE_PUBLICATION)
    client = client_for(lead_inspector)
    request_build(client, inspection, django_capture_on_commit_callbacks)
    services.inspection_publish(
        inspection=inspection, published_on=inspection.received_for_checks_on, by=lead_inspector
    )
    page = client.get(status_url(inspection))
    assert "The inspection has changed since this PDF was built" in page.text
    assert "Build the PDF again" in page.text


def test_force_lead_is_offered_the_draft_again_once_its_wording_is_updated(
    client_for,
    force_lead_a,
    make_report,
    private_storage,
    django_capture_on_commit_callbacks,
    reworded,
):
    """Found by the report wording review: after a deploy fixing the report's
    wording, the draft the force lead took at pre-publication checks was
    still shown as "the report as it stands now", in the old words."""
    inspection = make_report(Stage.PRE_PUBLICATION)
    client = client_for(force_lead_a)
    draft = request_build(client, inspection, django_capture_on_commit_callbacks)
    reworded()
    page = client.get(status_url(inspection)).text
    assert "This PDF is of the report as it stands now" not in page
    assert "The wording of the report has been updated since this draft was built" in page
    assert "The inspection has changed" not in page
    assert "Build the PDF again" in page
    again = request_build(client, inspection, django_capture_on_commit_callbacks)
    assert again != draft and again.is_ready
    assert "This PDF is of the report as it stands now" in client.get(status_url(inspection)).text


def test_force_lead_gets_the_draft_at_checks_and_only_the_published_report_after(
    client_for,
    force_lead_a,
    lead_inspector,
    make_report,
    private_storage,
    django_capture_on_commit_callbacks,
):
    from inspections import services

    inspection = make_report(Stage.PRE_PUBLICATION)
    client = client_for(force_lead_a)
    draft = request_build(client, inspection, django_capture_on_commit_callbacks)
    assert draft.is_draft
    assert client.get(download_url(draft)).status_code == 200
    services.inspection_publish(
        inspection=inspection, published_on=inspection.received_for_checks_on, by=lead_inspector
    )
    # The draft was for the force's checks: its address, kept or guessed, is 404 now.
    assert client.get(download_url(draft)).status_code == 404
    page = client.get(status_url(inspection)).text
    assert "draft" not in page.lower()
    assert "No PDF of this report has been built yet" in page
    published = request_build(client, inspection, django_capture_on_commit_callbacks)
    assert published.pk != draft.pk and not published.is_draft
    assert client.get(download_url(published)).status_code == 200
    # The inspectorate keeps the draft it sent.
    assert client_for(lead_inspector).get(download_url(draft)).status_code == 200


def test_force_lead_sees_the_published_report_building_and_a_build_that_failed(
    client_for, force_lead_a, lead_inspector, make_report, django_capture_on_commit_callbacks
):
    """After publication a build the force lead asked for is theirs to
    follow: it is no draft, though not yet built (found by the force lead
    review: hidden as one, the page said no PDF had been built, and Build
    again did nothing to be seen, until it was ready, or for ever if it failed)."""
    inspection = make_report(Stage.PUBLISHED)
    client = client_for(force_lead_a)
    with django_capture_on_commit_callbacks(execute=False):  # no worker picks it up yet
        assert client.post(build_url(inspection)).status_code == 302
    waiting = ReportFile.objects.get(inspection=inspection)
    assert waiting.is_in_progress
    page = client.get(status_url(inspection)).text
    assert "Waiting to start building the report…" in page
    assert "No PDF of this report has been built yet" not in page
    waiting.status = ReportFile.Status.FAILED
    waiting.save(update_fields=["status"])
    assert "The report could not be built" in client.get(status_url(inspection)).text


def test_a_draft_still_building_at_publication_is_not_the_force_leads(
    client_for, force_lead_a, make_report
):
    inspection = make_report(Stage.PUBLISHED)
    ReportFile.objects.create(
        inspection=inspection, stage=Stage.PRE_PUBLICATION, status=ReportFile.Status.BUILDING
    )
    page = client_for(force_lead_a).get(status_url(inspection)).text
    assert "No PDF of this report has been built yet" in page


def test_force_lead_gets_404_before_pre_publication_checks(
    client_for,
    force_lead_a,
    make_report,
    private_storage,
    admin_user,
    django_capture_on_commit_callbacks,
):
    inspection = make_report(Stage.MODERATION)
    report_file = request_build(
        client_for(admin_user), inspection, django_capture_on_commit_callbacks
    )
    client = client_for(force_lead_a)
    assert client.get(status_url(inspection)).status_code == 404
    assert client.post(build_url(inspection)).status_code == 404
    assert client.get(download_url(report_file)).status_code == 404


def test_force_lead_never_gets_a_pdf_built_before_the_force_saw_the_findings(
    client_for,
    force_lead_a,
    lead_inspector,
    admin_user,
    make_report,
    private_storage,
    django_capture_on_commit_callbacks,
):
    from datetime import timedelta

    from inspections import services

    inspection = make_report(Stage.MODERATION)
    early = request_build(client_for(admin_user), inspection, django_capture_on_commit_callbacks)
    for judgment in inspection.judgments.all():
        services.judgment_agree(judgment=judgment, by=lead_inspector)
    services.inspection_send_for_checks(
        inspection=inspection,
        received_on=inspection.fieldwork_end + timedelta(days=30),
        by=lead_inspector,
    )
    client = client_for(force_lead_a)
    assert client.get(download_url(early)).status_code == 404
    assert "No PDF of this report has been built yet" in client.get(status_url(inspection)).text


def test_other_force_lead_and_outside_inspector_get_404(
    client_for,
    force_lead_b,
    other_inspector,
    make_report,
    private_storage,
    admin_user,
    django_capture_on_commit_callbacks,
):
    inspection = make_report()
    report_file = request_build(
        client_for(admin_user), inspection, django_capture_on_commit_callbacks
    )
    for outsider in (force_lead_b, other_inspector):
        client = client_for(outsider)
        assert client.get(status_url(inspection)).status_code == 404
        assert client.post(build_url(inspection)).status_code == 404
        assert client.get(download_url(report_file)).status_code == 404
        tracker = reverse("inspections:tracker", args=[inspection.pk, "csv"])
        assert client.get(tracker).status_code == 404


def test_build_needs_a_post(client_for, inspector, make_report):
    response = client_for(inspector).get(build_url(make_report()))
    assert response.status_code == 405


def test_a_cancelled_inspection_has_no_report_pdf_to_build(
    client_for, inspector, admin_user, force_a, lead_inspector
):
    """Found by the stage review: the page offered "Build the report PDF", and
    a build made a DRAFT of a report there will never be."""
    from inspections import services
    from inspections.tests.factories import inspection_at

    inspection = inspection_at(
        Stage.PLANNED, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    services.inspection_cancel(inspection=inspection, reason="Called off", by=admin_user)
    client = client_for(inspector)
    page = client.get(status_url(inspection)).content.decode()
    assert "There is no report: the inspection was cancelled." in page
    assert build_url(inspection) not in page and "No PDF of this report" not in page
    refused = client.post(build_url(inspection), follow=True)
    assert "There is no report: the inspection was cancelled" in refused.content.decode()
    assert not ReportFile.objects.filter(inspection=inspection).exists()


def test_a_draft_built_before_cancellation_is_not_offered_as_the_report(
    client_for, inspector, admin_user, force_a, lead_inspector, private_storage
):
    """Found by the report wording review: a PDF built while the inspection
    was planned (five topics not graded) was still offered once it was
    cancelled, under "The report PDF is ready", beside "There is no report:
    the inspection was cancelled"."""
    from inspections import reports, services
    from inspections.tests.factories import inspection_at

    inspection = inspection_at(
        Stage.PLANNED, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    report_file = ReportFile.objects.create(inspection=inspection, requested_by=lead_inspector)
    reports.report_build(report_file_id=report_file.pk)
    services.inspection_cancel(inspection=inspection, reason="Called off", by=admin_user)
    page = client_for(inspector).get(status_url(inspection)).content.decode()
    assert "There is no report: the inspection was cancelled." in page
    assert "The report PDF is ready" not in page
    assert download_url(report_file) not in page


def test_a_cancelled_inspection_has_no_action_plan_tracker(
    client_for, inspector, admin_user, force_a, lead_inspector
):
    """Found by the report wording review: the page saying "There is no
    report: the inspection was cancelled" offered the action plan tracker
    beneath it, and its PDF said "The report is not yet published", marked
    as a draft not yet sent to the force, of a report there will never be
    (and its CSV was named a draft tracker)."""
    from inspections import reports, services
    from inspections.tests.factories import inspection_at

    inspection = inspection_at(
        Stage.PLANNED, force=force_a, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    services.inspection_cancel(inspection=inspection, reason="Called off", by=admin_user)
    client = client_for(inspector)
    report_page = client.get(reverse("inspections:report", args=[inspection.pk]))
    assert "There is no report" in report_page.content.decode()
    assert "action plan tracker" not in report_page.content.decode()
    page = client.get(status_url(inspection)).content.decode()
    assert "Action plan tracker" not in page
    for fmt in ("csv", "pdf"):
        tracker = reverse("inspections:tracker", args=[inspection.pk, fmt])
        assert tracker not in page
        refused = client.get(tracker, follow=True)
        assert refused.redirect_chain == [(status_url(inspection), 302)]
        assert reports.NO_REPORT_CANCELLED in refused.content.decode()
    assert not AuditEvent.objects.filter(action="file.downloaded").exists()


def test_tracker_csv_lists_every_recommendation_and_area_for_improvement(
    client_for, force_lead_a, make_report
):
    inspection = make_report()
    response = client_for(force_lead_a).get(
        reverse("inspections:tracker", args=[inspection.pk, "csv"])
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Reference" and "Action plan version" in rows[0]
    assert [r[0] for r in rows[1:]] == [
        "Area for improvement 1",
        "Recommendation 1",
        "Recommendation 2",
    ]
    assert rows[1][4].startswith("The views of children") and rows[1][3] == AFI
    assert [r[4] for r in rows[2:]] == RECOMMENDATIONS
    assert all(r[7] == "No response yet" for r in rows[1:])
    # The copy taken is on the audit trail, as a stored file's is.
    copy = AuditEvent.objects.filter(action="file.downloaded", actor=force_lead_a).get()
    assert copy.inspection_id == inspection.pk and copy.force_id == inspection.force_id
    assert copy.comment == "greater-manchester-action-plan-tracker-2026-03.csv"


def test_a_tracker_taken_before_publication_is_named_draft(client_for, force_lead_a, make_report):
    """The CSV has no page to print the draft marking on: its name says it,
    as the report's PDF's does, until the report is published."""
    from inspections import services

    inspection = make_report(Stage.PRE_PUBLICATION)
    client = client_for(force_lead_a)
    for fmt in ("csv", "pdf"):
        response = client.get(reverse("inspections:tracker", args=[inspection.pk, fmt]))
        name = f"greater-manchester-draft-action-plan-tracker-2026-03.{fmt}"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    copies = AuditEvent.objects.filter(action="file.downloaded").values_list("comment", flat=True)
    assert sorted(copies) == [
        "greater-manchester-draft-action-plan-tracker-2026-03.csv",
        "greater-manchester-draft-action-plan-tracker-2026-03.pdf",
    ]

    services.inspection_publish(
        inspection=inspection,
        published_on=inspection.received_for_checks_on,
        by=inspection.lead_inspector,
    )
    response = client.get(reverse("inspections:tracker", args=[inspection.pk, "csv"]))
    name = "greater-manchester-action-plan-tracker-2026-03.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_tracker_pdf_is_a_pdf_and_unknown_formats_are_404(client_for, inspector, make_report):
    from inspections.tests.pdf import pdf_text, squashed

    inspection = make_report()
    client = client_for(inspector)
    response = client.get(reverse("inspections:tracker", args=[inspection.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert squashed(RECOMMENDATIONS[0]) in squashed(pdf_text(response.content, raw=True))
    bad = client.get(reverse("inspections:tracker", args=[inspection.pk, "xlsx"]))
    assert bad.status_code == 404


def test_tracker_pdf_says_only_recommendations_carry_the_reports_numbers(
    client_for, force_lead_a, make_report
):
    """The report numbers recommendations, not areas for improvement: the
    tracker said both were "numbered as in the report" (found by the outputs
    review)."""
    from inspections.tests.pdf import pdf_text, squashed

    inspection = make_report(Stage.PRE_PUBLICATION)
    url = reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    text = squashed(pdf_text(client_for(force_lead_a).get(url).content, raw=True))
    assert squashed("Recommendations, numbered as in the report, and areas for improvement") in text
    assert squashed("Recommendations and areas for improvement, numbered as in") not in text


def test_tracker_pdf_is_marked_draft_only_before_publication(client_for, force_lead_a, make_report):
    """The tracker drew the report's draft marking ("DRAFT", "Draft for
    pre-publication checks: not for circulation") on every page, even for a
    published report: it never told the page style it was published."""
    from inspections import services
    from inspections.tests.pdf import pdf_text, squashed

    marking = squashed("Draft for pre-publication checks: not for circulation")
    inspection = make_report(Stage.PRE_PUBLICATION)
    url = reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    client = client_for(force_lead_a)
    draft = squashed(pdf_text(client.get(url).content, raw=True))
    assert marking in draft and "DRAFT" in draft

    services.inspection_publish(
        inspection=inspection,
        published_on=inspection.received_for_checks_on,
        by=inspection.lead_inspector,
    )
    published = squashed(pdf_text(client.get(url).content, raw=True))
    assert marking not in published and "DRAFT" not in published


def test_when_weasyprint_fails_the_tracker_says_so_and_offers_the_spreadsheet(
    client_for, force_lead_a, make_report, monkeypatch
):
    from inspections import reports

    def broken(html):
        raise OSError("no fonts")

    monkeypatch.setattr(reports, "html_to_pdf", broken)
    inspection = make_report()
    response = client_for(force_lead_a).get(
        reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    )

    assert response.status_code == 503
    page = response.content.decode()
    assert "Sorry, the action plan tracker could not be made as a PDF" in page
    assert reverse("inspections:tracker", args=[inspection.pk, "csv"]) in page
    # No file was taken, so no copy is on the audit trail.
    assert not AuditEvent.objects.filter(action="file.downloaded").exists()


def test_a_tracker_pdf_waits_for_another_pdf_only_so_long(
    client_for, force_lead_a, make_report, monkeypatch
):
    """Web draws one PDF at a time in a process (its threads share WeasyPrint):
    a request whose turn does not come within PDF_WAIT_SECONDS is told the PDF
    could not be made, and offered the spreadsheet, rather than holding a
    thread for as long as the other takes."""
    from inspections import reports

    monkeypatch.setattr(reports, "PDF_WAIT_SECONDS", 0.05)
    inspection = make_report()
    taken, done = threading.Event(), threading.Event()

    def another_pdf():  # holds the turn, as a long drawing in another thread would
        with reports._PDF_LOCK:
            taken.set()
            done.wait(timeout=10)

    other = threading.Thread(target=another_pdf)
    other.start()
    try:
        assert taken.wait(timeout=10)
        response = client_for(force_lead_a).get(
            reverse("inspections:tracker", args=[inspection.pk, "pdf"])
        )
    finally:
        done.set()
        other.join()

    assert response.status_code == 503
    assert "Sorry, the action plan tracker could not be made as a PDF" in response.content.decode()
    assert not AuditEvent.objects.filter(action="file.downloaded").exists()
    # Its turn come, the same request draws it.
    response = client_for(force_lead_a).get(
        reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_tracker_pdf_is_drawn_once_for_each_change(
    client_for, inspector, force_lead_a, make_report, monkeypatch
):
    """Drawn on request, so kept by what it shows: asking again (anyone, any
    number of times) is served the same bytes; a change draws it anew."""
    from actionplans.models import ActionPlan
    from actionplans.tests.factories import submitted_plan
    from inspections import reports
    from inspections.tests.pdf import pdf_text

    drawn = []
    draw = reports.html_to_pdf

    def counted(html):
        drawn.append(html)
        return draw(html)

    monkeypatch.setattr(reports, "html_to_pdf", counted)
    inspection = make_report()
    url = reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    first = client_for(inspector).get(url).content
    assert client_for(inspector).get(url).content == first
    assert client_for(force_lead_a).get(url).content == first
    assert len(drawn) == 1

    submitted_plan(inspection, by=force_lead_a, kind=ActionPlan.Kind.UPDATED_ACTION_PLAN)
    changed = client_for(inspector).get(url).content
    assert len(drawn) == 2
    assert "We will act on" in pdf_text(changed) and "We will act on" not in pdf_text(first)


def test_with_the_cache_down_the_tracker_pdf_is_drawn_without_waiting_on_it_each_time(
    client_for, inspector, make_report, monkeypatch
):
    """The first failure pauses the cache, as for the pages' fragments: the
    next requests draw the PDF straight away instead of each waiting on the
    cache's timeouts (a second each on Redis) before drawing it."""
    from inspections import reports

    asked = []

    class Down:
        def get(self, key, *args, **kwargs):
            asked.append(key)
            raise ConnectionError("cache down")

        def set(self, key, *args, **kwargs):
            asked.append(key)
            raise ConnectionError("cache down")

    monkeypatch.setattr(reports, "cache", Down())
    inspection = make_report()
    url = reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    client = client_for(inspector)
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    assert len(asked) == 1


def test_report_page_links_to_the_pdf(client_for, force_lead_a, make_report):
    inspection = make_report()
    page = client_for(force_lead_a).get(reverse("inspections:report", args=[inspection.pk]))
    assert reverse("inspections:report_pdf", args=[inspection.pk]) in page.text


def test_a_failed_build_says_so_and_offers_another_try(client_for, inspector, make_report):
    inspection = make_report()
    ReportFile.objects.create(
        inspection=inspection, status=ReportFile.Status.FAILED, error="OSError: disk full"
    )
    page = client_for(inspector).get(status_url(inspection))
    assert "The report could not be built" in page.text
    assert "Build the PDF again" in page.text
    assert "disk full" not in page.text  # the error is for the logs, not the page


def test_tracker_shows_the_forces_latest_submitted_responses(client_for, force_lead_a, make_report):
    from actionplans.models import ActionPlan
    from actionplans.tests.factories import submitted_plan

    inspection = make_report()
    submitted_plan(inspection, by=force_lead_a, kind=ActionPlan.Kind.UPDATED_ACTION_PLAN)
    response = client_for(force_lead_a).get(
        reverse("inspections:tracker", args=[inspection.pk, "csv"])
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {
        "Area for improvement 1",
        "Recommendation 1",
        "Recommendation 2",
    }
    for row in rows[1:]:
        assert row[5].startswith("We will act on")
        assert row[7] == "In progress"
        assert row[8] == "Updated action plan version 1 (submitted)"


def test_a_long_unbroken_address_in_the_tracker_pdf_is_printed_whole(
    client_for, force_lead_a, make_report
):
    """A link with no hyphen or space to break at (a policy's address, with
    underscores) widened its column past the page: the address was cut off
    and the columns after it, the force's response and its status among them,
    were off the page (found by the outputs review)."""
    from inspections.models import Recommendation
    from inspections.tests.pdf import pdf_text, squashed

    address = (
        "https://www.example.police.uk/sites/default/files/child_protection_policies_2026_"
        "missing_children_and_child_exploitation_procedure_version_14_final_approved.pdf"
    )
    inspection = make_report()
    recommendation = Recommendation.objects.filter(finding__inspection=inspection).first()
    recommendation.text = f"Adopt {address}"
    recommendation.save()
    url = reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    text = squashed(pdf_text(client_for(force_lead_a).get(url).content, raw=True))
    assert address in text
    assert squashed("Action plan version") in text
    assert text.count("Noresponseyet") == 3  # two recommendations, one area for improvement


def test_the_tracker_pdf_keeps_the_paragraphs_of_an_area_for_improvement(
    client_for, force_lead_a, make_report
):
    """The report prints a finding's paragraphs apart; the tracker PDF ran
    them together into one, each paragraph's first words carried on from the
    last one's end (found by the outputs review)."""
    from inspections.models import Finding
    from inspections.tests.pdf import pdf_text

    inspection = make_report()
    inspection.findings.filter(kind=Finding.Kind.AREA_FOR_IMPROVEMENT).update(
        detail="Xenon.\n\nYttrium."
    )
    url = reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    lines = pdf_text(client_for(force_lead_a).get(url).content, raw=True).splitlines()
    assert any("Xenon." in line for line in lines)
    assert not any("Xenon." in line and "Yttrium." in line for line in lines)


def test_a_recommendations_paragraphs_are_kept_apart_on_the_page_and_in_the_pdf(
    client_for, lead_inspector, make_report
):
    """A recommendation is written in a box of several lines; the report page
    and the PDF ran its paragraphs together, as the tracker did a finding's
    (suspected by the outputs review)."""
    from inspections import reports
    from inspections.models import Recommendation
    from inspections.tests.pdf import pdf_text

    inspection = make_report()
    recommendation = Recommendation.objects.filter(finding__inspection=inspection).first()
    recommendation.text = "Xenon.\r\n\r\nYttrium."
    recommendation.save()
    client = client_for(lead_inspector)
    page = client.get(reverse("inspections:report", args=[inspection.pk])).content.decode()
    assert "Xenon.<br><br>Yttrium." in page
    html = reports.report_html(reports.report_data(inspection))
    assert html.count("Xenon.<br><br>Yttrium.") == 2  # in its finding, and in the index
    pdf, _ = reports.html_to_pdf(html)
    lines = pdf_text(pdf, raw=True).splitlines()
    assert not any("Xenon." in line and "Yttrium." in line for line in lines)


def test_the_tracker_pdf_keeps_the_words_of_its_narrow_columns_whole(
    client_for, force_lead_a, make_report
):
    """The rule that breaks a long address anywhere was given to every cell
    of the tracker, so its narrow columns broke their own words: "Investiga"
    and "tion", "Recomme" and "ndation", "respons" and "e" (found by the
    review of the day's changes)."""
    from inspections.tests.pdf import pdf_text

    inspection = make_report()
    url = reverse("inspections:tracker", args=[inspection.pk, "pdf"])
    words = pdf_text(client_for(force_lead_a).get(url).content, raw=True).split()
    assert words.count("Investigation") == 2  # the two recommendations' topic
    assert words.count("response") == 1 + 1 + 3  # heading, initial response, 3 statuses
    # The type of two rows, the references of two, and the heading.
    assert words.count("Recommendation") == 5
