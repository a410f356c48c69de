"""Taking a case out of the sample without a replacement: the lead inspector's
step when a case cannot be reviewed and its category has no other case to
draw in its place (case_replace refuses). The sample has one case fewer."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefiles import services
from casefiles.models import Case, CaseReplacement, CaseReview, SecondReview
from casefiles.sampling import choose_case_for_second_review
from casefiles.selectors import case_review_figures
from core import audit
from core.models import AuditEvent
from inspections.models import Inspection
from inspections.reports import case_review_annex
from inspections.services import second_reviews_to_do

from .factories import COMPLETE_ANSWERS, add_cases, submit_review
from .test_replace import exploitation_drawn, replace_url, sampled


def take_out_url(case: Case) -> str:
    return reverse("casefiles:case_take_out", args=[case.inspection_id, case.pk])


@pytest.fixture
def nothing_to_draw(inspection, lead_inspector) -> list[Case]:
    """Both cases of child exploitation on the list are in the sample."""
    return exploitation_drawn(inspection, 2, 2, lead_inspector)


# ------------------------------------------------------------------ the service


def test_with_nothing_to_draw_the_case_is_taken_out_and_the_sample_shrinks(
    inspection, nothing_to_draw, inspector, lead_inspector
):
    out, kept = nothing_to_draw
    Case.objects.filter(pk=out.pk).update(reviewer=inspector, second_review_due=True)
    # The case kept is due one too, so none can take over the second review
    # (test_a_second_review_moves_to_another_case_of_its_category has one that can).
    Case.objects.filter(pk=kept.pk).update(second_review_due=True)
    out.refresh_from_db()
    record, moved_to = services.case_take_out(
        case=out, reason="  File destroyed. ", by=lead_inspector
    )

    out.refresh_from_db()
    assert not out.in_sample and out.reviewer is None and not out.second_review_due
    assert sampled(inspection) == [kept]
    assert record.replacement is None and record.removed == out
    assert moved_to is None  # the one case left already goes to a second review
    assert record.reason == "File destroyed." and record.replaced_by == lead_inspector
    assert record.draw == inspection.sample_draws.get()
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    assert event.actor == lead_inspector
    assert event.inspection_id == inspection.pk and event.force_id == inspection.force_id
    assert event.changes == {
        "case": [out.reference, None],
        "reviewer": [audit.person(inspector), None],
    }
    # Not on the history the team reads (test_the_team_cannot_tell_which_case_...).
    moved = AuditEvent.objects.get(action=services.SECOND_REVIEW_MOVED)
    assert moved.changes == {"second_review": [out.reference, None]}
    assert event.comment == "File destroyed."


def test_a_case_that_can_be_replaced_is_not_taken_out(inspection, drawn, lead_inspector):
    """Only when no case can be drawn in its place: otherwise the sample keeps its size."""
    out = sampled(inspection)[0]
    with pytest.raises(ValidationError) as raised:
        services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    assert raised.value.code == "replaceable"
    assert raised.value.messages == [
        "Another case of child sexual or criminal exploitation can be drawn in place of case "
        f"{out.reference}, so replace it instead"
    ]
    out.refresh_from_db()
    assert out.in_sample and not CaseReplacement.objects.exists()


def test_a_draft_review_is_deleted_and_the_trail_says_so(
    inspection, nothing_to_draw, inspector, lead_inspector
):
    out = nothing_to_draw[0]
    services.case_review_save(case=out, answers={"notes": "Started"}, by=inspector)
    services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    assert not CaseReview.objects.filter(case=out).exists()
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    assert event.changes["draft_review"] == ["deleted", None]


def test_a_case_whose_review_was_submitted_is_not_taken_out(
    inspection, nothing_to_draw, inspector, lead_inspector
):
    out = nothing_to_draw[0]
    submit_review(out, inspector)
    with pytest.raises(ValidationError, match="has been submitted, so the case cannot be taken"):
        services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    out.refresh_from_db()
    assert out.in_sample and not CaseReplacement.objects.exists()


def test_a_reason_is_needed(inspection, nothing_to_draw, lead_inspector):
    with pytest.raises(ValidationError) as raised:
        services.case_take_out(case=nothing_to_draw[0], reason=" \n ", by=lead_inspector)
    assert raised.value.message_dict == {
        "reason": ["Enter why you are taking this case out of the sample"]
    }
    assert not CaseReplacement.objects.exists()


def test_a_case_taken_out_already_is_said_gone(inspection, nothing_to_draw, lead_inspector):
    out = nothing_to_draw[0]
    services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    with pytest.raises(ValidationError) as raised:
        services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    assert raised.value.code == "gone"
    assert CaseReplacement.objects.count() == 1


def test_nothing_is_taken_out_once_case_files_are_closed(
    inspection, nothing_to_draw, lead_inspector
):
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.PRE_PUBLICATION)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.case_take_out(case=nothing_to_draw[0], reason="File missing", by=lead_inspector)
    assert not CaseReplacement.objects.exists()


def test_a_case_taken_out_is_never_drawn_again(inspection, nothing_to_draw, lead_inspector):
    out = nothing_to_draw[0]
    services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    assert services.population_by_category(inspection)["child-exploitation"] == [
        nothing_to_draw[1].reference
    ]


def test_the_figures_and_the_annex_count_only_the_cases_still_in_the_sample(
    inspection, nothing_to_draw, inspector, lead_inspector
):
    out, kept = nothing_to_draw
    services.case_review_save(case=out, answers=COMPLETE_ANSWERS, by=inspector)
    services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    submit_review(kept, inspector)

    figures = case_review_figures(inspection)
    assert (figures.sampled, figures.submitted, figures.drafts) == (1, 1, 0)
    assert figures.overall.total == 1
    assert case_review_annex(inspection)["summary"].startswith("We reviewed 1 case file: ")


def test_a_draft_saved_as_the_case_is_taken_out_says_so(
    inspection, nothing_to_draw, inspector, lead_inspector
):
    out = nothing_to_draw[0]
    services.case_take_out(case=out, reason="File missing", by=lead_inspector)
    with pytest.raises(ValidationError) as raised:
        services.case_review_save(case=out, answers={"notes": "Typed meanwhile"}, by=inspector)
    assert raised.value.code == "gone"
    assert raised.value.messages == [
        f"Case {out.reference} was taken out of the sample, so your answers have not been saved"
    ]


# ------------------------------------------------------------------ the second review


@pytest.fixture
def two_categories(inspection, lead_inspector) -> tuple[list[Case], list[Case]]:
    """All three cases of child exploitation in the sample, so none can be
    drawn in place of one, and two of four missing children; none due a
    second review until a test says so."""
    add_cases(inspection, {"child-exploitation": 3, "missing-children": 4})
    services.sample_draw(
        inspection=inspection,
        sizes={"child-exploitation": 3, "missing-children": 2},
        seed=5,
        reason="",
        by=lead_inspector,
    )
    Case.objects.filter(inspection=inspection).update(second_review_due=False)
    return sampled(inspection), sampled(inspection, "missing-children")


def due(*cases: Case) -> None:
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(second_review_due=True)


def due_references(inspection) -> list[str]:
    cases = Case.objects.sampled().filter(inspection=inspection, second_review_due=True)
    return sorted(cases.values_list("reference", flat=True))


def refs(cases: list[Case]) -> list[str]:
    return [case.reference for case in cases]


def test_the_case_that_takes_over_a_second_review_is_drawn_from_the_seed():
    same, others = [f"CE-{n}" for n in range(10)], [f"MC-{n}" for n in range(10)]
    first = choose_case_for_second_review(same, others, 42, "CE-99")
    assert first in same  # its own category first
    assert choose_case_for_second_review(same[::-1], others[::-1], 42, "CE-99") == first
    assert len({choose_case_for_second_review(same, others, 42, f"CE-{n}") for n in range(20)}) > 1
    assert choose_case_for_second_review([], others, 42, "CE-99") in others
    assert choose_case_for_second_review([], [], 42, "CE-99") is None


def test_a_second_review_moves_to_another_case_of_its_category(
    inspection, two_categories, lead_inspector
):
    """Before, it went with the case: the sample had one second review fewer
    than the draw chose, below ceil(share × n) once n was small."""
    exploitation, missing = two_categories
    out = exploitation[0]
    due(out)
    expected = choose_case_for_second_review(
        refs(exploitation[1:]), refs(missing), inspection.sample_draws.get().seed, out.reference
    )
    assert expected in refs(exploitation[1:])

    _, moved_to = services.case_take_out(case=out, reason="File missing", by=lead_inspector)

    assert moved_to.reference == expected
    assert due_references(inspection) == [expected]
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    # Not said where the team reads (its review is not in): an event of its own does.
    assert "second_review" not in event.changes
    moved = AuditEvent.objects.get(action=services.SECOND_REVIEW_MOVED)
    assert moved.changes["second_review"] == [out.reference, expected]
    assert moved.object_id == str(moved_to.pk) and moved.actor == lead_inspector


def test_a_second_review_moves_to_another_category_when_its_own_has_no_case_to_take_it(
    inspection, two_categories, lead_inspector
):
    exploitation, missing = two_categories
    out = exploitation[0]
    due(*exploitation)
    expected = choose_case_for_second_review(
        [], refs(missing), inspection.sample_draws.get().seed, out.reference
    )

    _, moved_to = services.case_take_out(case=out, reason="File missing", by=lead_inspector)

    assert moved_to.reference == expected and moved_to.category.slug == "missing-children"
    assert due_references(inspection) == sorted([*refs(exploitation[1:]), expected])
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    assert "second_review" not in event.changes
    moved = AuditEvent.objects.get(action=services.SECOND_REVIEW_MOVED)
    assert moved.changes["second_review"] == [out.reference, expected]


def test_a_submitted_review_that_takes_over_a_second_review_goes_to_the_lead_at_once(
    inspection, two_categories, inspector, lead_inspector
):
    """A second review is made as a review is submitted (case_review_submit):
    moved to a review submitted already, it is made now, or it would never be."""
    exploitation, _ = two_categories
    out, submitted, _ = exploitation
    Case.objects.filter(inspection=inspection).update(second_review_due=True)
    Case.objects.filter(pk=submitted.pk).update(second_review_due=False)
    submit_review(submitted, inspector)
    assert not SecondReview.objects.exists()  # not due when it was submitted
    # Every other case goes to one already: only the submitted case can take it.

    _, moved_to = services.case_take_out(case=out, reason="File missing", by=lead_inspector)

    assert moved_to == submitted
    second = SecondReview.objects.get()
    assert second.review.case == submitted and second.reviewer == lead_inspector
    assert second.status == SecondReview.Status.PENDING
    assert second_reviews_to_do(inspection) == 1
    assert case_review_figures(inspection).second_reviews_due == 1
    # Its review is in, so its second review is shown: named on the event itself.
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    assert event.changes["second_review"] == [out.reference, submitted.reference]
    assert not AuditEvent.objects.filter(action=services.SECOND_REVIEW_MOVED).exists()


def test_with_no_case_to_take_it_over_the_second_review_goes_with_the_case(
    inspection, two_categories, lead_inspector
):
    exploitation, missing = two_categories
    out = exploitation[0]
    due(*exploitation, *missing)

    _, moved_to = services.case_take_out(case=out, reason="File missing", by=lead_inspector)

    assert moved_to is None
    assert due_references(inspection) == sorted(refs(exploitation[1:]) + refs(missing))
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    assert "second_review" not in event.changes  # the team would know every other is due
    moved = AuditEvent.objects.get(action=services.SECOND_REVIEW_MOVED)
    assert moved.changes["second_review"] == [out.reference, None]


def test_a_case_not_due_a_second_review_moves_none(inspection, two_categories, lead_inspector):
    exploitation, missing = two_categories
    due(missing[0])
    _, moved_to = services.case_take_out(
        case=exploitation[0], reason="File missing", by=lead_inspector
    )
    assert moved_to is None and due_references(inspection) == [missing[0].reference]
    assert "second_review" not in AuditEvent.objects.get(action="sample.case_taken_out").changes


# ------------------------------------------------------------------ the pages


def test_the_replace_page_offers_to_take_out_only_when_nothing_can_be_drawn(
    client_for, inspection, nothing_to_draw, lead_inspector
):
    out = nothing_to_draw[0]
    client = client_for(lead_inspector)
    html = client.get(replace_url(out)).content.decode()
    assert (
        "There is no other case of child sexual or criminal exploitation on the case list "
        "to replace it with" in html
    )
    assert take_out_url(out) in html and "Replace the case" not in html
    # A replace form posted from an older page replaces nothing, and says why.
    response = client.post(replace_url(out), {"reason": "File missing"})
    assert response.status_code == 200 and take_out_url(out) in response.content.decode()
    assert not CaseReplacement.objects.exists()


def test_a_case_that_can_be_replaced_is_sent_to_the_replace_page(
    client_for, inspection, drawn, lead_inspector
):
    out = sampled(inspection)[0]
    client = client_for(lead_inspector)
    assert take_out_url(out) not in client.get(replace_url(out)).content.decode()
    for response in (
        client.get(take_out_url(out)),
        client.post(take_out_url(out), {"reason": "File missing"}),
    ):
        assert response.status_code == 302 and response.url == replace_url(out)
    page = client.get(replace_url(out)).content.decode()
    assert "so replace it instead" in page
    assert not CaseReplacement.objects.exists()


def test_the_lead_takes_a_case_out_from_the_replace_page(
    client_for, inspection, nothing_to_draw, inspector, lead_inspector
):
    out = nothing_to_draw[0]
    services.case_review_save(case=out, answers={"notes": "Started"}, by=inspector)
    client = client_for(lead_inspector)
    html = client.get(take_out_url(out)).content.decode()
    assert f"Take case {out.reference} out of the sample" in html
    assert "govuk-warning-text" in html
    assert (
        "No case will replace it: the sample will have 1 case of child sexual or criminal "
        "exploitation instead of 2. The draft review of this case will be deleted." in html
    )
    assert f'href="{replace_url(out)}" class="govuk-back-link"' in html

    response = client.post(take_out_url(out), {"reason": "The force destroyed the file"})
    sample_url = reverse("casefiles:sample", args=[inspection.pk])
    assert response.status_code == 302 and response.url == sample_url
    sample = client.get(sample_url).content.decode()
    assert (
        f"Case {out.reference} taken out of the sample with no replacement available. "
        "The sample has 1 case of child sexual or criminal exploitation" in sample
    )
    assert "Cases taken out of the sample" in sample
    assert "No replacement available" in sample and "The force destroyed the file" in sample
    assert CaseReplacement.objects.get().replacement is None


def test_an_empty_reason_is_an_error_beside_the_field(
    client_for, inspection, nothing_to_draw, lead_inspector
):
    response = client_for(lead_inspector).post(take_out_url(nothing_to_draw[0]), {"reason": " "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Take case" in html
    message = "Enter why you are taking this case out of the sample"
    assert f'<a href="#id_reason">{message}</a>' in html
    assert re.search(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">'
        r"Error:</span>\s*" + message,
        html,
    )
    assert not CaseReplacement.objects.exists()


def test_a_submitted_review_is_not_offered_for_taking_out(
    client_for, inspection, nothing_to_draw, inspector, lead_inspector
):
    out = nothing_to_draw[0]
    submit_review(out, inspector)
    response = client_for(lead_inspector).post(take_out_url(out), {"reason": "File missing"})
    assert response.status_code == 302 and response.url == out.get_absolute_url()
    assert not CaseReplacement.objects.exists()


def test_a_second_click_or_a_bookmark_goes_to_the_sample(
    client_for, inspection, nothing_to_draw, inspector, lead_inspector
):
    out = nothing_to_draw[0]
    Case.objects.filter(pk=out.pk).update(reviewer=inspector)
    client = client_for(lead_inspector)
    client.post(take_out_url(out), {"reason": "File missing"})
    sample_url = reverse("casefiles:sample", args=[inspection.pk])
    response = client.post(take_out_url(out), {"reason": "File missing"})
    assert response.status_code == 302 and response.url == sample_url
    assert CaseReplacement.objects.count() == 1
    for name in ("case_detail", "review_edit"):
        response = client_for(inspector).get(
            reverse(f"casefiles:{name}", args=[inspection.pk, out.pk])
        )
        assert response.status_code == 302 and response.url == sample_url, name
    page = client_for(inspector).get(sample_url).content.decode()
    assert f"Case {out.reference} was taken out of the sample" in page


def test_the_overview_counts_the_cases_still_in_the_sample(
    client_for, inspection, nothing_to_draw, lead_inspector
):
    services.case_take_out(case=nothing_to_draw[0], reason="File missing", by=lead_inspector)
    page = client_for(lead_inspector).get(reverse("casefiles:overview", args=[inspection.pk]))
    html = page.content.decode()
    assert re.search(r"\b1 case, drawn at random", html), html
    assert "0 of 1 submitted" in html


@pytest.mark.parametrize("who", ["inspector", "admin_user"])
def test_only_the_lead_inspector_takes_a_case_out(
    request, client_for, inspection, nothing_to_draw, who
):
    out = nothing_to_draw[0]
    client = client_for(request.getfixturevalue(who))
    assert client.get(take_out_url(out)).status_code == 403
    assert client.post(take_out_url(out), {"reason": "File missing"}).status_code == 403
    assert not CaseReplacement.objects.exists()


@pytest.mark.parametrize("who", ["force_lead_a", "force_lead_b", "other_inspector"])
def test_outsiders_do_not_find_the_page(request, client_for, inspection, nothing_to_draw, who):
    out = nothing_to_draw[0]
    client = client_for(request.getfixturevalue(who))
    assert client.get(take_out_url(out)).status_code == 404
    assert client.post(take_out_url(out), {"reason": "File missing"}).status_code == 404
    assert not CaseReplacement.objects.exists()


def test_a_case_taken_out_costs_the_sample_page_no_more_queries_than_one_replaced(
    client_for, inspection, lead_inspector
):
    """The cases taken out are read with the replacements, in one query: a
    row with none drawn in its place is the same LEFT JOIN's null. Each count
    is of the first view after a change, not served from the fragment cache."""
    first, second = exploitation_drawn(inspection, 3, 2, lead_inspector)
    url = reverse("casefiles:sample", args=[inspection.pk])
    client = client_for(lead_inspector)
    client.get(url)  # the process's first-request caches
    services.case_replace(case=first, reason="File missing", by=lead_inspector)
    with CaptureQueriesContext(connection) as replaced:
        client.get(url)
    services.case_take_out(case=second, reason="File destroyed", by=lead_inspector)
    with CaptureQueriesContext(connection) as taken_out:
        response = client.get(url)
    html = response.content.decode()
    assert "File missing" in html and "No replacement available" in html
    assert len(taken_out) == len(replaced)


def _warning(html: str) -> str:
    """The warning text's words, on one line."""
    found = re.search(r'<strong class="govuk-warning-text__text">(.*?)</strong>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_page_and_the_message_say_which_case_takes_over_the_second_review(
    client_for, inspection, two_categories, inspector, lead_inspector
):
    exploitation, missing = two_categories
    out = exploitation[0]
    due(out)
    expected = choose_case_for_second_review(
        refs(exploitation[1:]), refs(missing), inspection.sample_draws.get().seed, out.reference
    )
    # Its review is in: which case goes to a second review is shown once it is.
    submit_review(Case.objects.get(reference=expected), inspector)
    client = client_for(lead_inspector)
    warning = _warning(client.get(take_out_url(out)).text)
    assert warning.endswith(
        f"Its second review moves to case {expected}, another case of child sexual or "
        "criminal exploitation."
    ), warning

    response = client.post(take_out_url(out), {"reason": "File missing"}, follow=True)
    assert (
        f"Case {out.reference} taken out of the sample with no replacement available. "
        "The sample has 2 cases of child sexual or criminal exploitation. "
        f"Its second review has moved to case {expected}" in response.text
    )


