"""Hostile and random input into every follow-up form: never a 500, nothing
half-saved, always escaped. 200 examples per form."""

from datetime import timedelta

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplans import services
from actionplans.models import ActionPlanVersion, PlanResponse, PostInspectionVisit
from actionplans.tests.factories import submitted_plan, today, visit_day_comes
from core.models import AuditEvent
from inspections.models import Inspection
from tests.hostile import form_data

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DATE = lambda name: [f"{name}_0", f"{name}_1", f"{name}_2"]  # noqa: E731
NUMBERS = st.integers(min_value=-5, max_value=10000).map(str)


def _counts() -> tuple:
    return (
        AuditEvent.objects.count(),
        PlanResponse.objects.count(),
        ActionPlanVersion.objects.filter(status="submitted").count(),
        PostInspectionVisit.objects.count(),
        Inspection.objects.count(),
    )


def _run(client, url, fields, extra=None):
    @EXAMPLES
    @given(
        data=form_data(
            fields,
            {**{f: NUMBERS for f in fields if f[-2:] in ("_0", "_1", "_2")}, **(extra or {})},
        )
    )
    def check(data):
        before = _counts()
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert _counts() == before, "a refused form stored something"
            html = response.content.decode()
            assert "<script>alert(1)</script>" not in html
            assert "<img src=x onerror" not in html

    check()


def test_response_form(client_for, force_lead_a, checks):
    plan = services.action_plan_for(checks, "action_plan")
    item = services.plan_items(plan)[0]
    url = reverse("actionplans:plan_response", args=[checks.pk, "action-plan", item.id])
    fields = ["action", "owner_role", *DATE("target_on"), "status"]
    _run(
        client_for(force_lead_a),
        url,
        fields,
        {"status": st.sampled_from(PlanResponse.Status.values)},
    )


def test_review_form(client_for, force_lead_a, lead_inspector, checks):
    submitted_plan(checks, by=force_lead_a)
    url = reverse("actionplans:version_review", args=[checks.pk, "action-plan", 1])
    # "return" with a comment succeeds once; later examples meet a reviewed version.
    _run(client_for(lead_inspector), url, ["decision", "comment"], {"decision": st.just("accept")})


def test_visit_schedule_form(client_for, admin_user, published):
    url = reverse("actionplans:visit_schedule", args=[published.pk])
    day = today() + timedelta(days=30)
    extra = {
        "visit_on_0": st.just(str(day.day)),
        "visit_on_1": st.just(str(day.month)),
        "visit_on_2": st.just(str(day.year)),
        "confirm": st.just("1"),
    }
    fields = [*DATE("visit_on"), "short_notice_reason", "confirm", "change"]
    _run(client_for(admin_user), url, fields, extra)


def test_visit_record_form(lead_inspector, client_for, published):
    user = lead_inspector
    visit = services.post_inspection_visit_schedule(
        inspection=published, visit_on=today() + timedelta(days=20), by=user
    )
    visit_day_comes(visit)  # so it can be recorded
    url = reverse("actionplans:visit_record", args=[published.pk, visit.pk])
    fields = [
        "people_interviewed",
        "other_people_interviewed",
        "documents_reviewed",
        "feedback",
        "outcome",
        *DATE("re_inspection_start"),
        *DATE("re_inspection_end"),
    ]
    extra = {
        "outcome": st.sampled_from(PostInspectionVisit.Outcome.values),
        "people_interviewed": st.sampled_from(PostInspectionVisit.Interviewee.values),
    }
    _run(client_for(user), url, fields, extra)


def test_pcc_response_form(client_for, force_lead_a, published):
    """Real dates on either side of publication and today, and addresses
    https, http, javascript: or hostile, among the hostile text."""
    url = reverse("actionplans:pcc_response", args=[published.pk])
    days = [published.published_on - timedelta(days=1), today(), today() + timedelta(days=1)]
    day = st.sampled_from(days)
    extra = {
        "published_on_0": day.map(lambda d: str(d.day)),
        "published_on_1": day.map(lambda d: str(d.month)),
        "published_on_2": day.map(lambda d: str(d.year)),
        "url": st.sampled_from(
            [
                "https://www.example-pcc.gov.uk/response",
                "http://www.example-pcc.gov.uk/response",
                "javascript:alert(1)",
                'https://pcc.example.org/"><script>alert(1)</script>',
                "https://",
                "https://exa mple.org/",
                "https://example.org/\nSet-Cookie: x",
            ]
        ),
    }
    _run(client_for(force_lead_a), url, [*DATE("published_on"), "url"], extra)
    published.refresh_from_db()
    stored = published.pcc_response_url
    # Whatever got through is the one well-formed https address, or nothing.
    assert stored in ("", "https://www.example-pcc.gov.uk/response")
    if published.pcc_response_published_on is not None:
        assert published.published_on <= published.pcc_response_published_on <= today()
