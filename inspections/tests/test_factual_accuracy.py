"""Pre-publication (factual accuracy) checks: the force raises and sends
points, the lead inspector responds and corrects the words, publication
waits for every response."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actionplans.models import Notice
from core.models import AuditEvent
from inspections import factual_accuracy, services
from inspections.models import FactualAccuracyPoint, Finding, Grade, Inspection, Topic

Stage = Inspection.Stage
Point = FactualAccuracyPoint
ACCEPTED, NOT_ACCEPTED = Point.Response.ACCEPTED, Point.Response.NOT_ACCEPTED
FORCE_WORDS = "The report says 12 officers; the force has 15"


@pytest.fixture
def checks(make_report):
    """Force A's report with the force for pre-publication checks."""
    return make_report(stage=Stage.PRE_PUBLICATION)


def raise_point(inspection, by, *, topic="", finding=None, words=FORCE_WORDS):
    return factual_accuracy.factual_point_save(
        inspection=inspection,
        topic=topic,
        finding=finding,
        inaccuracy=words,
        correction="It should say 15 officers",
        evidence="The force's establishment figures, March 2026",
        by=by,
    )


def send(inspection, by, points=None):
    points = points if points is not None else inspection.factual_points.filter(sent_at=None)
    return factual_accuracy.factual_points_send(
        inspection=inspection, points=[p.pk for p in points], by=by
    )


def respond(point, by, response=ACCEPTED, explanation=""):
    return factual_accuracy.factual_point_respond(
        point=point, response=response, explanation=explanation, by=by
    )


def publish(inspection, by):
    services.inspection_publish(
        inspection=inspection,
        published_on=inspection.received_for_checks_on + timedelta(days=1),
        by=by,
    )


# Services -------------------------------------------------------------------


