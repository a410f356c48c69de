from django.urls import reverse

from core.models import AuditEvent
from inspections.tests.factories import add_concern, schedule

URL = reverse("core:audit")


def test_only_admins_search_the_audit_trail(client_for, inspector, force_lead_a, admin_user):
    assert client_for(inspector).get(URL).status_code == 403
    assert client_for(force_lead_a).get(URL).status_code == 404
    assert client_for(admin_user).get(URL).status_code == 200


def test_search_by_force_person_inspection_and_date(
    client_for, admin_user, force_a, force_b, lead_inspector, inspector, other_inspector
):
    a = schedule(force=force_a, lead=lead_inspector, team=[inspector])
    b = schedule(force=force_b, lead=other_inspector, by=admin_user)
    add_concern(a, by=inspector)
    client = client_for(admin_user)

    by_force = client.get(URL, {"force": force_b.pk}).context["page_obj"].object_list
    assert {e.inspection_id for e in by_force} == {b.pk}
    by_person = client.get(URL, {"user": "ian"}).context["page_obj"].object_list
    assert {e.actor for e in by_person} == {inspector}
    # An email address finds that person only, not one whose address ends
    # the same way (other.inspector@… for inspector@…; found by testing).
    add_concern(b, by=other_inspector)
    assert other_inspector.email.endswith(inspector.email)
    by_email = client.get(URL, {"user": inspector.email.upper()}).context["page_obj"].object_list
    assert by_email and {e.actor for e in by_email} == {inspector}
    by_inspection = client.get(URL, {"inspection": a.pk}).context["page_obj"].object_list
    assert len(by_inspection) == 3
    # The page's address pasted as it is finds the same records.
    pasted = client.get(URL, {"inspection": f"https://example.org{a.get_absolute_url()}"})
    assert len(pasted.context["page_obj"].object_list) == 3
    future = client.get(URL, {"since": "01/01/2099"}).context["page_obj"].object_list
    assert list(future) == []


def test_search_by_what_happened(client_for, admin_user, force_a, lead_inspector, inspector):
    """Found by the lists review: "every grade returned this year" or "every
    role change" meant reading every record of the period."""
    from core import audit

    a = schedule(force=force_a, lead=lead_inspector, team=[inspector])
    add_concern(a, by=inspector)
    audit.record(by=admin_user, action="user_deactivated", obj=inspector)
    client = client_for(admin_user)

    page = client.get(URL).content.decode()
    assert '<option value="people">People and their access</option>' in page
    people = client.get(URL, {"what": "people"}).context["page_obj"].object_list
    assert [e.action for e in people] == ["user_deactivated"]
    findings = client.get(URL, {"what": "findings"}).context["page_obj"].object_list
    assert {e.action for e in findings} == {"finding.created", "recommendation.created"}
    schedule_ = client.get(URL, {"what": "schedule"}).context["page_obj"].object_list
    assert {e.action for e in schedule_} == {"inspection.scheduled"}
    # A superseded report PDF is removed by the retention job alone: its kind.
    audit.record(by=None, action="report.removed", obj=inspector)
    retention = client.get(URL, {"what": "retention"}).context["page_obj"].object_list
    assert [e.action for e in retention] == ["report.removed"]
    report = client.get(URL, {"what": "report"}).context["page_obj"].object_list
    assert "report.removed" not in {e.action for e in report}
    refused = client.get(URL, {"what": "everything-at-once"}).content.decode()
    assert "Select what happened from the list" in refused and "govuk-error-summary" in refused


def test_bad_dates_are_explained_not_guessed(client_for, admin_user):
    response = client_for(admin_user).get(URL, {"since": "31/02/2026", "inspection": "x"})
    html = response.content.decode()
    assert "The from date must be a real date" in html  # written right, but cannot be
    assert "Enter the from date in the format" not in html
    assert "Enter the address of the inspection&#x27;s page, or the reference in it" in html
    assert list(response.context["page_obj"].object_list) == []
    assert "Correct the search to see the records" in html
    assert "No records match this search" not in html
    unshaped = client_for(admin_user).get(URL, {"until": "next tuesday"}).content.decode()
    assert "Enter the to date in the format 31/12/2026" in unshaped
    backwards = client_for(admin_user).get(URL, {"since": "27/11/2026", "until": "01/01/2026"})
    assert "The to date must be the same as or after the from date" in backwards.text


def test_audit_page_queries_do_not_grow(
    client_for, admin_user, force_a, lead_inspector, inspector, django_assert_max_num_queries
):
    inspection = schedule(force=force_a, lead=lead_inspector, team=[inspector])
    for n in range(30):
        add_concern(inspection, by=inspector, summary=f"Investigations are delayed ({n})")
    assert AuditEvent.objects.count() > 50
    client = client_for(admin_user)
    with django_assert_max_num_queries(7):
        response = client.get(URL)
    assert len(response.context["page_obj"].object_list) == 50
    assert "govuk-pagination" in response.content.decode()


def test_the_app_offers_no_way_to_change_the_record(client_for, admin_user):
    response = client_for(admin_user).post(URL, {"action": "delete"})
    assert response.status_code == 405
    from django.contrib import admin

    assert AuditEvent not in admin.site._registry


def test_a_long_change_is_shown_in_full(client_for, admin_user, force_a, lead_inspector):
    # Found by a review: both sides were cut to 80 characters, so a rationale
    # corrected late in its text read the same before and after.
    inspection = schedule(force=force_a, lead=lead_inspector)
    opening = "Chief officers give child protection a clear priority, " * 3
    AuditEvent.objects.create(
        actor=lead_inspector,
        action="judgment.corrected_before_publication",
        object_repr="Leadership judgment",
        inspection_id=inspection.pk,
        force=force_a,
        changes={"rationale": [opening + "meeting yearly.", opening + "meeting monthly."]},
    )
    html = client_for(admin_user).get(URL, {"inspection": inspection.pk}).content.decode()
    assert "Before: " + opening.strip() in html and "meeting yearly." in html
    assert "After: " + opening.strip() in html and "meeting monthly." in html
    assert 'class="govuk-details__summary"' in html


def test_actions_read_in_the_service_s_words():
    from core.templatetags.govuk import action_label

    assert action_label("judgment.returned") == "Returned"
    assert action_label("inspection.follow_up_started") == "Follow-up started"
    assert action_label("user_two_factor_set_up") == "User two-factor authentication set up"


def test_a_long_trail_counts_its_records_as_the_case_list_does(client_for, admin_user):
    # 3749 records read as a code, beside "5,000 cases" on the case list.
    AuditEvent.objects.bulk_create(
        AuditEvent(action="saved", object_type="x", object_id=str(n), object_repr=f"Item {n}")
        for n in range(1234)
    )
    html = client_for(admin_user).get(reverse("core:audit"), {"page": 2}).content.decode()
    assert f"{AuditEvent.objects.count():,} records" in html
