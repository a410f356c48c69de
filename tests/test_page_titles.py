"""Page titles (WCAG 2.4.2): every page about one inspection says which force
it is about, so tabs and history open on several inspections can be told
apart ("Action plan", "Follow-up" and "Sample" were the same for every force)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import signed_in
from tests.test_access_matrix import _kwargs, url_patterns, world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_every_page_about_an_inspection_names_its_force_in_the_title(
    world,  # noqa: F811 - the fixture imported above
    admin_user,
    lead_inspector,
    force_lead_a,
    force_a,
):
    untitled = []
    for user in (admin_user, lead_inspector, force_lead_a):
        client = signed_in(Client(), user)
        for name, pattern in url_patterns():
            if "inspection_id" not in pattern.pattern.converters:
                continue
            response = client.get(reverse(name, kwargs=_kwargs(name, pattern, world)))
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
            if force_a.short_name not in title.group(1):
                untitled.append(f"{name} ({user.get_role_display()}): {title.group(1).strip()}")
    assert not untitled, "\n".join(untitled)


def test_the_inspection_pages_title_starts_with_its_heading(
    client_for, admin_user, force_lead_a, lead_inspector, force_a
):
    """Found by an accessibility audit: the title said "Inspection of Kent"
    above the heading "Inspection overview"."""
    from inspections.tests.report_factories import report_inspection

    inspection = report_inspection(
        force=force_a, lead=lead_inspector, inspector=lead_inspector, admin=admin_user
    )
    url = reverse("inspections:detail", args=[inspection.pk])
    for user, heading in (
        (lead_inspector, "Inspection overview"),
        (force_lead_a, "Your inspection"),
    ):
        html = client_for(user).get(url).content.decode()
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
        assert f"<title>{heading} – {force_a.short_name} – " in html


def _title_caption_and_heading(html: str) -> tuple[str, str | None, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    caption = re.search(r'<span class="govuk-caption-l">(.*?)</span>', html, re.S)
    heading = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', html, re.S).group(1)
    return " ".join(title.split()), caption and caption.group(1).strip(), heading.strip()


def test_a_page_that_asks_before_deleting_is_titled_by_its_question_under_its_inspection(
    client_for, admin_user, lead_inspector, inspector, force_a, private_storage
):
    """Found by a content review: "Delete a finding" in the title above the
    heading "Are you sure you want to delete this finding?", and no caption,
    where the finding's own pages carry the force's name. GOV.UK: the title
    is the h1, then the service's name."""
    from core.tests.files import pdf, upload
    from inspections import services
    from inspections.models import Inspection, Topic
    from inspections.tests.factories import add_concern, inspection_at

    inspection = inspection_at(
        Inspection.Stage.FIELDWORK,
        force=force_a,
        lead=lead_inspector,
        team=[inspector],
        admin=admin_user,
    )
    finding = add_concern(inspection, by=inspector)
    interview = services.interview_record(
        inspection=inspection,
        held_on=inspection.fieldwork_start,
        topics=[Topic.LEADERSHIP],
        notes="",
        participants=[("Superintendent", "police")],
        by=inspector,
    )
    cited = services.interview_record(
        inspection=inspection,
        held_on=inspection.fieldwork_start,
        topics=[Topic.LEADERSHIP],
        notes="",
        participants=[("Sergeant", "police")],
        by=inspector,
    )
    services.judgment_save(
        judgment=inspection.judgments.get(topic=Topic.LEADERSHIP),
        grade="good",
        rationale="Strong",
        cites_case_reviews=False,
        interviews=[cited],
        documents=[],
        by=inspector,
    )
    document = services.document_record(
        inspection=inspection,
        title="Strategy meeting minutes",
        kind="policy",
        received_on=inspection.fieldwork_start,
        notes="",
        upload=upload("minutes.pdf", pdf()),
        by=inspector,
    )
    i, recommendation = inspection.pk, finding.recommendations.get()
    pages = [
        ("finding_delete", i, finding.pk, "delete this finding?"),
        ("recommendation_delete", i, recommendation.pk, "remove this recommendation?"),
        ("interview_delete", i, interview.pk, "delete this interview?"),
        ("interview_delete", i, cited.pk, "You cannot delete this interview yet"),
        ("document_delete", i, document.pk, "delete this document?"),
    ]
    for name, *args, question in pages:
        _assert_titled_by_its_question(client_for(inspector), force_a, name, args, question)


def _assert_titled_by_its_question(client, force, name, args, question):
    html = client.get(reverse(f"inspections:{name}", args=args)).content.decode()
    title, caption, heading = _title_caption_and_heading(html)
    assert question in heading, name
    assert title == f"{heading} – {force.short_name} – Child protection inspections", name
    assert caption == force.name, name


def test_deleting_a_draft_factual_accuracy_point_is_titled_by_its_question(
    client_for, admin_user, lead_inspector, inspector, force_lead_a, force_a
):
    from inspections import factual_accuracy
    from inspections.models import Inspection, Topic
    from inspections.tests.report_factories import report_inspection

    checks = report_inspection(
        force=force_a,
        lead=lead_inspector,
        inspector=inspector,
        admin=admin_user,
        stage=Inspection.Stage.PRE_PUBLICATION,
    )
    point = factual_accuracy.factual_point_save(
        inspection=checks,
        topic=Topic.LEADERSHIP,
        finding=None,
        inaccuracy="The report says 12 officers; the force has 15",
        correction="It should say 15 officers",
        evidence="",
        by=force_lead_a,
    )
    args = [checks.pk, point.pk]
    client = client_for(force_lead_a)
    _assert_titled_by_its_question(client, force_a, "factual_point_delete", args, "draft point?")


def test_resetting_the_calendar_link_is_titled_by_its_question(client_for, inspector):
    html = client_for(inspector).get(reverse("actionplans:calendar_reset")).content.decode()
    title, _, heading = _title_caption_and_heading(html)
    assert heading == "Are you sure you want to reset your calendar link?"
    assert title == f"{heading} – Child protection inspections"
