"""A person deactivated while case file reviews are assigned to them and not
submitted, on an inspection whose case files are open: the reviews are
handed back as not assigned (drafts kept), as when they are taken off the
team (casefiles.services.cases_hand_back), audited, the lead inspector told,
and the admin warned on the deactivation page beforehand. Found by the
deactivation review: they stayed with someone who could no longer sign in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from actionplans.models import Notice
from casefiles import services as casefile_services
from casefiles.models import Case, CaseReview
from casefiles.tests.factories import COMPLETE_ANSWERS, add_cases, submit_review
from core import audit
from core.models import AuditEvent
from inspections import services as inspection_services
from inspections.tests.factories import schedule

from .test_django_admin import admin_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def fieldwork(force_a, lead_inspector, inspector, other_inspector, admin_user):
    """Force A's inspection in fieldwork, Ian and Olga on its team, six cases sampled."""
    inspection = schedule(
        force=force_a,
        lead=lead_inspector,
        team=[inspector, other_inspector],
        start=timezone.localdate() - timedelta(days=2),
        days=14,
        by=admin_user,
    )
    inspection_services.inspection_start_fieldwork(inspection=inspection, by=lead_inspector)
    add_cases(inspection, {"missing-children": 10})
    casefile_services.sample_draw(
        inspection=inspection, sizes={"missing-children": 6}, seed=42, reason="", by=lead_inspector
    )
    inspection.refresh_from_db()
    return inspection


def _sample(inspection) -> list[Case]:
    return list(Case.objects.sampled().filter(inspection=inspection).order_by("reference"))


def _assign(inspection, cases, reviewer, by):
    casefile_services.cases_assign(
        inspection=inspection, case_ids=[c.pk for c in cases], reviewer=reviewer, by=by
    )


def _reviewers(cases) -> list:
    return [Case.objects.get(pk=case.pk).reviewer for case in cases]


@pytest.fixture
def ians_work(fieldwork, inspector, other_inspector, lead_inspector):
    """Ian's three cases (not started, a draft, submitted) and Olga's one."""
    not_started, draft, submitted, olgas, *_ = _sample(fieldwork)
    _assign(fieldwork, [not_started, draft, submitted], inspector, lead_inspector)
    _assign(fieldwork, [olgas], other_inspector, lead_inspector)
    answers = {**COMPLETE_ANSWERS, "notes": "Ian's careful notes so far"}
    casefile_services.case_review_save(case=draft, answers=answers, by=inspector)
    submit_review(submitted, by=inspector)
    return not_started, draft, submitted, olgas


def test_deactivating_an_inspector_hands_back_their_unsubmitted_reviews(
    fieldwork, ians_work, admin_user, inspector, other_inspector, lead_inspector
):
    not_started, draft, _, _ = ians_work
    services.user_deactivate(user=inspector, by=admin_user, reason="Left the inspectorate")

    assert _reviewers(ians_work) == [None, None, inspector, other_inspector]
    review = CaseReview.objects.get(case=draft)  # kept, as it was
    assert review.status == CaseReview.Status.DRAFT
    assert review.notes == "Ian's careful notes so far"

    handed = AuditEvent.objects.filter(action="case.unassigned", inspection_id=fieldwork.pk)
    assert sorted(e.object_id for e in handed) == sorted(str(c.pk) for c in (not_started, draft))
    assert all(e.changes == {"reviewer": [audit.person(inspector), None]} for e in handed)
    assert {e.comment for e in handed} == {"Account deactivated"}
    assert {e.actor for e in handed} == {admin_user}

    told = Notice.objects.get(kind="cases_handed_back")
    assert told.recipient == lead_inspector
    assert told.link == reverse("casefiles:sample", args=[fieldwork.pk])
    assert told.body.startswith(
        "Ian Inspector (2) can no longer sign in: their account was deactivated while on the "
        "team for the "
    )
    assert "the 2 case file reviews assigned to them and not submitted are no longer" in told.body

    # Reactivated and deactivated again with nothing assigned: nothing more.
    services.user_reactivate(user=inspector, by=admin_user, reason="Back")
    services.user_deactivate(user=inspector, by=admin_user, reason="Left again")
    assert handed.count() == 2
    assert Notice.objects.filter(kind="cases_handed_back").count() == 1


