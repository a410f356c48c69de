"""CSV exports for the data team: admins only, prepared in the background,
downloaded through the permission check, safe in a spreadsheet."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, StoredFile
from dashboard import export_files
from dashboard.csvio import safe_cell
from dashboard.models import ExportFile
from dashboard.tasks import prepare_exports
from dashboard.tests.factories import history
from forces.models import Force
from inspections.models import Finding, Inspection
from tests.builders import live_builder

pytestmark = pytest.mark.django_db
NAMES = ["grades", "findings", "case-reviews", "deadlines"]
LIST = reverse("exports:list")


def prepare_url(name: str) -> str:
    return reverse("exports:prepare", args=[name])


def download_url(export_file: ExportFile) -> str:
    return reverse("exports:download", args=[export_file.pk])


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def export(client_for, admin_user, private_storage, django_capture_on_commit_callbacks):
    """As an admin: ask for a fresh copy (the task runs as the request commits),
    then download it from the link on the exports page; its rows."""
    client = client_for(admin_user)

    def run(name: str) -> list[list[str]]:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(prepare_url(name)).status_code == 302
        copy = ExportFile.objects.filter(name=name).first()
        assert copy.status == ExportFile.Status.READY, copy.error
        assert download_url(copy) in client.get(LIST).text
        return rows_of(client.get(download_url(copy)))

    return run


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 20", "'+44 20"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Plain text", "Plain text"),
        (None, ""),
        (3, "3"),
    ],
)
def test_cells_that_look_like_formulas_get_a_quote(value, cell):
    assert safe_cell(value) == cell


def test_only_admins_prepare_and_download(
    client_for, admin_user, inspector, lead_inspector, force_lead_a, export
):
    export("grades")
    copy = ExportFile.objects.get(name="grades")
    for name in NAMES:
        for person, status in ((inspector, 403), (lead_inspector, 403), (force_lead_a, 404)):
            assert client_for(person).post(prepare_url(name)).status_code == status
    for person, status in ((inspector, 403), (lead_inspector, 403), (force_lead_a, 404)):
        assert client_for(person).get(download_url(copy)).status_code == status
        assert client_for(person).get(LIST).status_code == status
    assert ExportFile.objects.count() == 1
    admin = client_for(admin_user)
    assert admin.post(prepare_url("nope")).status_code == 404
    assert admin.get(prepare_url("grades")).status_code == 405
    stranger = reverse("exports:download", args=[Force.objects.first().pk])
    assert admin.get(stranger).status_code == 404


def test_page_before_any_copy_offers_to_prepare_each(client_for, admin_user):
    page = client_for(admin_user).get(LIST).text
    assert page.count("No copy has been prepared yet.") == len(NAMES)
    for name in NAMES:
        assert prepare_url(name) in page
    assert "data-app-refresh-seconds" not in page


def test_asking_records_who_and_the_download_is_audited(export, admin_user):
    rows = export("grades")
    copy = ExportFile.objects.get(name="grades")
    assert copy.requested_by == admin_user and copy.as_of == timezone.localdate()
    assert copy.row_count == len(rows) - 1
    assert copy.stored_file.original_name == f"grades-{copy.as_of:%Y-%m-%d}.csv"
    assert AuditEvent.objects.filter(
        action="export.requested", actor=admin_user, comment="grades"
    ).exists()
    downloaded = AuditEvent.objects.get(action="file.downloaded", actor=admin_user)
    assert downloaded.object_id == str(copy.stored_file.pk)


def test_a_copy_in_the_making_is_shown_and_not_asked_for_twice(
    client_for, admin_user, private_storage
):
    client = client_for(admin_user)
    # Not committed: the task has not run yet.
    response = client.post(prepare_url("findings"), follow=True)
    assert "A new copy of findings with their status is being prepared" in response.text
    assert client.post(prepare_url("findings")).status_code == 302
    assert ExportFile.objects.filter(name="findings").count() == 1
    page = client.get(LIST).text
    assert "Waiting to start" in page and "Check again" in page
    assert prepare_url("findings") not in page and prepare_url("grades") in page
    # The list page never reloads itself: a person's place on it is kept.
    assert "data-app-refresh-seconds" not in page


def test_one_copy_of_an_export_is_in_the_making_at_a_time(admin_user):
    from django.db import IntegrityError, transaction

    ExportFile.objects.create(name="grades")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportFile.objects.create(name="grades", status=ExportFile.Status.BUILDING)
    ExportFile.objects.create(name="findings")  # another export may be made alongside
    assert export_files.export_request(name="grades", by=admin_user).requested_by is None


def test_a_lost_copy_is_given_up_and_asked_for_again(client_for, admin_user, private_storage):
    client = client_for(admin_user)
    client.post(prepare_url("grades"))
    lost = ExportFile.objects.get(name="grades")
    ExportFile.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    page = client.get(LIST).text
    assert "was not prepared in time" in page and prepare_url("grades") in page
    client.post(prepare_url("grades"))
    lost.refresh_from_db()
    assert lost.status == ExportFile.Status.FAILED and lost.error.startswith("Lost")
    assert ExportFile.objects.filter(name="grades", status=ExportFile.Status.QUEUED).count() == 1


def test_with_the_broker_down_a_copy_is_said_not_prepared_at_once(
    client_for, admin_user, export, django_capture_on_commit_callbacks, monkeypatch
):
    """Found by the on-call review: a copy asked for while the broker was
    down said "Queued" for 30 minutes, with no worker ever told of it."""
    from kombu.exceptions import OperationalError

    from dashboard import tasks

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_export, "delay", broker_down)
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(prepare_url("grades")).status_code == 302
    copy = ExportFile.objects.get(name="grades")
    assert copy.status == ExportFile.Status.FAILED and copy.error.startswith("Not queued")
    assert "could not be prepared. Try again" in client.get(LIST).text
    monkeypatch.undo()
    assert export("grades")  # the next try is prepared


def test_a_long_wait_then_a_short_build_is_not_lost(admin_user):
    copy = ExportFile.objects.create(name="grades", status=ExportFile.Status.BUILDING)
    ExportFile.objects.filter(pk=copy.pk).update(
        created_at=timezone.now() - timedelta(minutes=40),
        started_at=timezone.now() - timedelta(minutes=5),
    )
    copy.refresh_from_db()
    assert copy.is_in_progress and not copy.is_lost
    with live_builder(copy):
        assert export_files.export_request(name="grades", by=admin_user) == copy


def test_a_failure_after_the_file_is_written_leaves_no_file(
    admin_user, private_storage, monkeypatch
):
    def broken(name):
        raise OSError("the database went away")

    monkeypatch.setattr(export_files, "_remove_old_copies", broken)
    copy = ExportFile.objects.create(name="grades", requested_by=admin_user)
    export_files.export_build(export_file_id=copy.pk)
    copy.refresh_from_db()
    assert copy.status == ExportFile.Status.FAILED and "went away" in copy.error
    assert StoredFile.objects.count() == 0
    assert [p for p in private_storage.rglob("*") if p.is_file()] == []


def test_only_ready_copies_are_downloaded(client_for, admin_user, export):
    export("grades")
    ready = ExportFile.objects.get(name="grades")
    response = client_for(admin_user).get(download_url(ready))
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    for status in ("queued", "building", "failed", "removed"):
        ExportFile.objects.filter(pk=ready.pk).update(status=status)
        assert client_for(admin_user).get(download_url(ready)).status_code == 404


def test_a_failed_copy_says_so_and_keeps_the_last_good_one(
    client_for, admin_user, export, private_storage, settings
):
    export("grades")
    good = ExportFile.objects.get(name="grades")
    # Storage rooted under a plain file: every write fails, as on a full disk.
    blocker = private_storage.parent / "not-a-folder"
    blocker.write_text("")
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": blocker / "x"}},
    }
    failed = ExportFile.objects.create(name="grades", requested_by=admin_user)
    export_files.export_build(export_file_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == ExportFile.Status.FAILED and failed.error
    assert failed.stored_file is None
    assert StoredFile.objects.count() == 1
    page = client_for(admin_user).get(LIST).text
    assert "could not be prepared" in page
    assert download_url(good) in page
    assert page.count("No copy has been prepared yet.") == len(NAMES) - 1
    # A good copy after it: the failure is superseded and no longer shown.
    settings.STORAGES = {**settings.STORAGES, "default": default}
    newer = ExportFile.objects.create(name="grades", requested_by=admin_user)
    export_files.export_build(export_file_id=newer.pk)
    failed.refresh_from_db()
    assert failed.status == ExportFile.Status.REMOVED
    page = client_for(admin_user).get(LIST).text
    assert "could not be prepared" not in page and download_url(newer) in page


def test_a_copy_is_built_once(admin_user, private_storage):
    copy = ExportFile.objects.create(name="grades", requested_by=admin_user)
    assert export_files.export_build(export_file_id=copy.pk).status == ExportFile.Status.READY
    assert export_files.export_build(export_file_id=copy.pk) is None
    assert StoredFile.objects.count() == 1


def test_the_newest_three_copies_are_kept(
    client_for, admin_user, export, private_storage, django_capture_on_commit_callbacks
):
    for _ in range(5):
        export("deadlines")
    copies = list(ExportFile.objects.filter(name="deadlines"))
    assert [c.status for c in copies] == ["ready"] * 3 + ["removed"] * 2
    assert StoredFile.objects.count() == 3
    assert len([p for p in private_storage.rglob("*") if p.is_file()]) == 3
    assert client_for(admin_user).get(download_url(copies[-1])).status_code == 404


def test_nightly_task_asks_for_every_export_once(
    private_storage, django_capture_on_commit_callbacks
):
    prepare_exports()  # the callbacks that start the builds are not run here
    prepare_exports()
    assert sorted(ExportFile.objects.values_list("name", flat=True)) == sorted(NAMES)
    assert set(ExportFile.objects.values_list("requested_by", flat=True)) == {None}
    with django_capture_on_commit_callbacks(execute=True):
        ExportFile.objects.all().delete()
        prepare_exports()
    assert set(ExportFile.objects.values_list("status", flat=True)) == {"ready"}


def test_overnight_copies_say_so(client_for, admin_user, private_storage):
    export_files.export_build(export_file_id=ExportFile.objects.create(name="grades").pk)
    assert "overnight" in client_for(admin_user).get(LIST).text


def test_grades_export_has_published_grades_only(export, lead_inspector, today):
    kent = Force.objects.get(slug="kent")
    history([kent], lead=lead_inspector, today=today)
    rows = export("grades")
    assert rows[0][:2] == ["Force", "Force short name"]
    published = Inspection.objects.filter(force=kent, published_on__isnull=False).count()
    assert len(rows) - 1 == published * 5
    assert {r[8] for r in rows[1:]} == {
        "Leadership",
        "Partnership working",
        "Initial response",
        "Risk assessment and referral",
        "Investigation",
    }


def test_findings_export_has_status_and_defuses_formulas(export, lead_inspector, today):
    history([Force.objects.get(slug="kent")], lead=lead_inspector, today=today)
    Finding.objects.filter(kind=Finding.Kind.AREA_FOR_IMPROVEMENT).update(
        summary='=HYPERLINK("http://evil.example","Click")'
    )
    rows = export("findings")
    statuses = {r[-1] for r in rows[1:]}
    assert statuses == {"Open", "Closed"}
    summaries = [r[8] for r in rows[1:]]
    assert all(not s.startswith("=") for s in summaries)
    assert '\'=HYPERLINK("http://evil.example","Click")' in summaries


def test_deadlines_export_marks_overdue_plans_and_lists_notices(
    export, lead_inspector, force_lead_a, today
):
    from actionplans.models import Notice

    kent = Force.objects.get(slug="kent")
    inspections = history([kent], lead=lead_inspector, today=today)
    published = next(i for i in inspections if i.stage == Inspection.Stage.PUBLISHED)
    Notice.objects.create(
        recipient=force_lead_a,
        kind=Notice.Kind.OVERDUE,
        inspection=published,
        subject=Notice.Subject.UPDATED_ACTION_PLAN,
        due_on=published.updated_action_plan_due_on,
        title="Overdue",
        body="Overdue",
    )
    rows = export("deadlines")
    assert rows[0][6:] == [
        "Deadline or notice",
        "Due on",
        "Status",
        "Overdue",
        "Notice sent on",
        "Response published on",
    ]
    overdue = [r for r in rows[1:] if r[9] == "Yes" and "plan" in r[6]]
    assert [(r[5], r[6], r[8]) for r in overdue] == [
        ("Published", "Updated action plan", "Not submitted")
    ]
    assert {r[8] for r in rows[1:] if r[5] == "Follow-up" and "plan" in r[6]} == {"Accepted"}
    notices = [r for r in rows[1:] if r[10]]
    assert [(r[6], r[10]) for r in notices] == [
        ("Overdue notice: Updated action plan", today.isoformat())
    ]
    assert force_lead_a.email not in "".join(",".join(r) for r in rows)


def test_deadlines_export_lists_each_notice_sent_to_the_force_once(
    export, lead_inspector, admin_user, force_lead_a, today
):
    """The page says the file lists every notice sent to a force: the copies
    of an overdue notice sent to the lead inspector and the admins are not
    sent to the force, and were rows of their own, as if the force had been
    chased three times (found by the outputs review)."""
    from actionplans.models import Notice

    kent = Force.objects.get(slug="kent")
    inspections = history([kent], lead=lead_inspector, today=today)
    published = next(i for i in inspections if i.stage == Inspection.Stage.PUBLISHED)
    for recipient in (force_lead_a, lead_inspector, admin_user):
        Notice.objects.create(
            recipient=recipient,
            kind=Notice.Kind.OVERDUE,
            inspection=published,
            subject=Notice.Subject.UPDATED_ACTION_PLAN,
            due_on=published.updated_action_plan_due_on,
            title="Overdue",
            body="Overdue",
        )
    Notice.objects.create(
        recipient=lead_inspector,
        kind=Notice.Kind.POINTS_SENT,
        inspection=published,
        subject=Notice.Subject.FACTUAL_ACCURACY,
        due_on=published.updated_action_plan_due_on,
        title="Points sent",
        body="Points sent",
    )
    rows = export("deadlines")
    notices = [r[6] for r in rows[1:] if r[10]]
    assert notices == ["Overdue notice: Updated action plan"]


def test_deadlines_export_gives_each_commissioners_response_its_status(
    export, lead_inspector, admin_user, today
):
    from actionplans.pcc_response import pcc_response_record

    kent = Force.objects.get(slug="kent")
    history([kent], lead=lead_inspector, today=today)
    following = Inspection.objects.get(force=kent, stage=Inspection.Stage.FOLLOW_UP)
    responded_on = following.pcc_response_due_on - timedelta(days=3)
    pcc_response_record(inspection=following, published_on=responded_on, by=admin_user)

    rows = export("deadlines")
    responses = [
        (r[5], r[8], r[9], r[11])
        for r in rows[1:]
        if r[6] == "Police and crime commissioner's response"
    ]
    assert sorted(responses) == [
        # Closed without one recorded: no longer chased, so not overdue.
        ("Closed", "Not recorded", "No", ""),
        ("Closed", "Not recorded", "No", ""),
        ("Follow-up", "Published", "No", responded_on.isoformat()),
        ("Published", "Not yet published", "Yes", ""),
    ]


def test_case_reviews_export_counts_ratings_per_inspection_and_category(
    export, admin_user, lead_inspector, inspector, force_a
):
    from inspections.tests.report_factories import report_inspection

    people = {"lead": lead_inspector, "inspector": inspector, "admin": admin_user}
    report_inspection(force=force_a, case_reviews=12, **people)
    unpublished = report_inspection(
        force=Force.objects.get(slug="kent"),
        stage=Inspection.Stage.MODERATION,
        case_reviews=3,
        start=date(2026, 5, 4),
        **people,
    )
    rows = export("case-reviews")
    assert rows[0][-5:-1] == ["Good", "Requires improvement", "Inadequate", "Total"]
    assert [(r[1], r[5], r[9]) for r in rows[1:]] == [
        ("Greater Manchester", "Missing children", "4"),
        ("Greater Manchester", "Child sexual or criminal exploitation", "4"),
        ("Greater Manchester", "Children detained in custody", "4"),
    ]
    assert sum(int(r[6]) for r in rows[1:]) == 8
    assert unpublished.force.short_name not in {r[1] for r in rows}


def test_case_reviews_export_says_which_ratings_no_second_review_moderated(
    export, admin_user, lead_inspector, inspector, force_a
):
    """Found by a review: the export counts ratings after second review, and
    counted the rating of a review whose second review waits for the next
    lead (the lead wrote it, so could not do it) as if one had been done,
    where the report's annex says it is the first reviewer's alone. Its last
    column now counts, of each row's total, the reviews chosen for a second
    review that did not have one: the one waiting, and one chosen before
    every chosen review got a second review (casefiles migration 0007)."""
    from casefiles.models import Case, CaseReview, SecondReview
    from inspections.tests.report_factories import report_inspection

    people = {"lead": lead_inspector, "inspector": inspector, "admin": admin_user}
    inspection = report_inspection(force=force_a, case_reviews=12, **people)
    reviews = CaseReview.objects.filter(case__inspection=inspection).order_by("case__reference")

    def chosen(category: str) -> CaseReview:
        review = reviews.filter(case__category__slug=category).first()
        Case.objects.filter(pk=review.case_id).update(second_review_due=True)
        return review

    missing = chosen("missing-children")
    second, _ = SecondReview.objects.update_or_create(
        review=missing, defaults={"reviewer": lead_inspector}
    )
    # Written by the lead, so its second review waits: still to do.
    SecondReview.objects.filter(pk=second.pk).update(
        status=SecondReview.Status.PENDING, agrees=None, rating="", completed_at=None
    )
    reviews.filter(pk=missing.pk).update(submitted_by=lead_inspector)
    # Chosen, and never given one (a review submitted before it was made).
    custody = chosen("children-in-custody")
    SecondReview.objects.filter(review=custody).delete()
    # Second-reviewed: not counted.
    done = chosen("child-exploitation")
    SecondReview.objects.update_or_create(
        review=done,
        defaults={
            "reviewer": lead_inspector,
            "status": SecondReview.Status.COMPLETED,
            "agrees": True,
        },
    )

    rows = export("case-reviews")
    assert rows[0][-5:] == [
        "Good",
        "Requires improvement",
        "Inadequate",
        "Total",
        "Chosen for second review but not second-reviewed",
    ]
    assert [(r[5], r[9], r[10]) for r in rows[1:]] == [
        ("Missing children", "4", "1"),
        ("Child sexual or criminal exploitation", "4", "0"),
        ("Children detained in custody", "4", "1"),
    ]


def test_the_beat_schedule_prepares_every_export_each_night(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["prepare-exports"]
    assert entry["task"] == "dashboard.tasks.prepare_exports"
    assert entry["task"] in app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {15})


def test_findings_export_lists_each_topics_findings_in_the_reports_order(
    force_a, lead_inspector, inspector, admin_user
):
    """Found by the outputs review: within a topic the findings came in no
    set order (as they were written, in practice), where the report gives
    accelerated causes of concern, causes of concern, areas for improvement,
    innovative practice, then promising practice."""
    from dashboard import exports
    from inspections.models import Topic
    from inspections.tests.report_factories import CONCERN, report_inspection

    inspection = report_inspection(
        force=force_a, lead=lead_inspector, inspector=inspector, admin=admin_user
    )
    for kind, summary in (
        (Finding.Kind.PROMISING_PRACTICE, "A promising practice"),
        (Finding.Kind.AREA_FOR_IMPROVEMENT, "An area for improvement"),
        (Finding.Kind.ACCELERATED, "An accelerated cause of concern"),
    ):
        Finding.objects.create(
            inspection=inspection, topic=Topic.INVESTIGATION, kind=kind, summary=summary, detail="."
        )
    _, rows = exports.findings()
    investigation = [r[8] for r in rows if r[6] == "Investigation"]
    assert investigation == [
        "An accelerated cause of concern",
        CONCERN,
        "An area for improvement",
        "A promising practice",
    ]
