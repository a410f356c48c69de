"""Replacing a case in the sample: the lead inspector takes out a case that
cannot be reviewed, and another of its category is drawn in its place."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefiles import services
from casefiles.models import Case, CaseReplacement, CaseReview
from casefiles.sampling import choose_replacement
from core import audit
from core.models import AuditEvent
from inspections.models import Inspection

from .factories import COMPLETE_ANSWERS, InspectionFactory, add_cases, submit_review


def sampled(inspection, slug="child-exploitation") -> list[Case]:
    return list(
        Case.objects.sampled()
        .filter(inspection=inspection, category__slug=slug)
        .order_by("reference")
    )


def exploitation_drawn(inspection, cases: int, size: int, by, seed: int = 1) -> list[Case]:
    """A list with `cases` cases of child exploitation, `size` of them drawn."""
    add_cases(inspection, {"child-exploitation": cases})
    services.sample_draw(
        inspection=inspection, sizes={"child-exploitation": size}, seed=seed, reason="", by=by
    )
    return sampled(inspection)


def replace_url(case: Case) -> str:
    return reverse("casefiles:case_replace", args=[case.inspection_id, case.pk])


# ------------------------------------------------------------------ choosing


def test_the_replacement_is_one_of_the_candidates_and_the_same_each_time():
    candidates = [f"REF-{n}" for n in range(20)]
    first = choose_replacement(candidates, 42, "REF-99")
    assert first in candidates
    assert choose_replacement(list(reversed(candidates)), 42, "REF-99") == first
    others = {choose_replacement(candidates, 42, f"OUT-{n}") for n in range(20)}
    assert len(others) > 1  # it depends on the case replaced, not only the seed
    assert choose_replacement([], 42, "REF-99") is None


# ------------------------------------------------------------------ the service


def test_a_case_is_replaced_by_another_of_its_category_which_takes_its_place(
    inspection, drawn, inspector, lead_inspector
):
    out = sampled(inspection)[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector, second_review_due=True)
    out.refresh_from_db()
    record = services.case_replace(
        case=out, reason="  Not a child protection case. ", by=lead_inspector
    )

    out.refresh_from_db()
    new = record.replacement
    new.refresh_from_db()
    assert not out.in_sample and out.reviewer is None and not out.second_review_due
    assert new.in_sample and new.sample_draw_id == drawn.pk
    assert new.category_id == out.category_id and new.pk != out.pk
    assert new.reviewer == inspector and new.second_review_due
    # The sample keeps its size in the category.
    assert len(sampled(inspection)) == 2
    assert record.reason == "Not a child protection case."
    assert record.replaced_by == lead_inspector and record.draw == drawn

    event = AuditEvent.objects.get(action="sample.case_replaced")
    assert event.actor == lead_inspector
    assert event.inspection_id == inspection.pk and event.force_id == inspection.force_id
    assert event.changes == {"case": [out.reference, new.reference]}
    assert event.comment == "Not a child protection case."


def test_the_case_drawn_in_its_place_is_recorded_as_assigned_to_the_reviewer(
    inspection, drawn, inspector, lead_inspector
):
    """The reviewer goes with the replacement: that assignment is on the
    trail, as every other one is (cases_assign), with who made it."""
    out = sampled(inspection)[0]
    services.cases_assign(
        inspection=inspection, case_ids=[out.pk], reviewer=inspector, by=lead_inspector
    )
    record = services.case_replace(case=out, reason="File missing", by=lead_inspector)

    event = AuditEvent.objects.get(action="case.assigned", object_id=str(record.replacement.pk))
    assert event.actor == lead_inspector and event.inspection_id == inspection.pk
    assert event.changes == {"reviewer": [None, audit.person(inspector)]}
    assert event.comment == f"Drawn in place of case {out.reference}"


def test_a_case_not_assigned_drawn_in_its_place_records_no_assignment(
    inspection, drawn, lead_inspector
):
    record = services.case_replace(case=sampled(inspection)[0], reason="Missing", by=lead_inspector)
    assert not AuditEvent.objects.filter(
        action="case.assigned", object_id=str(record.replacement.pk)
    ).exists()


def test_the_same_list_and_seed_replace_a_case_with_the_same_case(
    force_a, force_b, lead_inspector, inspector
):
    chosen = []
    for force in (force_a, force_b):
        inspection = InspectionFactory(force=force, lead_inspector=lead_inspector)
        out = exploitation_drawn(inspection, 10, 2, lead_inspector, seed=7)[0]
        record = services.case_replace(case=out, reason="File missing", by=lead_inspector)
        chosen.append((out.reference, record.replacement.reference))
    assert chosen[0] == chosen[1]


def test_a_draft_review_of_the_case_is_deleted_and_the_trail_says_so(
    inspection, drawn, inspector, lead_inspector
):
    out = sampled(inspection)[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector)
    out.refresh_from_db()
    services.case_review_save(case=out, answers={"notes": "Started"}, by=inspector)
    assert CaseReview.objects.filter(case=out).exists()

    services.case_replace(case=out, reason="File missing", by=lead_inspector)
    assert not CaseReview.objects.filter(case=out).exists()
    event = AuditEvent.objects.get(action="sample.case_replaced")
    assert event.changes["draft_review"] == ["deleted", None]


def test_a_case_whose_review_was_submitted_is_not_replaced(
    inspection, drawn, inspector, lead_inspector
):
    out = sampled(inspection)[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector)
    out.refresh_from_db()
    submit_review(out, inspector)
    with pytest.raises(ValidationError, match="has been submitted"):
        services.case_replace(case=out, reason="File missing", by=lead_inspector)
    out.refresh_from_db()
    assert out.in_sample and not CaseReplacement.objects.exists()
    assert not AuditEvent.objects.filter(action="sample.case_replaced").exists()


def test_a_submission_that_waited_for_the_replacement_is_refused_not_an_error(
    inspection, drawn, inspector, lead_inspector
):
    """The reviewer clicks Submit on the check page as the lead replaces the
    case: the submission waits for the inspection's lock, then finds the
    draft deleted with the case taken out. It is refused with a message (the
    view then sends them to the case in its place), not a server error."""
    out = sampled(inspection)[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector)
    out.refresh_from_db()
    services.case_review_save(case=out, answers=COMPLETE_ANSWERS, by=inspector)
    draft = CaseReview.objects.get(case=out)  # as the check page loaded it
    services.case_replace(case=out, reason="File missing", by=lead_inspector)

    with pytest.raises(ValidationError) as raised:
        services.case_review_submit(review=draft, by=inspector)
    assert raised.value.code == "gone"
    assert raised.value.messages == [
        f"Case {out.reference} was taken out of the sample, so its review has not been submitted"
    ]
    assert not CaseReview.objects.filter(case=out).exists()


def test_a_draft_saved_as_the_case_is_replaced_says_it_was_replaced(
    inspection, drawn, inspector, lead_inspector
):
    """The reviewer's Save, waiting for the inspection's lock as the lead
    replaced the case, was refused saying the sample had been drawn again."""
    out = sampled(inspection)[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector)
    out.refresh_from_db()
    record = services.case_replace(case=out, reason="File missing", by=lead_inspector)

    with pytest.raises(ValidationError) as raised:
        services.case_review_save(case=out, answers={"notes": "Typed meanwhile"}, by=inspector)
    assert raised.value.messages == [
        f"Case {out.reference} was taken out of the sample, so your answers have not been "
        f"saved. Case {record.replacement.reference} was drawn in its place"
    ]
    assert not CaseReview.objects.filter(case=out).exists()


def test_with_no_case_left_in_the_category_nothing_changes(inspection, inspector, lead_inspector):
    out = exploitation_drawn(inspection, 2, 2, inspector)[0]
    with pytest.raises(ValidationError, match="no other case of child sexual"):
        services.case_replace(case=out, reason="File missing", by=lead_inspector)
    assert len(sampled(inspection)) == 2 and not CaseReplacement.objects.exists()


def test_a_reason_is_needed(inspection, drawn, lead_inspector):
    out = sampled(inspection)[0]
    with pytest.raises(ValidationError) as raised:
        services.case_replace(case=out, reason=" \n ", by=lead_inspector)
    assert raised.value.message_dict == {"reason": ["Enter why you are replacing this case"]}
    assert not CaseReplacement.objects.exists()


def test_a_case_replaced_already_is_said_gone(inspection, drawn, lead_inspector):
    out = sampled(inspection)[0]
    services.case_replace(case=out, reason="File missing", by=lead_inspector)
    with pytest.raises(ValidationError) as raised:
        services.case_replace(case=out, reason="File missing", by=lead_inspector)
    assert raised.value.code == "gone"
    assert CaseReplacement.objects.count() == 1


def test_a_case_taken_out_is_never_drawn_again(inspection, drawn, inspector, lead_inspector):
    out = sampled(inspection)[0]
    services.case_replace(case=out, reason="Not a child protection case", by=lead_inspector)

    # Ten cases of child exploitation on the list, one taken out: nine may be drawn.
    def draw(size: int):
        return services.sample_draw(
            inspection=inspection,
            sizes={"child-exploitation": size},
            seed=3,
            reason="Bigger",
            by=lead_inspector,
        )

    with pytest.raises(ValidationError, match="must be 9 or fewer"):
        draw(10)
    draw(9)
    out.refresh_from_db()
    assert not out.in_sample and len(sampled(inspection)) == 9


def test_the_draw_page_counts_only_the_cases_that_can_be_drawn(
    client_for, inspection, drawn, inspector, lead_inspector
):
    """After a case is taken out (and before any review starts), the draw
    page offered all ten cases of the category, 'ten in the list', then
    refused ten saying the list had nine, in the error summary alone."""
    services.case_replace(case=sampled(inspection)[0], reason="File missing", by=lead_inspector)
    draw_url = reverse("casefiles:sample_draw", args=[inspection.pk])

    html = client_for(inspector).get(draw_url).text
    assert "9 cases in the list can be drawn: 1 was taken out of the sample" in html
    posted = {"size_child-exploitation": "10", "reason": "Bigger", "seen": "1"}
    html = client_for(inspector).post(draw_url, posted).text
    message = (
        "The sample size for child sexual or criminal exploitation must be 9 or fewer: "
        "9 cases in that category can be drawn"
    )
    beside = r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>'
    assert re.search(beside + r"\s*" + re.escape(message), html), html
    assert inspection.sample_draws.count() == 1


def test_nothing_is_replaced_once_case_files_are_closed(inspection, drawn, lead_inspector):
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.PRE_PUBLICATION)
    out = sampled(inspection)[0]
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.case_replace(case=out, reason="File missing", by=lead_inspector)
    assert not CaseReplacement.objects.exists()


# ------------------------------------------------------------------ the pages


def test_the_lead_replaces_a_case_from_its_page(client_for, inspection, drawn, lead_inspector):
    out = sampled(inspection)[0]
    client = client_for(lead_inspector)
    page = client.get(out.get_absolute_url()).content.decode()
    assert replace_url(out) in page

    response = client.get(replace_url(out))
    assert response.status_code == 200
    assert f"Replace case {out.reference}" in response.content.decode()

    response = client.post(replace_url(out), {"reason": "The force cannot find the file"})
    new = CaseReplacement.objects.get().replacement
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    followed = client.get(response.url).content.decode()
    assert f"Case {out.reference} taken out of the sample" in followed

    sample = client.get(reverse("casefiles:sample", args=[inspection.pk])).content.decode()
    assert "Cases taken out of the sample" in sample
    assert "The force cannot find the file" in sample and new.reference in sample


def test_an_empty_reason_is_an_error_beside_the_field(
    client_for, inspection, drawn, lead_inspector
):
    out = sampled(inspection)[0]
    response = client_for(lead_inspector).post(replace_url(out), {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert '<a href="#id_reason">Enter why you are replacing this case</a>' in html
    assert re.search(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">'
        r"Error:</span>\s*Enter why you are replacing this case",
        html,
    )
    assert not CaseReplacement.objects.exists()


def test_a_reason_too_long_is_an_error_beside_the_field(
    client_for, inspection, drawn, lead_inspector
):
    out = sampled(inspection)[0]
    response = client_for(lead_inspector).post(replace_url(out), {"reason": "x" * 2001})
    assert "The reason must be 2,000 characters or fewer" in response.content.decode()
    assert not CaseReplacement.objects.exists()


def test_with_no_case_left_the_page_says_so(client_for, inspection, lead_inspector):
    out = exploitation_drawn(inspection, 1, 1, lead_inspector)[0]
    response = client_for(lead_inspector).post(replace_url(out), {"reason": "File missing"})
    assert response.status_code == 200
    assert (
        "There is no other case of child sexual or criminal exploitation"
        in response.content.decode()
    )


def test_a_second_click_goes_to_the_case_drawn_in_its_place(
    client_for, inspection, drawn, lead_inspector
):
    out = sampled(inspection)[0]
    client = client_for(lead_inspector)
    client.post(replace_url(out), {"reason": "File missing"})
    response = client.post(replace_url(out), {"reason": "File missing"})
    new = CaseReplacement.objects.get().replacement
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    assert CaseReplacement.objects.count() == 1


def test_the_reviewer_of_a_case_taken_out_is_sent_to_the_case_in_its_place(
    client_for, inspection, drawn, inspector, lead_inspector
):
    out = sampled(inspection)[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector)
    services.case_replace(case=out, reason="File missing", by=lead_inspector)
    new = CaseReplacement.objects.get().replacement
    client = client_for(inspector)
    for name in ("case_detail", "review_edit", "review_check"):
        response = client.get(reverse(f"casefiles:{name}", args=[inspection.pk, out.pk]))
        assert response.status_code == 302 and response.url == new.get_absolute_url(), name
    page = client.get(new.get_absolute_url()).content.decode()
    assert f"Case {out.reference} was taken out of the sample" in page


def test_the_assign_page_of_a_case_taken_out_goes_to_the_case_in_its_place(
    client_for, inspection, drawn, lead_inspector
):
    out = sampled(inspection)[0]
    record = services.case_replace(case=out, reason="File missing", by=lead_inspector)
    response = client_for(lead_inspector).get(
        reverse("casefiles:case_assign", args=[inspection.pk, out.pk])
    )
    assert response.status_code == 302
    assert response.url == record.replacement.get_absolute_url()


def test_after_a_new_draw_a_case_taken_out_goes_to_the_sample_not_a_404(
    client_for, inspection, drawn, inspector, lead_inspector
):
    out = sampled(inspection)[0]
    record = services.case_replace(case=out, reason="File missing", by=lead_inspector)
    services.sample_draw(
        inspection=inspection,
        sizes={"missing-children": 1},
        seed=9,
        reason="Smaller",
        by=lead_inspector,
    )
    record.replacement.refresh_from_db()
    assert not record.replacement.in_sample
    client = client_for(inspector)
    response = client.get(out.get_absolute_url())
    sample = reverse("casefiles:sample", args=[inspection.pk])
    assert response.status_code == 302 and response.url == sample
    page = client.get(sample).content.decode()
    assert f"Case {out.reference} was taken out of the sample" in page
    assert f"{record.replacement.reference} (no longer in the sample)" in page


def test_a_case_never_in_the_sample_is_still_not_found(client_for, inspection, drawn, inspector):
    unsampled = Case.objects.filter(inspection=inspection, sample_draw=None).first()
    response = client_for(inspector).get(unsampled.get_absolute_url())
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["inspector", "admin_user"])
def test_only_the_lead_inspector_replaces_a_case(
    request, client_for, inspection, drawn, lead_inspector, who
):
    user = request.getfixturevalue(who)
    out = sampled(inspection)[0]
    client = client_for(user)
    assert replace_url(out) not in client.get(out.get_absolute_url()).content.decode()
    assert client.get(replace_url(out)).status_code == 403
    assert client.post(replace_url(out), {"reason": "File missing"}).status_code == 403
    assert not CaseReplacement.objects.exists()


@pytest.mark.parametrize("who", ["force_lead_a", "force_lead_b", "other_inspector"])
def test_outsiders_do_not_find_the_page(request, client_for, inspection, drawn, who):
    out = sampled(inspection)[0]
    client = client_for(request.getfixturevalue(who))
    assert client.get(replace_url(out)).status_code == 404
    assert client.post(replace_url(out), {"reason": "File missing"}).status_code == 404
    assert not CaseReplacement.objects.exists()


def test_a_submitted_review_is_not_offered_for_replacing(
    client_for, inspection, drawn, inspector, lead_inspector
):
    out = sampled(inspection)[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector)
    out.refresh_from_db()
    submit_review(out, inspector, **COMPLETE_ANSWERS)
    client = client_for(lead_inspector)
    assert replace_url(out) not in client.get(out.get_absolute_url()).content.decode()
    response = client.post(replace_url(out), {"reason": "File missing"})
    assert response.status_code == 302 and response.url == out.get_absolute_url()
    assert not CaseReplacement.objects.exists()


def test_the_sample_page_reads_its_replacements_in_one_query(
    client_for, inspection, drawn, lead_inspector
):
    """Each count is of the first view after a change, drawn, not served from
    the fragment cache (core.fragments)."""
    url = reverse("casefiles:sample", args=[inspection.pk])
    client = client_for(lead_inspector)
    client.get(url)  # the process's first-request caches
    services.case_replace(case=sampled(inspection)[0], reason="File missing", by=lead_inspector)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for case in sampled(inspection, "missing-children")[:3]:
        services.case_replace(case=case, reason="File missing", by=lead_inspector)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert response.content.decode().count("File missing") == 4
    assert len(four) == len(one)