def test_the_whole_flow_from_points_to_publication(
    checks,
    force_lead_a,
    lead_inspector,
    admin_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    concern = checks.findings.get(kind=Finding.Kind.CAUSE_OF_CONCERN)
    on_finding = raise_point(checks, force_lead_a, finding=concern)
    on_judgment = raise_point(checks, force_lead_a, topic=Topic.LEADERSHIP)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(checks, force_lead_a)
    assert {p.pk for p in sent} == {on_finding.pk, on_judgment.pk}
    [email] = mailoutbox
    assert email.to == [lead_inspector.email]
    assert "2 factual accuracy points sent" in email.subject
    page = reverse("inspections:factual_accuracy", args=[checks.pk])
    assert email.body.endswith(f"{settings.SERVICE_URL}{page}")
    assert services.publication_blockers(checks) == [
        "Respond to every factual accuracy point the force sent (2 waiting)"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        respond(on_finding, lead_inspector)
    assert len(mailoutbox) == 1  # one still waiting: the force is not told yet
    assert "(1 waiting)" in services.publication_blockers(checks)[0]
    with django_capture_on_commit_callbacks(execute=True):
        respond(on_judgment, lead_inspector, NOT_ACCEPTED, "The figure is from your own return")
    assert services.publication_blockers(checks) == []
    told = mailoutbox[1]
    assert told.to == [force_lead_a.email]
    assert told.subject.startswith("Responses to your factual accuracy points")
    assert told.body.endswith(f"{settings.SERVICE_URL}{page}")
    assert Notice.objects.filter(recipient=force_lead_a, kind=Notice.Kind.POINTS_ANSWERED).exists()
    # A response the force was told of, changed: the force is told that
    # (found by a review: it relied on the first answer and never heard).
    with django_capture_on_commit_callbacks(execute=True):
        respond(on_judgment, lead_inspector, ACCEPTED)
    assert len(mailoutbox) == 3
    assert mailoutbox[2].to == [force_lead_a.email]
    assert mailoutbox[2].subject.startswith("A response to your factual accuracy points changed")
    # Saved again as it is: nothing recorded, nobody told, who answered kept.
    recorded = AuditEvent.objects.count()
    on_judgment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert respond(on_judgment, admin_user, ACCEPTED) == {}
    assert len(mailoutbox) == 3 and AuditEvent.objects.count() == recorded
    on_judgment.refresh_from_db()
    assert on_judgment.responded_by == lead_inspector
    # A second change is its own occasion, told once.
    with django_capture_on_commit_callbacks(execute=True):
        respond(on_judgment, lead_inspector, NOT_ACCEPTED, "On reflection, the return stands")
    assert len(mailoutbox) == 4
    assert Notice.objects.filter(kind=Notice.Kind.RESPONSE_CHANGED).count() == 2
    publish(checks, lead_inspector)
    assert checks.stage == Stage.PUBLISHED


def test_a_second_send_of_the_same_points_sends_nothing_and_tells_nobody_again(
    checks, force_lead_a, mailoutbox, django_capture_on_commit_callbacks
):
    point = raise_point(checks, force_lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(checks, force_lead_a, [point]) == [point]
    with django_capture_on_commit_callbacks(execute=True):
        assert send(checks, force_lead_a, [point]) == []
    assert len(mailoutbox) == 1
    assert AuditEvent.objects.filter(action="factual_points.sent").count() == 1


def test_points_sent_later_are_a_new_occasion(
    checks, force_lead_a, lead_inspector, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(checks, force_lead_a, [raise_point(checks, force_lead_a)])
        respond(checks.factual_points.get(), lead_inspector)
        later = raise_point(checks, force_lead_a, words="Another inaccuracy")
        send(checks, force_lead_a, [later])
        respond(later, lead_inspector)
    subjects = [m.subject for m in mailoutbox]
    assert len(subjects) == 4, subjects  # sent, answered, sent again, answered again


def test_a_response_told_of_that_changes_while_later_points_wait_is_told(
    checks, force_lead_a, lead_inspector, mailoutbox, django_capture_on_commit_callbacks
):
    """The force was told of the first point's response; it sent a second
    point, and the first point's response changed while the second waited:
    the force is told of the change then, not never."""
    first = raise_point(checks, force_lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        send(checks, force_lead_a, [first])
        respond(first, lead_inspector)  # the force is told of it
        later = raise_point(checks, force_lead_a, words="Another inaccuracy")
        send(checks, force_lead_a, [later])
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        respond(first, lead_inspector, NOT_ACCEPTED, "On reflection, the figure stands")
    told = Notice.objects.filter(recipient=force_lead_a, kind=Notice.Kind.RESPONSE_CHANGED)
    assert told.count() == 1
    assert mailoutbox[-1].to == [force_lead_a.email]
    assert mailoutbox[-1].subject.startswith("A response to your factual accuracy points changed")
    # The later point's answer is told as before, and a change to a response
    # the force was not yet told of (the later one, waiting) tells nothing.
    with django_capture_on_commit_callbacks(execute=True):
        respond(later, lead_inspector)
    assert (
        Notice.objects.filter(recipient=force_lead_a, kind=Notice.Kind.POINTS_ANSWERED).count() == 2
    )
    assert told.count() == 1


def test_a_response_changed_before_the_force_was_told_tells_nothing_more(
    checks, force_lead_a, lead_inspector, django_capture_on_commit_callbacks
):
    one, two = raise_point(checks, force_lead_a), raise_point(checks, force_lead_a, words="Other")
    with django_capture_on_commit_callbacks(execute=True):
        send(checks, force_lead_a, [one, two])
        respond(one, lead_inspector)
        one.refresh_from_db()
        respond(one, lead_inspector, NOT_ACCEPTED, "Changed before the force heard")
    assert not Notice.objects.filter(kind=Notice.Kind.RESPONSE_CHANGED).exists()
    assert not Notice.objects.filter(kind=Notice.Kind.POINTS_ANSWERED).exists()


def test_drafts_do_not_block_publication_and_are_left_unsent(checks, force_lead_a, lead_inspector):
    raise_point(checks, force_lead_a)
    assert services.publication_blockers(checks) == []
    publish(checks, lead_inspector)
    assert checks.factual_points.get().sent_at is None


def test_a_sent_point_is_frozen_for_the_force(checks, force_lead_a):
    point = raise_point(checks, force_lead_a)
    send(checks, force_lead_a, [point])
    with pytest.raises(ValidationError, match="can no longer be changed"):
        factual_accuracy.factual_point_save(
            inspection=checks,
            point=point,
            topic="",
            finding=None,
            inaccuracy="Changed",
            correction="Changed",
            evidence="",
            by=force_lead_a,
        )
    with pytest.raises(ValidationError, match="can no longer be changed"):
        factual_accuracy.factual_point_delete(point=point, by=force_lead_a)
    point.refresh_from_db()
    assert point.inaccuracy == FORCE_WORDS


def test_a_draft_can_be_changed_and_deleted_and_is_not_audited(checks, force_lead_a):
    point = raise_point(checks, force_lead_a)
    factual_accuracy.factual_point_save(
        inspection=checks,
        point=point,
        topic=Topic.INVESTIGATION,
        finding=None,
        inaccuracy="Better words",
        correction="Better correction",
        evidence="",
        by=force_lead_a,
    )
    point.refresh_from_db()
    assert (point.topic, point.inaccuracy) == (Topic.INVESTIGATION, "Better words")
    factual_accuracy.factual_point_delete(point=point, by=force_lead_a)
    assert not checks.factual_points.exists()
    assert not AuditEvent.objects.filter(action__startswith="factual_point").exists()


def edit_point(point, by, *, correction, seen):
    return factual_accuracy.factual_point_save(
        inspection=point.inspection,
        point=point,
        topic=point.topic,
        finding=point.finding,
        inaccuracy=point.inaccuracy,
        correction=correction,
        evidence=point.evidence,
        by=by,
        seen=seen,
    )


@pytest.fixture
def other_lead_a(force_a):
    """A second lead of force A: the force's leads share its drafts."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    return UserFactory(role=User.Role.FORCE_LEAD, force=force_a)


def test_a_draft_changed_from_a_stale_page_is_refused(checks, force_lead_a, other_lead_a):
    """Found by a review: two of the force's leads editing one draft, the
    later save silently replaced the earlier."""
    point = raise_point(checks, force_lead_a)
    seen = services.seen_version(point)
    edit_point(point, other_lead_a, correction="Theirs", seen=seen)
    with pytest.raises(ValidationError, match="Someone else saved this point"):
        edit_point(Point.objects.get(pk=point.pk), force_lead_a, correction="Mine", seen=seen)
    # A second click on Save (the same answers, the page's old version) is not refused.
    edit_point(Point.objects.get(pk=point.pk), other_lead_a, correction="Theirs", seen=seen)
    point.refresh_from_db()
    assert point.correction == "Theirs"


def test_a_double_click_on_save_raises_one_draft(checks, force_lead_a):
    raise_point(checks, force_lead_a)
    with pytest.raises(ValidationError, match="already raised this point"):
        raise_point(checks, force_lead_a)


@pytest.mark.parametrize(
    "words",
    [
        "The report says 12\u200b officers; the force has 15",  # zero-width space
        "The report says 12 offi\u00adcers; the force has 15",  # soft hyphen
        "The report says 12  officers; the force has 15",  # a doubled space
        "The report says \uff11\uff12 officers; the force has 15",  # full-width digits
        "the report says 12 officers; the force has 15",
    ],
)
def test_a_point_that_reads_the_same_as_a_draft_is_not_raised_twice(
    checks, force_lead_a, other_lead_a, words
):
    """Found by a review: the check compared the exact text, so the same
    point with a character that shows as nothing inside, or a doubled space,
    passed as new, and the inspectorate was sent it twice."""
    raise_point(checks, force_lead_a)
    with pytest.raises(ValidationError, match="already raised this point"):
        raise_point(checks, other_lead_a, words=words)
    assert checks.factual_points.count() == 1
    # The same words on another part of the report are another point.
    raise_point(checks, other_lead_a, topic=Topic.LEADERSHIP, words=words)


def test_the_same_point_with_other_evidence_is_refused_saying_where_the_evidence_goes(
    checks, client_for, force_lead_a, other_lead_a
):
    """The evidence supports a point; it does not make another one, which
    the inspectorate would be sent, and answer, twice. Found by a review:
    the refusal said only 'You have already raised this point', so a force
    lead who had new evidence for it could not tell it had not been kept, or
    where to put it."""
    draft = raise_point(checks, force_lead_a)
    response = client_for(other_lead_a).post(
        _url("factual_point_new", checks),
        {
            "where": "elsewhere",
            "inaccuracy": FORCE_WORDS,
            "correction": "It should say 15 officers",
            "evidence": "The workforce return, April 2026",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'class="govuk-error-summary' in page
    assert (
        "You have already raised this point, with other evidence. It is in your drafts: "
        "change it there to add this evidence" in page
    )
    assert "The workforce return, April 2026" in page  # still there to copy
    assert list(checks.factual_points.all()) == [draft]
    draft.refresh_from_db()
    assert draft.evidence == "The force's establishment figures, March 2026"
    # Without evidence, or with the draft's, it is the second click it was.
    with pytest.raises(ValidationError) as error:
        factual_accuracy.factual_point_save(
            inspection=checks,
            topic="",
            finding=None,
            inaccuracy=FORCE_WORDS,
            correction="It should say 15 officers",
            evidence="",
            by=other_lead_a,
        )
    assert error.value.messages == ["You have already raised this point. It is in your drafts"]


def test_a_draft_is_not_changed_into_another_drafts_point(checks, force_lead_a, other_lead_a):
    """Found by a review: a new point the force's drafts already held was
    refused, but a draft could be changed into it, and both were sent for
    the inspectorate to answer twice."""
    first = raise_point(checks, force_lead_a)
    second = raise_point(checks, other_lead_a, words="The report says 3 referrals")
    change = {
        "inspection": checks,
        "point": second,
        "topic": "",
        "finding": None,
        "inaccuracy": FORCE_WORDS.replace("12", "12\u200b"),
        "correction": "It should say 15 officers",
        "evidence": "Other evidence",
        "by": other_lead_a,
        "seen": services.seen_version(second),
    }
    with pytest.raises(ValidationError, match="Another of your draft points already says this"):
        factual_accuracy.factual_point_save(**change)
    second.refresh_from_db()
    assert second.inaccuracy == "The report says 3 referrals"
    # About another part of the report, it is another point.
    factual_accuracy.factual_point_save(**{**change, "topic": Topic.LEADERSHIP})
    # And a draft's own evidence changes, even once two drafts say the same.
    Point.objects.filter(pk=second.pk).update(topic="")
    second.refresh_from_db()
    factual_accuracy.factual_point_save(
        **{**change, "point": second, "evidence": "Newer", "seen": services.seen_version(second)}
    )
    second.refresh_from_db()
    assert (second.topic, second.evidence) == ("", "Newer")
    assert checks.factual_points.filter(topic="").count() == 2 and first.evidence != "Newer"


def test_sending_is_audited_by_count_and_part_never_the_forces_words(checks, force_lead_a):
    concern = checks.findings.get(kind=Finding.Kind.CAUSE_OF_CONCERN)
    raise_point(checks, force_lead_a, finding=concern)
    raise_point(checks, force_lead_a, topic=Topic.LEADERSHIP, words="Other words")
    send(checks, force_lead_a)
    event = AuditEvent.objects.get(action="factual_points.sent")
    assert event.actor == force_lead_a
    assert event.changes["points_sent"] == [None, 2]
    assert event.changes["parts"][1] == (
        f"Cause of concern: {concern.summary}; Leadership graded judgment"
    )
    assert FORCE_WORDS not in str(event.changes) + event.object_repr + event.comment


def test_each_response_and_change_of_response_is_audited(checks, force_lead_a, lead_inspector):
    point = raise_point(checks, force_lead_a)
    send(checks, force_lead_a, [point])
    respond(point, lead_inspector, NOT_ACCEPTED, "Your figure is from 2024")
    respond(point, lead_inspector, ACCEPTED, "")
    first, second = AuditEvent.objects.filter(object_id=str(point.pk)).order_by("id")
    assert first.action == "factual_point.responded"
    assert first.changes == {
        "response": [None, "Not accepted"],
        "explanation": [None, "Your figure is from 2024"],
    }
    assert second.action == "factual_point.response_changed"
    assert second.changes == {
        "response": ["Not accepted", "Accepted"],
        "explanation": ["Your figure is from 2024", None],
    }


def test_not_accepted_needs_an_explanation(checks, force_lead_a, lead_inspector):
    point = raise_point(checks, force_lead_a)
    send(checks, force_lead_a, [point])
    with pytest.raises(ValidationError, match="Explain why the point is not accepted"):
        respond(point, lead_inspector, NOT_ACCEPTED, "  ")


def test_only_the_lead_inspector_or_an_admin_responds_and_never_to_a_draft(
    checks, force_lead_a, inspector, admin_user, lead_inspector
):
    draft = raise_point(checks, force_lead_a)
    with pytest.raises(PermissionDenied):
        respond(draft, lead_inspector)
    send(checks, force_lead_a, [draft])
    for person in (inspector, force_lead_a):
        with pytest.raises(PermissionDenied):
            respond(draft, person)
    respond(draft, admin_user)


def test_only_the_forces_own_leads_raise_and_send(
    checks, force_lead_b, lead_inspector, admin_user, force_lead_a
):
    for person in (force_lead_b, lead_inspector, admin_user):
        with pytest.raises(PermissionDenied):
            raise_point(checks, person)
    point = raise_point(checks, force_lead_a)
    with pytest.raises(PermissionDenied):
        send(checks, force_lead_b, [point])


def test_a_finding_of_another_inspection_is_refused(checks, force_lead_a, make_report, force_b):
    from accounts.tests.factories import UserFactory
    from inspections.tests.report_factories import report_inspection

    lead = UserFactory(email="other.lead@example.org", role="lead_inspector")
    other = report_inspection(
        force=force_b, lead=lead, inspector=lead, admin=lead, stage=Stage.MODERATION
    )
    with pytest.raises(ValidationError):
        raise_point(checks, force_lead_a, finding=other.findings.first())


@pytest.mark.parametrize("stage", [Stage.MODERATION, Stage.PUBLISHED])
def test_nothing_is_raised_sent_answered_or_corrected_outside_pre_publication(
    stage, make_report, force_lead_a, lead_inspector
):
    inspection = make_report(stage=Stage.PRE_PUBLICATION)
    point = raise_point(inspection, force_lead_a)
    send(inspection, force_lead_a, [point])
    draft = raise_point(inspection, force_lead_a, words="A later draft")
    if stage == Stage.PUBLISHED:
        respond(point, lead_inspector)
        publish(inspection, lead_inspector)
    else:
        Inspection.objects.filter(pk=inspection.pk).update(stage=stage)
    finding = inspection.findings.first()
    judgment = inspection.judgments.first()
    refused = [
        lambda: raise_point(inspection, force_lead_a, words="Too late"),
        lambda: send(inspection, force_lead_a, [draft]),
        lambda: factual_accuracy.factual_point_delete(point=draft, by=force_lead_a),
        lambda: respond(point, lead_inspector, NOT_ACCEPTED, "Changed my mind"),
        lambda: factual_accuracy.finding_correct(
            finding=finding, summary="New", detail="New", by=lead_inspector
        ),
        lambda: factual_accuracy.judgment_correct(
            judgment=judgment, rationale="New", by=lead_inspector
        ),
    ]
    for call in refused:
        with pytest.raises(ValidationError, match="cannot be done while the inspection is at"):
            call()


def test_correcting_a_finding_changes_its_words_only_and_is_audited(checks, lead_inspector):
    finding = checks.findings.get(kind=Finding.Kind.AREA_FOR_IMPROVEMENT)
    before = (finding.summary, finding.detail, finding.kind, finding.topic)
    factual_accuracy.finding_correct(
        finding=finding, summary=before[0], detail="Corrected detail.", by=lead_inspector
    )
    finding.refresh_from_db()
    assert (finding.detail, finding.kind, finding.topic) == ("Corrected detail.", *before[2:])
    event = AuditEvent.objects.get(action="finding.corrected_before_publication")
    assert event.changes == {"detail": [before[1], "Corrected detail."]}
    assert event.actor == lead_inspector


def test_correcting_a_rationale_leaves_the_grade_and_is_audited(checks, lead_inspector, inspector):
    judgment = checks.judgments.get(topic=Topic.INVESTIGATION)
    old = judgment.rationale
    factual_accuracy.judgment_correct(judgment=judgment, rationale="Corrected.", by=lead_inspector)
    judgment.refresh_from_db()
    assert (judgment.rationale, judgment.grade) == ("Corrected.", Grade.INADEQUATE)
    assert judgment.is_final
    event = AuditEvent.objects.get(action="judgment.corrected_before_publication")
    assert event.changes == {"rationale": [old, "Corrected."]}
    with pytest.raises(PermissionDenied):  # a team inspector does not correct the report
        factual_accuracy.judgment_correct(judgment=judgment, rationale="Mine", by=inspector)


def test_a_correction_that_changes_nothing_records_nothing(checks, client_for, lead_inspector):
    # Found by a review: it said "corrected", recorded an empty correction,
    # and made a colleague's open page stale.
    judgment = checks.judgments.get(topic=Topic.LEADERSHIP)
    finding = checks.findings.first()
    seen = services.seen_version(judgment)
    client = client_for(lead_inspector)
    url = reverse("inspections:judgment_correct", args=[checks.pk, judgment.topic])
    response = client.post(url, {"rationale": judgment.rationale, "seen": seen}, follow=True)
    assert "The rationale already says this: there were no changes to save" in response.text
    url = reverse("inspections:finding_correct", args=[checks.pk, finding.pk])
    same = {"summary": finding.summary, "detail": finding.detail}
    response = client.post(url, {**same, "seen": services.seen_version(finding)}, follow=True)
    assert "already says this" in response.text
    assert not AuditEvent.objects.filter(action__endswith="corrected_before_publication").exists()
    judgment.refresh_from_db()
    assert services.seen_version(judgment) == seen


def test_a_correction_from_a_stale_page_is_refused(checks, lead_inspector, admin_user):
    finding = checks.findings.first()
    seen = services.seen_version(finding)
    factual_accuracy.finding_correct(
        finding=finding, summary=finding.summary, detail="By the admin.", by=admin_user, seen=seen
    )
    with pytest.raises(ValidationError, match="Someone else saved this finding"):
        factual_accuracy.finding_correct(
            finding=finding, summary=finding.summary, detail="Mine.", by=lead_inspector, seen=seen
        )


def test_a_second_click_on_save_is_no_change_not_a_stale_page(checks, force_lead_a, lead_inspector):
    # As the evidence changes do: the second request of a double click
    # carries the page's old version but asks for nothing new.
    point = raise_point(checks, force_lead_a)
    send(checks, force_lead_a, [point])
    finding = checks.findings.first()
    judgment = checks.judgments.get(topic=Topic.LEADERSHIP)
    seen = {
        "point": services.seen_version(point),
        "finding": services.seen_version(finding),
        "judgment": services.seen_version(judgment),
    }
    for _ in range(2):
        factual_accuracy.factual_point_respond(
            point=point, response=ACCEPTED, explanation="", by=lead_inspector, seen=seen["point"]
        )
        factual_accuracy.finding_correct(
            finding=finding,
            summary=finding.summary,
            detail="Corrected once.",
            by=lead_inspector,
            seen=seen["finding"],
        )
        factual_accuracy.judgment_correct(
            judgment=judgment, rationale="Corrected once.", by=lead_inspector, seen=seen["judgment"]
        )
    assert AuditEvent.objects.filter(object_id=str(point.pk)).count() == 1
    assert AuditEvent.objects.filter(action__endswith="corrected_before_publication").count() == 2
    # Something new from the same old page is still refused.
    with pytest.raises(ValidationError, match="Someone else saved this finding"):
        factual_accuracy.finding_correct(
            finding=finding,
            summary=finding.summary,
            detail="Corrected twice.",
            by=lead_inspector,
            seen=seen["finding"],
        )


# Views ----------------------------------------------------------------------


def _url(name, inspection, *args):
    return reverse(f"inspections:{name}", args=[inspection.pk, *args])


def test_force_lead_raises_changes_and_sends_points_through_the_pages(
    checks, client_for, force_lead_a, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(force_lead_a)
    report = client.get(_url("report", checks)).content.decode()
    assert _url("factual_accuracy", checks) in report
    detail = client.get(_url("detail", checks)).content.decode()
    assert _url("factual_accuracy", checks) in detail

    response = client.post(_url("factual_point_new", checks), {"where": "judgment:leadership"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter what is factually inaccurate" in page
    assert "Enter the correction you suggest" in page
    assert 'class="govuk-error-summary' in page
    assert not checks.factual_points.exists()

    response = client.post(
        _url("factual_point_new", checks),
        {"where": "judgment:leadership", "inaccuracy": FORCE_WORDS, "correction": "15 officers"},
    )
    assert response.status_code == 302
    point = checks.factual_points.get()
    assert (point.topic, point.finding, point.raised_by) == (Topic.LEADERSHIP, None, force_lead_a)
    response = client.post(
        _url("factual_point_edit", checks, point.pk),
        {"where": "elsewhere", "inaccuracy": FORCE_WORDS, "correction": "16 officers"},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.topic, point.correction) == ("", "16 officers")

    page = client.get(_url("factual_accuracy", checks)).content.decode()
    assert "Send 1 point to the inspectorate" in page
    check = client.get(_url("factual_points_send", checks)).content.decode()
    assert "Check your points before sending" in check and FORCE_WORDS in check
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a double click
            response = client.post(_url("factual_points_send", checks), {"points": str(point.pk)})
            assert response.status_code == 302
    assert len(mailoutbox) == 1
    point.refresh_from_db()
    assert point.is_sent
    # Sent: the force can no longer open it to change it.
    response = client.get(_url("factual_point_edit", checks, point.pk))
    assert response.status_code == 302
    response = client.post(_url("factual_point_delete", checks, point.pk))
    assert response.status_code == 302 and checks.factual_points.exists()


def test_a_draft_changed_by_another_lead_since_the_page_was_drawn_keeps_theirs(
    checks, client_for, force_lead_a, other_lead_a
):
    point = raise_point(checks, force_lead_a, topic=Topic.LEADERSHIP)
    client = client_for(force_lead_a)
    address = _url("factual_point_edit", checks, point.pk)
    found = re.search(r'name="seen" value="([^"]*)"', client.get(address).text)
    seen = found.group(1) if found else ""
    edit_point(point, other_lead_a, correction="Theirs", seen=seen)
    mine = {"where": "judgment:leadership", "inaccuracy": FORCE_WORDS, "correction": "Mine"}

    page = client.post(address, {**mine, "seen": seen})

    assert page.status_code == 200
    assert "Someone else saved this point after you opened it" in page.text
    assert "Mine" in page.text  # what they typed is kept
    point.refresh_from_db()
    assert point.correction == "Theirs"
    # Told, they can save theirs over it.
    again = client.post(address, {**mine, "seen": page.context["form"].data["seen"]})
    assert again.status_code == 302
    point.refresh_from_db()
    assert point.correction == "Mine"


def test_a_draft_deleted_in_another_tab_sends_the_page_back_not_an_error(
    checks, client_for, force_lead_a, mailoutbox, django_capture_on_commit_callbacks
):
    # Found by a review: the send page's form has only a hidden field, and
    # its error summary raised a 500; posting the same ids again could never work.
    kept = raise_point(checks, force_lead_a)
    gone = raise_point(checks, force_lead_a, words="The report says 3 teams; there are 4")
    client = client_for(force_lead_a)
    stale = {"points": f"{kept.pk},{gone.pk}"}
    factual_accuracy.factual_point_delete(point=gone, by=force_lead_a)
    response = client.post(_url("factual_points_send", checks), stale)
    assert response.status_code == 302
    assert response.url == _url("factual_points_send", checks)
    page = client.get(response.url).content.decode()
    assert "A point you checked has been deleted since" in page
    assert "Send 1 point to the inspectorate" in page
    assert not checks.factual_points.filter(sent_at__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("factual_points_send", checks), {"points": str(kept.pk)})
    kept.refresh_from_db()
    assert kept.is_sent and len(mailoutbox) == 1


def test_the_inspectorate_never_sees_the_forces_drafts(
    checks, client_for, force_lead_a, lead_inspector, admin_user, inspector
):
    draft = raise_point(checks, force_lead_a, words="SECRET-DRAFT")
    sent = raise_point(checks, force_lead_a, words="Sent words")
    send(checks, force_lead_a, [sent])
    for person in (lead_inspector, admin_user, inspector):
        client = client_for(person)
        page = client.get(_url("factual_accuracy", checks)).content.decode()
        assert "Sent words" in page and "SECRET-DRAFT" not in page
        assert client.get(_url("factual_point_respond", checks, draft.pk)).status_code in (403, 404)
    assert (
        client_for(lead_inspector).get(_url("factual_point_respond", checks, draft.pk)).status_code
        == 404
    )
    force_page = client_for(force_lead_a).get(_url("factual_accuracy", checks)).content.decode()
    assert "SECRET-DRAFT" in force_page


def test_lead_inspector_responds_and_corrects_and_the_force_reads_it(
    checks, client_for, force_lead_a, lead_inspector
):
    concern = checks.findings.get(kind=Finding.Kind.CAUSE_OF_CONCERN)
    point = raise_point(checks, force_lead_a, finding=concern)
    send(checks, force_lead_a, [point])
    lead = client_for(lead_inspector)
    page = lead.get(_url("factual_accuracy", checks)).content.decode()
    assert "1 point waiting for a response" in page
    assert _url("finding_correct", checks, concern.pk) in page

    respond_url = _url("factual_point_respond", checks, point.pk)
    response = lead.post(respond_url, {"response": NOT_ACCEPTED})
    assert "Explain why the point is not accepted" in response.content.decode()
    response = lead.post(
        _url("finding_correct", checks, concern.pk),
        {"summary": concern.summary, "detail": "Supervision was evident in few case files."},
    )
    assert response.status_code == 302
    response = lead.post(_url("factual_point_respond", checks, point.pk), {"response": ACCEPTED})
    assert response.status_code == 302

    force = client_for(force_lead_a)
    page = force.get(_url("factual_accuracy", checks)).content.decode()
    assert '<dd class="govuk-summary-list__value">Accepted<' in page
    report = force.get(_url("report", checks)).content.decode()
    assert "Supervision was evident in few case files." in report  # the cached report too


def test_a_point_accepted_about_elsewhere_does_not_tell_the_force_the_report_is_corrected(
    checks, client_for, force_lead_a, lead_inspector
):
    """Only a finding's words or a judgment's rationale can be corrected, so a
    point about elsewhere in the report accepted is not a correction. Found by
    a review: the force read "Accepted: the report is corrected" though
    nothing in the report had changed; the lead's explanation says what was."""
    point = raise_point(checks, force_lead_a)
    send(checks, force_lead_a, [point])
    respond(point, lead_inspector, ACCEPTED, "We will say 15 officers in the published report.")
    page = client_for(force_lead_a).get(_url("factual_accuracy", checks)).content.decode()
    assert "Elsewhere in the report" in page
    assert '<dd class="govuk-summary-list__value">Accepted<' in page
    assert "corrected" not in page.split("Elsewhere in the report", 1)[1]
    assert "We will say 15 officers in the published report." in page


def test_the_judgment_correction_page_shows_the_grade_and_takes_only_the_rationale(
    checks, client_for, lead_inspector
):
    client = client_for(lead_inspector)
    url = _url("judgment_correct", checks, Topic.INVESTIGATION)
    page = client.get(url).content.decode()
    assert "would need the report moderated again" in page
    assert 'name="grade"' not in page
    response = client.post(url, {"rationale": "Corrected.", "grade": Grade.OUTSTANDING})
    assert response.status_code == 302
    judgment = checks.judgments.get(topic=Topic.INVESTIGATION)
    assert (judgment.rationale, judgment.grade) == ("Corrected.", Grade.INADEQUATE)


def test_publishing_is_refused_while_a_point_waits(
    checks, client_for, force_lead_a, lead_inspector
):
    send(checks, force_lead_a, [raise_point(checks, force_lead_a)])
    page = client_for(lead_inspector).get(_url("transition", checks, "publish")).content.decode()
    assert "Respond to every factual accuracy point the force sent (1 waiting)" in page


def test_after_publication_unsent_drafts_are_shown_as_never_sent(
    checks, client_for, force_lead_a, lead_inspector
):
    raise_point(checks, force_lead_a)
    publish(checks, lead_inspector)
    client = client_for(force_lead_a)
    page = client.get(_url("factual_accuracy", checks)).content.decode()
    assert "were not sent to the inspectorate before the report was published" in page
    assert "Raise a point" not in page
    assert client.get(_url("factual_point_new", checks)).status_code == 302


def test_another_forces_lead_gets_404_on_every_page(checks, client_for, force_lead_a, force_lead_b):
    point = raise_point(checks, force_lead_a)
    finding = checks.findings.first()
    urls = [
        _url("factual_accuracy", checks),
        _url("factual_point_new", checks),
        _url("factual_points_send", checks),
        _url("factual_point_edit", checks, point.pk),
        _url("factual_point_delete", checks, point.pk),
        _url("factual_point_respond", checks, point.pk),
        _url("finding_correct", checks, finding.pk),
        _url("judgment_correct", checks, Topic.LEADERSHIP),
    ]
    client = client_for(force_lead_b)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_read_only_people_get_403_for_writes(
    checks, client_for, force_lead_a, inspector, lead_inspector
):
    point = raise_point(checks, force_lead_a)
    send(checks, force_lead_a, [point])
    team = client_for(inspector)
    for url in (
        _url("factual_point_respond", checks, point.pk),
        _url("finding_correct", checks, checks.findings.first().pk),
        _url("judgment_correct", checks, Topic.LEADERSHIP),
        _url("factual_point_new", checks),
        _url("factual_points_send", checks),
    ):
        assert team.post(url, {}).status_code == 403, url
    lead = client_for(lead_inspector)
    assert lead.post(_url("factual_point_new", checks), {}).status_code == 403
    # A force lead does not respond or correct: those pages are the inspectorate's.
    own = client_for(force_lead_a)
    assert own.post(_url("factual_point_respond", checks, point.pk), {}).status_code == 404


def test_the_force_sees_nothing_before_pre_publication(make_report, client_for, force_lead_a):
    inspection = make_report(stage=Stage.MODERATION)
    client = client_for(force_lead_a)
    for name in ("factual_accuracy", "factual_point_new", "factual_points_send"):
        assert client.get(_url(name, inspection)).status_code == 404, name


def test_a_draft_point_deleted_meanwhile_says_so_when_saved_or_deleted_again(
    client_for, checks, force_lead_a
):
    """Found by the bad input review: a draft changed in one tab after it was
    deleted in another (or Delete pressed again) ended on 'Page not found'."""
    point = raise_point(checks, force_lead_a)
    edit = reverse("inspections:factual_point_edit", args=[checks.pk, point.pk])
    delete = reverse("inspections:factual_point_delete", args=[checks.pk, point.pk])
    client = client_for(force_lead_a)
    assert client.post(delete).status_code == 302
    page = reverse("inspections:factual_accuracy", args=[checks.pk])
    for url, posted in ((edit, {"where": "elsewhere", "inaccuracy": "x", "correction": "y"}),
                        (delete, {})):  # fmt: skip
        response = client.post(url, posted, follow=True)
        assert response.redirect_chain[-1][0] == page
        assert "This draft point has been deleted, so nothing was saved" in response.text
    assert client.get(edit).status_code == 404


def test_a_point_changed_after_the_send_page_was_drawn_is_not_sent_unseen(
    checks, client_for, force_lead_a, force_a
):
    """Found by the stale-page review: the force's other lead changed a draft
    after the send page was drawn, and it went, frozen, in words the sender
    never saw."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    other_lead = UserFactory(
        email="second.lead@example.org", role=User.Role.FORCE_LEAD, force=force_a
    )
    point = raise_point(checks, force_lead_a)
    client = client_for(force_lead_a)
    page = client.get(_url("factual_points_send", checks))
    assert "It should say 15 officers" in page.content.decode()
    factual_accuracy.factual_point_save(
        inspection=checks,
        point=Point.objects.get(pk=point.pk),
        topic="",
        finding=None,
        inaccuracy=FORCE_WORDS,
        correction="Words the sender never saw",
        evidence="The force's establishment figures, March 2026",
        by=other_lead,
    )
    form = page.context["form"]
    response = client.post(
        _url("factual_points_send", checks),
        {"points": form.initial["points"], "seen": form.initial["seen"]},
    )
    assert response.url == _url("factual_points_send", checks)
    again = client.get(response.url)
    assert "A point changed after you opened this page" in again.content.decode()
    assert "Words the sender never saw" in again.content.decode()
    point.refresh_from_db()
    assert not point.is_sent
    # Sent from the page as it is now, it goes.
    form = again.context["form"]
    client.post(
        _url("factual_points_send", checks),
        {"points": form.initial["points"], "seen": form.initial["seen"]},
    )
    point.refresh_from_db()
    assert point.is_sent and point.correction == "Words the sender never saw"


def test_a_response_saved_before_line_breaks_were_read_as_one_is_saved_again_as_no_change(
    checks, client_for, force_lead_a, lead_inspector
):
    """Found by the review of the day's changes: a textarea's line breaks are
    now read as one character (LF), while an explanation saved before kept
    the browser's CR LF. The lead inspector saving the response again as it
    was recorded a change of response and told the force it had changed."""
    point = raise_point(checks, force_lead_a)
    send(checks, force_lead_a, [point])
    explanation = "Your figure is from 2024.\r\nThe 2025 return says 12."
    respond(point, lead_inspector, NOT_ACCEPTED, explanation)
    point.refresh_from_db()
    told, recorded = Notice.objects.count(), AuditEvent.objects.count()
    response = client_for(lead_inspector).post(
        _url("factual_point_respond", checks, point.pk),
        {
            "response": NOT_ACCEPTED,
            "explanation": explanation,
            "seen": services.seen_version(point),
        },
        follow=True,
    )
    assert (Notice.objects.count(), AuditEvent.objects.count()) == (told, recorded)
    assert "there were no changes to save" in response.content.decode()
