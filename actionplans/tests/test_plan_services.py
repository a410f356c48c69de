"""Action plan workflows: items, drafts, submission, versions and review."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from actionplans import services
from actionplans.models import ActionPlan, ActionPlanVersion, Notice, PlanResponse
from actionplans.tests.factories import (
    add_area_for_improvement,
    complete_draft,
    submitted_plan,
    today,
)
from core.models import AuditEvent


def test_action_plan_answers_causes_of_concern_and_recommendations(checks):
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    labels = [item.label for item in services.plan_items(plan)]
    assert labels == ["Cause of concern 1", "Recommendation 1"]


def test_updated_plan_also_answers_each_area_for_improvement(published, lead_inspector):
    add_area_for_improvement(published, by=lead_inspector)
    plan = services.action_plan_for(published, ActionPlan.Kind.UPDATED_ACTION_PLAN)
    labels = [item.label for item in services.plan_items(plan)]
    assert labels == ["Cause of concern 1", "Recommendation 1", "Area for improvement 1"]


def test_the_plan_numbers_recommendations_as_the_report_does(published, lead_inspector):
    """Findings added out of report order (an accelerated cause of concern,
    which the report prints first, added after an ordinary one on the same
    topic): the plan's numbers are still the report's, and the tracker's."""
    from inspections.models import Finding, Recommendation, Topic
    from inspections.tracker import tracker_rows

    accelerated = Finding.objects.create(
        inspection=published,
        topic=Topic.INVESTIGATION,
        kind=Finding.Kind.ACCELERATED,
        summary="Strategy discussions are late",
        detail="Reported during fieldwork.",
        reported_to_force_on=published.fieldwork_end,
    )
    Recommendation.objects.create(finding=accelerated, text="Hold strategy discussions at once.")
    add_area_for_improvement(published, by=lead_inspector)
    plan = services.action_plan_for(published, ActionPlan.Kind.UPDATED_ACTION_PLAN)
    items = services.plan_items(plan)
    in_plan = {(item.label, item.text) for item in items if item.recommendation}
    rows = tracker_rows(published)
    assert in_plan == {(row.reference, row.text) for row in rows if row.kind == "Recommendation"}
    assert "Area for improvement 1" in [item.label for item in items]
    assert "Area for improvement 1" in [row.reference for row in rows]
    assert ("Recommendation 1", "Hold strategy discussions at once.") in in_plan
    assert [item.label for item in items][:2] == ["Cause of concern 1", "Recommendation 1"]


def test_submission_is_refused_naming_each_missing_response(checks, force_lead_a):
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    with pytest.raises(ValidationError) as refused:
        services.action_plan_submit(plan=plan, by=force_lead_a)
    assert refused.value.messages == [
        "Upload the action plan document",
        "Add a response to cause of concern 1",
        "Add a response to recommendation 1",
    ]
    assert not ActionPlanVersion.objects.exists()


def test_submission_freezes_a_numbered_version_audits_and_confirms(
    checks, force_lead_a, lead_inspector, django_capture_on_commit_callbacks
):
    plan = complete_draft(
        services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN), by=force_lead_a
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = services.action_plan_submit(plan=plan, by=force_lead_a)

    assert version.number == 1
    assert version.document == plan.document
    assert version.responses.count() == 2
    assert AuditEvent.objects.filter(
        action="action_plan.submitted", object_id=str(version.pk)
    ).exists()
    notices = Notice.objects.filter(kind=Notice.Kind.PLAN_SUBMITTED)
    assert {n.recipient for n in notices} == {force_lead_a, lead_inspector}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [force_lead_a.email, lead_inspector.email]
    )
    assert "Action plan version 1 submitted" in mail.outbox[0].subject
    # Each is told what happens next in their own words.
    words = {n.recipient: n.body for n in notices}
    assert "The lead inspector will accept it or return it" in words[force_lead_a]
    assert "Review it: accept it, or return it with comments" in words[lead_inspector]
    assert "The lead inspector will" not in words[lead_inspector]


