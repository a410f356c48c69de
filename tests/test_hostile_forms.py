"""Hostile input into the remaining forms and every filter: no 500s, nothing
stored from a refused form, and text shown back is escaped."""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import AuditEvent
from tests.hostile import form_data

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_deactivate_reason_form(client_for, admin_user, inspector):
    client = client_for(admin_user)
    url = reverse("accounts:user_deactivate", args=[inspector.pk])

    @EXAMPLES
    @given(data=form_data(["reason"]))
    def check(data):
        before = AuditEvent.objects.count()
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert AuditEvent.objects.count() == before
            assert "<script>alert(1)</script>" not in response.content.decode()
        elif response.status_code == 302:
            # A valid reason deactivated the account: undo it for the next example.
            inspector.refresh_from_db()
            inspector.is_active = True
            inspector.save(update_fields=["is_active"])

    check()


def test_add_user_form(client_for, admin_user, force_a):
    from accounts.models import User

    client = client_for(admin_user)
    url = reverse("accounts:user_add")

    @EXAMPLES
    @given(data=form_data(["full_name", "email", "role", "force"]))
    def check(data):
        people = User.objects.count()
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert User.objects.count() == people
            assert "<script>alert(1)</script>" not in response.content.decode()
        else:
            User.objects.exclude(pk=admin_user.pk).delete()

    check()


def test_forgotten_password_and_choose_password_forms(client, inspector):
    from accounts import services

    @EXAMPLES
    @given(data=form_data(["email"]))
    def forgotten(data):
        response = client.post(reverse("accounts:forgotten_password"), data)
        assert response.status_code in (200, 302)
        assert "<script>alert(1)</script>" not in response.content.decode()

    forgotten()
    form_url = client.get(services.password_link_url(inspector)).url

    @EXAMPLES
    @given(data=form_data(["new_password1", "new_password2"]))
    def choose(data):
        before = type(inspector).objects.get(pk=inspector.pk).password
        response = client.post(form_url, data)
        assert response.status_code in (200, 302)
        assert "<script>alert(1)</script>" not in response.content.decode()
        # Saved only when accepted (then the link is spent: later examples
        # see "This link does not work").
        after = type(inspector).objects.get(pk=inspector.pk).password
        assert (after != before) == (response.status_code == 302)

    choose()


def test_change_password_form(client_for, inspector):
    from axes.utils import reset

    from accounts.tests.factories import TEST_PASSWORD

    url = reverse("accounts:password_change")
    client = client_for(inspector)
    fields = ["current_password", "new_password1", "new_password2"]

    @EXAMPLES
    @given(data=form_data(fields, {"current_password": st.just(TEST_PASSWORD)}))
    def check(data):
        reset()  # wrong current passwords count toward a lockout, which signs out
        before = AuditEvent.objects.count()
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        assert "<script>alert(1)</script>" not in response.content.decode()
        if response.status_code == 200:
            assert AuditEvent.objects.count() == before
        else:
            # A hostile but acceptable new password was saved: put the old one back.
            assert response.url == reverse("accounts:your_account")
            inspector.set_password(TEST_PASSWORD)
            inspector.save(update_fields=["password"])
            client_for(inspector)

    check()


def test_sign_in_form(client, db):
    url = reverse("accounts:sign_in")

    @EXAMPLES
    @given(data=form_data(["username", "password"]))
    def check(data):
        response = client.post(url, data)
        # 429 once the lockout engages: still a page, never a 500.
        assert response.status_code in (200, 429)
        assert "<script>alert(1)</script>" not in response.content.decode()

    check()


def test_every_filter_and_search(client_for, admin_user):
    client = client_for(admin_user)
    pages = {
        reverse("core:audit"): ["user", "force", "inspection", "since", "until", "page"],
        reverse("forces:list"): ["q", "region", "country"],
        reverse("inspections:programme"): ["region", "country", "due", "sort"],
        reverse("dashboard:dashboard"): ["region", "country"],
        reverse("accounts:user_list"): ["q", "status", "page"],
        reverse("actionplans:notifications"): ["page"],
    }

    @EXAMPLES
    @given(url=st.sampled_from(sorted(pages)), values=st.data())
    def check(url, values):
        params = values.draw(form_data(pages[url]))
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        assert "<script>alert(1)</script>" not in response.content.decode()

    check()


def test_inspection_cancel_form(client_for, admin_user, force_a, lead_inspector):
    from inspections.models import Inspection
    from inspections.tests.factories import schedule

    inspection = schedule(force=force_a, lead=lead_inspector, by=admin_user)
    client = client_for(admin_user)
    url = reverse("inspections:cancel", args=[inspection.pk])

    @EXAMPLES
    @given(data=form_data(["reason", "seen"]))
    def check(data):
        before = AuditEvent.objects.count()
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert AuditEvent.objects.count() == before
            assert Inspection.objects.get(pk=inspection.pk).stage == Inspection.Stage.PLANNED
            assert "<script>alert(1)</script>" not in response.content.decode()
        else:  # cancelled with a valid reason: plan it again for the next example
            Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.PLANNED)

    check()


def test_a_null_character_in_a_choice_from_the_database_gets_govuk_words(
    client_for, admin_user, force_a, lead_inspector
):
    """Django checks a force or a person chosen for a NUL byte before
    anything else, in its own words ("Null characters are not allowed."),
    which a field's error_messages cannot change."""
    client = client_for(admin_user)
    nul = "a\x00b"
    posted = {"force": nul, "lead_inspector": nul, "team": [nul, nul]}
    html = client.post(reverse("inspections:new"), posted).content.decode()
    audit = client.get(reverse("core:audit"), {"force": nul}).content.decode()
    for page in (html, audit):
        assert "Null characters" not in page
    assert '<a href="#id_force">Select the force to inspect</a>' in html
    assert '<a href="#id_lead_inspector">Select the lead inspector</a>' in html
    # Once for the team, however many were posted, beside it and in the summary.
    assert html.count("Select team from the list") == 2
    assert "Select force from the list" in audit


def test_a_hidden_field_refused_is_named_in_the_error_summary(
    client_for, admin_user, force_a, lead_inspector
):
    """A tampered hidden field (the version a page was drawn from, with a NUL
    byte) drew an error summary with nothing in it, and nothing beside any field."""
    from inspections.models import Inspection
    from inspections.tests.factories import schedule

    inspection = schedule(force=force_a, lead=lead_inspector, by=admin_user)
    url = reverse("inspections:cancel", args=[inspection.pk])
    posted = {"reason": "The force asked for another date", "seen": "a\x00b"}
    html = client_for(admin_user).post(url, posted).content.decode()
    summary = html.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    assert '<li><a href="#id_reason">' in summary
    assert "must not contain a null character" in summary
    assert Inspection.objects.get(pk=inspection.pk).stage == Inspection.Stage.PLANNED