def test_the_case_a_second_review_moves_to_is_not_named_before_its_review_is_in(
    client_for, inspection, two_categories, inspector, lead_inspector, admin_user
):
    """Which case goes to a second review is shown only once its review is in
    (Case.second_review_due): its reviewer, on the team, would otherwise know
    to take more care over it. Before, the take-out page, its message and
    the inspection's history, which the team reads, named the case."""
    exploitation, missing = two_categories
    out = exploitation[0]
    due(out)
    expected = choose_case_for_second_review(
        refs(exploitation[1:]), refs(missing), inspection.sample_draws.get().seed, out.reference
    )
    client = client_for(lead_inspector)
    page = client.get(take_out_url(out)).text
    assert expected not in page
    # Nor that it moves at all (test_the_take_out_page_and_message_do_not_say_...).
    assert "second review" not in _warning(page)

    response = client.post(take_out_url(out), {"reason": "File missing"}, follow=True)
    banner = re.search(
        r'class="govuk-notification-banner__content">(.*?)</div>', response.text, re.S
    )
    assert expected not in banner.group(1)
    assert "second review" not in unescape(" ".join(banner.group(1).split()))
    assert due_references(inspection) == [expected]
    history = reverse("inspections:history", args=[inspection.pk])
    for person in (inspector, lead_inspector):
        assert expected not in client_for(person).get(history).text
    # The audit trail, admins' alone, names it.
    assert expected in client_for(admin_user).get(reverse("core:audit")).text


