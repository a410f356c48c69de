"""Hostile and random input into every inspections form: never a 500, never
half-saved, always escaped. At least 200 examples per form."""

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import AuditEvent
from inspections import services
from inspections.models import Inspection, Topic
from inspections.tests.factories import add_concern, inspection_at, record_evidence, schedule
from tests.hostile import form_data

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DATE = lambda name: [f"{name}_0", f"{name}_1", f"{name}_2"]  # noqa: E731


@pytest.fixture
def world(force_a, force_b, admin_user, lead_inspector, inspector, other_inspector, force_lead_b):
    """Force A's open inspection, and force B's evidence to smuggle in."""
    mine = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    services.inspection_start_fieldwork(inspection=mine, by=lead_inspector)  # to be graded
    theirs = inspection_at(
        Inspection.Stage.MODERATION, force=force_b, lead=other_inspector, admin=admin_user
    )
    theirs_interview = services.interview_record(
        inspection=theirs,
        held_on=date(2026, 1, 1),
        topics=[Topic.LEADERSHIP],
        notes="",
        participants=[("Constable", "police")],
        by=other_inspector,
    )
    concern = add_concern(mine, by=inspector)
    foreign = st.sampled_from(
        [
            str(theirs_interview.pk),
            str(theirs.pk),
            str(force_b.pk),
            str(force_lead_b.pk),
            str(other_inspector.pk),
        ]
    )
    return {"mine": mine, "theirs": theirs, "concern": concern, "foreign": foreign}


def _post_and_check(client, url, data):
    audit_before = AuditEvent.objects.count()
    inspections_before = Inspection.objects.count()
    response = client.post(url, data)
    assert response.status_code in (200, 302, 403, 404), response.status_code
    if response.status_code != 302:
        assert AuditEvent.objects.count() == audit_before, "a refused form stored something"
        assert Inspection.objects.count() == inspections_before
    if response.status_code == 200:
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x onerror" not in html


def _run(client, url, fields, extra):
    @EXAMPLES
    @given(data=form_data(fields, extra))
    def check(data):
        _post_and_check(client, url, data)

    check()


def test_schedule_form(client_for, admin_user, world):
    fields = [
        "force",
        "kind",
        *DATE("fieldwork_start"),
        *DATE("fieldwork_end"),
        "lead_inspector",
        "team",
    ]
    _run(client_for(admin_user), reverse("inspections:new"), fields, {"team": world["foreign"]})


def test_judgment_form(client_for, inspector, world):
    url = reverse("inspections:judgment", args=[world["mine"].pk, Topic.INVESTIGATION])
    fields = ["grade", "rationale", "cites_case_reviews", "interviews", "documents"]
    extra = {"interviews": world["foreign"], "grade": st.sampled_from(["good", "inadequate"])}
    _run(client_for(inspector), url, fields, extra)


def test_finding_form(client_for, inspector, world):
    url = reverse("inspections:finding_new", args=[world["mine"].pk])
    fields = ["kind", "topic", "summary", "detail", *DATE("reported_to_force_on"), "interviews"]
    _run(client_for(inspector), url, fields, {"interviews": world["foreign"]})


def test_recommendation_form(client_for, inspector, world):
    url = reverse("inspections:recommendation_new", args=[world["mine"].pk, world["concern"].pk])
    _run(client_for(inspector), url, ["text"], {})


INTERVIEW_FIELDS = [
    *DATE("held_on"),
    "topics",
    "notes",
    "participant_1_role",
    "participant_1_organisation",
    "participant_rows",
    "add_participant",
]
DOCUMENT_FIELDS = ["title", "kind", *DATE("received_on"), "notes"]


def test_interview_form(client_for, inspector, world):
    url = reverse("inspections:interview_new", args=[world["mine"].pk])
    _run(client_for(inspector), url, INTERVIEW_FIELDS, {"topics": st.sampled_from(Topic.values)})


def test_document_form(client_for, inspector, world):
    url = reverse("inspections:document_new", args=[world["mine"].pk])
    _run(client_for(inspector), url, DOCUMENT_FIELDS, {})


def test_interview_change_form(client_for, inspector, world, private_storage):
    interview, _ = record_evidence(world["mine"], by=inspector)
    url = reverse("inspections:interview_edit", args=[world["mine"].pk, interview.pk])
    fields = [*INTERVIEW_FIELDS, "seen"]
    _run(client_for(inspector), url, fields, {"topics": st.sampled_from(Topic.values)})
    assert interview.participants.exists()  # never changed to none


def test_document_change_form(client_for, inspector, world, private_storage):
    _, document = record_evidence(world["mine"], by=inspector)
    url = reverse("inspections:document_edit", args=[world["mine"].pk, document.pk])
    fields = [*DOCUMENT_FIELDS, "file_action", "seen"]
    extra = {"file_action": st.sampled_from(["keep", "replace", "remove"])}
    _run(client_for(inspector), url, fields, extra)


