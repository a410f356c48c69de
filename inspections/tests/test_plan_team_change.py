"""An admin takes someone off an inspection's team on the plan page during
fieldwork: the case file reviews assigned to them and not submitted, which
they can no longer open, are handed back as not assigned (drafts kept), the
check page says so beforehand, the history records it, and the lead
inspector is told to assign them again. Found by the team review: they were
left with the person taken off, for the lead to notice on the sample page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplans.models import Notice
from casefiles import services as casefile_services
from casefiles.models import Case, CaseReview
from casefiles.tests.factories import COMPLETE_ANSWERS, add_cases, submit_review
from core import audit
from core.models import AuditEvent
from inspections import services
from inspections.tests.factories import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def fieldwork(force_a, lead_inspector, inspector, other_inspector, admin_user):
    """Force A's inspection in fieldwork (started two days ago), Ian Inspector
    and Olga Outsider on its team, with a sample of six cases drawn."""
    start = timezone.localdate() - timedelta(days=2)
    inspection = schedule(
        force=force_a,
        lead=lead_inspector,
        team=[inspector, other_inspector],
        start=start,
        days=14,
        by=admin_user,
    )
    services.inspection_start_fieldwork(inspection=inspection, by=lead_inspector)
    add_cases(inspection, {"missing-children": 10})
    casefile_services.sample_draw(
        inspection=inspection,
        sizes={"missing-children": 6},
        seed=42,
        reason="",
        by=lead_inspector,
    )
    inspection.refresh_from_db()
    return inspection


def _sample(inspection) -> list[Case]:
    return list(Case.objects.sampled().filter(inspection=inspection).order_by("reference"))


def _assign(inspection, cases, reviewer, by):
    casefile_services.cases_assign(
        inspection=inspection, case_ids=[c.pk for c in cases], reviewer=reviewer, by=by
    )


@pytest.fixture
def ians_work(fieldwork, inspector, other_inspector, lead_inspector):
    """Ian's three cases: one not started, one a draft, one submitted; and
    Olga's one, not started."""
    not_started, draft, submitted, olgas, *_ = _sample(fieldwork)
    _assign(fieldwork, [not_started, draft, submitted], inspector, lead_inspector)
    _assign(fieldwork, [olgas], other_inspector, lead_inspector)
    answers = {**COMPLETE_ANSWERS, "notes": "Ian's careful notes so far"}
    casefile_services.case_review_save(case=draft, answers=answers, by=inspector)
    submit_review(submitted, by=inspector)
    return not_started, draft, submitted, olgas


def _plan(inspection, admin, *, team, lead=None):
    return services.inspection_update_plan(
        inspection=inspection,
        kind=inspection.kind,
        fieldwork_start=inspection.fieldwork_start,
        fieldwork_end=inspection.fieldwork_end,
        lead_inspector=lead or inspection.lead_inspector,
        team=team,
        by=admin,
    )


def _reviewers(cases) -> list:
    return [Case.objects.get(pk=case.pk).reviewer for case in cases]


def test_taking_an_inspector_off_hands_back_their_unsubmitted_reviews(
    fieldwork, ians_work, admin_user, inspector, other_inspector, lead_inspector
):
    not_started, draft, submitted, olgas = ians_work
    _plan(fieldwork, admin_user, team=[other_inspector])

    # Not submitted: not assigned now; submitted: kept; Olga's: hers still.
    assert _reviewers(ians_work) == [None, None, inspector, other_inspector]
    review = CaseReview.objects.get(case=draft)  # the draft, as it was
    assert review.status == CaseReview.Status.DRAFT
    assert review.notes == "Ian's careful notes so far"
    assert review.overall_rating == "good"

    # On the inspection's history: each case, and on the plan's change.
    handed = AuditEvent.objects.filter(action="case.unassigned", inspection_id=fieldwork.pk)
    assert sorted(e.object_id for e in handed) == sorted(str(c.pk) for c in (not_started, draft))
    assert all(e.changes == {"reviewer": [audit.person(inspector), None]} for e in handed)
    assert {e.comment for e in handed} == {"Taken off the inspection team"}
    assert {e.actor for e in handed} == {admin_user}
    plan = AuditEvent.objects.get(action="inspection.plan_changed", inspection_id=fieldwork.pk)
    assert plan.changes["case_reviewers"] == [
        "Ian Inspector (inspector@example.org): 2 cases",
        "Not assigned",
    ]

    # The lead is told, with the sample page to assign them from.
    told = Notice.objects.get(kind="cases_handed_back")
    assert told.recipient == lead_inspector
    assert told.link == reverse("casefiles:sample", args=[fieldwork.pk])
    assert told.body.startswith("Ian Inspector (2) is no longer on the team for the ")
    assert "the 2 case file reviews assigned to them and not submitted are no longer" in told.body

    # And Ian, told he is off the team, is told of them too.
    off = Notice.objects.get(kind="team_left", recipient=inspector)
    assert off.body.endswith(
        "The 2 case file reviews assigned to you that you had not submitted are no longer "
        "assigned to you: the lead inspector will assign them again. Anything you wrote in "
        "them is kept."
    )

    # Saved again as it is: nothing more handed back, recorded or told.
    _plan(fieldwork, admin_user, team=[other_inspector])
    assert handed.count() == 2
    assert AuditEvent.objects.filter(action="inspection.plan_changed").count() == 1
    assert Notice.objects.filter(kind="cases_handed_back").count() == 1


