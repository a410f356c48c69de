"""Case file work checked against the rows as they are when it is saved, not
as the page had them: each service takes the inspection's row lock first
(services._require_open), so what it then reads is what others committed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casefiles import services
from casefiles.models import Case, CaseReview, SampleDraw, SecondReview
from core.models import AuditEvent
from inspections.models import Inspection
from inspections.tests.factories import change_team
from tests.locks import assert_waits_for_row_lock, skip_unless_postgresql
from tests.races import first_click_lands_first, race

from .factories import COMPLETE_ANSWERS, add_cases, submit_review

SIZES = {"missing-children": 4, "strategy-discussions-s47": 3, "child-exploitation": 2}


def test_a_draft_for_a_case_the_sample_no_longer_has_is_refused(inspection, drawn, inspector):
    on_the_page = list(Case.objects.sampled().filter(inspection=inspection))
    services.sample_draw(
        inspection=inspection, sizes=SIZES, seed=7, reason="Wrong case list", by=inspector
    )
    still = set(Case.objects.sampled().values_list("pk", flat=True))
    dropped = next(case for case in on_the_page if case.pk not in still)
    with pytest.raises(ValidationError, match="no longer in the sample"):
        services.case_review_save(case=dropped, answers={"notes": "Started"}, by=inspector)
    assert not CaseReview.objects.exists()
    # So a third draw is still allowed: no review of the current sample has started.
    services.sample_draw(inspection=inspection, sizes=SIZES, seed=9, reason="Again", by=inspector)


def test_cases_cannot_go_to_someone_just_taken_off_the_team(
    inspection, drawn, inspector, lead_inspector, admin_user
):
    page = Inspection.objects.prefetch_related("team").get(pk=inspection.pk)
    assert inspector.pk in page.team_member_ids()  # as the sample page drew it
    change_team(inspection, team=[], by=admin_user)
    case = Case.objects.sampled().first()
    with pytest.raises(ValidationError) as error:
        services.cases_assign(
            inspection=page, case_ids=[case.pk], reviewer=inspector, by=lead_inspector
        )
    assert "reviewer" in error.value.message_dict
    assert not Case.objects.exclude(reviewer=None).exists()


def test_a_second_click_on_a_second_review_says_it_is_done(
    client_for, inspector, lead_inspector, inspection, drawn, monkeypatch
):
    """Both clicks passed the page's check; the first is saved as the second
    reaches the service, which refuses it. A message, not an error page."""
    case = Case.objects.sampled().order_by("reference").first()
    Case.objects.filter(pk=case.pk).update(second_review_due=True, reviewer=inspector)
    case.refresh_from_db()
    submit_review(case, inspector)
    first_click_lands_first(monkeypatch, services, "second_review_complete")
    response = client_for(lead_inspector).post(
        reverse("casefiles:second_review", args=[inspection.pk, case.pk]),
        {"agrees": "yes", "rating": "", "reason": ""},
        follow=True,
    )
    assert response.redirect_chain[0][0] == case.get_absolute_url()
    assert "is already complete" in response.content.decode()
    assert SecondReview.objects.get().is_completed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", ["review", "second review"])
def test_submitting_takes_the_inspections_lock_before_the_reviews(
    what, inspection, drawn, inspector, lead_inspector
):
    """Saving a draft takes the inspection's lock, then the review's; so must
    submitting, or a save and a submission of one review at once could each
    hold one lock and wait for the other (a deadlock). Here the inspection is
    held elsewhere: while the submission waits for it, its review stays free."""
    skip_unless_postgresql()
    case = Case.objects.sampled().order_by("reference").first()
    Case.objects.filter(pk=case.pk).update(second_review_due=True, reviewer=inspector)
    case.refresh_from_db()
    if what == "review":
        services.case_review_save(case=case, answers=COMPLETE_ANSWERS, by=inspector)
        row = CaseReview.objects.get()

        def submit():
            services.case_review_submit(review=row, by=inspector)
    else:
        submit_review(case, inspector)
        row = SecondReview.objects.get()

        def submit():
            services.second_review_complete(
                second_review=row, agrees=True, rating="", reason="", by=lead_inspector
            )

    def review_is_free() -> bool:
        # SKIP LOCKED: no row if the submission holds it (and no error, which
        # would end the holding transaction's lock on the inspection).
        rows = type(row).objects.select_for_update(skip_locked=True).filter(pk=row.pk)
        return bool(list(rows.values_list("pk", flat=True)))

    free = [assert_waits_for_row_lock(Inspection, inspection.pk, submit, meanwhile=review_is_free)]
    assert free == [True], f"the {what} was locked while its inspection's lock was awaited"


def test_a_new_lead_inspector_takes_over_the_second_reviews_to_do(
    inspector, lead_inspector, admin_user, inspection, drawn
):
    """Found by a review: after 'Change the lead inspector', the second
    reviews to do still named the old lead."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from core.models import AuditEvent
    from inspections import services as inspection_services

    case = Case.objects.sampled().order_by("reference").first()
    Case.objects.filter(pk=case.pk).update(second_review_due=True, reviewer=inspector)
    case.refresh_from_db()
    submit_review(case, inspector)
    assert SecondReview.objects.get().reviewer == lead_inspector
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.MODERATION)
    inspection.refresh_from_db()
    new_lead = UserFactory(full_name="Sam Second", role=User.Role.LEAD_INSPECTOR)
    inspection_services.inspection_change_lead(
        inspection=inspection, lead_inspector=new_lead, reason="Lena has left", by=admin_user
    )
    assert SecondReview.objects.get().reviewer == new_lead
    event = AuditEvent.objects.get(action="inspection.lead_changed")
    assert event.changes["second_reviews_to_do"] == [
        "Lena Lead (lead@example.org)",
        f"Sam Second ({new_lead.email}): 1",
    ]