def test_return_form(client_for, lead_inspector, world):
    url = reverse("inspections:judgment_moderate", args=[world["mine"].pk, Topic.LEADERSHIP])
    _run(client_for(lead_inspector), url, ["comment", "agree"], {})


def test_transition_form(client_for, lead_inspector, world):
    url = reverse("inspections:transition", args=[world["theirs"].pk, "send-for-checks"])
    # Force B's inspection is not this lead's: every post must be refused as 404.
    _run(client_for(lead_inspector), url, DATE("date"), {})


def test_another_forces_evidence_is_never_linked(client_for, inspector, world):
    services.interview_record(
        inspection=world["mine"],
        held_on=date(2026, 1, 13),
        topics=[Topic.LEADERSHIP],
        notes="",
        participants=[("Sergeant", "police")],
        by=inspector,
    )
    url = reverse("inspections:judgment", args=[world["mine"].pk, Topic.LEADERSHIP])
    theirs_interview = world["theirs"].interviews.get()
    response = client_for(inspector).post(
        url, {"grade": "good", "rationale": "Fine", "interviews": [theirs_interview.pk]}
    )
    assert response.status_code == 200
    assert "Something you ticked was deleted a moment ago" in response.content.decode()
    assert not world["mine"].judgments.get(topic=Topic.LEADERSHIP).interviews.exists()


def test_text_is_escaped_when_shown_back(client_for, inspector, world):
    client = client_for(inspector)
    url = reverse("inspections:finding_new", args=[world["mine"].pk])
    client.post(
        url,
        {
            "kind": "area_for_improvement",
            "topic": "leadership",
            "summary": "<script>alert(1)</script>",
            "detail": '"><img src=x onerror=alert(1)>',
        },
    )
    html = client.get(reverse("inspections:findings", args=[world["mine"].pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html


def test_publish_form_on_an_inspection_at_checks(client_for, lead_inspector, inspector, force_b):
    """The transition form reaching its service: dates before receipt, years far off."""
    at_checks = inspection_at(
        Inspection.Stage.PRE_PUBLICATION, force=force_b, lead=lead_inspector, team=[inspector]
    )
    url = reverse("inspections:transition", args=[at_checks.pk, "publish"])
    _run(client_for(lead_inspector), url, DATE("date"), {})


def test_correct_dates_form(client_for, admin_user, lead_inspector, inspector, force_b):
    published = inspection_at(
        Inspection.Stage.PUBLISHED, force=force_b, lead=lead_inspector, team=[inspector]
    )
    url = reverse("inspections:dates", args=[published.pk])
    fields = [*DATE("received_on"), *DATE("published_on"), "reason", "confirm", "change"]
    _run(client_for(admin_user), url, fields, {})


@pytest.fixture
def at_checks(force_a, force_b, lead_inspector, inspector, other_inspector, force_lead_a):
    """Force A's report with the force, one point sent; force B's, to smuggle in."""
    from inspections import factual_accuracy

    mine = inspection_at(
        Inspection.Stage.PRE_PUBLICATION, force=force_a, lead=lead_inspector, team=[inspector]
    )
    theirs = inspection_at(Inspection.Stage.PRE_PUBLICATION, force=force_b, lead=other_inspector)
    point = factual_accuracy.factual_point_save(
        inspection=mine,
        topic=Topic.LEADERSHIP,
        finding=None,
        inaccuracy="The board meets yearly",
        correction="It meets monthly",
        evidence="",
        by=force_lead_a,
    )
    factual_accuracy.factual_points_send(inspection=mine, points=[point.pk], by=force_lead_a)
    ids = [str(mine.findings.first().pk), str(theirs.findings.first().pk), str(point.pk)]
    return mine, point, st.sampled_from(ids)


def test_factual_point_and_send_forms(client_for, force_lead_a, at_checks):
    mine, _, ids = at_checks
    where = st.one_of(
        st.sampled_from(["elsewhere", "judgment:leadership", "judgment:nonsense"]),
        ids.map(lambda pk: f"finding:{pk}"),
    )
    client = client_for(force_lead_a)
    fields = ["where", "inaccuracy", "correction", "evidence"]
    _run(client, reverse("inspections:factual_point_new", args=[mine.pk]), fields, {"where": where})
    url = reverse("inspections:factual_points_send", args=[mine.pk])
    _run(client, url, ["points"], {"points": ids})


def test_factual_response_and_wording_forms(client_for, lead_inspector, at_checks):
    mine, point, _ = at_checks
    client = client_for(lead_inspector)
    url = reverse("inspections:factual_point_respond", args=[mine.pk, point.pk])
    answers = {"response": st.sampled_from(["accepted", "not_accepted"])}
    _run(client, url, ["response", "explanation", "seen"], answers)
    url = reverse("inspections:finding_correct", args=[mine.pk, mine.findings.first().pk])
    _run(client, url, ["summary", "detail", "seen"], {})
    url = reverse("inspections:judgment_correct", args=[mine.pk, Topic.LEADERSHIP])
    _run(client, url, ["rationale", "seen"], {})
