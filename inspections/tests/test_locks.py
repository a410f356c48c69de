"""Two changes to one inspection queue up on its row lock (services._lock).

A service is handed the objects its view loaded, which may be stale by the
time it runs: another tab, a double click or a colleague changed the row in
between. Each service locks the inspection's row and reads what it checks
afresh, so the second change is checked against what the first wrote.
"""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from forces.models import Force
from inspections import services
from inspections.models import Finding, Grade, Inspection, Judgment, Recommendation, Topic
from inspections.tests.factories import add_concern, change_team, grade_all, inspection_at, schedule
from tests.locks import assert_waits_for_row_lock, skip_unless_postgresql
from tests.races import first_click_lands_first

Stage = Inspection.Stage


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def _save(judgment, by, grade=Grade.GOOD):
    return services.judgment_save(
        judgment=judgment,
        grade=grade,
        rationale="Strong evidence",
        cites_case_reviews=False,
        interviews=[],
        documents=[],
        by=by,
    )


def _finding(by, topic=Topic.INVESTIGATION) -> dict:
    """What the finding form gives finding_create and finding_update."""
    return {
        "topic": topic,
        "kind": Finding.Kind.CAUSE_OF_CONCERN,
        "summary": "Cases wait",
        "detail": "Too long",
        "reported_to_force_on": None,
        "interviews": [],
        "documents": [],
        "by": by,
    }


def _stale(obj):
    """A second copy of the row, as a page drawn before the change holds it."""
    return type(obj).objects.get(pk=obj.pk)


# Stale copies: refused, nothing written ------------------------------------


def test_publishing_twice_publishes_once(make_inspection, lead_inspector):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    second_tab = _stale(inspection)
    services.inspection_publish(
        inspection=inspection, published_on=date(2026, 4, 2), by=lead_inspector
    )
    with pytest.raises(ValidationError, match="Published"):
        services.inspection_publish(
            inspection=second_tab, published_on=date(2026, 4, 9), by=lead_inspector
        )
    assert _events("inspection.published") == 1
    inspection.refresh_from_db()
    assert inspection.published_on == date(2026, 4, 2)


def test_a_plan_change_from_a_stale_page_does_not_undo_moderation(
    make_inspection, admin_user, lead_inspector, inspector
):
    inspection = make_inspection(Stage.FIELDWORK)
    grade_all(inspection, by=inspector)
    edit_page = _stale(inspection)
    services.inspection_start_moderation(inspection=inspection, by=lead_inspector)
    with pytest.raises(ValidationError, match="cannot change once fieldwork has finished"):
        services.inspection_update_plan(
            inspection=edit_page,
            kind=edit_page.kind,
            fieldwork_start=edit_page.fieldwork_start,
            fieldwork_end=date(2026, 1, 20),
            lead_inspector=lead_inspector,
            team=[inspector],
            by=admin_user,
        )
    inspection.refresh_from_db()
    assert (inspection.stage, inspection.fieldwork_end) == (Stage.MODERATION, date(2026, 1, 16))
    assert _events("inspection.plan_changed") == 0


def test_a_draft_saved_from_a_stale_page_does_not_take_back_a_submission(in_fieldwork, inspector):
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    _save(judgment, inspector)
    other_tab = _stale(judgment)
    services.judgment_submit(judgment=judgment, by=inspector)
    with pytest.raises(ValidationError, match="with the lead inspector"):
        _save(other_tab, inspector, grade=Grade.REQUIRES_IMPROVEMENT)
    judgment.refresh_from_db()
    assert (judgment.status, judgment.grade) == (Judgment.Status.SUBMITTED, Grade.GOOD)
    assert _events("judgment.saved") == 1


