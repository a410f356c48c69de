"""Views: who may see and do what, form errors, and query budgets."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from inspections import services
from inspections.models import Finding, Inspection, Judgment, Topic
from inspections.tests.factories import add_concern, schedule
from tests.back import go_back
from tests.races import clicked_twice, first_click_lands_first

Stage = Inspection.Stage


def _urls(inspection):
    """Every inspection URL with the objects it needs."""
    concern = inspection.findings.filter(kind=Finding.Kind.CAUSE_OF_CONCERN).first()
    recommendation = concern.recommendations.first()
    interview = inspection.interviews.first()
    i = inspection.pk
    return {
        "detail": reverse("inspections:detail", args=[i]),
        "edit": reverse("inspections:edit", args=[i]),
        "report": reverse("inspections:report", args=[i]),
        "transition": reverse("inspections:transition", args=[i, "start-fieldwork"]),
        "judgment": reverse("inspections:judgment", args=[i, Topic.LEADERSHIP]),
        "judgment_submit": reverse("inspections:judgment_submit", args=[i, Topic.LEADERSHIP]),
        "judgment_moderate": reverse("inspections:judgment_moderate", args=[i, Topic.LEADERSHIP]),
        "findings": reverse("inspections:findings", args=[i]),
        "finding_new": reverse("inspections:finding_new", args=[i]),
        "finding_edit": reverse("inspections:finding_edit", args=[i, concern.pk]),
        "finding_delete": reverse("inspections:finding_delete", args=[i, concern.pk]),
        "recommendation_new": reverse("inspections:recommendation_new", args=[i, concern.pk]),
        "recommendation_delete": reverse(
            "inspections:recommendation_delete", args=[i, recommendation.pk]
        ),
        "evidence": reverse("inspections:evidence", args=[i]),
        "interview_new": reverse("inspections:interview_new", args=[i]),
        "interview": reverse("inspections:interview", args=[i, interview.pk]),
        "interview_edit": reverse("inspections:interview_edit", args=[i, interview.pk]),
        "document_new": reverse("inspections:document_new", args=[i]),
    }


@pytest.fixture
def full_inspection(planned, inspector):
    from inspections import services

    add_concern(planned, by=inspector)
    services.interview_record(
        inspection=planned,
        held_on=date(2026, 1, 13),
        topics=[Topic.LEADERSHIP],
        notes="Private notes",
        participants=[("Detective inspector", "police")],
        by=inspector,
    )
    return planned


POST_ONLY = {"judgment_submit", "judgment_moderate"}


def _assert_all_404(client, inspection):
    for name, url in _urls(inspection).items():
        # POST-only URLs answer 405 to any GET before looking at the object.
        assert client.get(url).status_code == (405 if name in POST_ONLY else 404), name
        assert client.post(url).status_code == 404, name


def test_force_lead_of_another_force_gets_404_on_every_inspection_url(
    client_for, full_inspection, force_lead_b
):
    _assert_all_404(client_for(force_lead_b), full_inspection)


def test_inspector_off_the_team_gets_404_on_every_inspection_url(
    client_for, full_inspection, other_inspector
):
    _assert_all_404(client_for(other_inspector), full_inspection)


EVIDENCE_URLS = [
    "judgment",
    "judgment_submit",
    "judgment_moderate",
    "findings",
    "finding_new",
    "finding_edit",
    "finding_delete",
    "recommendation_new",
    "recommendation_delete",
    "evidence",
    "interview_new",
    "interview",
    "interview_edit",
    "document_new",
]


def test_own_force_lead_never_reaches_evidence_or_working_pages(
    client_for, full_inspection, force_lead_a
):
    client = client_for(force_lead_a)
    urls = _urls(full_inspection)
    for name in [*EVIDENCE_URLS, "edit", "transition"]:
        assert client.post(urls[name]).status_code == 404, name
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["report"]).status_code == 200


def test_read_only_users_get_403_on_changes(client_for, full_inspection, inspector, lead_inspector):
    urls = _urls(full_inspection)
    team_member = client_for(inspector)
    assert team_member.get(urls["edit"]).status_code == 403
    assert team_member.get(urls["transition"]).status_code == 403
    assert team_member.post(urls["judgment_moderate"], {"agree": "1"}).status_code == 403
    lead = client_for(lead_inspector)
    assert lead.get(urls["edit"]).status_code == 403


def test_programme_is_for_admins(client_for, inspector, force_lead_a, admin_user):
    url = reverse("inspections:programme")
    assert client_for(inspector).get(url).status_code == 403
    assert client_for(force_lead_a).get(url).status_code == 404
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(inspector).get(reverse("inspections:new")).status_code == 403


def test_programme_says_what_the_methodology_asks_and_what_the_setting_does(
    client_for, admin_user, settings
):
    # The methodology asks only that every force is "regularly scrutinised";
    # the years after which a force is marked due are a programme setting,
    # not a rule of the methodology. The page said "must be inspected at
    # least every 4 years".
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "CADENCE_YEARS": 3}
    html = client_for(admin_user).get(reverse("inspections:programme")).content.decode()
    assert "Every force must be regularly scrutinised." in html
    assert "A force not inspected within the last 3 years is marked due." in html
    assert "must be inspected at least every" not in html


def test_programme_links_say_which_inspection_they_open(client_for, admin_user, make_inspection):
    """Found by a screenshot sweep: a column of links all named 'Inspection'
    (or a bare date), alike to a screen reader's list of links."""
    published = make_inspection(Stage.PUBLISHED)
    html = client_for(admin_user).get(reverse("inspections:programme")).content.decode()
    published_on = published.published_on
    hidden = (
        f'Inspection<span class="govuk-visually-hidden"> of Greater Manchester, published '
        f"{published_on.day} {published_on:%B %Y}</span>"
    )
    assert hidden in html


def test_start_moderation_is_offered_only_once_every_topic_is_submitted(
    client_for, lead_inspector, make_inspection
):
    """Found by a screenshot sweep: the button was offered from the first day
    of fieldwork, and refused only after the confirmation page."""
    inspection = make_inspection(Stage.FIELDWORK)
    inspection.judgments.exclude(topic=Topic.LEADERSHIP).update(status=Judgment.Status.SUBMITTED)
    inspection.judgments.filter(topic=Topic.LEADERSHIP).update(status=Judgment.Status.DRAFT)
    client = client_for(lead_inspector)
    start = reverse("inspections:transition", args=[inspection.pk, "start-moderation"])
    html = client.get(inspection.get_absolute_url()).content.decode()
    leadership = reverse("inspections:judgment", args=[inspection.pk, Topic.LEADERSHIP])
    assert f'<a class="govuk-link" href="{leadership}">Leadership</a>' in html
    assert start not in html
    inspection.judgments.update(status=Judgment.Status.SUBMITTED)
    html = client.get(inspection.get_absolute_url()).content.decode()
    assert "Every topic is submitted for moderation" in html and start in html


def test_the_lead_inspector_moderates_a_judgment_seeing_the_evidence_it_cites(
    client_for, lead_inspector, inspector, in_fieldwork
):
    """Found by a usability review: once submitted, the grading page showed
    the grade and rationale but not the interviews and documents cited, so
    the lead inspector agreed or returned a grade without its evidence (it
    was only in the history's audit lines). And leadership, which case file
    reviews do not rate and whose form does not ask, said "Cites case file
    review figures: No"."""
    interview = services.interview_record(
        inspection=in_fieldwork,
        held_on=date(2026, 1, 13),
        topics=[Topic.INVESTIGATION],
        notes="",
        participants=[("Detective sergeant", "police")],
        by=inspector,
    )
    services.document_record(
        inspection=in_fieldwork,
        title="Supervision policy",
        kind="policy",
        received_on=date(2026, 1, 12),
        notes="",
        by=inspector,
    )
    for topic, interviews in ((Topic.INVESTIGATION, [interview]), (Topic.LEADERSHIP, [])):
        judgment = in_fieldwork.judgments.get(topic=topic)
        services.judgment_save(
            judgment=judgment,
            grade="good",
            rationale="Supervisors review investigations.",
            cites_case_reviews=False,
            interviews=interviews,
            documents=[],
            by=inspector,
        )
        services.judgment_submit(judgment=judgment, by=inspector)
    client = client_for(lead_inspector)
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.INVESTIGATION])
    html = client.get(url).content.decode()
    assert "Agree the judgment" in html
    interview_url = reverse("inspections:interview", args=[in_fieldwork.pk, interview.pk])
    assert (
        f'<a class="govuk-link" href="{interview_url}">13 January 2026: '
        "Detective sergeant (Police)</a>" in html
    )
    assert re.search(r"Documents cited as evidence</dt>\s*<dd[^>]*>None cited</dd>", html)
    assert "Cites case file review figures" in html
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    html = client.get(url).content.decode()
    assert re.search(r"Interviews cited as evidence</dt>\s*<dd[^>]*>None cited</dd>", html)
    assert "Cites case file review figures" not in html


def test_moderation_has_one_primary_button_agree_and_return_is_secondary(
    client_for, lead_inspector, inspector, in_fieldwork
):
    """Found by a usability review: "Agree the judgment" and "Return to the
    inspector" were both green primary buttons, one above the other (GOV.UK:
    one primary call to action; returning is the other answer)."""
    judgment = in_fieldwork.judgments.get(topic=Topic.INVESTIGATION)
    services.judgment_save(
        judgment=judgment,
        grade="good",
        rationale="Supervisors review investigations.",
        cites_case_reviews=False,
        interviews=[],
        documents=[],
        by=inspector,
    )
    services.judgment_submit(judgment=judgment, by=inspector)
    html = client_for(lead_inspector).get(judgment.get_absolute_url()).content.decode()
    assert re.search(r'class="govuk-button"[^>]*>Agree the judgment</button>', html)
    assert re.search(r'<button name="return"\s+class="govuk-button govuk-button--secondary"', html)


def test_force_lead_sees_no_grades_before_checks(client_for, make_inspection, force_lead_a):
    inspection = make_inspection(Stage.MODERATION)
    html = client_for(force_lead_a).get(inspection.get_absolute_url()).content.decode()
    assert "Fieldwork" in html
    assert "Good" not in html
    assert "Investigations into child abuse are delayed" not in html
    assert "Private" not in html


def test_force_lead_sees_draft_grades_at_checks(client_for, make_inspection, force_lead_a):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    html = client_for(force_lead_a).get(inspection.get_absolute_url()).content.decode()
    assert "Graded judgments (draft)" in html
    assert "Investigations into child abuse are delayed" in html
    assert "Within six months" in html


def test_report_page_marks_a_draft_as_the_pdf_does_and_a_published_report_not(
    client_for, make_inspection, force_lead_a
):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    url = reverse("inspections:report", args=[inspection.pk])
    html = client_for(force_lead_a).get(url).content.decode()
    assert "OFFICIAL-SENSITIVE" in html
    assert "Draft for pre-publication checks: not for circulation" in html
    inspection.stage = Stage.PUBLISHED
    inspection.save()
    html = client_for(force_lead_a).get(url).content.decode()
    assert "OFFICIAL-SENSITIVE" not in html and "circulation" not in html


def test_report_page_in_moderation_says_the_force_has_not_been_sent_it(
    client_for, make_inspection, lead_inspector
):
    inspection = make_inspection(Stage.MODERATION)
    html = client_for(lead_inspector).get(reverse("inspections:report", args=[inspection.pk]))
    html = html.content.decode()
    assert "Draft not yet sent to the force: not for circulation" in html
    assert "Draft for pre-publication checks" not in html


