"""CSV exports for the data team: admins only, streamed, safe in a spreadsheet."""

import csv
import io
from datetime import date

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from core.models import AuditEvent
from dashboard.csvio import safe_cell
from dashboard.tests.factories import history
from forces.models import Force
from inspections.models import Finding, Inspection

pytestmark = pytest.mark.django_db
NAMES = ["grades", "findings", "case-reviews", "deadlines"]


def rows_of(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


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


def test_only_admins_download(client_for, admin_user, inspector, lead_inspector, force_lead_a):
    for name in NAMES:
        url = reverse("exports:csv", args=[name])
        assert client_for(inspector).get(url).status_code == 403
        assert client_for(lead_inspector).get(url).status_code == 403
        assert client_for(force_lead_a).get(url).status_code == 404
        assert client_for(admin_user).get(url).status_code == 200
    assert client_for(inspector).get(reverse("exports:list")).status_code == 403
    assert client_for(force_lead_a).get(reverse("exports:list")).status_code == 404
    assert client_for(admin_user).get(reverse("exports:csv", args=["nope"])).status_code == 404


def test_export_list_links_every_export(client_for, admin_user):
    page = client_for(admin_user).get(reverse("exports:list")).text
    for name in NAMES:
        assert reverse("exports:csv", args=[name]) in page


def test_grades_export_has_published_grades_only(client_for, admin_user, lead_inspector, today):
    kent = Force.objects.get(slug="kent")
    history([kent], lead=lead_inspector, today=today)
    rows = rows_of(client_for(admin_user).get(reverse("exports:csv", args=["grades"])))
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
    assert AuditEvent.objects.filter(action="export.downloaded", comment="grades").exists()


def test_findings_export_has_status_and_defuses_formulas(
    client_for, admin_user, lead_inspector, today
):
    history([Force.objects.get(slug="kent")], lead=lead_inspector, today=today)
    Finding.objects.filter(kind=Finding.Kind.AREA_FOR_IMPROVEMENT).update(
        summary='=HYPERLINK("http://evil.example","Click")'
    )
    rows = rows_of(client_for(admin_user).get(reverse("exports:csv", args=["findings"])))
    statuses = {r[-1] for r in rows[1:]}
    assert statuses == {"Open", "Closed"}
    summaries = [r[8] for r in rows[1:]]
    assert all(not s.startswith("=") for s in summaries)
    assert '\'=HYPERLINK("http://evil.example","Click")' in summaries


def test_deadlines_export_marks_overdue_plans_and_lists_notices(
    client_for, admin_user, lead_inspector, force_lead_a, today
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
    rows = rows_of(client_for(admin_user).get(reverse("exports:csv", args=["deadlines"])))
    assert rows[0][6:] == [
        "Deadline or notice",
        "Due on",
        "Plan status",
        "Overdue",
        "Notice sent on",
    ]
    overdue = [r for r in rows[1:] if r[9] == "Yes"]
    assert [(r[5], r[6], r[8]) for r in overdue] == [
        ("Published", "Updated action plan", "Not submitted")
    ]
    assert {r[8] for r in rows[1:] if r[5] == "Follow-up" and "plan" in r[6]} == {"Accepted"}
    notices = [r for r in rows[1:] if r[10]]
    assert [(r[6], r[10]) for r in notices] == [
        ("Overdue notice: Updated action plan", today.isoformat())
    ]
    assert force_lead_a.email not in "".join(",".join(r) for r in rows)


def test_case_reviews_export_counts_ratings_per_inspection_and_category(
    client_for, admin_user, lead_inspector, inspector, force_a
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
    rows = rows_of(client_for(admin_user).get(reverse("exports:csv", args=["case-reviews"])))
    assert rows[0][-4:] == ["Good", "Requires improvement", "Inadequate", "Total"]
    assert [(r[1], r[5], r[9]) for r in rows[1:]] == [
        ("Greater Manchester", "Missing children", "4"),
        ("Greater Manchester", "Child sexual or criminal exploitation", "4"),
        ("Greater Manchester", "Children detained in custody", "4"),
    ]
    assert sum(int(r[6]) for r in rows[1:]) == 8
    assert unpublished.force.short_name not in {r[1] for r in rows}