def test_deactivating_a_lead_hands_back_the_reviews_assigned_to_them(
    client_for, fieldwork, admin_user, inspector, lead_inspector
):
    """A lead deactivated stays its lead (the page lists what they lead for
    the admin to give another lead), but the reviews they were writing are
    handed back for the team: no one is told, as the lead cannot sign in."""
    mine, ians, *_ = _sample(fieldwork)
    _assign(fieldwork, [mine], lead_inspector, lead_inspector)
    _assign(fieldwork, [ians], inspector, lead_inspector)
    url = reverse("accounts:user_deactivate", args=[lead_inspector.pk])
    page = client_for(admin_user).get(url).text
    assert "Lena Lead leads 1 inspection not yet closed" in page
    assert (
        "Lena Lead has 1 case file review assigned and not submitted. Deactivating their "
        "account hands it back as not assigned: anything written in it is kept, and the lead "
        "inspector you give the inspection assigns it again."
    ) in page
    services.user_deactivate(user=lead_inspector, by=admin_user, reason="Long leave")
    assert _reviewers([mine, ians]) == [None, inspector]
    assert AuditEvent.objects.filter(action="case.unassigned").count() == 1
    assert not Notice.objects.filter(kind="cases_handed_back").exists()


def test_a_deactivation_in_the_django_admin_hands_back_their_reviews(
    client_for, staff, fieldwork, ians_work, inspector, other_inspector, lead_inspector
):
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    assert client.post(url, admin_form(inspector, is_active="")).status_code == 302
    inspector.refresh_from_db()
    assert not inspector.is_active
    assert _reviewers(ians_work) == [None, None, inspector, other_inspector]
    assert AuditEvent.objects.filter(action="case.unassigned").count() == 2
    assert Notice.objects.get(kind="cases_handed_back").recipient == lead_inspector


def test_the_deactivation_page_says_whose_reviews_are_handed_back_before(
    client_for, admin_user, fieldwork, ians_work, inspector
):
    url = reverse("accounts:user_deactivate", args=[inspector.pk])
    page = client_for(admin_user).get(url).text
    assert (
        "Ian Inspector has 2 case file reviews assigned and not submitted. Deactivating "
        "their account hands them back as not assigned: anything written in them is kept, "
        "and the lead inspector is told to assign them again."
    ) in page
    assert f'href="{reverse("casefiles:sample", args=[fieldwork.pk])}"' in page
    assert _reviewers(ians_work)[:2] == [inspector, inspector]  # nothing done yet


def test_a_role_change_to_force_lead_is_refused_while_reviews_are_assigned(
    fieldwork, ians_work, admin_user, inspector
):
    """check_role_change: on a team (as anyone with reviews assigned is), an
    inspector cannot become a force lead, so keeps no reviews as one."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="is on the team of 1 inspection"):
        services.user_details_change(
            user=inspector,
            by=admin_user,
            full_name=inspector.full_name,
            email=inspector.email,
            role=User.Role.FORCE_LEAD,
            force=fieldwork.force,
            reason="Seconded",
        )
    assert _reviewers(ians_work)[0] == inspector


def test_a_lead_deactivated_in_the_django_admin_is_told_of_what_they_lead_and_handed_back(
    client_for, staff, fieldwork, inspector, lead_inspector
):
    """The Users pages' deactivation page lists the inspections the person
    leads, and the reviews handed back, beforehand; the Django admin has no
    such page, and said nothing: its confirmation says it instead."""
    _assign(fieldwork, _sample(fieldwork)[:1], lead_inspector, lead_inspector)
    client = client_for(staff)
    url = reverse("admin:accounts_user_change", args=[lead_inspector.pk])
    saved = client.post(url, admin_form(lead_inspector, is_active=""), follow=True)
    assert saved.status_code == 200
    assert f"Lena Lead leads 1 inspection not yet closed: {fieldwork}." in saved.text
    assert "Give each another lead inspector" in saved.text
    assert "1 case file review of theirs, not submitted, is no longer assigned" in saved.text
    # Nothing said of a deactivation that leaves nothing behind.
    url = reverse("admin:accounts_user_change", args=[inspector.pk])
    saved = client.post(url, admin_form(inspector, is_active=""), follow=True)
    assert "not yet closed" not in saved.text and "no longer assigned" not in saved.text