def test_report_page_orders_and_numbers_findings_as_the_pdf_does(
    client_for, make_report, inspector
):
    """The force checks the page against the PDF: an accelerated cause of
    concern comes first, and recommendations are numbered through the report."""
    from inspections import reports
    from inspections.tests.report_factories import CONCERN, RECOMMENDATIONS, add_finding

    inspection = make_report(Stage.MODERATION, extra_findings=4)
    add_finding(
        inspection,
        topic=Topic.INVESTIGATION,
        kind=Finding.Kind.ACCELERATED,
        summary="Children in custody overnight",
        detail="Reported early.",
        reported_to_force_on=inspection.fieldwork_start,
        by=inspector,
    )
    page = client_for(inspector).get(reverse("inspections:report", args=[inspection.pk]))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert text.index("Children in custody overnight") < text.index(CONCERN)
    index = reports.report_data(inspection)["recommendations"]
    for recommendation in index:
        assert f"Recommendation {recommendation['number']}: {recommendation['text']}" in text
    assert f"Recommendation 3: {RECOMMENDATIONS[0]}" in text


def test_force_lead_sees_final_grades_after_publication(client_for, make_inspection, force_lead_a):
    inspection = make_inspection(Stage.PUBLISHED)
    html = client_for(force_lead_a).get(inspection.get_absolute_url()).content.decode()
    assert "Graded judgments</caption>" in html
    assert "(draft)" not in html


def test_force_lead_never_sees_moderation_comments(
    client_for, make_inspection, force_lead_a, lead_inspector
):
    from inspections import services

    inspection = make_inspection(Stage.PRE_PUBLICATION)
    inspection.judgments.filter(topic=Topic.LEADERSHIP).update(moderation_comment="Secret note")
    html = client_for(force_lead_a).get(inspection.get_absolute_url()).content.decode()
    assert "Secret note" not in html
    assert services  # the comment is only shown on judgment pages, which are 404 for them