@pytest.mark.parametrize("went", ["another case", "another category", "nowhere"])
def test_the_take_out_page_and_message_do_not_say_which_cases_go_to_a_second_review(
    client_for, inspection, two_categories, inspector, lead_inspector, went
):
    """The lead inspector reviews cases too, and which cases go to a second
    review is shown only once their reviews are in. A case is taken out
    alone only when every case of its category is in the sample, so the
    category is small. Before, the page and its message said the second
    review moved to 'another case in the sample' (its category's first: one
    of the two left), or to a case of another category as 'no other case of
    child sexual or criminal exploitation in the sample can take it over',
    or that 'all of them go to one already': each said of cases whose
    reviews are not in that they go to a second review."""
    exploitation, missing = two_categories
    out = exploitation[0]
    if went == "another case":
        due(out)
    elif went == "another category":
        due(*exploitation)
        for case in missing:  # the case it goes to has its review in
            submit_review(case, inspector)
    else:
        due(*exploitation, *missing)
    client = client_for(lead_inspector)
    warning = _warning(client.get(take_out_url(out)).text)
    assert "second review" not in warning, warning

    response = client.post(take_out_url(out), {"reason": "File missing"}, follow=True)
    banner = re.search(
        r'class="govuk-notification-banner__content">(.*?)</div>', response.text, re.S
    )
    banner = unescape(" ".join(re.sub(r"<[^>]+>", " ", banner.group(1)).split()))
    assert banner == (
        f"Case {out.reference} taken out of the sample with no replacement available. "
        "The sample has 2 cases of child sexual or criminal exploitation"
    ), banner
    # Where it went is on the audit trail, admins' alone.
    assert AuditEvent.objects.filter(action=services.SECOND_REVIEW_MOVED).exists()


