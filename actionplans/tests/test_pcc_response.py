"""The police and crime commissioner's response: recording it, who may, when,
what is refused, and how it shows where its due date shows."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actionplans.pcc_response import (
    BAD_ADDRESS,
    HTTPS_ONLY,
    address_problem,
    pcc_response_record,
    pcc_response_version,
)
from actionplans.services import due_items_for_force
from actionplans.tests.factories import today
from core.models import AuditEvent
from core.templatetags.govuk import govuk_date
from inspections.models import Inspection
from inspections.tests.factories import inspection_at


def url(inspection) -> str:
    return reverse("actionplans:pcc_response", args=[inspection.pk])


def followup(inspection) -> str:
    return reverse("actionplans:followup", args=[inspection.pk])


def date_fields(day: date, name: str = "published_on") -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def audit_rows(inspection) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(inspection_id=inspection.pk, action__startswith="inspection.pcc")
        .order_by("id")
        .values_list("actor__email", "action", "changes")
    )


def overdue(inspection) -> Inspection:
    """Its response was due yesterday: published 57 days ago."""
    Inspection.objects.filter(pk=inspection.pk).update(
        published_on=today() - timedelta(days=57),
        pcc_response_due_on=today() - timedelta(days=1),
    )
    inspection.refresh_from_db()
    return inspection


# --- Recording it ---------------------------------------------------------------


def test_force_lead_records_the_response_and_sees_it_on_the_follow_up_page(
    client_for, force_lead_a, published
):
    client = client_for(force_lead_a)
    page = client.get(followup(published))
    assert 'Record<span class="govuk-visually-hidden"> the police and crime' in page.text

    form = client.get(url(published))
    assert form.status_code == 200
    assert "Record the police and crime commissioner’s response" in form.text
    # Who is reminded, not "it is chased" by nobody in particular.
    assert (
        "the force’s leads, the lead inspector and the programme team are reminded every week"
        in (form.text)
    )
    assert f'href="{followup(published)}#pcc-response" class="govuk-back-link"' in form.text

    day = today() - timedelta(days=2)
    address = "https://www.example-pcc.gov.uk/responses/child-protection"
    response = client.post(url(published), {**date_fields(day), "url": address}, follow=True)

    assert response.redirect_chain[-1][0] == f"{followup(published)}#pcc-response"
    banner = response.text.split("govuk-notification-banner__content")[1]
    assert f"response published on {govuk_date(day)} saved" in banner
    assert f"Published on {govuk_date(day)}" in response.text
    assert f'href="{address}"' in response.text
    assert 'Change<span class="govuk-visually-hidden"> the police and crime' in response.text
    published.refresh_from_db()
    assert (published.pcc_response_published_on, published.pcc_response_url) == (day, address)
    assert audit_rows(published) == [
        (
            force_lead_a.email,
            "inspection.pcc_response_recorded",
            {
                "pcc_response_published_on": [None, str(day)],
                "pcc_response_url": ["", address],
            },
        )
    ]


def test_a_change_is_audited_from_and_to_and_the_form_shows_what_is_recorded(
    client_for, lead_inspector, admin_user, published
):
    first = today() - timedelta(days=3)
    pcc_response_record(inspection=published, published_on=first, by=lead_inspector)
    client = client_for(admin_user)
    form = client.get(url(published)).text
    assert "Change the police and crime commissioner’s response" in form
    assert "are reminded every week" not in form
    assert f'value="{first.day}"' in form

    second = today() - timedelta(days=1)
    client.post(url(published), date_fields(second))

    assert [row[:2] for row in audit_rows(published)] == [
        (lead_inspector.email, "inspection.pcc_response_recorded"),
        (admin_user.email, "inspection.pcc_response_changed"),
    ]
    assert audit_rows(published)[-1][2] == {"pcc_response_published_on": [str(first), str(second)]}


def test_saving_the_same_answers_again_records_nothing(client_for, admin_user, published):
    day = today() - timedelta(days=1)
    pcc_response_record(inspection=published, published_on=day, by=admin_user)
    response = client_for(admin_user).post(url(published), date_fields(day), follow=True)
    assert "Nothing was changed" in response.text
    assert len(audit_rows(published)) == 1


def test_the_address_is_optional_and_can_be_taken_away(client_for, force_lead_a, published):
    day = today()
    pcc_response_record(
        inspection=published, published_on=day, url="https://pcc.example.org/r", by=force_lead_a
    )
    client_for(force_lead_a).post(url(published), {**date_fields(day), "url": ""})
    published.refresh_from_db()
    assert published.pcc_response_url == ""
    assert audit_rows(published)[-1][2] == {"pcc_response_url": ["https://pcc.example.org/r", ""]}


def test_today_is_the_london_date(client_for, force_lead_a, published):
    """At 23:30 UTC on a summer evening it is already tomorrow in London:
    the London date is not in the future."""
    evening = datetime(2027, 7, 1, 23, 30, tzinfo=UTC)
    Inspection.objects.filter(pk=published.pk).update(published_on=date(2027, 6, 1))
    with time_machine.travel(evening, tick=False):
        pcc_response_record(inspection=published, published_on=date(2027, 7, 2), by=force_lead_a)
    published.refresh_from_db()
    assert published.pcc_response_published_on == date(2027, 7, 2)


# --- What is refused ------------------------------------------------------------

ERRORS = [
    ({}, "Enter the date the response was published"),
    ({"published_on_0": "31", "published_on_1": "2"}, "must include a year"),
    (
        {"published_on_0": "31", "published_on_1": "2", "published_on_2": "2027"},
        "The date the response was published must be a real date",
    ),
    ("tomorrow", "The date the response was published must be today or in the past"),
    ("before publication", "must be the same as or after the date the report was published"),
    ("http", "Enter a web address that starts with https://"),
    ("javascript", "Enter a web address that starts with https://"),
    ("spaces", "Enter the web address in the correct format"),
]


@pytest.mark.parametrize(("data", "message"), ERRORS)
def test_refused_answers_are_named_beside_the_field_and_in_the_summary(
    client_for, force_lead_a, published, data, message
):
    good = date_fields(today())
    data = (
        {
            "tomorrow": date_fields(today() + timedelta(days=1)),
            "before publication": date_fields(published.published_on - timedelta(days=1)),
            "http": {**good, "url": "http://www.example-pcc.gov.uk/response"},
            "javascript": {**good, "url": "javascript:alert(1)"},
            "spaces": {**good, "url": "https://www.example pcc.gov.uk/response"},
        }.get(data, data)
        if isinstance(data, str)
        else data
    )
    response = client_for(force_lead_a).post(url(published), {"submit": "", **data})

    assert response.status_code == 200
    html = response.text
    assert html.startswith("<!DOCTYPE html>") or "<html" in html
    assert "<title>Error: " in html
    summary = html.split('class="govuk-error-summary"')[1].split("</div>")[0]
    assert message in summary
    assert "govuk-error-message" in html
    assert message in html.split("govuk-error-message")[1]
    published.refresh_from_db()
    assert published.pcc_response_published_on is None
    assert audit_rows(published) == []


def test_every_problem_is_named_at_once(client_for, force_lead_a, published):
    data = {**date_fields(today() + timedelta(days=1)), "url": "http://pcc.example.org/r"}
    html = client_for(force_lead_a).post(url(published), data).text
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert "must be today or in the past" in summary
    assert "Enter a web address that starts with https://" in summary
    assert summary.index("today or in the past") < summary.index("https://")


def test_a_closed_inspection_takes_no_response(client_for, admin_user, published):
    Inspection.objects.filter(pk=published.pk).update(stage=Inspection.Stage.CLOSED)
    published.refresh_from_db()
    response = client_for(admin_user).get(url(published), follow=True)
    assert response.redirect_chain[-1][0] == f"{followup(published)}#pcc-response"
    assert "The inspection is closed" in response.text
    assert "Record<span" not in response.text
    with pytest.raises(ValidationError, match="closed"):
        pcc_response_record(inspection=published, published_on=today(), by=admin_user)
    assert audit_rows(published) == []


def test_before_publication_there_is_no_such_page(client_for, admin_user, lead_inspector, force_a):
    checks = inspection_at(
        Inspection.Stage.PRE_PUBLICATION, force=force_a, lead=lead_inspector, admin=admin_user
    )
    assert client_for(admin_user).get(url(checks)).status_code == 404


# --- Who may ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin_user", 200),
        ("lead_inspector", 200),
        ("force_lead_a", 200),
        ("inspector", 403),  # on the team: reads it, does not record it
        ("other_inspector", 404),  # not on the team
        ("force_lead_b", 404),  # another force's lead
    ],
)
def test_who_may_open_and_post_the_form(client_for, published, request, who, status):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(url(published)).status_code == status
    posted = client.post(url(published), date_fields(today()))
    assert posted.status_code == (302 if status == 200 else status)
    published.refresh_from_db()
    assert (published.pcc_response_published_on is not None) == (status == 200)


def test_the_service_refuses_anyone_the_page_refuses(published, inspector, force_lead_b):
    for user in (inspector, force_lead_b):
        with pytest.raises(PermissionDenied):
            pcc_response_record(inspection=published, published_on=today(), by=user)


def test_the_team_sees_the_response_but_no_link_to_record_it(client_for, inspector, published):
    page = client_for(inspector).get(followup(published)).text
    assert "Police and crime commissioner’s response" in page
    assert url(published) not in page


# --- Where it shows ---------------------------------------------------------------


def test_overdue_until_recorded_on_the_follow_up_and_inspection_pages(
    client_for, lead_inspector, force_lead_a, published
):
    overdue(published)
    due = govuk_date(published.pcc_response_due_on)
    client = client_for(lead_inspector)
    # The inspection's details: overdue, and when it was due.
    details = client.get(published.get_absolute_url()).text.split("<h2")
    details = next(part for part in details if "Details</h2>" in part)
    assert "Overdue</strong> Was due on " + due in details
    # Follow-up: the status, once, then nothing recorded yet.
    section = client.get(followup(published)).text.split('id="pcc-response"')[1]
    section = section.split("Post-inspection visits")[0]
    assert section.count("Overdue") == 1
    assert "Not yet recorded" in section

    day = today()
    pcc_response_record(
        inspection=published, published_on=day, url="https://pcc.example.org/r", by=force_lead_a
    )
    for page in (followup(published), published.get_absolute_url()):
        text = client.get(page).text
        assert "Was due on" not in text, page
        assert f'Published on {govuk_date(day)} (<a class="govuk-link"' in text, page
    section = client.get(followup(published)).text.split('id="pcc-response"')[1]
    assert "Overdue" not in section.split("Post-inspection visits")[0]


def test_the_force_leads_list_of_what_is_due_keeps_it_until_it_is_recorded(
    force_a, force_lead_a, published
):
    overdue(published)
    items = [i for i in due_items_for_force(force_a) if "commissioner" in i.title]
    assert [(i.due_on, i.status.label) for i in items] == [
        (published.pcc_response_due_on, "Overdue")
    ]
    pcc_response_record(inspection=published, published_on=today(), by=force_lead_a)
    assert [i for i in due_items_for_force(force_a) if "commissioner" in i.title] == []


def test_the_address_shown_back_is_escaped(client_for, force_lead_a, published):
    address = 'https://pcc.example.org/r?a="><script>alert(1)</script>'
    response = client_for(force_lead_a).post(
        url(published), {**date_fields(today()), "url": address}
    )
    assert "<script>alert(1)</script>" not in response.text


def test_an_address_pasted_with_an_invisible_character_inside_is_not_kept(
    client_for, force_lead_a, published
):
    """Found by the bad input review: a zero-width space pasted with the
    address was kept, and the link everyone followed from the inspection's
    page went to a page that did not exist."""
    response = client_for(force_lead_a).post(
        url(published),
        {**date_fields(today()), "url": "https://pcc.example.org/resp\u200bonse"},
    )
    assert response.status_code == 200
    assert f'<a href="#id_url">{BAD_ADDRESS}</a>' in response.text
    published.refresh_from_db()
    assert published.pcc_response_published_on is None
    assert published.pcc_response_url == ""


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("https://www.example-pcc.gov.uk/responses/2027/child-protection", ""),
        ("HTTPS://www.example-pcc.gov.uk/r?id=3#top", ""),
        ("http://www.example-pcc.gov.uk/response", HTTPS_ONLY),
        ("www.example-pcc.gov.uk/response", HTTPS_ONLY),
        ("javascript:alert(1)", HTTPS_ONLY),
        ("data:text/html,hello", HTTPS_ONLY),
        ("https://", BAD_ADDRESS),
        ("https://exa mple.org/", BAD_ADDRESS),
        ("https://example.org/\nSet-Cookie: x", BAD_ADDRESS),
        ('https://example.org/"><script>alert(1)</script>', BAD_ADDRESS),
        ("https://pcc.example.org/resp\u200bonse", BAD_ADDRESS),
        ("https://pcc.exam\u2060ple.org/response", BAD_ADDRESS),
        ("https://pcc.example.org/response\u202e", BAD_ADDRESS),
    ],
)
def test_only_a_well_formed_https_address_is_kept(address, problem):
    assert address_problem(address) == problem


def test_the_inspection_timeline_says_who_recorded_it_and_what_changed(
    client_for, lead_inspector, force_lead_a, published
):
    day = today() - timedelta(days=1)
    pcc_response_record(
        inspection=published, published_on=day, url="https://pcc.example.org/r", by=force_lead_a
    )
    text = client_for(lead_inspector).get(published.get_absolute_url()).text
    timeline = text.split('class="moj-timeline"')[1]
    assert "Police and crime commissioner&#x27;s response recorded</h3>" in timeline
    assert f"by {force_lead_a.full_name}" in timeline
    assert "Police and crime commissioner&#x27;s response published on: " in timeline
    assert "Web address of the police and crime commissioner&#x27;s response: " in timeline


def _seen(client, inspection) -> str:
    """The "seen" the form carries, as drawn now ("" if it carries none)."""
    found = re.search(r'name="seen" value="([^"]*)"', client.get(url(inspection)).text)
    return found.group(1) if found else ""


def test_a_save_from_a_form_drawn_before_anothers_record_is_refused(
    client_for, force_lead_a, admin_user, published
):
    """Found by a review: the force's lead, the lead inspector and admins may
    each record the response, and a form drawn before another's save
    silently replaced the date they had recorded."""
    admins = client_for(admin_user)
    seen = _seen(admins, published)
    force = client_for(force_lead_a)
    recorded = today() - timedelta(days=3)
    force.post(url(published), {**date_fields(recorded), "seen": _seen(force, published)})

    page = admins.post(url(published), {**date_fields(today()), "seen": seen})

    assert page.status_code == 200
    assert "Someone else recorded the police and crime commissioner’s response" in page.text
    published.refresh_from_db()
    assert published.pcc_response_published_on == recorded
    assert len(audit_rows(published)) == 1
    # Told, they can save theirs over it.
    again = admins.post(
        url(published), {**date_fields(today()), "seen": page.context["form"].data["seen"]}
    )
    assert again.status_code == 302
    published.refresh_from_db()
    assert published.pcc_response_published_on == today()


def test_the_same_answers_from_a_stale_form_are_not_refused(admin_user, published):
    """A second click on Save: what it asks for is recorded already."""
    seen = pcc_response_version(published)
    day = today() - timedelta(days=1)
    assert pcc_response_record(inspection=published, published_on=day, by=admin_user, seen=seen)
    assert not pcc_response_record(inspection=published, published_on=day, by=admin_user, seen=seen)


def test_an_inspection_closed_before_the_response_was_due_no_longer_says_it_is_due(
    client_for, force_lead_a, lead_inspector, admin_user, force_a
):
    """Found by the force lead review: closed with the date still ahead, the
    follow-up and inspection pages told the force the response "is due on"
    it, though its status read "Not recorded" and the calendar said nothing
    more is due."""
    inspection = inspection_at(
        Inspection.Stage.CLOSED,
        force=force_a,
        lead=lead_inspector,
        admin=admin_user,
        start=today() - timedelta(days=125),
    )
    assert inspection.pcc_response_due_on > today()
    due = govuk_date(inspection.pcc_response_due_on)
    client = client_for(force_lead_a)
    for page in (followup(inspection), inspection.get_absolute_url()):
        text = client.get(page).text
        assert f"is due on {due}" not in text, page
        assert f"Due on {due}" not in text, page
        assert f"the inspection closed before it was due on {due}" in text, page