def test_the_draft_handed_back_is_carried_on_by_whoever_is_assigned_it_next(
    fieldwork, ians_work, admin_user, other_inspector, lead_inspector
):
    _, draft, _, _ = ians_work
    _plan(fieldwork, admin_user, team=[other_inspector])
    _assign(fieldwork, [draft], other_inspector, lead_inspector)
    case = Case.objects.get(pk=draft.pk)
    casefile_services.case_review_submit(review=case.review, by=other_inspector)
    review = CaseReview.objects.get(case=draft)
    assert review.is_submitted and review.notes == "Ian's careful notes so far"


def test_a_lead_kept_on_the_team_keeps_their_cases_and_one_taken_off_does_not(
    fieldwork, admin_user, inspector, other_inspector, lead_inspector
):
    first, second, *_ = _sample(fieldwork)
    _assign(fieldwork, [first], lead_inspector, lead_inspector)
    # Olga leads now, Lena is on the team: still on the inspection, her case hers.
    _plan(fieldwork, admin_user, lead=other_inspector, team=[inspector, lead_inspector])
    assert _reviewers([first]) == [lead_inspector]
    assert not AuditEvent.objects.filter(action="case.unassigned").exists()
    # A team member made lead is on it still too.
    _assign(fieldwork, [second], inspector, other_inspector)
    _plan(fieldwork, admin_user, lead=lead_inspector, team=[inspector])
    assert _reviewers([first, second]) == [lead_inspector, inspector]
    # Lena replaced and off the inspection altogether: handed back, Olga told.
    _plan(fieldwork, admin_user, lead=other_inspector, team=[inspector])
    assert _reviewers([first, second]) == [None, inspector]
    told = Notice.objects.get(kind="cases_handed_back")
    assert told.recipient == other_inspector
    assert told.body.startswith("Lena Lead (1) is no longer on the team for the ")