def test_the_page_says_nothing_of_a_second_review_the_case_was_not_due(
    client_for, inspection, two_categories, lead_inspector
):
    warning = _warning(client_for(lead_inspector).get(take_out_url(two_categories[0][0])).text)
    assert "second review" not in warning


def _size_input(html: str, slug: str) -> str:
    return re.search(rf'<input[^>]*name="size_{slug}"[^>]*>', html).group(0)


def test_the_draw_page_is_filled_in_with_no_more_than_can_be_drawn_after_a_take_out(
    client_for, inspection, two_categories, lead_inspector
):
    """Before, drawn again before any review started, the form was filled in
    with the first draw's size (3 cases of child exploitation, of which 2 can
    now be drawn), which drawing it as filled in refused."""
    exploitation, _ = two_categories
    services.case_take_out(case=exploitation[0], reason="File missing", by=lead_inspector)
    client = client_for(lead_inspector)
    draw_url = reverse("casefiles:sample_draw", args=[inspection.pk])
    html = client.get(draw_url).text
    assert 'value="2"' in _size_input(html, "child-exploitation")
    assert 'value="2"' in _size_input(html, "missing-children")  # as drawn

    posted = {
        "size_child-exploitation": "2",
        "size_missing-children": "2",
        "reason": "Drawn again",
        "seen": "1",
    }
    response = client.post(draw_url, posted)
    assert response.status_code == 302
    assert inspection.sample_draws.first().sizes == {
        "child-exploitation": 2,
        "missing-children": 2,
    }