def test_a_second_review_of_the_new_leads_own_review_waits_for_the_next_lead(
    client_for, lead_inspector, admin_user, inspection, drawn
):
    """Found by reviews: a lead changed to a team member who had reviewed a
    case was handed its second review, which the lead may not do of their
    own: offered as "To do", refused once filled in. Dropped instead, an
    interim lead lost it for good. It waits, offered to no one, and the next
    lead is handed it."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from inspections import services as inspection_services

    writer = UserFactory(full_name="Wyn Writer", role=User.Role.LEAD_INSPECTOR)
    other = UserFactory(full_name="Oli Other", role=User.Role.INSPECTOR)
    inspection.team.add(writer, other)
    first, second = Case.objects.sampled().order_by("reference")[:2]
    for case, reviewer in ((first, writer), (second, other)):
        Case.objects.filter(pk=case.pk).update(second_review_due=True, reviewer=reviewer)
        case.refresh_from_db()
        submit_review(case, reviewer)
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.MODERATION)
    inspection.refresh_from_db()
    inspection_services.inspection_change_lead(
        inspection=inspection, lead_inspector=writer, reason="Lena is away", by=admin_user
    )
    event = AuditEvent.objects.get(action="inspection.lead_changed")
    assert event.changes["second_reviews_waiting"] == [
        None,
        f"1: of reviews Wyn Writer ({writer.email}) submitted, for the next lead inspector",
    ]
    assert event.changes["second_reviews_to_do"][1] == f"Wyn Writer ({writer.email}): 1"
    assert SecondReview.objects.get(review__case=second).reviewer == writer

    client = client_for(writer)
    listing = client.get(reverse("casefiles:second_review_list", args=[inspection.pk])).text
    own = reverse("casefiles:second_review", args=[inspection.pk, first.pk])
    assert "the next lead does this one" in listing and f'href="{own}"' not in listing
    refused = client.get(own, follow=True)
    assert f"You wrote the first review of case {first.reference}" in refused.text

    inspection.refresh_from_db()
    tam = UserFactory(full_name="Tam Third", role=User.Role.LEAD_INSPECTOR)
    inspection_services.inspection_change_lead(
        inspection=inspection, lead_inspector=tam, reason="Lena has left", by=admin_user
    )
    assert set(SecondReview.objects.values_list("reviewer", flat=True)) == {tam.pk}
    assert SecondReview.objects.filter(status=SecondReview.Status.PENDING).count() == 2


REDRAW = {
    "size_missing-children": "5",
    "size_strategy-discussions-s47": "3",
    "reason": "The force sent the wrong list",
}


def test_a_double_click_on_draw_again_draws_once(
    client_for, inspector, inspection, drawn, monkeypatch
):
    """Found by the concurrency review: both clicks passed the page's check
    and, one after the other under the inspection's lock, each drew the
    sample again: two redraws on the record, and the sample replaced twice.
    The second now finds the draw the first made, and says so."""
    first_click_lands_first(monkeypatch, services, "sample_draw")
    client = client_for(inspector)
    url = reverse("casefiles:sample_draw", args=[inspection.pk])
    assert 'name="seen" value="1"' in client.get(url).text  # the draw it shows
    response = client.post(url, {**REDRAW, "seen": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("casefiles:sample", args=[inspection.pk])
    assert "The sample was drawn by Ian Inspector after you opened that page" in response.text
    assert "There is a problem" not in response.text
    assert inspection.sample_draws.count() == 2
    assert AuditEvent.objects.filter(action="sample.redrawn").count() == 1


def test_a_first_draw_sent_again_from_the_back_button_is_not_asked_why(
    client_for, inspector, inspection, case_list
):
    """The page of the first draw, sent again once the sample is drawn, was
    asked why the sample is drawn again, as if it were a redraw."""
    client = client_for(inspector)
    url = reverse("casefiles:sample_draw", args=[inspection.pk])
    assert 'name="seen"' in client.get(url).text  # empty: no draw yet
    first = {"size_missing-children": "4", "seen": ""}
    assert client.post(url, first).status_code == 302
    again = client.post(url, first, follow=True)
    assert again.redirect_chain[-1][0] == reverse("casefiles:sample", args=[inspection.pk])
    assert "The sample was drawn by Ian Inspector after you opened that page" in again.text
    assert "Enter why you are drawing the sample again" not in again.text
    assert inspection.sample_draws.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_redraws_at_once_from_one_page_draw_once(categories, inspection, inspector):
    """Two requests from one page (a double click, two tabs of it) at once:
    they queue on the inspection's lock, and the second finds the first's draw."""
    skip_unless_postgresql()
    add_cases(inspection, {"missing-children": 30, "strategy-discussions-s47": 20})
    services.sample_draw(
        inspection=inspection, sizes={"missing-children": 4}, seed=42, reason="", by=inspector
    )

    def redraw() -> str:
        try:
            services.sample_draw(
                inspection=Inspection.objects.get(pk=inspection.pk),
                sizes={"missing-children": 5},
                seed=None,
                reason="Wrong list",
                by=inspector,
                seen="1",
            )
        except ValidationError as error:
            return error.code
        return "made"

    outcomes = race(redraw, redraw)
    assert sorted(outcomes) == ["drawn", "made"]  # the second: code "drawn", drawn already
    assert SampleDraw.objects.filter(inspection=inspection).count() == 2
    assert AuditEvent.objects.filter(action="sample.redrawn").count() == 1


def test_a_lead_changed_on_the_plan_page_in_fieldwork_takes_over_the_second_reviews_to_do(
    inspector, lead_inspector, admin_user, inspection, drawn
):
    """Found by the audit completeness review: the plan page changes the lead
    before moderation, and second reviews are done in fieldwork, but those to
    do stayed with the old lead, who no longer led the inspection, and the
    record did not say where they went."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from core.models import AuditEvent
    from inspections import services as inspection_services

    case = Case.objects.sampled().order_by("reference").first()
    Case.objects.filter(pk=case.pk).update(second_review_due=True, reviewer=inspector)
    case.refresh_from_db()
    submit_review(case, inspector)
    assert SecondReview.objects.get().reviewer == lead_inspector
    inspection.refresh_from_db()
    assert inspection.stage == Inspection.Stage.FIELDWORK
    new_lead = UserFactory(full_name="Sam Second", role=User.Role.LEAD_INSPECTOR)
    inspection_services.inspection_update_plan(
        inspection=inspection,
        kind=inspection.kind,
        fieldwork_start=inspection.fieldwork_start,
        fieldwork_end=inspection.fieldwork_end,
        lead_inspector=new_lead,
        team=list(inspection.team.all()),
        by=admin_user,
    )
    assert SecondReview.objects.get().reviewer == new_lead
    event = AuditEvent.objects.get(action="inspection.plan_changed")
    assert event.changes["second_reviews_to_do"] == [
        "Lena Lead (lead@example.org)",
        f"Sam Second ({new_lead.email}): 1",
    ]