def test_a_submitted_plan_cannot_be_changed_or_submitted_again(checks, force_lead_a):
    plan, _ = submitted_plan(checks, by=force_lead_a)
    item = services.plan_items(plan)[0]
    with pytest.raises(ValidationError, match="has been submitted"):
        services.action_plan_save_response(
            plan=plan,
            item=item,
            action="x",
            owner_role="y",
            target_on=today(),
            status="complete",
            by=force_lead_a,
        )
    with pytest.raises(ValidationError, match="has been submitted"):
        services.action_plan_submit(plan=plan, by=force_lead_a)


def test_return_then_resubmit_makes_version_two_and_keeps_version_one(
    checks, force_lead_a, lead_inspector
):
    plan, first = submitted_plan(checks, by=force_lead_a)
    services.action_plan_version_return(version=first, by=lead_inspector, comment="Add dates")
    plan.refresh_from_db()
    assert plan.is_editable

    # The draft starts from version 1's responses: change one, submit again.
    item = services.plan_items(plan)[0]
    services.action_plan_save_response(
        plan=plan,
        item=item,
        action="A sharper action",
        owner_role="Detective superintendent",
        target_on=today() + timedelta(days=30),
        status=PlanResponse.Status.NOT_STARTED,
        by=force_lead_a,
    )
    second = services.action_plan_submit(plan=plan, by=force_lead_a)

    assert second.number == 2
    first.refresh_from_db()
    assert first.status == ActionPlanVersion.Status.RETURNED
    assert first.review_comment == "Add dates"
    old = first.responses.get(finding=item.finding)
    new = second.responses.get(finding=item.finding)
    assert old.action == "We will act on Cause of concern 1"
    assert new.action == "A sharper action"
    assert second.responses.get(recommendation__isnull=False).action == (
        "We will act on Recommendation 1"
    )


def test_accept_is_audited_and_happens_once(checks, force_lead_a, lead_inspector):
    _, version = submitted_plan(checks, by=force_lead_a)
    services.action_plan_version_accept(version=version, by=lead_inspector)
    assert AuditEvent.objects.filter(action="action_plan.accepted", actor=lead_inspector).exists()
    assert Notice.objects.filter(kind=Notice.Kind.PLAN_ACCEPTED, recipient=force_lead_a).exists()
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.action_plan_version_return(version=version, by=lead_inspector, comment="No")


COMMENTS = "Response to recommendation 1 misses case 12/345: the child was not seen"