def test_the_check_page_says_whose_reviews_are_handed_back_before_saving(
    client_for, fieldwork, ians_work, admin_user, inspector, other_inspector, lead_inspector
):
    url = reverse("inspections:edit", args=[fieldwork.pk])
    client = client_for(admin_user)
    seen = client.get(url).context["form"]["seen"].value()
    start, end = fieldwork.fieldwork_start, fieldwork.fieldwork_end
    data = {
        "kind": fieldwork.kind,
        **{f"fieldwork_start_{n}": v for n, v in enumerate((start.day, start.month, start.year))},
        **{f"fieldwork_end_{n}": v for n, v in enumerate((end.day, end.month, end.year))},
        "lead_inspector": lead_inspector.pk,
        "team": [other_inspector.pk],
        "seen": seen,
    }

    check = client.post(url, data)
    assert check.status_code == 200
    assert "Check the plan before you save it" in check.text
    assert (
        "Ian Inspector is coming off the inspection with 2 case file reviews assigned and not "
        "submitted. Saving hands them back as not assigned: anything written in them is kept, "
        "and the lead inspector is told to assign them again."
    ) in check.text
    # The start date is as recorded: no warning about it.
    assert "Fieldwork starts before today" not in check.text
    assert f'name="team" value="{other_inspector.pk}"' in check.text
    assert _reviewers(ians_work)[:2] == [inspector, inspector]  # nothing saved yet
    assert list(fieldwork.team.all().order_by("email")) == [inspector, other_inspector]

    saved = client.post(url, {**data, "confirm": "1"}, follow=True)
    assert saved.redirect_chain[-1][0] == fieldwork.get_absolute_url()
    assert (
        "Inspection plan saved. 2 case file reviews of Ian Inspector, not submitted, are no "
        "longer assigned, and the lead inspector has been told to assign them again"
    ) in saved.text
    assert _reviewers(ians_work) == [None, None, inspector, other_inspector]

    # The lead finds them on the sample page as not assigned, told so.
    lead = client_for(lead_inspector)
    sample = lead.get(reverse("casefiles:sample", args=[fieldwork.pk])).text
    assert sample.count("Not assigned") >= 2
    notices = lead.get(reverse("actionplans:notifications")).text
    assert "Case file reviews to assign: Greater Manchester" in notices
    # And the inspection's history shows each case handed back, and by whom.
    history = lead.get(reverse("inspections:history", args=[fieldwork.pk])).text
    assert history.count("Unassigned") == 2 and "Case reviewers" in history
    assert "Ian Inspector (inspector@example.org): 2 cases" in history


def test_a_team_change_with_no_reviews_to_hand_back_saves_without_a_check(
    client_for, fieldwork, admin_user, inspector, other_inspector, lead_inspector
):
    _assign(fieldwork, _sample(fieldwork)[:1], other_inspector, lead_inspector)
    url = reverse("inspections:edit", args=[fieldwork.pk])
    client = client_for(admin_user)
    seen = client.get(url).context["form"]["seen"].value()
    start, end = fieldwork.fieldwork_start, fieldwork.fieldwork_end
    data = {
        "kind": fieldwork.kind,
        **{f"fieldwork_start_{n}": v for n, v in enumerate((start.day, start.month, start.year))},
        **{f"fieldwork_end_{n}": v for n, v in enumerate((end.day, end.month, end.year))},
        "lead_inspector": lead_inspector.pk,
        "team": [other_inspector.pk],
        "seen": seen,
    }
    saved = client.post(url, data, follow=True)
    assert saved.redirect_chain[-1][0] == fieldwork.get_absolute_url()
    assert "Inspection plan saved" in saved.text and "case file review" not in saved.text
    assert list(fieldwork.team.all()) == [other_inspector]


def test_a_lead_replaced_at_moderation_has_their_reviews_handed_back_told_beforehand(
    client_for, force_a, admin_user, lead_inspector, inspector
):
    """The lead change page takes the old lead off the inspection too."""
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from inspections.models import Inspection
    from inspections.tests.factories import inspection_at

    inspection = inspection_at(
        Inspection.Stage.MODERATION, force=force_a, lead=lead_inspector, team=[inspector],
        admin=admin_user,
    )  # fmt: skip
    add_cases(inspection, {"missing-children": 4})
    casefile_services.sample_draw(
        inspection=inspection, sizes={"missing-children": 2}, seed=7, reason="", by=lead_inspector
    )
    mine, ians = _sample(inspection)
    _assign(inspection, [mine], lead_inspector, lead_inspector)
    _assign(inspection, [ians], inspector, lead_inspector)
    new_lead = UserFactory(email="new.lead@example.org", role=User.Role.LEAD_INSPECTOR)

    url = reverse("inspections:lead", args=[inspection.pk])
    page = client_for(admin_user).get(url).text
    assert (
        "Lena Lead is coming off the inspection with 1 case file review assigned and not "
        "submitted. Changing the lead inspector hands it back as not assigned"
    ) in page

    services.inspection_change_lead(
        inspection=inspection, lead_inspector=new_lead, reason="Long leave", by=admin_user
    )
    assert _reviewers([mine, ians]) == [None, inspector]
    changed = AuditEvent.objects.get(action="inspection.lead_changed")
    assert changed.changes["case_reviewers"] == [
        "Lena Lead (lead@example.org): 1 case",
        "Not assigned",
    ]
    told = Notice.objects.get(kind="cases_handed_back")
    assert told.recipient == new_lead
