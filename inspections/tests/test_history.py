"""An inspection's history: the overview shows the latest ten events and
links to the rest, 50 to a page, for the inspectorate only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import audit
from core.models import AuditEvent
from inspections.models import Inspection, Topic

pytestmark = pytest.mark.django_db

Stage = Inspection.Stage


def add_events(inspection: Inspection, by, count: int, first: int = 0) -> None:
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    for n in range(first, first + count):
        audit.record(
            by=by,
            action="judgment.saved",
            obj=judgment,
            changes={"rationale": [f"Rationale {n}", f"Rationale {n + 1}"]},
            force=inspection.force,
            inspection_id=inspection.pk,
        )


def history_url(inspection: Inspection, page: int | None = None) -> str:
    url = reverse("inspections:history", args=[inspection.pk])
    return f"{url}?page={page}" if page else url


def test_the_overview_links_to_the_whole_history_only_when_there_is_more(
    client_for, make_inspection, lead_inspector
):
    inspection = make_inspection(Stage.MODERATION)
    AuditEvent.objects.filter(inspection_id=inspection.pk).delete()
    add_events(inspection, lead_inspector, 10)
    client = client_for(lead_inspector)
    link = history_url(inspection)
    assert link not in client.get(inspection.get_absolute_url()).content.decode()
    add_events(inspection, lead_inspector, 1, first=10)
    html = client.get(inspection.get_absolute_url()).content.decode()
    assert f'href="{link}">See everything that has happened to this inspection</a>' in html
    assert "Rationale 0 → Rationale 1" not in html  # the eleventh newest: on the history page


def test_the_history_gives_every_event_newest_first_50_to_a_page(
    client_for, make_inspection, lead_inspector, inspector
):
    inspection = make_inspection(Stage.MODERATION)
    AuditEvent.objects.filter(inspection_id=inspection.pk).delete()
    add_events(inspection, lead_inspector, 55)
    client = client_for(inspector)
    first = client.get(history_url(inspection)).content.decode()
    assert "55 events" in first
    assert "Rationale 54 → Rationale 55" in first and "Rationale 5 → Rationale 6" in first
    assert "Rationale 4 → Rationale 5" not in first
    assert first.index("Rationale 54 →") < first.index("Rationale 53 →")
    assert 'aria-label="Page 2"' in first
    second = client.get(history_url(inspection, 2)).content.decode()
    assert "<title>History (page 2 of 2)" in second
    assert "Rationale 4 → Rationale 5" in second and "Rationale 0 → Rationale 1" in second
    assert "Rationale 54 →" not in second
    # A page past the end, or no page at all, is not an error.
    for odd in ("99", "abc", "0"):
        assert client.get(f"{history_url(inspection)}?page={odd}").status_code == 200


def test_the_history_leaves_out_who_downloaded_files(client_for, make_inspection, lead_inspector):
    inspection = make_inspection(Stage.MODERATION)
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    audit.record(
        by=lead_inspector,
        action="file.downloaded",
        obj=judgment,
        inspection_id=inspection.pk,
        label="secret-download-name.pdf",
    )
    html = client_for(lead_inspector).get(history_url(inspection)).content.decode()
    assert "secret-download-name.pdf" not in html


def test_the_history_leaves_out_the_forces_draft_plan_until_it_is_submitted(
    client_for, private_storage, force_a, lead_inspector, inspector, admin_user, force_lead_a
):
    """Found by the access review: each draft response and document the force
    saved was audited with the inspection's id, and the team read them on the
    overview and the history as the force typed, though the plan's own page
    keeps a draft from them. The submission is theirs to see."""
    from datetime import timedelta

    from django.utils import timezone

    from actionplans import services
    from actionplans.models import ActionPlan, PlanResponse
    from actionplans.tests.factories import pdf_upload
    from inspections.tests.report_factories import report_inspection

    inspection = report_inspection(
        force=force_a,
        lead=lead_inspector,
        inspector=inspector,
        admin=admin_user,
        stage=Stage.PRE_PUBLICATION,
    )
    plan = services.action_plan_for(inspection, ActionPlan.Kind.ACTION_PLAN)
    plan = services.action_plan_attach_document(
        plan=plan, upload=pdf_upload("draft-plan-file.pdf"), by=force_lead_a
    )
    for item in services.plan_items(plan):
        services.action_plan_save_response(
            plan=plan,
            item=item,
            action="Draft action not yet sent",
            owner_role="Head of public protection",
            target_on=timezone.localdate() + timedelta(days=90),
            status=PlanResponse.Status.IN_PROGRESS,
            by=force_lead_a,
        )
    team = client_for(inspector)
    plan_page = team.get(reverse("actionplans:plan", args=[inspection.pk, plan.slug]))
    assert "Draft action not yet sent" not in plan_page.content.decode()
    for url in (reverse("inspections:detail", args=[inspection.pk]), history_url(inspection)):
        html = team.get(url).content.decode()
        assert "Draft action not yet sent" not in html, url
        assert "draft-plan-file" not in html, url
    services.action_plan_submit(plan=plan, by=force_lead_a)
    html = team.get(history_url(inspection)).content.decode()
    assert "Submitted" in html
    assert "Draft action not yet sent" not in html


def test_the_historys_queries_do_not_grow_with_its_events(
    client_for, make_inspection, lead_inspector
):
    inspection = make_inspection(Stage.MODERATION)
    client = client_for(lead_inspector)
    client.get(history_url(inspection))  # the session and the person, loaded once
    add_events(inspection, lead_inspector, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(history_url(inspection))
    add_events(inspection, lead_inspector, 48, first=2)
    with CaptureQueriesContext(connection) as many:
        client.get(history_url(inspection))
    assert len(many) == len(few)


def test_the_history_is_narrowed_to_what_happened(client_for, make_inspection, lead_inspector):
    """Found by the lists review: hundreds of case review saves, 50 a page,
    and the grades returned in moderation found only by paging through them."""
    inspection = make_inspection(Stage.MODERATION)
    AuditEvent.objects.filter(inspection_id=inspection.pk).delete()
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    for n in range(60):
        audit.record(
            by=lead_inspector,
            action="case_review.saved",
            obj=judgment,
            changes={"notes": [f"Note {n}", f"Note {n + 1}"]},
            inspection_id=inspection.pk,
        )
    for action in ("judgment.returned", "inspection.published", "inspection.dates_corrected"):
        audit.record(by=lead_inspector, action=action, obj=judgment, inspection_id=inspection.pk)
    client = client_for(lead_inspector)

    everything = client.get(history_url(inspection)).content.decode()
    assert "63 events" in everything and '<option value="grades">' in everything
    grades = client.get(history_url(inspection), {"what": "grades"})
    html = grades.content.decode()
    assert "Grades and moderation, newest first: 1 event." in html
    assert "<title>History: grades and moderation" in html
    assert [e["action"] for e in grades.context["timeline"]] == ["Returned"]
    # Published is the report's, not the schedule's; a date corrected, the schedule's.
    report = client.get(history_url(inspection), {"what": "report"}).context["page_obj"]
    assert [e.action for e in report.object_list] == ["inspection.published"]
    schedule = client.get(history_url(inspection), {"what": "schedule"}).context["page_obj"]
    assert [e.action for e in schedule.object_list] == ["inspection.dates_corrected"]
    evidence = client.get(history_url(inspection), {"what": "evidence"}).content.decode()
    assert "Nothing of this kind has happened yet." in evidence
    # Page 2 of the case reviews keeps the choice.
    cases = client.get(history_url(inspection), {"what": "case_files"}).content.decode()
    assert "60 events" in cases and 'href="?what=case_files&amp;page=2"' in cases
    # A kind not offered here (an old or altered link) shows everything.
    odd = client.get(history_url(inspection), {"what": "people"})
    assert odd.status_code == 200 and odd.context["page_obj"].paginator.count == 63