def test_a_return_and_an_acceptance_email_the_force_once_and_keep_the_comments_in_the_service(
    checks, force_lead_a, lead_inspector, client_for, settings, django_capture_on_commit_callbacks
):
    """Found by an email review: the lead inspector's comments were copied into
    the email, and comments on an action plan quote unpublished causes of
    concern and cases. The email says there are comments and where to read them."""
    plan, first = submitted_plan(checks, by=force_lead_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_version_return(version=first, by=lead_inspector, comment=COMMENTS)
    [returned] = mail.outbox
    assert returned.to == [force_lead_a.email]
    assert returned.subject == "Action plan version 1 returned: Greater Manchester"
    assert "returned version 1 of the action plan" in returned.body
    assert "with comments. Read them on the plan's page, then submit a new version." in (
        returned.body
    )
    assert returned.body.endswith(f"to see it: {settings.SERVICE_URL}{plan.get_absolute_url()}")

    second = services.action_plan_submit(plan=plan, by=force_lead_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_version_accept(version=second, by=lead_inspector, comment=COMMENTS)
    [accepted] = mail.outbox
    assert accepted.to == [force_lead_a.email]
    assert accepted.subject == "Action plan version 2 accepted: Greater Manchester"
    assert "Read their comments on the plan's page." in accepted.body
    for message in (returned, accepted):
        assert "12/345" not in message.body + message.subject
    # The plan's page, where the link goes, shows them to the force.
    page = client_for(force_lead_a).get(plan.get_absolute_url()).content.decode()
    assert "12/345" in page


def test_return_needs_comments(checks, force_lead_a, lead_inspector):
    _, version = submitted_plan(checks, by=force_lead_a)
    with pytest.raises(ValidationError):
        services.action_plan_version_return(version=version, by=lead_inspector, comment=" ")
    version.refresh_from_db()
    assert version.status == ActionPlanVersion.Status.SUBMITTED


@pytest.mark.parametrize(
    ("days", "label", "colour"),
    [
        (30, "Not yet due", "grey"),
        (5, "Due in 5 days", "yellow"),
        (1, "Due in 1 day", "yellow"),
        (0, "Due today", "yellow"),
        (-1, "Overdue", "red"),
    ],
)
def test_status_is_always_written_in_words(days, label, colour):
    status = services.plan_status(today() + timedelta(days=days), None, today())
    assert (status.label, status.colour) == (label, colour)


def test_status_follows_the_latest_version(checks, force_lead_a, lead_inspector):
    plan, version = submitted_plan(checks, by=force_lead_a)
    assert [s.status.label for s in services.plan_summaries(checks)] == ["Submitted", "Not yet due"]
    services.action_plan_version_return(version=version, by=lead_inspector, comment="More")
    assert services.plan_summaries(checks)[0].status.label == "Returned"  # due in 20 days
    # Found by a screenshot sweep: "Returned" alone hid that it was due in days.
    soon = services.plan_summaries(checks, today=checks.action_plan_due_on - timedelta(days=4))
    assert (soon[0].status.label, soon[0].status.colour) == ("Returned, due in 4 days", "orange")
    late = services.plan_summaries(checks, today=checks.action_plan_due_on + timedelta(days=1))
    assert (late[0].status.label, late[0].status.colour) == ("Returned, overdue", "red")


def test_replacing_the_draft_document_keeps_the_submitted_versions_file(
    checks, force_lead_a, lead_inspector, django_capture_on_commit_callbacks
):
    from actionplans.tests.factories import pdf_upload

    plan, first = submitted_plan(checks, by=force_lead_a)
    services.action_plan_version_return(version=first, by=lead_inspector, comment="Redo")
    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_attach_document(
            plan=plan, upload=pdf_upload("v2.pdf"), by=force_lead_a
        )
    first.refresh_from_db()
    assert first.document.original_name == "plan.pdf"
    assert first.document.storage_name
    from django.core.files.storage import default_storage

    assert default_storage.exists(first.document.storage_name)


def test_the_same_response_from_a_stale_page_is_not_refused(checks, force_lead_a):
    """A second click on Save: what it asks for is saved already."""
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    item = services.plan_items(plan)[0]
    answers = {
        "action": "Weekly reviews",
        "owner_role": "Head of public protection",
        "target_on": today() + timedelta(days=30),
        "status": PlanResponse.Status.NOT_STARTED,
    }
    for _ in range(2):
        services.action_plan_save_response(
            plan=plan, item=item, **answers, by=force_lead_a, seen=""
        )
    assert AuditEvent.objects.filter(action="action_plan.response_saved").count() == 1


def test_a_submitted_plan_names_each_finding_as_the_report_does_now(
    checks, force_lead_a, lead_inspector, private_storage
):
    """Found by the workflow review: a cause of concern corrected at
    pre-publication checks after the force drafted its response was frozen,
    in the version the lead inspector reviews and accepts, in its old words."""
    from inspections import factual_accuracy
    from inspections.models import Finding

    plan = complete_draft(
        services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN), by=force_lead_a
    )
    concern = checks.findings.filter(kind=Finding.Kind.CAUSE_OF_CONCERN).first()
    corrected = "Investigations of offences against children are not supervised"
    factual_accuracy.finding_correct(
        finding=concern, summary=corrected, detail=concern.detail, by=checks.lead_inspector
    )
    version = services.action_plan_submit(plan=plan, by=force_lead_a)
    subjects = [r.subject for r in version.responses.filter(finding=concern)]
    assert subjects and all(corrected in subject for subject in subjects), subjects