def test_the_draw_page_leaves_empty_a_category_with_nothing_left_to_draw(
    client_for, inspection, lead_inspector
):
    add_cases(inspection, {"child-exploitation": 1, "missing-children": 3})
    services.sample_draw(
        inspection=inspection,
        sizes={"child-exploitation": 1, "missing-children": 2},
        seed=5,
        reason="",
        by=lead_inspector,
    )
    alone = sampled(inspection)[0]
    services.case_take_out(case=alone, reason="File missing", by=lead_inspector)
    html = (
        client_for(lead_inspector).get(reverse("casefiles:sample_draw", args=[inspection.pk])).text
    )
    assert "value=" not in _size_input(html, "child-exploitation")
    assert 'value="2"' in _size_input(html, "missing-children")


@pytest.mark.parametrize("kept_due", [False, True], ids=["moved to it", "already due"])
def test_the_team_cannot_tell_which_case_goes_to_a_second_review_from_a_take_out(
    client_for, inspection, nothing_to_draw, inspector, lead_inspector, kept_due
):
    """A case is taken out alone only when every case of its category is in
    the sample, so the category is small. If the history, which the team
    reads, says the case taken out was due a second review, its reviewer on
    the team can tell which case has it: with two cases of the category,
    moved to 'another case in the sample' (its own category first) or gone
    with it (every other case goes to one already), the one left is due a
    second review, though its review is not in (Case.second_review_due)."""
    out, kept = nothing_to_draw
    Case.objects.filter(pk=kept.pk).update(reviewer=inspector)
    Case.objects.filter(inspection=inspection).update(second_review_due=False)  # not the draw's
    due(out, *([kept] if kept_due else []))

    services.case_take_out(case=out, reason="File missing", by=lead_inspector)

    assert due_references(inspection) == [kept.reference]
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    assert "second_review" not in event.changes
    history = client_for(inspector).get(reverse("inspections:history", args=[inspection.pk]))
    assert "Second review" not in history.text
    # The audit trail, admins' alone, still says where it went.
    moved = AuditEvent.objects.get(action=services.SECOND_REVIEW_MOVED)
    assert moved.changes["second_review"] == [out.reference, None if kept_due else kept.reference]


def test_the_team_is_not_told_a_second_review_went_to_another_category(
    client_for, inspection, two_categories, inspector, lead_inspector
):
    """Moved to a case of another category whose review is in, the second
    review is shown on that case, but naming it where the team reads would
    say that no other case of the category taken out could take it: each of
    them goes to a second review already, though their reviews are not in."""
    exploitation, missing = two_categories
    out, *others = exploitation
    Case.objects.filter(pk__in=[case.pk for case in others]).update(reviewer=inspector)
    due(*exploitation)
    for case in missing:
        submit_review(case, inspector)

    _, moved_to = services.case_take_out(case=out, reason="File missing", by=lead_inspector)

    assert moved_to.category.slug == "missing-children" and moved_to.review_in
    event = AuditEvent.objects.get(action="sample.case_taken_out")
    assert "second_review" not in event.changes
    history = client_for(inspector).get(reverse("inspections:history", args=[inspection.pk]))
    assert "Second review" not in history.text
    moved = AuditEvent.objects.get(action=services.SECOND_REVIEW_MOVED)
    assert moved.changes["second_review"] == [out.reference, moved_to.reference]