def test_schedule_form_shows_errors_and_saves_nothing(client_for, admin_user, planned, force_b):
    client = client_for(admin_user)
    response = client.post(
        reverse("inspections:new"),
        {
            "force": force_b.pk,
            "kind": "inspection",
            "fieldwork_start_0": "14",
            "fieldwork_start_1": "1",
            "fieldwork_start_2": "2026",
            "fieldwork_end_0": "31",
            "fieldwork_end_1": "2",
            "fieldwork_end_2": "2026",
            "lead_inspector": planned.lead_inspector.pk,
            "team": [],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fieldwork ends must be a real date" in html or "must be a real date" in html
    assert Inspection.objects.filter(force=force_b).count() == 0


def test_the_schedule_form_offers_an_inspection_or_a_re_inspection_only(client_for, admin_user):
    html = client_for(admin_user).get(reverse("inspections:new")).content.decode()
    assert 'value="inspection"' in html and 'value="re_inspection"' in html
    # Accelerated causes of concern are findings; post-inspection visits are
    # booked on the inspection they follow.
    assert 'value="accelerated_cause_of_concern"' not in html
    assert 'value="post_inspection_review"' not in html
    assert "Post-inspection review" not in html


def test_a_re_inspection_of_a_force_never_inspected_is_refused_beside_the_kind(
    client_for, admin_user, lead_inspector, force_b
):
    response = client_for(admin_user).post(
        reverse("inspections:new"),
        {
            "force": force_b.pk,
            "kind": "re_inspection",
            "fieldwork_start_0": "12",
            "fieldwork_start_1": "4",
            "fieldwork_start_2": "2027",
            "fieldwork_end_0": "16",
            "fieldwork_end_1": "4",
            "fieldwork_end_2": "2027",
            "lead_inspector": lead_inspector.pk,
        },
    )
    html = response.content.decode()
    message = "Cleveland has no published inspection to follow, so select inspection"
    assert response.status_code == 200 and html.count(message) == 2  # summary and field
    assert 'href="#id_kind_1"' in html and 'id="id_kind_1"' in html  # a real radio's id
    assert not Inspection.objects.filter(force=force_b).exists()


def test_the_check_page_is_not_offered_for_a_re_inspection_that_must_fail(
    client_for, admin_user, lead_inspector, force_b
):
    """Found by a code review: fieldwork before today went to the check page,
    and only its Confirm said the re-inspection had nothing to follow."""
    from django.utils import timezone

    started = timezone.localdate() - timedelta(days=2)
    end = started + timedelta(days=4)
    response = client_for(admin_user).post(
        reverse("inspections:new"),
        {
            "force": force_b.pk,
            "kind": "re_inspection",
            "fieldwork_start_0": started.day,
            "fieldwork_start_1": started.month,
            "fieldwork_start_2": started.year,
            "fieldwork_end_0": end.day,
            "fieldwork_end_1": end.month,
            "fieldwork_end_2": end.year,
            "lead_inspector": lead_inspector.pk,
        },
    )
    html = response.content.decode()
    assert "Check the inspection before you schedule it" not in html
    assert "Cleveland has no published inspection to follow" in html


def test_a_plan_stored_as_a_post_inspection_review_keeps_its_kind_on_the_plan_page(
    client_for, admin_user, planned
):
    Inspection.objects.filter(pk=planned.pk).update(kind="post_inspection_review")
    url = reverse("inspections:edit", args=[planned.pk])
    html = client_for(admin_user).get(url).content.decode()
    assert 'value="post_inspection_review"' in html and 'value="re_inspection"' in html
    assert 'value="accelerated_cause_of_concern"' not in html


def test_schedule_refuses_double_booking_with_a_message(
    client_for, admin_user, planned, force_b, lead_inspector
):
    response = client_for(admin_user).post(
        reverse("inspections:new"),
        {
            "force": force_b.pk,
            "kind": "inspection",
            "fieldwork_start_0": "13",
            "fieldwork_start_1": "1",
            "fieldwork_start_2": "2026",
            "fieldwork_end_0": "15",
            "fieldwork_end_1": "1",
            "fieldwork_end_2": "2026",
            "lead_inspector": lead_inspector.pk,
        },
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Lena Lead is already booked on the Greater Manchester fieldwork" in html
    # Beside the lead's question, not under Team (found by a review).
    assert 'id="id_lead_inspector_error"' in html or 'href="#id_lead_inspector">Lena' in html
    assert Inspection.objects.filter(force=force_b).count() == 0


def test_inadequate_without_concern_is_saved_as_a_draft_and_refused_on_submitting(
    client_for, in_fieldwork, inspector
):
    """Found by testing: a draft was refused, so an inspector who went to
    record the cause of concern lost the rationale they had written."""
    client = client_for(inspector)
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    response = client.post(url, {"grade": "inadequate", "rationale": "Poor"}, follow=True)
    assert "Leadership: draft saved" in response.text
    assert "record it before you submit the judgment" in response.text
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    assert (judgment.status, judgment.rationale) == (Judgment.Status.DRAFT, "Poor")
    data = {"grade": "inadequate", "rationale": "Poor", "submit_for_moderation": ""}
    html = client.post(url, data).content.decode()
    assert "Inadequate needs a cause of concern on this topic" in html
    assert 'href="#id_grade_1"' in html
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.DRAFT


def test_a_draft_keeps_a_rationale_without_a_grade_but_not_nothing(
    client_for, in_fieldwork, inspector
):
    client = client_for(inspector)
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    assert client.post(url, {"rationale": "First notes"}).status_code == 302
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    assert (judgment.grade, judgment.rationale) == ("", "First notes")
    html = client.post(url, {"rationale": " "}).content.decode()
    assert "Select a grade, or write some of the rationale, to save a draft" in html
    html = client.post(url, {"rationale": "Notes", "submit_for_moderation": ""}).text
    assert "Select a grade" in html


def test_save_and_submit_keeps_what_was_changed_on_the_page(client_for, in_fieldwork, inspector):
    """Found by a screenshot sweep: 'Submit for moderation' was a form of its
    own, so a grade or rationale changed on the page was dropped unsaved and
    the older draft submitted. Now one button saves, then submits."""
    client = client_for(inspector)
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    client.post(url, {"grade": "good", "rationale": "First thoughts"})
    response = client.post(
        url,
        {"grade": "adequate", "rationale": "Checked against the data", "submit_for_moderation": ""},
    )
    assert response.status_code == 302
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    assert judgment.status == Judgment.Status.SUBMITTED
    assert (judgment.grade, judgment.rationale) == ("adequate", "Checked against the data")
    actions = list(AuditEvent.objects.for_object(judgment).values_list("action", flat=True))
    assert actions.count("judgment.submitted") == 1


def test_save_and_submit_saves_nothing_when_the_save_is_refused(
    client_for, in_fieldwork, inspector
):
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    data = {"grade": "inadequate", "rationale": "Poor", "submit_for_moderation": ""}
    html = client_for(inspector).post(url, data).content.decode()
    assert "Inadequate needs a cause of concern on this topic" in html
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    assert judgment.status == Judgment.Status.NOT_STARTED
    assert not AuditEvent.objects.for_object(judgment).exists()


def test_judgment_page_shows_history(client_for, in_fieldwork, inspector):
    client = client_for(inspector)
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    client.post(url, {"grade": "good", "rationale": "Strong"})
    client.post(url, {"grade": "adequate", "rationale": "Strong"})
    html = client.get(url).content.decode()
    assert "Grade: Good → Adequate" in html
    assert "by Ian Inspector" in html


def test_finding_page_shows_who_changed_it_and_its_recommendations(
    client_for, in_fieldwork, inspector, lead_inspector
):
    """What the lead inspector changed in a finding an inspector wrote is on
    the finding's page, with who and when, as a judgment's changes are on its
    page (found by a review: only the inspection's ten latest events showed it)."""
    finding = add_concern(in_fieldwork, by=inspector)
    url = reverse("inspections:finding_edit", args=[in_fieldwork.pk, finding.pk])
    client_for(lead_inspector).post(
        url,
        {
            "topic": finding.topic,
            "kind": finding.kind,
            "summary": "Investigations into child abuse are not supervised",
            "detail": finding.detail,
            "seen": services.seen_version(finding),
        },
    )
    html = client_for(inspector).get(url).content.decode()
    assert (
        "Summary: Investigations into child abuse are delayed → "
        "Investigations into child abuse are not supervised"
    ) in html
    assert "by Lena Lead" in html
    assert "Within six months, the force should review supervision." in html
    assert "by Ian Inspector" in html


def test_a_rationale_pasted_too_long_is_refused_whole_not_cut_short_by_the_browser(
    client_for, in_fieldwork, inspector
):
    client = client_for(inspector)
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    html = client.get(url).content.decode()
    rationale = re.search(r"<textarea[^>]*name=\"rationale\"[^>]*>", html).group()
    assert "maxlength" not in rationale
    pasted = "Evidence. " * 1001
    response = client.post(url, {"grade": "good", "rationale": pasted})
    assert "The rationale must be 10,000 characters or fewer" in response.content.decode()
    # Shown again whole: its ends trimmed, as every answer is read (core.text).
    assert pasted.strip() in response.content.decode()
    assert in_fieldwork.judgments.get(topic=Topic.LEADERSHIP).rationale == ""


@pytest.mark.parametrize(
    "url_name, date_hint",
    [
        ("interview_new", "For example, 27 3 2026"),
        ("document_new", "For example, 27 3 2026"),
        ("finding_new", "Only for an accelerated cause of concern. For example, 27 3 2026"),
    ],
)
def test_every_date_an_inspector_enters_shows_an_example_as_govuk_date_inputs_do(
    client_for, planned, inspector, url_name, date_hint
):
    # Not "page": that is Playwright's fixture, and taking its name made this a
    # browser test, which moved every browser test (each flushing the
    # database) before half the suite's ordinary tests.
    html = client_for(inspector).get(reverse(f"inspections:{url_name}", args=[planned.pk]))
    assert date_hint in html.content.decode()


def test_interview_form_needs_roles_not_names(client_for, planned, inspector):
    client = client_for(inspector)
    url = reverse("inspections:interview_new", args=[planned.pk])
    response = client.post(
        url,
        {
            "held_on_0": "13",
            "held_on_1": "1",
            "held_on_2": "2026",
            "topics": ["leadership"],
            "participant_1_role": "Chief inspector",
        },
    )
    assert "Select participant 1&#x27;s organisation" in response.content.decode()
    assert planned.interviews.count() == 0


def test_the_inspectors_forms_ask_to_select_an_option_in_govuk_words(
    client_for, in_fieldwork, inspector
):
    """Found by a usability review: the same journey said "Select the topics
    the interview covered" and "Choose participant 1's organisation" on one
    page, and "Choose the type of finding" and "Choose a grade" beside the
    case file review's "Select the overall rating". GOV.UK's error for an
    option not chosen is "Select …"."""
    client = client_for(inspector)
    pages = {
        "finding_new": ({}, ["Select the type of finding", "Select the topic"]),
        "document_new": ({}, ["Select the kind of document"]),
        "interview_new": (
            {"participant_rows": "3", "participant_1_role": "Sergeant"},
            ["Select the topics the interview covered", "Select participant 1&#x27;s organisation"],
        ),
    }
    for name, (data, errors) in pages.items():
        url = reverse(f"inspections:{name}", args=[in_fieldwork.pk])
        html = client.post(url, {"seen": "", **data}).content.decode()
        summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
        assert "Choose" not in summary, name
        for error in errors:
            assert error in summary, (name, error)
    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.INVESTIGATION])
    html = client.post(url, {"seen": "", "submit_for_moderation": ""}).content.decode()
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert "Select a grade" in summary and "Choose" not in summary


def test_an_empty_interview_form_says_every_problem_at_once(client_for, planned, inspector):
    """Found by a usability review: the missing participant was said only
    after the date and topics were put right, so an inspector sent the form
    twice to find the second problem (GOV.UK: show every error at once)."""
    url = reverse("inspections:interview_new", args=[planned.pk])
    # As the browser sends it: the page's hidden count of participant rows.
    html = client_for(inspector).post(url, {"participant_rows": "3"}).content.decode()
    assert "Enter the date of the interview" in html
    assert "Select the topics the interview covered" in html
    assert "Enter the role of at least one participant" in html
    assert planned.interviews.count() == 0


def test_a_participant_role_too_long_is_not_also_called_missing(client_for, planned, inspector):
    url = reverse("inspections:interview_new", args=[planned.pk])
    response = client_for(inspector).post(
        url,
        {
            "held_on_0": "13",
            "held_on_1": "1",
            "held_on_2": "2026",
            "topics": ["leadership"],
            "participant_1_role": "R" * 121,
            "participant_1_organisation": "police",
        },
    )
    html = response.content.decode()
    assert "Participant 1&#x27;s role must be 120 characters or fewer" in html
    assert "Enter participant 1&#x27;s role" not in html
    assert planned.interviews.count() == 0


INTERVIEW = {
    "held_on_0": "13",
    "held_on_1": "1",
    "held_on_2": "2026",
    "topics": ["leadership"],
    "participant_1_role": "Chief inspector",
    "participant_1_organisation": "police",
}


def test_adding_a_participant_redraws_the_form_with_one_more_row_and_saves_nothing(
    client_for, planned, inspector
):
    url = reverse("inspections:interview_new", args=[planned.pk])
    data = {**INTERVIEW, "participant_rows": "3", "add_participant": ""}
    del data["topics"]  # missing, but adding a row checks nothing yet
    response = client_for(inspector).post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert planned.interviews.count() == 0
    assert "govuk-error-summary" not in html
    assert 'id="participant-4"' in html
    assert 'id="participant-5"' not in html
    assert 'name="participant_rows" value="4"' in html
    assert 'value="Chief inspector"' in html  # what was typed stays
    # The row just added is in focus when the page opens.
    assert re.search(r'<input[^>]*name="participant_4_role"[^>]*autofocus', html)
    assert not re.search(r'<input[^>]*name="participant_3_role"[^>]*autofocus', html)


def test_an_interview_keeps_more_participants_than_the_form_first_offers(
    client_for, planned, inspector
):
    data = {**INTERVIEW, "participant_rows": "5"}
    for n in range(2, 6):
        data[f"participant_{n}_role"] = f"Social worker {n}"
        data[f"participant_{n}_organisation"] = "childrens_social_care"
    data["participant_3_role"] = ""  # a row left empty is skipped
    data["participant_3_organisation"] = ""
    response = client_for(inspector).post(
        reverse("inspections:interview_new", args=[planned.pk]), data
    )
    assert response.status_code == 302
    roles = sorted(planned.interviews.get().participants.values_list("role", flat=True))
    assert roles == ["Chief inspector", "Social worker 2", "Social worker 4", "Social worker 5"]


@pytest.mark.parametrize(("posted", "rows"), [("", 3), ("-4", 3), ("many", 3), ("999", 30)])
def test_the_participant_rows_stay_within_bounds(client_for, planned, inspector, posted, rows):
    data = {**INTERVIEW, "participant_rows": posted, "add_participant": ""}
    html = (
        client_for(inspector)
        .post(reverse("inspections:interview_new", args=[planned.pk]), data)
        .content.decode()
    )
    expected = min(rows + 1, 30)
    assert f'id="participant-{expected}"' in html
    assert f'id="participant-{expected + 1}"' not in html
    # At the most a focus group could have, there is no button to add more.
    assert ("Add another participant" in html) == (expected < 30)


def test_document_upload_is_kept_privately_and_downloaded_through_the_door(
    client_for, planned, inspector, force_lead_a, private_storage
):
    from core.tests.files import pdf, upload

    client = client_for(inspector)
    response = client.post(
        reverse("inspections:document_new", args=[planned.pk]),
        {
            "title": "Missing children policy",
            "kind": "policy",
            "received_on_0": "12",
            "received_on_1": "1",
            "received_on_2": "2026",
            "file": upload("policy.pdf", pdf()),
        },
    )
    assert response.status_code == 302
    document = planned.documents.get()
    url = reverse("inspections:document_download", args=[planned.pk, document.pk])
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment")
    assert client_for(force_lead_a).get(url).status_code == 404
    # The copy taken is on the inspection's and the force's audit trail...
    taken = AuditEvent.objects.get(action="file.downloaded")
    assert (taken.actor, taken.inspection_id, taken.force) == (inspector, planned.pk, planned.force)
    # By the document and the file's kind, never the file's own name.
    assert (taken.object_repr, taken.comment) == (f"{document.title}: A PDF file", "")
    # ...but not on the inspection's own timeline, which ten downloads would fill.
    client = client_for(inspector)  # client_for signs the one test client in afresh
    for _ in range(10):
        client.get(url)
    page = client.get(planned.get_absolute_url()).content.decode()
    titles = re.findall(r'class="moj-timeline__title">([^<]*)<', page)
    assert titles and not [title for title in titles if title.startswith("policy.pdf")]


def test_a_chosen_file_is_asked_for_again_when_the_page_shows_a_problem(
    client_for, planned, inspector, private_storage
):
    """Browsers never fill a file input in again: without a word beside it,
    the document's optional copy was lost at the next try."""
    from core.forms import FILE_NOT_KEPT
    from core.tests.files import pdf, upload

    client = client_for(inspector)
    url = reverse("inspections:document_new", args=[planned.pk])
    document = {"title": "Minutes", "kind": "policy", "received_on_0": "12",
                "received_on_1": "13", "received_on_2": "2026"}  # fmt: skip
    html = client.post(url, {**document, "file": upload("minutes.pdf", pdf())}).content.decode()
    assert "The date the document was received must be a real date" in html
    assert html.count(FILE_NOT_KEPT) == 2  # beside the field and in the error summary
    assert 'href="#id_file"' in html
    # Nothing chosen: nothing to ask for again.
    assert FILE_NOT_KEPT not in client.post(url, document).content.decode()
    # A file with a problem of its own gets that problem, not this.
    html = client.post(
        url, {**document, "file": upload("minutes.pdf", b"MZ\x90\x00")}
    ).content.decode()
    assert FILE_NOT_KEPT not in html
    # A refusal by the service, after the form was valid, asks for it too.
    document["received_on_1"] = "1"
    assert client.post(url, document).status_code == 302
    html = client.post(url, {**document, "file": upload("minutes.pdf", pdf())}).content.decode()
    assert "A document with this title, kind and date has already been recorded" in html
    assert FILE_NOT_KEPT in html
    assert planned.documents.count() == 1


def test_a_full_disk_while_storing_a_document_says_so_beside_the_file(
    client_for, planned, inspector, private_storage, monkeypatch
):
    """Found by the on-call review: the disk filling (or the shared folder
    failing) during the write was a 500, and the part written stayed."""
    from core.tests.files import pdf, upload
    from core.tests.fixtures import fill_the_disk, stored_paths
    from core.uploads import NOT_UPLOADED

    fill_the_disk(monkeypatch)
    document = {"title": "Minutes", "kind": "policy", "received_on_0": "12",
                "received_on_1": "1", "received_on_2": "2026"}  # fmt: skip
    url = reverse("inspections:document_new", args=[planned.pk])
    response = client_for(inspector).post(url, {**document, "file": upload("m.pdf", pdf())})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(NOT_UPLOADED) == 2  # beside the file and in the error summary
    assert f'<a href="#id_file">{NOT_UPLOADED}</a>' in html
    assert planned.documents.count() == 0
    assert not AuditEvent.objects.filter(action="document.recorded").exists()
    assert stored_paths(private_storage) == []


@pytest.mark.parametrize(
    "name, content, message",
    [
        pytest.param(
            "policy.pdf",
            lambda files: files.pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "PDF_SCRIPTS",
            id="pdf-running-javascript",
        ),
        pytest.param(
            "policy.docx",
            lambda files: files.zip_of(
                {**files.docx_entries(), "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}
            ),
            "EMBEDDED",
            id="docx-with-an-ole-object",
        ),
        pytest.param(
            "figures.csv",
            lambda files: b'area,count\n"=HYPERLINK(""https://example.com"",""Open"")",3\n',
            "CSV_FORMULA",
            id="csv-with-a-formula",
        ),
    ],
)
def test_a_document_that_could_run_code_is_refused_beside_the_file_and_nothing_saved(
    client_for, planned, inspector, private_storage, name, content, message
):
    from core import uploads
    from core.models import StoredFile
    from core.tests import files
    from core.tests.fixtures import stored_paths

    message = getattr(uploads, message).format(line=2)
    document = {"title": "Minutes", "kind": "policy", "received_on_0": "12",
                "received_on_1": "1", "received_on_2": "2026"}  # fmt: skip
    url = reverse("inspections:document_new", args=[planned.pk])
    upload = files.upload(name, content(files))
    response = client_for(inspector).post(url, {**document, "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(message) == 2  # beside the file and in the error summary
    assert f'<a href="#id_file">{message}</a>' in html
    assert planned.documents.count() == 0
    assert not StoredFile.objects.exists()
    assert stored_paths(private_storage) == []


def test_renamed_executable_is_refused_and_nothing_saved(
    client_for, planned, inspector, private_storage
):
    from core.tests.files import upload

    response = client_for(inspector).post(
        reverse("inspections:document_new", args=[planned.pk]),
        {
            "title": "Report",
            "kind": "report",
            "received_on_0": "12",
            "received_on_1": "1",
            "received_on_2": "2026",
            "file": upload("report.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        },
    )
    assert "The selected file must be a" in response.content.decode()
    assert planned.documents.count() == 0


def test_a_returned_judgments_history_gives_the_leads_comment_once(
    client_for, make_inspection, lead_inspector, inspector
):
    inspection = make_inspection(Stage.MODERATION)
    leadership = inspection.judgments.get(topic=Topic.LEADERSHIP)
    services.judgment_return(judgment=leadership, comment="Cite the minutes", by=lead_inspector)
    url = reverse("inspections:judgment", args=[inspection.pk, Topic.LEADERSHIP])
    html = client_for(inspector).get(url).content.decode()
    timeline = html.split('<div class="moj-timeline">', 1)[1]
    assert timeline.count("Cite the minutes") == 1


def test_a_returned_judgment_is_named_as_the_inspectors_to_resubmit_not_the_leads_to_agree(
    client_for, make_inspection, lead_inspector, inspector
):
    inspection = make_inspection(Stage.MODERATION)
    leadership = inspection.judgments.get(topic=Topic.LEADERSHIP)
    services.judgment_return(judgment=leadership, comment="Cite the minutes", by=lead_inspector)
    html = client_for(inspector).get(inspection.get_absolute_url()).content.decode()
    assert "Resubmit the graded judgments returned to the inspector: Leadership" in html
    assert (
        "Agree the graded judgments for: Partnership working, Initial response, "
        "Risk assessment and referral, Investigation" in html
    )


def test_publication_is_refused_with_the_reasons(client_for, make_inspection, lead_inspector):
    inspection = make_inspection(Stage.MODERATION)
    add_concern(inspection, by=lead_inspector, topic=Topic.LEADERSHIP, recommendation=False)
    url = reverse("inspections:transition", args=[inspection.pk, "send-for-checks"])
    response = client_for(lead_inspector).post(
        url, {"date_0": "1", "date_1": "3", "date_2": "2026"}
    )
    html = response.content.decode()
    assert "Agree the graded judgments for" in html
    assert "Add a recommendation to the cause of concern" in html
    inspection.refresh_from_db()
    assert inspection.stage == Stage.MODERATION
    # The page says so before anyone fills it in, and offers no button that could only fail.
    html = client_for(lead_inspector).get(url).content.decode()
    assert "This cannot be done yet" in html and "Return to the inspection" in html
    assert "<button" not in html.split("<main")[1].split("</main>")[0]


def test_a_step_for_another_stage_says_so_and_a_step_taken_says_what_follows(
    client_for, make_inspection, lead_inspector
):
    """Found by a review: every lifecycle page offered its button whatever
    the stage, and a step taken said only "Publish the report: done"."""
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    client = client_for(lead_inspector)
    html = client.get(
        reverse("inspections:transition", args=[inspection.pk, "start-fieldwork"])
    ).content.decode()
    assert (
        "This step has been taken: the inspection is at the ‘Pre-publication checks’ stage" in html
    )
    assert "The next step is" in html and "publish the report" in html
    assert "<button" not in html.split("<main")[1].split("</main>")[0]
    html = client.get(
        reverse("inspections:transition", args=[inspection.pk, "start-follow-up"])
    ).content.decode()
    assert "This can be done once the inspection is at the ‘Published’ stage" in html
    assert "<button" not in html.split("<main")[1].split("</main>")[0]
    url = reverse("inspections:transition", args=[inspection.pk, "publish"])
    html = client.get(url).content.decode()
    assert "<button" in html.split("<main")[1].split("</main>")[0]
    # The methodology's "eight weeks", not 56 days.
    assert "updated action plan will be due 8 weeks after the publication date" in html
    assert "For example, 1 4 2026" in html
    response = client.post(url, {"date_0": "1", "date_1": "4", "date_2": "2026"}, follow=True)
    assert (
        "Report published on 1 April 2026. The force’s updated action plan is due on 27 May 2026"
        in response.content.decode()
    )


def test_a_lifecycle_step_sent_again_says_it_was_taken_not_there_is_a_problem(
    client_for, make_inspection, lead_inspector, monkeypatch
):
    """Found by the concurrency review: Publish sent again (the back button,
    or a second click that waited for the first) drew the form with 'There
    is a problem: This cannot be done while the inspection is at Published',
    though the report was published as asked."""
    from dataclasses import replace

    from inspections import views

    inspection = make_inspection(Stage.PRE_PUBLICATION)
    client = client_for(lead_inspector)
    url = reverse("inspections:transition", args=[inspection.pk, "publish"])
    date_posted = {"date_0": "1", "date_1": "4", "date_2": "2026"}
    assert client.post(url, date_posted).status_code == 302
    again = client.post(url, date_posted, follow=True)
    assert again.redirect_chain[-1][0] == inspection.get_absolute_url()
    assert "This step has been taken: the inspection is at the ‘Published’ stage" in again.text
    assert "There is a problem" not in again.text

    # Both clicks passed the page's check; the first lands as the second
    # reaches the service, which reads the stage afresh and refuses it.
    follow_up = views.TRANSITIONS["start-follow-up"]
    monkeypatch.setitem(
        views.TRANSITIONS,
        "start-follow-up",
        replace(follow_up, service=clicked_twice(follow_up.service)),
    )
    url = reverse("inspections:transition", args=[inspection.pk, "start-follow-up"])
    twice = client.post(url, follow=True)
    assert twice.redirect_chain[-1][0] == inspection.get_absolute_url()
    assert "This step has been taken: the inspection is at the ‘Follow-up’ stage" in twice.text
    assert "There is a problem" not in twice.text
    assert AuditEvent.objects.filter(action="inspection.published").count() == 1
    assert AuditEvent.objects.filter(action="inspection.follow_up_started").count() == 1


# Query budgets --------------------------------------------------------------


def _programme_queries(client, django_assert_max_num_queries, ceiling):
    with django_assert_max_num_queries(ceiling):
        response = client.get(reverse("inspections:programme"))
    assert response.status_code == 200
    return len(response.context["rows"])


def test_programme_queries_do_not_grow_with_forces_or_inspections(
    client_for, admin_user, lead_inspector, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forces.models import Force
    from inspections import services

    client = client_for(admin_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("inspections:programme"))
        return len(queries)

    first = schedule(
        force=Force.objects.get(slug="kent"), lead=lead_inspector, start=date(2009, 1, 5)
    )
    Inspection.objects.filter(pk=first.pk).update(stage=Stage.CLOSED, published_on=date(2009, 6, 1))
    base = count()
    for n, force in enumerate(Force.objects.all()[:43]):
        for year in range(3):
            inspection = schedule(
                force=force, lead=lead_inspector, start=date(2010 + year * 4, 1, 1 + n % 20)
            )
            inspection.stage = Stage.CLOSED
            inspection.published_on = date(2010 + year * 4, 6, 1)
            inspection.save()
    assert Inspection.objects.count() == 130
    assert count() == base
    assert services


def test_inspection_page_queries_do_not_grow(client_for, planned, inspector, lead_inspector):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(lead_inspector)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(planned.get_absolute_url())
        assert response.status_code == 200
        return len(queries)

    base = count()
    for n in range(10):
        add_concern(planned, by=inspector, summary=f"Investigations are delayed ({n})")
    assert count() == base


def test_is_visible_to_says_what_visible_to_says(
    make_inspection,
    force_b,
    lead_inspector,
    inspector,
    other_inspector,
    admin_user,
    force_lead_a,
    force_lead_b,
):
    """The inspection door checks one loaded inspection in Python; the lists
    filter with the queryset. Both must give the same answer to everyone."""
    own = make_inspection(Stage.FIELDWORK)
    elsewhere = schedule(force=force_b, lead=other_inspector, team=[], by=admin_user)
    people = [lead_inspector, inspector, other_inspector, admin_user, force_lead_a, force_lead_b]
    for user in people:
        visible = set(Inspection.objects.visible_to(user).values_list("pk", flat=True))
        for inspection in Inspection.objects.prefetch_related("team"):
            assert inspection.is_visible_to(user) == (inspection.pk in visible), (user, inspection)
    assert own.is_visible_to(inspector) and not elsewhere.is_visible_to(inspector)


def test_a_read_only_grading_page_does_not_load_the_evidence_choices(
    client_for, make_inspection, lead_inspector
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inspection = make_inspection(Stage.PUBLISHED)
    url = reverse("inspections:judgment", args=[inspection.pk, Topic.LEADERSHIP])
    client = client_for(lead_inspector)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert 'name="rationale"' not in html and "Rationale</dt>" in html
    # Only the interviews the judgment cites, shown for moderation: not all
    # the inspection's, which the form would offer.
    evidence = [
        q["sql"]
        for q in queries
        if '"inspections_interview"' in q["sql"] and "judgment_interviews" not in q["sql"]
    ]
    assert evidence == []


def test_the_inspection_page_counts_and_blockers(client_for, make_inspection, lead_inspector):
    """The overview reads findings, interviews and documents in two queries:
    the counts and the reasons it gives must still be the right ones."""
    from inspections import services

    inspection = make_inspection(Stage.MODERATION)
    concern = add_concern(
        inspection, by=lead_inspector, topic=Topic.LEADERSHIP, recommendation=False
    )
    services.interview_record(
        inspection=inspection,
        held_on=date(2026, 1, 13),
        topics=["leadership"],
        notes="",
        participants=[("Head of service", "police")],
        by=lead_inspector,
    )
    for title in ("Policy", "Minutes"):
        services.document_record(
            inspection=inspection,
            title=title,
            kind="policy",
            received_on=date(2026, 1, 12),
            notes="",
            by=lead_inspector,
        )
    html = client_for(lead_inspector).get(inspection.get_absolute_url()).content.decode()
    assert f"{inspection.findings.count()} recorded" in html
    assert "1 interview, 2 documents" in html
    assert f"Add a recommendation to the cause of concern ‘{concern.summary}’" in html
    assert services.publication_blockers(inspection) == services.publication_blockers(
        inspection,
        judgments=list(inspection.judgments.all()),
        findings=services.finding_rows(inspection),
    )
    assert services.evidence_counts(inspection) == {"interviews": 1, "documents": 2}


def test_the_evidence_page_links_each_item_to_its_own_page(
    client_for, planned, inspector, private_storage
):
    """The links are made from one reverse() per list: each must still be the
    item's own URL, and a document without a file has no download link."""
    from core.tests.files import pdf, upload
    from inspections import services

    for held_on in (date(2026, 1, 13), date(2026, 1, 14)):
        services.interview_record(
            inspection=planned,
            held_on=held_on,
            topics=["leadership"],
            notes="",
            participants=[("Head of service", "police")],
            by=inspector,
        )
    for title, file in (("Policy", upload("policy.pdf", pdf())), ("Minutes", None)):
        services.document_record(
            inspection=planned,
            title=title,
            kind="policy",
            received_on=date(2026, 1, 12),
            notes="",
            upload=file,
            by=inspector,
        )
    html = client_for(inspector).get(reverse("inspections:evidence", args=[planned.pk])).content
    html = html.decode()
    for interview in planned.interviews.all():
        assert reverse("inspections:interview", args=[planned.pk, interview.pk]) in html
    participant = str(planned.interviews.first().participants.get())
    assert html.count(f'<td class="govuk-table__cell">{participant}</td>') == 2
    with_file = planned.documents.get(title="Policy")
    download = reverse("inspections:document_download", args=[planned.pk, with_file.pk])
    assert f'href="{download}" download>' in html
    # Each table counted, and the second reached without scrolling past the first.
    assert '<a class="govuk-link" href="#interviews">Interviews and discussions (2)</a>' in html
    assert '<a class="govuk-link" href="#documents">Documents and data examined (2)</a>' in html
    assert 'id="documents">Documents and data examined</h2>' in html
    assert html.count(" download>") == 1


def _date(day: date) -> dict:
    return {"date_0": day.day, "date_1": day.month, "date_2": day.year}


def test_publishing_before_the_report_was_received_is_an_error_on_the_date(
    client_for, make_inspection, lead_inspector
):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    address = reverse("inspections:transition", args=[inspection.pk, "publish"])
    too_early = inspection.received_for_checks_on - timedelta(days=1)

    response = client_for(lead_inspector).post(address, _date(too_early))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_date_0">The publication date must be the same as or after' in html
    assert "govuk-error-message" in html
    inspection.refresh_from_db()
    assert inspection.stage == Stage.PRE_PUBLICATION
    assert inspection.published_on is None


@pytest.mark.parametrize("year", [1999, 9999])
def test_a_date_outside_the_services_years_is_refused_not_a_500(
    client_for, make_inspection, lead_inspector, year
):
    inspection = make_inspection(Stage.PRE_PUBLICATION)
    address = reverse("inspections:transition", args=[inspection.pk, "publish"])

    response = client_for(lead_inspector).post(address, _date(date(year, 12, 31)))

    assert response.status_code == 200
    assert "must be between 1 January 2000 and 31 December 2099" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.stage == Stage.PRE_PUBLICATION


def test_saving_a_judgment_from_a_stale_page_says_why_nothing_was_saved(
    client_for, in_fieldwork, inspector
):
    from inspections import services

    url = reverse("inspections:judgment", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    client = client_for(inspector)
    client.post(url, {"grade": "good", "rationale": "Strong"})
    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    services.judgment_submit(judgment=judgment, by=inspector)  # in another tab

    response = client.post(url, {"grade": "adequate", "rationale": "Changed"}, follow=True)

    html = response.content.decode()
    assert (
        "Leadership: your changes were not saved, because the judgment is ready for moderation"
        in html
    )
    judgment.refresh_from_db()
    assert (judgment.grade, judgment.rationale) == ("good", "Strong")


def test_returning_a_judgment_from_a_stale_page_says_why_and_links_nowhere_missing(
    client_for, in_fieldwork, inspector, lead_inspector
):
    from inspections import services

    judgment = in_fieldwork.judgments.get(topic=Topic.LEADERSHIP)
    services.judgment_save(
        judgment=judgment, grade="good", rationale="Strong", cites_case_reviews=False,
        interviews=[], documents=[], by=inspector,
    )  # fmt: skip
    services.judgment_submit(judgment=judgment, by=inspector)
    url = reverse("inspections:judgment_moderate", args=[in_fieldwork.pk, Topic.LEADERSHIP])
    client = client_for(lead_inspector)

    # An empty comment while it can be returned: the error is beside the form.
    html = client.post(url, {"comment": ""}).content.decode()
    assert 'href="#id_comment"' in html and 'id="id_comment"' in html

    client.post(url, {"comment": "More evidence"})  # returned
    # Another comment from a page still showing it submitted (the same one
    # again is a second click: test_locks).
    again = client.post(url, {"comment": "Cite the minutes"}, follow=True).content.decode()
    assert "Leadership: not returned, because the judgment is returned" in again
    assert 'href="#id_comment"' not in again
    judgment.refresh_from_db()
    assert judgment.status == Judgment.Status.RETURNED
    assert AuditEvent.objects.filter(action="judgment.returned").count() == 1


def _dates(received: date, published: date | None = None, **extra) -> dict:
    data = {f"received_on_{n}": v for n, v in enumerate(_date(received).values())}
    if published:
        data |= {f"published_on_{n}": v for n, v in enumerate(_date(published).values())}
    return data | extra


def test_an_admin_corrects_the_receipt_date_after_checking_each_change(
    client_for, make_inspection, admin_user
):
    inspection = make_inspection(Stage.PUBLISHED)
    address = reverse("inspections:dates", args=[inspection.pk])
    client = client_for(admin_user)
    assert address in client.get(inspection.get_absolute_url()).content.decode()
    received = inspection.received_for_checks_on - timedelta(days=3)
    data = _dates(received, inspection.published_on, reason="Typed the wrong day")

    check = client.post(address, data).content.decode()
    assert "<title>Check the corrected dates" in check
    assert "Report received for checks" in check and "Action plan due" in check
    assert "Updated action plan due" not in check  # the publication date did not change
    inspection.refresh_from_db()
    assert inspection.received_for_checks_on == received + timedelta(days=3)  # not yet

    done = client.post(address, {**data, "confirm": "1"}, follow=True).content.decode()
    assert "Dates corrected. The deadlines that depend on them have changed" in done
    inspection.refresh_from_db()
    assert inspection.received_for_checks_on == received
    assert inspection.action_plan_due_on == received + timedelta(days=28)
    event = AuditEvent.objects.get(action="inspection.dates_corrected")
    assert (event.actor, event.comment) == (admin_user, "Typed the wrong day")
    assert event.changes["received_for_checks_on"][1] == str(received)


def test_back_from_checking_the_corrected_dates_keeps_them(client_for, make_inspection, admin_user):
    """Back on 'Check the corrected dates' goes to the form with the date and
    reason entered, as 'Change the details' does: it was a link to the form,
    which opened with the recorded dates and no reason."""
    inspection = make_inspection(Stage.PUBLISHED)
    address = reverse("inspections:dates", args=[inspection.pk])
    client = client_for(admin_user)
    received = inspection.received_for_checks_on - timedelta(days=3)
    data = _dates(received, inspection.published_on, reason="Typed the wrong day")
    check = client.post(address, data).content.decode()
    assert "<title>Check the corrected dates" in check

    form = go_back(client, check, address).content.decode()
    assert "<title>Correct the dates" in form
    assert "Typed the wrong day</textarea>" in form
    day = re.search(r'name="received_on_0"[^>]*value="(\d+)"', form)
    assert day is not None and int(day.group(1)) == received.day
    inspection.refresh_from_db()
    assert inspection.received_for_checks_on == received + timedelta(days=3)  # nothing saved


def test_correcting_the_dates_refuses_bad_input_beside_the_field(
    client_for, make_inspection, admin_user
):
    inspection = make_inspection(Stage.PUBLISHED)
    address = reverse("inspections:dates", args=[inspection.pk])
    client = client_for(admin_user)
    received, published = inspection.received_for_checks_on, inspection.published_on

    cases = [
        (_dates(received, published), "Enter why the dates are being corrected"),
        (_dates(received, published, reason="x"), "Enter a different date"),
        (
            _dates(published + timedelta(days=1), published, reason="x"),
            "The publication date must be the same as or after",
        ),
        (_dates(date(1999, 1, 1), published, reason="x"), "must be between 1 January 2000"),
    ]
    for data, message in cases:
        html = client.post(address, {**data, "confirm": "1"}).content.decode()
        assert "<title>Error: Correct the dates" in html, message
        assert message in html
    # A receipt date moved past publication: the error is on the date edited.
    html = client.post(address, cases[2][0]).content.decode()
    assert '<a href="#id_received_on_0">The publication date must be' in html
    inspection.refresh_from_db()
    assert (inspection.received_for_checks_on, inspection.published_on) == (received, published)
    assert not AuditEvent.objects.filter(action="inspection.dates_corrected").exists()


@pytest.mark.parametrize("answered_with", ["points", "plan", "draft point"])
def test_the_receipt_date_is_not_corrected_to_after_the_force_answered_the_report(
    client_for, make_inspection, admin_user, force_lead_a, answered_with
):
    """Found by the admin journey review: the date the force received the
    report could be corrected to after it sent factual accuracy points, or
    submitted its action plan, on it, and the action plan's deadline (28 days
    from that date, core.deadlines) moved with it to weeks after the plan was
    in. Refused beside the date; the day they answered is taken.

    A point the force raised and has not sent shows it had the report too
    (found by the notices review: only sent points were checked, so a
    receipt date after the force's first draft point was saved, and the
    force given days more for its action plan). The message names the day it
    was raised, never the point: a draft is the force's own."""
    from datetime import datetime, time

    from actionplans.models import ActionPlanVersion
    from actionplans.tests.factories import submitted_plan
    from core.deadlines import LONDON
    from inspections import factual_accuracy

    inspection = make_inspection(Stage.PRE_PUBLICATION)
    received, due = inspection.received_for_checks_on, inspection.action_plan_due_on
    answered_on = received + timedelta(days=5)
    late_evening = datetime.combine(answered_on, time(23, 30), tzinfo=LONDON)
    if answered_with == "points":
        point = factual_accuracy.factual_point_save(
            inspection=inspection, topic="", finding=None, inaccuracy="12 officers, not 15",
            correction="15 officers", evidence="Figures", by=force_lead_a,
        )  # fmt: skip
        factual_accuracy.factual_points_send(
            inspection=inspection, points=[point.pk], by=force_lead_a
        )
        inspection.factual_points.update(sent_at=late_evening)
        message = (
            "The date the force received the report must be the same as or before the date "
            f"it first sent factual accuracy points ({answered_on.day} {answered_on:%B %Y})"
        )
    elif answered_with == "draft point":
        point = factual_accuracy.factual_point_save(
            inspection=inspection, topic="", finding=None, inaccuracy="12 officers, not 15",
            correction="15 officers", evidence="Figures", by=force_lead_a,
        )  # fmt: skip
        inspection.factual_points.update(created_at=late_evening)
        message = (
            "The date the force received the report must be the same as or before the date "
            f"it first raised a factual accuracy point ({answered_on.day} {answered_on:%B %Y})"
        )
    else:
        submitted_plan(inspection, by=force_lead_a)
        ActionPlanVersion.objects.filter(plan__inspection=inspection).update(
            submitted_at=late_evening
        )
        message = (
            "The date the force received the report must be the same as or before the date "
            f"it first submitted an action plan ({answered_on.day} {answered_on:%B %Y})"
        )
    address = reverse("inspections:dates", args=[inspection.pk])
    client = client_for(admin_user)

    later = _dates(answered_on + timedelta(days=1), reason="Typed the wrong day")
    for data in (later, {**later, "confirm": "1"}):
        html = client.post(address, data).content.decode()
        assert "<title>Error: Correct the dates" in html
        assert f'<a href="#id_received_on_0">{message}</a>' in html  # the error summary
        beside = re.findall(
            r'id="id_received_on_\d+_error"[^>]*>\s*<span[^>]*>Error:</span>([^<]+)<', html
        )
        assert message in [words.strip() for words in beside]  # beside the date
    inspection.refresh_from_db()
    assert (inspection.received_for_checks_on, inspection.action_plan_due_on) == (received, due)
    assert not AuditEvent.objects.filter(action="inspection.dates_corrected").exists()

    on_the_day = _dates(answered_on, reason="Typed the wrong day", confirm="1")
    assert client.post(address, on_the_day).status_code == 302
    inspection.refresh_from_db()
    assert inspection.received_for_checks_on == answered_on
    assert inspection.action_plan_due_on == answered_on + timedelta(days=28)


def test_a_correction_another_admin_overtook_is_refused_beside_the_date(
    client_for, make_inspection, admin_user, monkeypatch
):
    """The view checks the new dates, then the service checks them again under
    the row lock: another admin's correction committed in between (here the
    publication moved to before the new receipt date) is an error, not a 500."""
    inspection = make_inspection(Stage.PUBLISHED)
    received, published = inspection.received_for_checks_on, inspection.published_on
    later = received + timedelta(days=5)
    correct = services.inspection_correct_dates

    def overtaken(**kwargs):
        other = Inspection.objects.get(pk=inspection.pk)
        correct(inspection=other, by=admin_user, reason="Other", published_on=later - timedelta(1))
        return correct(**kwargs)

    monkeypatch.setattr(services, "inspection_correct_dates", overtaken)
    response = client_for(admin_user).post(
        reverse("inspections:dates", args=[inspection.pk]),
        {**_dates(later, published, reason="Typed the wrong day"), "confirm": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_received_on_0">The publication date must be' in html
    inspection.refresh_from_db()
    assert inspection.received_for_checks_on == received


def test_a_correction_from_a_page_drawn_before_another_admins_is_refused(
    client_for, make_inspection, admin_user
):
    """Found by a review: a page drawn before another admin's correction
    silently put back the publication date they had corrected, when only the
    receipt date was edited (the page posts both)."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    inspection = make_inspection(Stage.PUBLISHED)
    address = reverse("inspections:dates", args=[inspection.pk])
    received, published = inspection.received_for_checks_on, inspection.published_on
    mine = client_for(admin_user)
    seen = _seen_or_none(mine.get(address))
    services.inspection_correct_dates(
        inspection=Inspection.objects.get(pk=inspection.pk),
        by=UserFactory(role=User.Role.ADMIN),
        reason="Theirs",
        published_on=published + timedelta(days=1),
    )

    data = _dates(received - timedelta(days=2), published, reason="Mine", seen=seen)
    check = mine.post(address, data)
    page = mine.post(address, {**data, "confirm": "1"})

    assert check.status_code == 200 and page.status_code == 200
    assert "Someone else corrected the dates after you opened the page" in page.text
    inspection.refresh_from_db()
    assert inspection.received_for_checks_on == received
    assert inspection.published_on == published + timedelta(days=1)
    assert AuditEvent.objects.filter(action="inspection.dates_corrected").count() == 1
    # Told, they can save theirs over it.
    again = {**data, "seen": page.context["form"].data["seen"], "confirm": "1"}
    assert mine.post(address, again).status_code == 302
    inspection.refresh_from_db()
    assert (inspection.received_for_checks_on, inspection.published_on) == (
        received - timedelta(days=2),
        published,
    )


def test_a_second_click_on_confirm_corrects_the_dates_once(client_for, make_inspection, admin_user):
    inspection = make_inspection(Stage.PUBLISHED)
    address = reverse("inspections:dates", args=[inspection.pk])
    client = client_for(admin_user)
    received, published = inspection.received_for_checks_on, inspection.published_on
    data = _dates(received - timedelta(days=2), published, reason="Mine")
    data |= {"seen": _seen_or_none(client.get(address)), "confirm": "1"}
    first, second = (client.post(address, data, follow=True).text for _ in range(2))
    assert "Dates corrected" in first
    assert "The dates already say this: there were no changes to save" in second
    assert AuditEvent.objects.filter(action="inspection.dates_corrected").count() == 1


def test_only_dates_that_were_set_can_be_corrected(client_for, make_inspection, admin_user):
    from forces.models import Force

    client = client_for(admin_user)
    for stage, slug, year in ((Stage.FIELDWORK, "kent", 2027), (Stage.CLOSED, "gwent", 2025)):
        force = Force.objects.get(slug=slug)
        inspection = make_inspection(stage, force=force, start=date(year, 1, 11))
        assert client.get(reverse("inspections:dates", args=[inspection.pk])).status_code == 404
        page = client.get(inspection.get_absolute_url()).content.decode()
        assert "Correct the dates" not in page
    checks = make_inspection(
        Stage.PRE_PUBLICATION, force=Force.objects.get(slug="cleveland"), start=date(2025, 9, 8)
    )
    form = client.get(reverse("inspections:dates", args=[checks.pk])).content.decode()
    assert 'name="received_on_0"' in form and 'name="published_on_0"' not in form


def test_a_closed_inspection_takes_no_more_evidence(client_for, make_inspection, inspector):
    """Found by a review: interviews and documents (with their files) could
    be added to a closed inspection, at any stage, and twice on a double click."""
    from django.core.exceptions import ValidationError

    inspection = make_inspection(Stage.CLOSED)
    client = client_for(inspector)
    evidence = reverse("inspections:evidence", args=[inspection.pk])
    assert "Record an interview" not in client.get(evidence).content.decode()
    for name in ("interview_new", "document_new"):
        url = reverse(f"inspections:{name}", args=[inspection.pk])
        response = client.post(url, {**INTERVIEW, "title": "Minutes", "kind": "policy"})
        assert response.status_code == 302 and response.url == evidence
        assert "no more evidence can be recorded" in client.get(evidence).content.decode()
    assert not inspection.interviews.exists() and not inspection.documents.exists()
    with pytest.raises(ValidationError, match="closed"):
        services.interview_record(
            inspection=inspection,
            held_on=date(2026, 1, 13),
            topics=["leadership"],
            notes="",
            participants=[("Constable", "police")],
            by=inspector,
        )
    # During follow-up the post-inspection visit still records its evidence.
    following = make_inspection(Stage.FOLLOW_UP, force=inspection.force)
    url = reverse("inspections:evidence", args=[following.pk])
    assert "Record an interview" in client.get(url).content.decode()


def test_the_same_interview_or_document_is_recorded_once(client_for, planned, inspector):
    client = client_for(inspector)
    url = reverse("inspections:interview_new", args=[planned.pk])
    assert client.post(url, INTERVIEW).status_code == 302
    html = client.post(url, INTERVIEW).content.decode()
    assert "This interview was recorded a moment ago" in html
    # Another participant makes it another interview.
    assert (
        client.post(
            url,
            {**INTERVIEW, "participant_2_role": "Sergeant", "participant_2_organisation": "police"},
        ).status_code
        == 302
    )
    assert planned.interviews.count() == 2
    # A like interview recorded more than ten minutes later is another interview
    # (two social workers seen on the same day, say).
    planned.interviews.update(created_at=timezone.now() - timedelta(minutes=11))
    assert client.post(url, INTERVIEW).status_code == 302
    assert planned.interviews.count() == 3
    url = reverse("inspections:document_new", args=[planned.pk])
    document = {"title": "Minutes", "kind": "policy", "received_on_0": "12",
                "received_on_1": "1", "received_on_2": "2026"}  # fmt: skip
    assert client.post(url, document).status_code == 302
    html = client.post(url, {**document, "title": " minutes "}).content.decode()
    assert "A document with this title, kind and date has already been recorded" in html
    assert planned.documents.count() == 1


def test_finding_forms_are_not_drawn_once_findings_are_frozen(
    client_for, make_inspection, inspector
):
    """Found by a review: at Published the grading page still offered 'Add a
    finding' and linked each finding to a form that could never be saved."""
    inspection = make_inspection(Stage.PUBLISHED)
    client = client_for(inspector)
    finding = inspection.findings.first()
    recommendation = finding.recommendations.first()
    judgment = reverse("inspections:judgment", args=[inspection.pk, finding.topic])
    html = client.get(judgment).content.decode()
    assert finding.summary in html
    assert reverse("inspections:finding_new", args=[inspection.pk]) not in html
    assert reverse("inspections:finding_edit", args=[inspection.pk, finding.pk]) not in html
    findings = reverse("inspections:findings", args=[inspection.pk])
    for url in (
        reverse("inspections:finding_new", args=[inspection.pk]),
        reverse("inspections:finding_edit", args=[inspection.pk, finding.pk]),
        reverse("inspections:finding_delete", args=[inspection.pk, finding.pk]),
        reverse("inspections:recommendation_new", args=[inspection.pk, finding.pk]),
        reverse("inspections:recommendation_delete", args=[inspection.pk, recommendation.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url == findings, url
    assert "cannot be changed at the ‘Published’ stage" in client.get(findings).content.decode()


def test_a_request_larger_than_any_upload_is_refused_before_it_is_read(
    client_for, inspector, planned
):
    """Found by a review: a file's size was checked only once the whole
    request had arrived and been spooled to disk, so a mistaken upload of
    gigabytes held a worker and filled the disk first."""
    from django.conf import settings

    from casefiles.services import CASE_LIST_MAX_BYTES

    assert max(CASE_LIST_MAX_BYTES, settings.UPLOAD_MAX_BYTES) < settings.REQUEST_MAX_BYTES
    url = reverse("inspections:document_new", args=[planned.pk])
    form = {"title": "Minutes", "kind": "policy", "received_on_0": "12",
            "received_on_1": "1", "received_on_2": "2026"}  # fmt: skip
    client = client_for(inspector)
    # The body is small; its stated length is what the server goes by before reading it.
    response = client.post(url, form, CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
    assert not planned.documents.exists()
    assert client.post(url, form).status_code == 302  # within the bound: as before


def test_start_moderation_lists_the_judgments_still_to_submit_before_any_click(
    client_for, make_inspection, lead_inspector
):
    inspection = make_inspection(Stage.FIELDWORK)
    Judgment.objects.filter(inspection=inspection, topic=Topic.LEADERSHIP).update(
        status=Judgment.Status.DRAFT
    )
    url = reverse("inspections:transition", args=[inspection.pk, "start-moderation"])
    html = client_for(lead_inspector).get(url).content.decode()
    assert "Submit these graded judgments for moderation first: Leadership" in html
    assert "<button" not in html.split("<main")[1].split("</main>")[0]


def test_only_an_admin_is_offered_the_close_step(
    client_for, make_inspection, lead_inspector, admin_user
):
    """Found by a review: the lead inspector was offered a Close button (and
    a 'next step' link to it) that could only give a 403."""
    inspection = make_inspection(Stage.FOLLOW_UP)
    url = reverse("inspections:transition", args=[inspection.pk, "close"])
    html = client_for(lead_inspector).get(url).content.decode()
    assert "Only an admin can close the inspection" in html
    assert "<button" not in html.split("<main")[1].split("</main>")[0]
    assert client_for(lead_inspector).post(url, {}).status_code == 403
    assert (
        "<button"
        in client_for(admin_user).get(url).content.decode().split("<main")[1].split("</main>")[0]
    )


def test_lifecycle_pages_give_the_programme_rules_in_force(
    client_for, make_inspection, lead_inspector, settings
):
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "ACTION_PLAN_DAYS": 30}
    inspection = make_inspection(Stage.MODERATION)
    url = reverse("inspections:transition", args=[inspection.pk, "send-for-checks"])
    html = client_for(lead_inspector).get(url).content.decode()
    assert "action plan will be due 30 days after the date it received the report" in html


def test_evidence_is_dated_today_or_before_and_recorded_in_words(client_for, planned, inspector):
    """Found by testing: an interview 'held' in 2030 was recorded, and the
    audit trail showed 'partnership_working' and 'procedure' as stored."""
    client = client_for(inspector)
    later = timezone.localdate() + timedelta(days=1)
    future = {"held_on_0": later.day, "held_on_1": later.month, "held_on_2": later.year}
    url = reverse("inspections:interview_new", args=[planned.pk])
    html = client.post(url, {**INTERVIEW, **future}).content.decode()
    assert "The date of the interview must be today or in the past" in html
    url = reverse("inspections:document_new", args=[planned.pk])
    document = {"title": "Minutes", "kind": "procedure", "received_on_0": later.day,
                "received_on_1": later.month, "received_on_2": later.year}  # fmt: skip
    html = client.post(url, document).content.decode()
    assert "The date the document was received must be today or in the past" in html
    assert not planned.interviews.exists() and not planned.documents.exists()

    url = reverse("inspections:interview_new", args=[planned.pk])
    client.post(url, {**INTERVIEW, "topics": ["leadership", "partnership_working"]})
    recorded = AuditEvent.objects.get(action="interview.recorded")
    assert recorded.changes["topics"] == [None, "Leadership, Partnership working"]
    client.post(
        reverse("inspections:document_new", args=[planned.pk]),
        {**document, "received_on_2": 2026, "received_on_1": 1},
    )
    assert AuditEvent.objects.get(action="document.recorded").changes["kind"] == [
        None, "Procedure"
    ]  # fmt: skip


def test_a_planned_inspections_report_is_not_yet_started(client_for, planned, lead_inspector):
    """Found by testing: the overview said the report was "In progress" on an
    inspection where no work had been done."""
    html = client_for(lead_inspector).get(planned.get_absolute_url()).text
    status = html.split('id="report-status">')[1].split("</div>")[0]
    assert "Not started" in status and "In progress" not in status


def _seen_or_none(response) -> str:
    """As _seen, "" for a page with no 'seen' (a test that fails, not stops)."""
    match = re.search(r'name="seen" value="([^"]*)"', response.text)
    return match.group(1) if match else ""


def _seen(response) -> str:
    """The version a page carries back, read from the page as drawn."""
    match = re.search(r'<input type="hidden" name="seen" value="([^"]+)"', response.text)
    assert match, "the page has no hidden 'seen' field"
    return match.group(1)


def test_two_tabs_saving_one_judgment_do_not_silently_overwrite(
    client_for, make_inspection, inspector, lead_inspector
):
    """Found by a review: a second tab's save replaced the first's rationale
    without a word (the history alone kept it)."""
    inspection = make_inspection(Stage.FIELDWORK)
    url = reverse("inspections:judgment", args=[inspection.pk, Topic.PARTNERSHIP_WORKING])
    first, second = client_for(inspector), client_for(lead_inspector)
    seen = _seen(second.get(url))
    form = {"grade": "good", "rationale": "Tab A: long careful rationale"}
    assert first.post(url, {**form, "seen": _seen(first.get(url))}).status_code == 302

    refused = second.post(url, {"grade": "adequate", "rationale": "Tab B: short", "seen": seen})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Someone else saved this judgment after you opened it" in html
    assert "Tab B: short" in html  # what they wrote is still on the page
    judgment = inspection.judgments.get(topic=Topic.PARTNERSHIP_WORKING)
    assert judgment.rationale == "Tab A: long careful rationale"

    # Saving again, having been told, replaces it.
    again = _seen(refused)
    assert again != seen
    replaced = second.post(url, {"grade": "adequate", "rationale": "Tab B: short", "seen": again})
    assert replaced.status_code == 302
    judgment.refresh_from_db()
    assert judgment.rationale == "Tab B: short"


def test_two_tabs_changing_one_finding_do_not_silently_overwrite(
    client_for, make_inspection, inspector, lead_inspector
):
    from inspections.tests.factories import add_concern

    inspection = make_inspection(Stage.FIELDWORK)
    finding = add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP, recommendation=False)
    url = reverse("inspections:finding_edit", args=[inspection.pk, finding.pk])
    first, second = client_for(inspector), client_for(lead_inspector)
    seen = _seen(second.get(url))
    form = {"kind": "cause_of_concern", "topic": Topic.LEADERSHIP, "summary": finding.summary}
    first_seen = _seen(first.get(url))
    saved = first.post(url, {**form, "detail": "A's careful detail", "seen": first_seen})
    assert saved.status_code == 302

    refused = second.post(url, {**form, "detail": "B's", "seen": seen})
    assert refused.status_code == 200
    assert "Someone else saved this finding after you opened it" in refused.text
    assert "B&#x27;s" in refused.text or "B's" in refused.text
    finding.refresh_from_db()
    assert finding.detail == "A's careful detail"
    again = _seen(refused)
    assert second.post(url, {**form, "detail": "B's", "seen": again}).status_code == 302
    finding.refresh_from_db()
    assert finding.detail == "B's"


def test_two_admins_changing_one_plan_do_not_silently_overwrite(
    client_for, planned, admin_user, lead_inspector, inspector, other_inspector
):
    """Found by the concurrency review: a plan page drawn before another
    admin's change saved its own dates, lead and team over it, so a person
    just added to the team was taken off again without a word."""
    url = reverse("inspections:edit", args=[planned.pk])
    client = client_for(admin_user)
    seen = _seen(client.get(url))
    services.inspection_update_plan(  # the other admin, or another tab
        inspection=Inspection.objects.get(pk=planned.pk),
        kind=planned.kind,
        fieldwork_start=planned.fieldwork_start,
        fieldwork_end=planned.fieldwork_end,
        lead_inspector=lead_inspector,
        team=[inspector, other_inspector],
        by=admin_user,
    )
    people = {"lead_inspector": lead_inspector.pk, "team": [inspector.pk]}
    mine = _plan_form(planned.fieldwork_start, days=9, **people)

    refused = client.post(url, {**mine, "seen": seen})
    assert refused.status_code == 200
    assert "Someone else changed the plan of this inspection after you opened" in refused.text
    planned.refresh_from_db()
    assert planned.fieldwork_end != planned.fieldwork_start + timedelta(days=9)
    assert set(planned.team.all()) == {inspector, other_inspector}
    assert AuditEvent.objects.filter(action="inspection.plan_changed").count() == 1

    # Saving again, having been told, replaces it; a second click on Save
    # from the same page asks for nothing new and is not refused.
    again = _seen(refused)
    assert client.post(url, {**mine, "seen": again}).status_code == 302
    assert client.post(url, {**mine, "seen": again}).status_code == 302
    planned.refresh_from_db()
    assert planned.fieldwork_end == planned.fieldwork_start + timedelta(days=9)
    assert list(planned.team.all()) == [inspector]
    assert AuditEvent.objects.filter(action="inspection.plan_changed").count() == 2


def test_saving_a_finding_deleted_meanwhile_says_so(client_for, make_inspection, inspector):
    """Found by a review: a bare 'Page not found', the typing gone unexplained."""
    import uuid

    from inspections.tests.factories import add_concern

    inspection = make_inspection(Stage.FIELDWORK)
    finding = add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP, recommendation=False)
    url = reverse("inspections:finding_edit", args=[inspection.pk, finding.pk])
    client = client_for(inspector)
    client.get(url)
    services.finding_delete(finding=finding, by=inspector)
    response = client.post(url, {"kind": "cause_of_concern", "summary": "x"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:findings", args=[inspection.pk])
    assert "This finding was deleted" in response.text
    # A finding that never was is still 'Page not found', as is a GET.
    assert client.get(url).status_code == 404
    other = reverse("inspections:finding_edit", args=[inspection.pk, uuid.uuid4()])
    assert client.get(other).status_code == 404


def test_the_participant_rows_speak_govuk_too(client_for, make_inspection, inspector):
    """Found by a review: rows added after the form's own fields kept
    Django's 'Select a valid choice' and 'Null characters are not allowed'."""
    inspection = make_inspection(Stage.FIELDWORK)
    url = reverse("inspections:interview_new", args=[inspection.pk])
    data = {
        "held_on_0": "13",
        "held_on_1": "1",
        "held_on_2": "2026",
        "topics": ["leadership"],
        "participant_1_role": "Sergeant\x00",
        "participant_1_organisation": "bogus",
    }
    html = client_for(inspector).post(url, data).text
    assert "Select a valid choice" not in html and "Null characters" not in html
    assert "Select one of the options" in html or "Select organisation from the list" in html
    assert "Role must not contain a null character" in html


# Fieldwork that started before today: a warning, not a refusal


def _plan_form(start: date, *, days: int = 3, **fields) -> dict:
    end = start + timedelta(days=days)
    return {
        "kind": "inspection",
        **{
            f"fieldwork_start_{n}": part
            for n, part in enumerate((start.day, start.month, start.year))
        },
        **{f"fieldwork_end_{n}": part for n, part in enumerate((end.day, end.month, end.year))},
        **fields,
    }


WARNING = "Fieldwork starts before today. Check the dates are right before you continue."


def test_scheduling_fieldwork_that_started_before_today_asks_to_check_then_saves(
    client_for, admin_user, force_b, lead_inspector, inspector
):
    client = client_for(admin_user)
    start = timezone.localdate() - timedelta(days=2)  # an inspection already under way
    data = _plan_form(
        start, force=force_b.pk, lead_inspector=lead_inspector.pk, team=[inspector.pk]
    )

    check = client.post(reverse("inspections:new"), data)
    html = check.content.decode()
    assert check.status_code == 200
    assert "Check the inspection before you schedule it" in html
    assert "govuk-warning-text" in html and WARNING in html
    assert f'<dd class="govuk-summary-list__value">{force_b.name}</dd>' in html
    assert f'name="team" value="{inspector.pk}"' in html  # carried to the confirmation
    assert not Inspection.objects.filter(force=force_b).exists()

    changed = client.post(reverse("inspections:new"), {**data, "change": "1"}).content.decode()
    assert "Schedule an inspection</h1>" in changed and WARNING not in changed
    assert f'value="{start.day}"' in changed  # the answers kept
    assert not Inspection.objects.filter(force=force_b).exists()

    saved = client.post(reverse("inspections:new"), {**data, "confirm": "1"})
    inspection = Inspection.objects.get(force=force_b)
    assert saved.status_code == 302 and saved.url == inspection.get_absolute_url()
    assert inspection.fieldwork_start == start
    assert list(inspection.team.all()) == [inspector]


def test_the_check_page_lists_the_team_as_it_is_saved_without_its_lead(
    client_for, admin_user, force_b, lead_inspector, inspector
):
    """Found by the admin's journey review: the lead inspector ticked among the
    team too was listed under Team on 'Check the inspection before you
    schedule it', though the inspection is saved with them as its lead only."""
    client = client_for(admin_user)
    start = timezone.localdate() - timedelta(days=2)  # asks to check
    team = [lead_inspector.pk, inspector.pk]
    data = _plan_form(start, force=force_b.pk, lead_inspector=lead_inspector.pk, team=team)
    html = client.post(reverse("inspections:new"), data).text
    assert "Check the inspection before you schedule it" in html
    listed = re.search(r"Team</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S).group(1)
    assert listed.strip() == "Ian Inspector"
    client.post(reverse("inspections:new"), {**data, "confirm": "1"})
    inspection = Inspection.objects.get(force=force_b)
    assert inspection.lead_inspector == lead_inspector
    assert list(inspection.team.all()) == [inspector]


def test_scheduling_fieldwork_from_today_saves_without_a_check(
    client_for, admin_user, force_b, lead_inspector
):
    data = _plan_form(timezone.localdate(), force=force_b.pk, lead_inspector=lead_inspector.pk)
    response = client_for(admin_user).post(reverse("inspections:new"), data)
    assert response.status_code == 302
    assert Inspection.objects.filter(force=force_b).exists()


def test_before_today_means_in_london(client_for, admin_user, force_b, lead_inspector):
    import time_machine

    # 11:30pm on 1 June in UTC is already 2 June in London (BST).
    with time_machine.travel("2027-06-01 23:30:00+00:00", tick=False):
        data = _plan_form(date(2027, 6, 1), force=force_b.pk, lead_inspector=lead_inspector.pk)
        html = client_for(admin_user).post(reverse("inspections:new"), data).content.decode()
    assert WARNING in html
    assert not Inspection.objects.filter(force=force_b).exists()


def test_scheduling_sent_again_goes_to_the_inspection_scheduled_not_to_an_error(
    client_for, admin_user, force_a, force_b, lead_inspector, inspector, monkeypatch
):
    """Found by the concurrency review: Save inspection sent again (the back
    button, or a second click that waited for the first) was refused beside
    the force as 'already has an open inspection... Change its plan or cancel
    it instead of scheduling another': the one its own click had scheduled."""
    client = client_for(admin_user)
    start = timezone.localdate() + timedelta(days=60)
    people = {"lead_inspector": lead_inspector.pk, "team": [inspector.pk]}
    data = _plan_form(start, force=force_b.pk, **people)
    assert client.post(reverse("inspections:new"), data).status_code == 302
    scheduled = Inspection.objects.get(force=force_b)
    again = client.post(reverse("inspections:new"), data, follow=True)
    assert again.redirect_chain[-1][0] == scheduled.get_absolute_url()
    assert "is scheduled already, with this plan" in again.text
    assert "There is a problem" not in again.text

    # Both clicks passed the page; the second reached the service after the first.
    services.inspection_cancel(inspection=scheduled, reason="Moved", by=admin_user)
    first_click_lands_first(monkeypatch, services, "inspection_schedule")
    twice = client.post(reverse("inspections:new"), data, follow=True)
    assert "is scheduled already, with this plan" in twice.text
    assert "There is a problem" not in twice.text
    assert Inspection.objects.filter(force=force_b).open().count() == 1
    assert AuditEvent.objects.filter(action="inspection.scheduled").count() == 2

    # Fieldwork under way: the plan's first page sent again is not asked to be
    # checked (a check that could only refuse it), but goes to the inspection.
    monkeypatch.undo()
    past = _plan_form(timezone.localdate() - timedelta(days=2), force=force_a.pk, **people)
    assert client.post(reverse("inspections:new"), {**past, "confirm": "1"}).status_code == 302
    resent = client.post(reverse("inspections:new"), past, follow=True)
    assert "is scheduled already, with this plan" in resent.text


def test_a_plan_that_must_fail_is_refused_on_the_form_not_offered_to_confirm(
    client_for, admin_user, planned, force_b, lead_inspector
):
    # Lena Lead is on force A's fieldwork, which began on 12 January 2026.
    data = _plan_form(planned.fieldwork_start, force=force_b.pk, lead_inspector=lead_inspector.pk)
    html = client_for(admin_user).post(reverse("inspections:new"), data).content.decode()
    assert "govuk-error-summary" in html and "Lena Lead is already booked" in html
    assert WARNING not in html


def test_changing_a_plan_warns_only_of_a_start_moved_before_today(
    client_for, admin_user, planned, lead_inspector, inspector
):
    client = client_for(admin_user)
    url = reverse("inspections:edit", args=[planned.pk])
    people = {"lead_inspector": lead_inspector.pk, "team": [inspector.pk]}
    assert planned.fieldwork_start < timezone.localdate()

    # The recorded start, already past: no warning, saved at once.
    unchanged = client.post(url, _plan_form(planned.fieldwork_start, days=5, **people))
    assert unchanged.status_code == 302
    planned.refresh_from_db()
    assert planned.fieldwork_end == planned.fieldwork_start + timedelta(days=5)

    earlier = planned.fieldwork_start - timedelta(days=1)
    html = client.post(url, _plan_form(earlier, **people)).content.decode()
    assert "Check the plan before you save it" in html and WARNING in html
    planned.refresh_from_db()
    assert planned.fieldwork_start != earlier

    assert client.post(url, {**_plan_form(earlier, **people), "confirm": "1"}).status_code == 302
    planned.refresh_from_db()
    assert planned.fieldwork_start == earlier


def test_each_remove_recommendation_link_names_its_finding(client_for, in_fieldwork, inspector):
    """Each cause of concern numbers its recommendations from 1: a list of
    links (a screen reader's links list) must still say which one goes."""
    add_concern(in_fieldwork, by=inspector, summary="Referrals wait too long")
    add_concern(in_fieldwork, by=inspector, summary="Strategy meetings are late")
    url = reverse("inspections:findings", args=[in_fieldwork.pk])
    html = client_for(inspector).get(url).content.decode()
    names = [
        re.sub(r"<[^>]+>", "", name) for name in re.findall(r">(Remove<span.*?</span>)</a>", html)
    ]
    assert "Remove recommendation 1 from Referrals wait too long" in names
    assert "Remove recommendation 1 from Strategy meetings are late" in names
    assert len(names) == len(set(names))


def test_judgments_waiting_for_someone_are_on_their_home_page(
    client_for, in_fieldwork, inspector, lead_inspector, other_inspector
):
    """A returned judgment, and one ready to agree, were only on the
    inspection's own page: nobody was told to go there (found by the
    inspector review)."""
    from inspections import services
    from inspections.models import Judgment

    leadership, partnership = list(Judgment.objects.filter(inspection=in_fieldwork))[:2]
    for judgment in (leadership, partnership):
        services.judgment_save(
            judgment=judgment,
            grade="good",
            rationale="Strong evidence",
            cites_case_reviews=False,
            interviews=[],
            documents=[],
            by=inspector,
        )
        services.judgment_submit(judgment=judgment, by=inspector)
    services.judgment_return(judgment=leadership, comment="Cite the data", by=lead_inspector)

    mine = client_for(inspector).get("/").content.decode()
    assert "Graded judgments waiting for you" in mine
    assert "Returned with comments" in mine and leadership.get_absolute_url() in mine
    # In the words of the button it is done with (found by a usability review:
    # "put it forward again", where every other page says "submit").
    assert "change it and submit it for moderation again" in mine
    assert partnership.get_absolute_url() not in mine  # the lead's to agree
    lead = client_for(lead_inspector).get("/").content.decode()
    assert "Ready for moderation: agree it or return it" in lead
    assert partnership.get_absolute_url() in lead and leadership.get_absolute_url() not in lead
    off_the_team = client_for(other_inspector).get("/").content.decode()
    assert "Graded judgments waiting for you" not in off_the_team


def test_programme_sort_links_keep_the_filters_given(client_for, admin_user):
    """Sorting a filtered programme keeps it filtered; a value as typed is
    URL-encoded, so an "&" in it cannot add a parameter of its own."""
    url = reverse("inspections:programme")
    html = client_for(admin_user).get(url, {"region": "north_west", "due": "due"}).content.decode()
    assert 'href="?sort=force&amp;region=north_west&amp;due=due"' in html

    html = client_for(admin_user).get(url, {"country": "wales&sort=x #"}).content.decode()
    assert 'href="?sort=force&amp;country=wales%26sort%3Dx+%23"' in html


def test_starting_fieldwork_before_its_planned_start_warns_it_cannot_be_undone(
    client_for, force_a, force_b, lead_inspector, admin_user
):
    """Found by the admin review: offered months early with no word of the
    date, one click started fieldwork for good, and a started inspection
    can no longer be cancelled."""
    from datetime import timedelta

    from django.utils import timezone

    from core.templatetags.govuk import govuk_date
    from inspections.tests.factories import schedule

    today = timezone.localdate()
    later = schedule(force=force_a, lead=lead_inspector, start=today + timedelta(days=30))
    due = schedule(force=force_b, lead=lead_inspector, start=today)
    client = client_for(lead_inspector)

    def page(inspection) -> str:
        url = reverse("inspections:transition", args=[inspection.pk, "start-fieldwork"])
        return client.get(url).content.decode()

    warning = (
        f"Fieldwork is planned to start on {govuk_date(later.fieldwork_start)}. Once it has "
        "started, it cannot be undone and the inspection can no longer be cancelled."
    )
    assert warning in page(later)
    assert "Fieldwork is planned to start on" not in page(due)


def test_the_plan_page_refuses_to_move_fieldwork_under_way_into_the_future(
    client_for, admin_user, in_fieldwork, lead_inspector
):
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.localdate() + timedelta(days=90)
    response = client_for(admin_user).post(
        reverse("inspections:edit", args=[in_fieldwork.pk]),
        {
            "kind": in_fieldwork.kind,
            "fieldwork_start_0": str(later.day),
            "fieldwork_start_1": str(later.month),
            "fieldwork_start_2": str(later.year),
            "fieldwork_end_0": str(later.day),
            "fieldwork_end_1": str(later.month),
            "fieldwork_end_2": str(later.year),
            "lead_inspector": lead_inspector.pk,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#id_fieldwork_start_0">Fieldwork has started, so its start date' in html
    in_fieldwork.refresh_from_db()
    assert in_fieldwork.fieldwork_start != later


def test_adding_a_recommendation_to_a_finding_deleted_meanwhile_says_so(
    client_for, make_inspection, inspector
):
    """As saving a finding deleted meanwhile: a bare 'Page not found', the
    recommendation typed gone unexplained."""
    from inspections.tests.factories import add_concern

    inspection = make_inspection(Stage.FIELDWORK)
    finding = add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP, recommendation=False)
    url = reverse("inspections:recommendation_new", args=[inspection.pk, finding.pk])
    client = client_for(inspector)
    client.get(url)
    services.finding_delete(finding=finding, by=inspector)
    response = client.post(url, {"text": "Review every strategy discussion"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:findings", args=[inspection.pk])
    assert "This cause of concern was deleted" in response.text
    assert client.get(url).status_code == 404


def test_ids_from_another_forces_inspection_change_nothing_and_tell_nothing(
    client_for, make_inspection, inspector, force_b, admin_user, lead_inspector
):
    """A team member posting, through their own inspection's pages, the ids of
    another force's finding and recommendation: each post is told only what a
    made-up id is told, and nothing of the other inspection changes."""
    from inspections.models import Finding, Recommendation
    from inspections.tests.factories import add_concern

    own = make_inspection(Stage.FIELDWORK)
    other = make_inspection(Stage.FIELDWORK, force=force_b, team=[], start=date(2026, 3, 2))
    finding = add_concern(other, by=lead_inspector, topic=Topic.LEADERSHIP)
    recommendation = finding.recommendations.get()
    client = client_for(inspector)
    for name, pk, data in (
        ("finding_edit", finding.pk, {"summary": "Changed", "detail": "Changed"}),
        ("recommendation_new", finding.pk, {"text": "Planted"}),
        ("recommendation_delete", recommendation.pk, {}),
        ("finding_delete", finding.pk, {}),
    ):
        response = client.post(reverse(f"inspections:{name}", args=[own.pk, pk]), data)
        assert response.status_code == 302, name
        assert response["Location"] == reverse("inspections:findings", args=[own.pk]), name
    finding.refresh_from_db()
    assert finding.summary != "Changed"
    assert list(Recommendation.objects.filter(finding=finding)) == [recommendation]
    assert Finding.objects.filter(inspection=other).count() == 1


def test_deleting_a_finding_or_recommendation_again_says_it_is_deleted(
    client_for, make_inspection, inspector
):
    """Delete pressed again (the browser's back button, a second tab) ended on
    'Page not found' (found by the bad input review)."""
    from inspections.tests.factories import add_concern

    inspection = make_inspection(Stage.FIELDWORK)
    finding = add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP)
    recommendation = finding.recommendations.get()
    findings = reverse("inspections:findings", args=[inspection.pk])
    client = client_for(inspector)
    for url, message in (
        (
            reverse("inspections:recommendation_delete", args=[inspection.pk, recommendation.pk]),
            "This recommendation has already been removed",
        ),
        (
            reverse("inspections:finding_delete", args=[inspection.pk, finding.pk]),
            "This finding has already been deleted",
        ),
    ):
        assert client.post(url).status_code == 302
        again = client.post(url, follow=True)
        assert again.redirect_chain[-1][0] == findings
        assert message in again.text
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["finding_delete", "finding_edit", "recommendation_new"])
def test_a_post_about_a_finding_loads_its_inspection_once(
    client_for, make_inspection, inspector, name
):
    """_gone() loaded the inspection a second time on every post about a
    finding (found in the last look): once through its door, before the
    service takes its lock."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inspections.tests.factories import add_concern

    inspection = make_inspection(Stage.FIELDWORK)
    finding = add_concern(inspection, by=inspector, topic=Topic.LEADERSHIP)
    client = client_for(inspector)
    url = reverse(f"inspections:{name}", args=[inspection.pk, finding.pk])
    with CaptureQueriesContext(connection) as captured:
        client.post(url)
    sql = [q["sql"] for q in captured.captured_queries]
    before_the_service = sql[: next((i for i, q in enumerate(sql) if "SAVEPOINT" in q), len(sql))]
    reads = [q for q in before_the_service if q.startswith('SELECT "inspections_inspection"."id"')]
    assert len(reads) == 1


def test_numbers_of_two_and_more_are_numerals(client_for, force_a, lead_inspector, inspector):
    """Found by the words review: "the five topics", where GOV.UK style writes 5."""
    from pathlib import Path

    from inspections.tests.factories import schedule

    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector])
    url = reverse("inspections:transition", args=[inspection.pk, "start-fieldwork"])
    assert "grade the 5 topics" in client_for(lead_inspector).get(url).content.decode()
    root = Path(__file__).resolve().parents[2]
    for source in ("dashboard/national.py", "templates/reports/report.html"):
        assert "five topics" not in (root / source).read_text(), source
