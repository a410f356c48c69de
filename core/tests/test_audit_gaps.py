"""Changes the audit trail missed, found by the audit review. Each test makes
a change through the service, as a person (or the scheduled job), then asks
the audit trail who, when and what changed; each failed before its fix."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from casefiles import services as casefile_services
from casefiles.models import Case
from casefiles.tests.factories import InspectionFactory, add_cases
from core import uploads
from core.models import AuditEvent, StoredFile
from core.tests.files import pdf
from inspections.models import Inspection, ReportFile
from inspections.tests.factories import schedule

SIZES = {"missing-children": 4, "strategy-discussions-s47": 3, "child-exploitation": 2}


# 1. A redraw of the sample takes every case off its reviewer with
# QuerySet.update(): the assignments (each audited as case.assigned, with
# its reviewer from and to) were undone with no record of whom they were with.
def test_redraw_records_the_reviewer_assignments_it_clears(force_a, lead_inspector, inspector):
    inspection = InspectionFactory(force=force_a, lead_inspector=lead_inspector, team=[inspector])
    add_cases(
        inspection,
        {"missing-children": 30, "strategy-discussions-s47": 20, "child-exploitation": 10},
    )
    casefile_services.sample_draw(
        inspection=inspection, sizes=SIZES, seed=42, reason="", by=lead_inspector
    )
    assigned = list(Case.objects.sampled().order_by("reference")[:3])
    casefile_services.cases_assign(
        inspection=inspection,
        case_ids=[case.pk for case in assigned],
        reviewer=inspector,
        by=lead_inspector,
    )
    started = timezone.now()
    casefile_services.sample_draw(
        inspection=inspection, sizes=SIZES, seed=9, reason="Sizes were wrong", by=lead_inspector
    )
    assert not Case.objects.exclude(reviewer=None).exists()  # the change was made

    event = AuditEvent.objects.get(at__gte=started, actor=lead_inspector, action="sample.redrawn")
    assert event.changes["reviewers"] == ["Ian Inspector (inspector@example.org): 3 cases", None]


# 2. The nightly retention job deletes report PDFs a newer build replaced
# (the ReportFile row and its StoredFile): nothing was written to the audit
# trail, though asking for each build was ("report.requested").
def test_superseded_report_pdfs_deleted_are_audited(
    private_storage, force_a, lead_inspector, admin_user, django_capture_on_commit_callbacks
):
    from core.retention import superseded_reports_remove

    inspection = schedule(force=force_a, lead=lead_inspector, team=[], by=admin_user)
    now = timezone.now()

    def build(days_ago):
        stored = uploads.store_bytes(pdf(), name="report.pdf", kind="pdf", by=admin_user)
        report = ReportFile.objects.create(
            inspection=inspection,
            requested_by=admin_user,
            stage=Inspection.Stage.PUBLISHED,
            status=ReportFile.Status.READY,
            stored_file=stored,
        )
        when = now - timedelta(days=days_ago)
        ReportFile.objects.filter(pk=report.pk).update(created_at=when, finished_at=when)
        return report

    old, _newer = build(10), build(5)
    old_id, old_file_id = old.pk, old.stored_file_id
    with django_capture_on_commit_callbacks(execute=True):
        removed = superseded_reports_remove(dry_run=False)
    assert len(removed) == 1
    old.pk = old_id
    assert not ReportFile.objects.filter(pk=old.pk).exists()  # the deletion happened

    event = AuditEvent.objects.get(action="report.removed", object_id=str(old_id))
    assert event.at >= now and event.actor is None  # the nightly job
    assert event.force == force_a
    assert event.changes == {"file": ["report.pdf", None]}
    assert old_file_id is not None


# 3. Building a fresh export copy deletes the copies beyond the newest KEEP
# (their stored files) and marks failed ones removed with QuerySet.update():
# there was no audit row, though asking for each copy ("export.requested") and each
# download ("file.downloaded") is on the record.
def test_export_copies_deleted_are_audited(
    private_storage, admin_user, django_capture_on_commit_callbacks
):
    from dashboard import export_files
    from dashboard.models import ExportFile

    older = []
    for n in range(export_files.KEEP):
        stored = uploads.store_bytes(b"a,b\r\n", name=f"grades-{n}.csv", kind="csv", by=admin_user)
        older.append(
            ExportFile.objects.create(
                name="grades",
                requested_by=admin_user,
                status=ExportFile.Status.READY,
                stored_file=stored,
                finished_at=timezone.now(),
            )
        )
        ExportFile.objects.filter(pk=older[-1].pk).update(
            created_at=timezone.now() - timedelta(days=10 - n)
        )
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        export_files.export_request(name="grades", by=admin_user)
    oldest = ExportFile.objects.get(pk=older[0].pk)
    assert oldest.status == ExportFile.Status.REMOVED  # the copy was deleted
    assert not StoredFile.objects.filter(pk=older[0].stored_file_id).exists()

    event = AuditEvent.objects.get(at__gte=started, object_id=str(oldest.pk))
    assert (event.action, event.changes) == ("export.removed", {"file": ["grades-0.csv", None]})


# 4. The audit trail page cut each record's comment to 120 characters. For
# many changes the comment is the only place the "why" is kept (a
# deactivation's reason, a cancellation's reason, a plan's return comments):
# an admin reading the audit trail could not read it in full.
def test_audit_trail_page_shows_a_comment_in_full(client_for, admin_user, inspector):
    reason = (
        "Left the inspectorate on 30 November after the secondment ended; their laptop "
        "was not returned and the police have been told, reference 4471-A, so sign-in "
        "must stop today."
    )
    assert len(reason) > 120
    account_services.user_deactivate(user=inspector, by=admin_user, reason=reason)
    event = AuditEvent.objects.get(action="user_deactivated")
    assert event.comment == reason and event.actor == admin_user

    page = client_for(admin_user).get(reverse("core:audit")).content.decode()
    assert "Left the inspectorate on 30 November" in page  # the record is listed
    tail = "must stop today."
    assert tail in page, "The audit trail page does not show the reason in full"


# 5. The plan's change was worked out from people's names (str(User) is the
# full name): a team member replaced by another person of the same name (two
# "Ian Inspector"s) was a team change nothing recorded ("nothing changed,
# nothing recorded"), and the record could not say who was who anyway.
def test_team_change_to_a_namesake_is_audited(force_a, lead_inspector, inspector, admin_user):
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from inspections.tests.factories import change_team

    namesake = UserFactory(
        email="ian.inspector2@example.org", full_name=inspector.full_name, role=User.Role.INSPECTOR
    )
    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    started = timezone.now()
    change_team(inspection, team=[namesake], by=admin_user)
    assert set(inspection.team.all()) == {namesake}  # the team did change

    event = AuditEvent.objects.for_object(inspection).get(
        at__gte=started, actor=admin_user, changes__has_key="team"
    )
    assert event.changes["team"] == [
        "Ian Inspector (inspector@example.org)",
        "Ian Inspector (ian.inspector2@example.org)",
    ]


# 6. The same root for the cases' reviewer: cases_assign recorded the change
# (audit.diff compares the User objects), but wrote each person as str(User),
# the full name: "Ian Inspector -> Ian Inspector". The record did not say
# from whom to whom the case moved.
def test_case_reassigned_to_a_namesake_is_audited(force_a, lead_inspector, inspector):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    namesake = UserFactory(
        email="ian.inspector2@example.org", full_name=inspector.full_name, role=User.Role.INSPECTOR
    )
    inspection = InspectionFactory(
        force=force_a, lead_inspector=lead_inspector, team=[inspector, namesake]
    )
    add_cases(
        inspection,
        {"missing-children": 30, "strategy-discussions-s47": 20, "child-exploitation": 10},
    )
    casefile_services.sample_draw(
        inspection=inspection, sizes=SIZES, seed=42, reason="", by=lead_inspector
    )
    case = Case.objects.sampled().order_by("reference").first()
    casefile_services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=lead_inspector
    )
    started = timezone.now()
    assigned, _ = casefile_services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=namesake, by=lead_inspector
    )
    case.refresh_from_db()
    assert assigned == 1 and case.reviewer == namesake  # the reviewer did change

    event = AuditEvent.objects.for_object(case).get(at__gte=started, action="case.assigned")
    assert event.changes["reviewer"] == [
        "Ian Inspector (inspector@example.org)",
        "Ian Inspector (ian.inspector2@example.org)",
    ]