def test_a_grade_saved_as_another_tab_submits_says_it_was_not_saved(
    client_for, in_fieldwork, inspector, monkeypatch
):
    """The page passed its check; the other tab's submission committed while
    this save waited for the lock. A message on the judgment, not a blank
    error page."""
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    _save(judgment, inspector)
    save = services.judgment_save

    def other_tab_first(**kwargs):
        services.judgment_submit(judgment=_stale(judgment), by=inspector)
        return save(**kwargs)

    monkeypatch.setattr(services, "judgment_save", other_tab_first)
    response = client_for(inspector).post(
        judgment.get_absolute_url(),
        {"grade": Grade.ADEQUATE, "rationale": "Changed my mind"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == judgment.get_absolute_url()
    assert "your changes were not saved, because the judgment is" in response.content.decode()
    judgment.refresh_from_db()
    assert (judgment.status, judgment.grade) == (Judgment.Status.SUBMITTED, Grade.GOOD)


def test_agreeing_twice_records_one_agreement(in_fieldwork, inspector, lead_inspector):
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    _save(judgment, inspector)
    services.judgment_submit(judgment=judgment, by=inspector)
    double_click = _stale(judgment)
    services.judgment_agree(judgment=judgment, by=lead_inspector)
    with pytest.raises(ValidationError, match="Only a judgment submitted"):
        services.judgment_agree(judgment=double_click, by=lead_inspector)
    assert _events("judgment.agreed") == 1


def _agree_seen(page) -> str:
    """The version the Agree button carries back, read from the page as drawn."""
    match = re.search(
        r'<input type="hidden" name="seen" value="([^"]+)">\s*<button[^>]*name="agree"', page.text
    )
    assert match, "the Agree button carries no 'seen'"
    return match.group(1)


def _put_forward_and_opened(judgment, lead, inspector, seen_on) -> str:
    """The inspector puts 'Good' forward and the lead opens it: what the
    lead's page carries back (`seen_on` reads it)."""
    _save(judgment, inspector)
    services.judgment_submit(judgment=judgment, by=inspector)
    return seen_on(lead.get(judgment.get_absolute_url()))


def _resubmitted_behind_the_page(judgment, lead, inspector, lead_inspector, seen_on) -> str:
    """The lead opens the judgment, put forward as 'Good'; from another tab
    it is returned, and the inspector puts 'Requires improvement' forward.
    Returns what the lead's page, as drawn, carries back (`seen_on` reads it)."""
    seen = _put_forward_and_opened(judgment, lead, inspector, seen_on)
    services.judgment_return(judgment=_stale(judgment), comment="Cite the data", by=lead_inspector)
    _save(_stale(judgment), inspector, grade=Grade.REQUIRES_IMPROVEMENT)
    services.judgment_submit(judgment=_stale(judgment), by=inspector)
    return seen


def test_agree_from_a_page_drawn_before_a_resubmission_does_not_agree_it_unread(
    client_for, in_fieldwork, inspector, lead_inspector
):
    """Found by the concurrency review: a lead's tab still showing 'Good'
    agreed, as final, the 'Inadequate' the inspector put forward after the
    judgment was returned from another tab: a grade nobody moderated."""
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _resubmitted_behind_the_page(judgment, lead, inspector, lead_inspector, _agree_seen)

    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    response = lead.post(url, {"agree": "1", "seen": seen}, follow=True)
    assert services.STALE_AGREEMENT in response.text
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.SUBMITTED
    assert _events("judgment.agreed") == 0
    # Agreed from the page as it is now.
    again = lead.post(url, {"agree": "1", "seen": _agree_seen(response)})
    assert again.status_code == 302
    judgment.refresh_from_db()
    assert (judgment.status, judgment.grade) == (Judgment.Status.FINAL, Grade.REQUIRES_IMPROVEMENT)


def test_agree_or_return_from_a_page_drawn_before_its_cause_of_concern_changed_is_refused(
    client_for, make_report, lead_inspector, inspector
):
    """Found by the workflow review: the lead's page listed the cause of
    concern the inadequate grade rests on; the inspector rewrote it meanwhile,
    and Agree, from the page drawn before, made the grade final on a finding
    the lead never read."""
    from inspections.tests.report_factories import CONCERN

    inspection = make_report(stage=Inspection.Stage.MODERATION)
    page_url = reverse("inspections:judgment", args=[inspection.pk, Topic.INVESTIGATION])
    lead = client_for(lead_inspector)
    page = lead.get(page_url)
    assert CONCERN in page.text
    seen, return_seen = _agree_seen(page), _return_seen(page)
    assert seen == return_seen

    concern = inspection.findings.get(kind=Finding.Kind.CAUSE_OF_CONCERN)
    services.finding_update(
        finding=concern,
        topic=concern.topic,
        kind=concern.kind,
        summary="Some investigations are a little slow",
        detail="A few delays.",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=inspector,
    )
    url = reverse("inspections:judgment_moderate", args=[inspection.pk, Topic.INVESTIGATION])
    response = lead.post(url, {"return": "1", "comment": "Say more", "seen": return_seen})
    assert services.STALE_RETURN in response.text
    response = lead.post(url, {"agree": "1", "seen": seen}, follow=True)
    assert services.STALE_AGREEMENT in response.text
    assert "Some investigations are a little slow" in response.text  # as it is now
    judgment = inspection.judgments.get(topic=Topic.INVESTIGATION)
    assert judgment.status == Judgment.Status.SUBMITTED
    assert _events("judgment.agreed") == _events("judgment.returned") == 0
    # Agreed from the page as it is now.
    assert lead.post(url, {"agree": "1", "seen": _agree_seen(response)}).status_code == 302
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.FINAL


@pytest.fixture
def moderating(force_a, lead_inspector, inspector, admin_user):
    """An inspection in moderation: every judgment submitted, a cause of
    concern with one recommendation on investigation."""
    return inspection_at(
        Inspection.Stage.MODERATION,
        force=force_a,
        lead=lead_inspector,
        team=[inspector],
        admin=admin_user,
    )


def test_recommendation_deleted_while_lead_moderates_is_not_agreed_unread(
    moderating, lead_inspector, inspector
):
    """Found by the evidence review: adding or deleting a recommendation does
    not change its finding's time of change, so moderation_version missed it."""
    judgment = moderating.judgments.get(topic=Topic.INVESTIGATION)
    assert judgment.status == Judgment.Status.SUBMITTED
    # The lead opens the grading page: Agree carries this version back.
    seen = services.moderation_version(judgment)
    # Meanwhile the inspector takes the recommendation off the cause of concern.
    finding = moderating.findings.get(topic=Topic.INVESTIGATION)
    recommendation = finding.recommendations.get()
    services.recommendation_delete(recommendation=recommendation, by=inspector)
    # The lead's Agree, from the page drawn before, must be refused as stale:
    # the cause of concern now carries no recommendation at all.
    with pytest.raises(ValidationError, match="or a finding on its topic"):
        services.judgment_agree(judgment=judgment, by=lead_inspector, seen=seen)
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.SUBMITTED


def test_recommendation_added_while_lead_moderates_is_not_agreed_unread(
    moderating, lead_inspector, inspector
):
    judgment = moderating.judgments.get(topic=Topic.INVESTIGATION)
    seen = services.moderation_version(judgment)
    finding = moderating.findings.get(topic=Topic.INVESTIGATION)
    services.recommendation_add(
        finding=finding,
        text="Within three months, the force should stop all training.",
        by=inspector,
    )
    with pytest.raises(ValidationError, match="or a finding on its topic"):
        services.judgment_agree(judgment=judgment, by=lead_inspector, seen=seen)


def _return_seen(page) -> str:
    """The version the return form carries back, read from the page as drawn."""
    match = re.search(r'<input type="hidden" name="seen" value="([^"]+)" id="id_seen">', page.text)
    assert match, "the return form carries no 'seen'"
    return match.group(1)


def test_return_from_a_page_drawn_before_a_resubmission_keeps_the_comment_and_asks_again(
    client_for, in_fieldwork, inspector, lead_inspector
):
    """A comment written about 'Good' was sent back against the 'Requires
    improvement' the inspector put forward since (returned from another tab):
    the inspector read it as about the grade they had just chosen."""
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _resubmitted_behind_the_page(judgment, lead, inspector, lead_inspector, _return_seen)

    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    comment = "Good is too generous for the leadership you saw"
    response = lead.post(url, {"return": "1", "comment": comment, "seen": seen})
    assert response.status_code == 200
    assert services.STALE_RETURN in response.text
    assert f">\n{comment}</textarea>" in response.text  # kept, to send again or change
    judgment.refresh_from_db()
    assert (judgment.status, judgment.grade) == (
        Judgment.Status.SUBMITTED,
        Grade.REQUIRES_IMPROVEMENT,
    )
    assert _events("judgment.returned") == 1  # only the other tab's
    # Sent again from the page as it is now.
    again = lead.post(url, {"return": "1", "comment": comment, "seen": _return_seen(response)})
    assert again.status_code == 302
    judgment.refresh_from_db()
    assert (judgment.status, judgment.moderation_comment) == (Judgment.Status.RETURNED, comment)


def test_return_from_a_page_drawn_before_the_judgment_was_agreed_is_refused(
    client_for, in_fieldwork, inspector, lead_inspector
):
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _put_forward_and_opened(judgment, lead, inspector, _return_seen)
    services.judgment_agree(judgment=_stale(judgment), by=lead_inspector)

    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    response = lead.post(url, {"return": "1", "comment": "Cite the data", "seen": seen})
    assert services.STALE_RETURN in response.text
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.FINAL
    assert _events("judgment.returned") == 0


@pytest.mark.parametrize("waited", [False, True], ids=["after", "waiting-for-the-first"])
def test_a_second_click_on_return_says_it_is_returned_not_an_error(
    client_for, in_fieldwork, inspector, lead_inspector, monkeypatch, waited
):
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _put_forward_and_opened(judgment, lead, inspector, _return_seen)
    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    posted = {"return": "1", "comment": "Cite the data", "seen": seen}
    if waited:
        first_click_lands_first(monkeypatch, services, "judgment_return")
    else:
        assert lead.post(url, posted).status_code == 302
    second = lead.post(url, posted, follow=True)
    assert "Leadership: already returned to the inspector" in second.text
    assert "not returned, because" not in second.text
    assert _events("judgment.returned") == 1


def test_a_second_click_on_agree_says_it_is_agreed_not_an_error(
    client_for, in_fieldwork, inspector, lead_inspector
):
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _put_forward_and_opened(judgment, lead, inspector, _agree_seen)
    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    assert lead.post(url, {"agree": "1", "seen": seen}).status_code == 302
    second = lead.post(url, {"agree": "1", "seen": seen}, follow=True)
    assert "Leadership: already agreed. The judgment is final" in second.text
    assert "Only a judgment submitted for moderation can be agreed" not in second.text
    assert _events("judgment.agreed") == 1


def test_grading_from_a_page_drawn_before_the_report_went_out_is_refused(
    make_inspection, lead_inspector
):
    inspection = make_inspection(Stage.MODERATION)
    for judgment in inspection.judgments.all():
        services.judgment_agree(judgment=judgment, by=lead_inspector)
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    stale = Judgment.objects.select_related("inspection").get(pk=judgment.pk)
    services.inspection_send_for_checks(
        inspection=inspection, received_on=date(2026, 2, 21), by=lead_inspector
    )
    with pytest.raises(ValidationError, match="Pre-publication"):
        services.judgment_return(judgment=stale, comment="Look again", by=lead_inspector)
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.FINAL


def test_a_finding_deleted_meanwhile_is_not_brought_back(planned, inspector):
    finding = add_concern(planned, by=inspector, topic=Topic.LEADERSHIP, recommendation=False)
    other_page = _stale(finding)
    services.finding_delete(finding=finding, by=inspector)
    with pytest.raises(ValidationError, match=r"has been deleted']$"):
        services.finding_update(finding=other_page, **_finding(inspector, Topic.LEADERSHIP))
    with pytest.raises(ValidationError, match=r"has been deleted']$"):
        services.recommendation_add(finding=other_page, text="Do better", by=inspector)
    assert not Finding.objects.exists()
    assert not Recommendation.objects.exists()


def test_a_recommendation_deleted_twice_is_recorded_once(planned, inspector):
    finding = add_concern(planned, by=inspector, topic=Topic.LEADERSHIP)
    recommendation = finding.recommendations.get()
    double_click = _stale(recommendation)
    services.recommendation_delete(recommendation=recommendation, by=inspector)
    with pytest.raises(ValidationError, match=r"has been deleted']$"):
        services.recommendation_delete(recommendation=double_click, by=inspector)
    assert _events("recommendation.deleted") == 1


# The lock itself (PostgreSQL) -----------------------------------------------


def _services(inspection, inspector, lead_inspector):
    """Each service that checks what an inspection holds before it writes."""
    judgment = inspection.judgments.get(topic=Topic.LEADERSHIP)
    submitted = inspection.judgments.get(topic=Topic.INVESTIGATION)
    concern = inspection.findings.get()
    finding = _finding(inspector)
    return {
        "judgment_save": lambda: _save(judgment, inspector),
        "judgment_submit": lambda: services.judgment_submit(judgment=judgment, by=inspector),
        "judgment_agree": lambda: services.judgment_agree(judgment=submitted, by=lead_inspector),
        "judgment_return": lambda: services.judgment_return(
            judgment=submitted, comment="Look again", by=lead_inspector
        ),
        "finding_create": lambda: services.finding_create(inspection=inspection, **finding),
        "finding_update": lambda: services.finding_update(finding=concern, **finding),
        "finding_delete": lambda: services.finding_delete(finding=concern, by=inspector),
        "recommendation_add": lambda: services.recommendation_add(
            finding=concern, text="Do better", by=inspector
        ),
        "recommendation_delete": lambda: services.recommendation_delete(
            recommendation=concern.recommendations.get(), by=inspector
        ),
    }


SERVICES = [
    "judgment_save",
    "judgment_submit",
    "judgment_agree",
    "judgment_return",
    "finding_create",
    "finding_update",
    "finding_delete",
    "recommendation_add",
    "recommendation_delete",
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", SERVICES)
def test_each_change_waits_for_the_inspections_lock(name, in_fieldwork, inspector, lead_inspector):
    """While another transaction holds the inspection's row, the service waits
    for it before it reads or writes anything (here it gives up after 200 ms),
    instead of checking a state that is about to change."""
    skip_unless_postgresql()
    _save(in_fieldwork.judgments.get(topic=Topic.LEADERSHIP), inspector)
    submitted = in_fieldwork.judgments.get(topic=Topic.INVESTIGATION)
    _save(submitted, inspector)
    services.judgment_submit(judgment=submitted, by=inspector)
    add_concern(in_fieldwork, by=inspector, topic=Topic.INVESTIGATION)
    call = _services(in_fieldwork, inspector, lead_inspector)[name]
    judgments = list(Judgment.objects.values_list("topic", "status", "grade"))
    findings = list(Finding.objects.values_list("summary", "kind"))

    assert_waits_for_row_lock(Inspection, in_fieldwork.pk, call)
    assert list(Judgment.objects.values_list("topic", "status", "grade")) == judgments
    assert list(Finding.objects.values_list("summary", "kind")) == findings


def test_an_inspector_taken_off_the_team_cannot_grade_from_an_open_page(
    planned, inspector, lead_inspector, admin_user
):
    page = Inspection.objects.prefetch_related("team").get(pk=planned.pk)
    assert inspector.pk in page.team_member_ids()  # as the grading page drew it
    judgment = page.judgments.get(topic=Topic.LEADERSHIP)
    judgment.inspection = page
    change_team(planned, team=[], by=admin_user)
    with pytest.raises(PermissionDenied):
        _save(judgment, inspector)
    assert not AuditEvent.objects.filter(action="judgment.saved").exists()


# Double clicks: the second is refused as a duplicate ----------------------------


def test_a_finding_is_not_recorded_twice(planned, inspector):
    services.finding_create(inspection=planned, **_finding(inspector))
    with pytest.raises(ValidationError) as error:
        services.finding_create(
            inspection=planned, **{**_finding(inspector), "summary": "CASES WAIT "}
        )
    assert "already recorded" in error.value.message_dict["summary"][0]
    other = services.finding_create(
        inspection=planned, **{**_finding(inspector), "summary": "Cases wait too long"}
    )
    with pytest.raises(ValidationError, match="already recorded"):
        services.finding_update(finding=other, **_finding(inspector))
    # The same words on another topic, or as another kind, are another finding.
    services.finding_create(inspection=planned, **_finding(inspector, Topic.LEADERSHIP))
    assert planned.findings.count() == 3


def test_a_finding_recorded_twice_before_can_still_be_edited(planned, inspector):
    """Findings a double click stored twice before the check: each one's
    detail can still be changed, and its summary made different."""
    twins = [services.finding_create(inspection=planned, **_finding(inspector))]
    twins.append(Finding.objects.create(inspection=planned, **_stored(twins[0])))
    fields = {**_finding(inspector), "detail": "Too long, and unsupervised"}
    services.finding_update(finding=twins[1], **fields)
    services.finding_update(finding=twins[0], **{**fields, "summary": "Cases wait longer"})
    assert sorted(planned.findings.values_list("summary", flat=True)) == [
        "Cases wait",
        "Cases wait longer",
    ]


def _stored(finding) -> dict:
    return {
        name: getattr(finding, name)
        for name in ("topic", "kind", "summary", "detail", "reported_to_force_on")
    }


def test_a_recommendation_is_not_added_twice(planned, inspector):
    concern = add_concern(planned, by=inspector)
    text = concern.recommendations.get().text
    with pytest.raises(ValidationError) as error:
        services.recommendation_add(finding=concern, text=f" {text.upper()}", by=inspector)
    assert "already has this recommendation" in error.value.message_dict["text"][0]
    assert concern.recommendations.count() == 1


# Read the same on the page, but for a character that shows as nothing, a
# full-width letter or a second space.
LOOKALIKES = [
    "Cases\u200b wait",  # zero-width space
    "Ca\u00adses wait",  # soft hyphen
    "Cases w\u200dait",  # zero-width joiner
    "Cases w\u200cait",  # zero-width non-joiner
    "\ufeffCases\ufeff wait",  # byte order marks
    "Cases\u2060 wait",  # word joiner
    "\uff23ases wait",  # a full-width C
    "Cases  WAIT",
]


@pytest.mark.parametrize("summary", LOOKALIKES)
def test_a_finding_that_reads_the_same_is_not_recorded_twice(planned, inspector, summary):
    services.finding_create(inspection=planned, **_finding(inspector))
    with pytest.raises(ValidationError, match="already recorded"):
        services.finding_create(inspection=planned, **{**_finding(inspector), "summary": summary})
    other = services.finding_create(
        inspection=planned, **{**_finding(inspector), "summary": "Cases wait too long"}
    )
    with pytest.raises(ValidationError, match="already recorded"):
        services.finding_update(finding=other, **{**_finding(inspector), "summary": summary})
    assert sorted(planned.findings.values_list("summary", flat=True)) == [
        "Cases wait",
        "Cases wait too long",
    ]


@pytest.mark.parametrize("summary", LOOKALIKES[:3])
def test_a_recommendation_that_reads_the_same_is_not_added_twice(planned, inspector, summary):
    concern = add_concern(planned, by=inspector)
    services.recommendation_add(finding=concern, text="Cases wait", by=inspector)
    with pytest.raises(ValidationError, match="already has this recommendation"):
        services.recommendation_add(finding=concern, text=summary, by=inspector)
    assert concern.recommendations.count() == 2


def test_a_second_click_on_save_finding_shows_why_beside_the_summary(
    client_for, planned, inspector
):
    client = client_for(inspector)
    url = reverse("inspections:finding_new", args=[planned.pk])
    data = {
        "kind": Finding.Kind.AREA_FOR_IMPROVEMENT,
        "topic": Topic.LEADERSHIP,
        "summary": "Supervision is not recorded",
        "detail": "Few records show supervision.",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="govuk-error-summary' in page
    assert 'href="#id_summary"' in page
    assert 'id="id_summary_1_error" class="govuk-error-message"' in page
    assert planned.findings.count() == 1


# Scheduling (PostgreSQL) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_scheduling_waits_for_the_forces_row(force_a, lead_inspector, inspector, admin_user):
    """Two schedulings of one force (a double click, two admins) queue up, so
    the second sees the first's open inspection."""
    skip_unless_postgresql()

    def first():
        schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)

    assert_waits_for_row_lock(Force, force_a.pk, first)
    assert not Inspection.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_plan_change_waits_for_each_persons_row(
    planned, other_inspector, lead_inspector, admin_user
):
    """Booking someone on two inspections at once queues up, so the second
    booking sees the first and is refused as a double booking."""
    skip_unless_postgresql()

    def change():
        change_team(planned, team=[other_inspector], by=admin_user)

    assert_waits_for_row_lock(User, other_inspector.pk, change)
    assert list(planned.team.all()) != [other_inspector]


def test_a_second_click_on_return_with_a_comment_over_two_lines_says_it_is_returned(
    client_for, in_fieldwork, inspector, lead_inspector
):
    """Found by the review of the day's changes: the comment is saved with its
    line breaks read as one character (LF), as the form now reads them, while
    the second click compared it with the browser's CR LF: the lead inspector
    was told the judgment was not returned, though their first click had."""
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _put_forward_and_opened(judgment, lead, inspector, _return_seen)
    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    comment = "Cite the data.\r\nAnd the interviews with the MASH."
    posted = {"return": "1", "comment": comment, "seen": seen}
    assert lead.post(url, posted).status_code == 302
    second = lead.post(url, posted, follow=True)
    assert "Leadership: already returned to the inspector" in second.text
    assert "not returned, because" not in second.text
    assert _events("judgment.returned") == 1


def test_a_second_click_on_return_with_a_comment_ending_in_an_invisible_character_says_so(
    client_for, in_fieldwork, inspector, lead_inspector
):
    """The form leaves out the invisible characters at a comment's ends
    (core.forms.strip_invisible): the second click's check reads it so too."""
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _put_forward_and_opened(judgment, lead, inspector, _return_seen)
    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    posted = {"return": "1", "comment": "Cite the data.\u200b\u202c", "seen": seen}
    assert lead.post(url, posted).status_code == 302
    second = lead.post(url, posted, follow=True)
    assert "Leadership: already returned to the inspector" in second.text
    assert _events("judgment.returned") == 1


def test_a_second_click_on_return_with_a_direction_control_in_the_comment_says_so(
    client_for, in_fieldwork, inspector, lead_inspector
):
    """The form leaves out a direction control inside a comment
    (core.text.read_as_typed): the second click's check reads it so too."""
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    lead = client_for(lead_inspector)
    seen = _put_forward_and_opened(judgment, lead, inspector, _return_seen)
    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, judgment.topic])
    posted = {"return": "1", "comment": "Cite \u202ethe data.", "seen": seen}
    assert lead.post(url, posted).status_code == 302
    assert Judgment.objects.get(pk=judgment.pk).moderation_comment == "Cite the data."
    second = lead.post(url, posted, follow=True)
    assert "Leadership: already returned to the inspector" in second.text
    assert _events("judgment.returned") == 1
