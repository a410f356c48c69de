"""The access matrix: every URL pattern, every role, the expected status.

Each URL pattern in the project must have a row here, or the test fails, so
a new page cannot ship without someone deciding who may open it. Objects all
belong to force A's published inspection; force B's lead and an inspector
who is not on the team are the outsiders.

Statuses are for GET; a role refused a GET (403, 404) must be refused a POST
the same way. 302 for a signed-out person means "sent to sign in"; 405
means the URL only takes POST (its POSTs are in POST_EXPECTED, further below).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tests.factories import signed_in

ROLES = ["admin", "lead", "team", "outsider", "own_lead", "other_lead", "anon"]

# name: "admin lead team outsider own_lead other_lead anon"
EXPECTED = {
    "core:home": "200 200 200 200 200 200 302",
    "core:accessibility": "200 200 200 200 200 200 200",
    "core:audit": "200 403 403 403 404 404 302",
    "healthz": "200 200 200 200 200 200 200",
    "accounts:sign_in": "302 302 302 302 302 302 200",
    "accounts:sign_out": "405 405 405 405 405 405 302",
    "accounts:two_factor": "302 302 302 302 302 302 302",
    "accounts:two_factor_setup": "302 302 302 302 302 302 302",
    # How long one's own session has left: anyone may ask about their own,
    # the signed-out are told only that they are (test_sessions.py).
    "accounts:session_clock": "200 200 200 200 200 200 200",
    "accounts:forgotten_password": "200 200 200 200 200 200 200",
    "accounts:forgotten_password_sent": "302 302 302 302 302 302 302",
    # With the calendar feed's token, not a password link's: "This link does not work".
    "accounts:set_password": "200 200 200 200 200 200 200",
    "accounts:set_password_done": "200 200 200 200 200 200 200",
    # Pages about oneself: nobody is an outsider to their own account, so
    # every signed-in role gets its own page (as two_factor_setup answers
    # every role the same), and only the signed-out are sent to sign in.
    "accounts:your_account": "200 200 200 200 200 200 302",
    "accounts:password_change": "200 200 200 200 200 200 302",
    "accounts:user_list": "200 404 404 404 404 404 302",
    "accounts:user_add": "200 404 404 404 404 404 302",
    "accounts:user_send_password_link": "200 404 404 404 404 404 302",
    "accounts:user_detail": "200 404 404 404 404 404 302",
    "accounts:user_edit": "200 404 404 404 404 404 302",
    "accounts:user_deactivate": "200 404 404 404 404 404 302",
    "accounts:user_reactivate": "302 404 404 404 404 404 302",
    "accounts:user_reset_two_factor": "200 404 404 404 404 404 302",
    "forces:list": "200 200 200 200 200 200 302",
    "forces:detail": "200 200 200 200 200 404 302",
    "inspections:programme": "200 403 403 403 404 404 302",
    "inspections:new": "200 403 403 403 404 404 302",
    "inspections:detail": "200 200 200 404 200 404 302",
    # The world's inspection is past fieldwork, so its plan is fixed: the admin
    # is sent to the inspection's page saying why (services.plan_fixed).
    "inspections:edit": "302 403 403 404 404 404 302",
    "inspections:dates": "200 403 403 404 404 404 302",
    "inspections:lead": "200 403 403 404 404 404 302",
    # Published: only a planned inspection is cancelled, so an admin is sent
    # back to it, saying why (302); the team may see it, not cancel it (403).
    "inspections:cancel": "302 403 403 404 404 404 302",
    "inspections:report": "200 200 200 404 200 404 302",
    "inspections:factual_accuracy": "200 200 200 404 200 404 302",
    # Published: the force's own pages send its leads back to its points,
    # saying why (302); the inspectorate may not write the force's points.
    "inspections:factual_point_new": "403 403 403 404 302 404 302",
    "inspections:factual_points_send": "403 403 403 404 302 404 302",
    "inspections:factual_point_edit": "403 403 403 404 302 404 302",
    "inspections:factual_point_delete": "403 403 403 404 302 404 302",
    # Published: responses and corrections are over; the lead and admins are
    # sent back to the points, saying why (302). Never a force's pages.
    "inspections:factual_point_respond": "302 302 403 404 404 404 302",
    "inspections:finding_correct": "302 302 403 404 404 404 302",
    "inspections:judgment_correct": "302 302 403 404 404 404 302",
    "inspections:report_pdf": "200 200 200 404 200 404 302",
    "inspections:report_pdf_build": "405 405 405 405 405 405 302",
    "inspections:report_pdf_download": "200 200 200 404 200 404 302",
    "inspections:tracker": "200 200 200 404 200 404 302",
    "inspections:transition": "200 200 403 404 404 404 302",
    "inspections:judgment": "200 200 200 404 404 404 302",
    "inspections:judgment_submit": "405 405 405 405 405 405 302",
    "inspections:judgment_moderate": "405 405 405 405 405 405 302",
    "inspections:findings": "200 200 200 404 404 404 302",
    # Published: findings are frozen, so their forms send those allowed to
    # them back to the findings page with a message (302).
    "inspections:finding_new": "302 302 302 404 404 404 302",
    "inspections:finding_edit": "302 302 302 404 404 404 302",
    "inspections:finding_delete": "302 302 302 404 404 404 302",
    "inspections:recommendation_new": "302 302 302 404 404 404 302",
    "inspections:recommendation_delete": "302 302 302 404 404 404 302",
    "inspections:evidence": "200 200 200 404 404 404 302",
    "inspections:history": "200 200 200 404 404 404 302",
    "inspections:interview_new": "200 200 200 404 404 404 302",
    "inspections:interview": "200 200 200 404 404 404 302",
    "inspections:document_new": "200 200 200 404 404 404 302",
    "inspections:document_download": "200 200 200 404 404 404 302",
    "inspections:interview_delete": "200 200 200 404 404 404 302",
    "inspections:document_delete": "200 200 200 404 404 404 302",
    # Published, but nothing cites the world's interview or document: they still change.
    "inspections:interview_edit": "200 200 200 404 404 404 302",
    "inspections:document_edit": "200 200 200 404 404 404 302",
    "casefiles:overview": "200 200 200 404 404 404 302",
    "casefiles:case_list": "200 200 200 404 404 404 302",
    # The world's inspection is past moderation: the case file pages that
    # change things send those allowed to them back with a message (302).
    "casefiles:import_start": "302 302 302 404 404 404 302",
    "casefiles:import_template": "200 200 200 404 404 404 302",
    "casefiles:import_status": "200 200 200 404 404 404 302",
    "casefiles:sample": "200 200 200 404 404 404 302",
    "casefiles:sample_draw": "302 302 302 404 404 404 302",
    "casefiles:review_list": "200 200 200 404 404 404 302",
    "casefiles:second_review_list": "200 200 200 404 404 404 302",
    "casefiles:case_detail": "200 200 200 404 404 404 302",
    "casefiles:case_assign": "302 302 302 404 404 404 302",
    # The lead inspector's step: admins and the team are refused (403).
    "casefiles:case_replace": "403 302 403 404 404 404 302",
    "casefiles:case_take_out": "403 302 403 404 404 404 302",
    "casefiles:review_edit": "302 302 403 404 404 404 302",
    "casefiles:review_check": "302 302 403 404 404 404 302",
    "casefiles:second_review": "403 302 403 404 404 404 302",
    "casefiles:category_list": "200 200 200 200 404 404 302",
    "casefiles:category_add": "200 403 403 403 404 404 302",
    "casefiles:category_edit": "200 403 403 403 404 404 302",
    "actionplans:followup": "200 200 200 404 200 404 302",
    # Recorded by admins, the lead inspector and the force's own leads; the
    # rest of the team reads it on the follow-up page.
    "actionplans:pcc_response": "200 200 403 404 200 404 302",
    "actionplans:plan": "200 200 200 404 200 404 302",
    "actionplans:plan_upload": "403 403 403 404 302 404 302",
    # The draft's document is the force's own until a version is submitted.
    "actionplans:plan_document": "403 403 403 404 200 404 302",
    "actionplans:plan_response": "403 403 403 404 302 404 302",
    "actionplans:plan_check": "403 403 403 404 302 404 302",
    "actionplans:plan_submit": "405 405 405 405 405 405 302",
    # POST: the force's own lead alone (test_start_from_accepted.py).
    "actionplans:plan_start_from_accepted": "405 405 405 405 405 405 302",
    "actionplans:version": "200 200 200 404 200 404 302",
    "actionplans:version_document": "200 200 200 404 200 404 302",
    "actionplans:version_review": "403 200 403 404 403 404 302",
    "actionplans:visit_schedule": "200 200 403 404 403 404 302",
    "actionplans:visit": "200 200 200 404 200 404 302",
    "actionplans:visit_record": "200 200 403 404 403 404 302",
    # The world's visit has taken place: those who may cancel visits are
    # sent back to it, saying it can no longer be cancelled (302).
    "actionplans:visit_cancel": "302 302 403 404 403 404 302",
    "actionplans:notifications": "200 200 200 200 200 200 302",
    "actionplans:notifications_read": "405 405 405 405 405 405 302",
    "actionplans:calendar": "200 200 200 200 200 200 302",
    "actionplans:calendar_reset": "200 200 200 200 200 200 302",
    "actionplans:calendar_feed": "200 200 200 200 200 200 200",
    "dashboard:dashboard": "200 200 200 200 404 404 302",
    "exports:list": "200 403 403 403 404 404 302",
    "exports:prepare": "405 405 405 405 405 405 302",
    "exports:download": "200 403 403 403 404 404 302",
}


def url_patterns(resolver=None, namespace="", route=""):
    """(name, pattern) for every URL pattern; one without a name is yielded
    as "unnamed: <its route>", which no row can match, so the matrix test
    fails until it is named and given a row (found by a review: unnamed
    patterns were left out, and a page could ship in none)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin: staff only, guarded by Django
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, ns, f"{route}{pattern.pattern}")
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern
        else:
            yield f"unnamed: {route}{pattern.pattern}", pattern


@pytest.fixture
def world(
    private_storage,
    force_a,
    force_b,
    admin_user,
    lead_inspector,
    inspector,
    other_inspector,
    force_lead_a,
    force_lead_b,
):
    """Force A's published inspection with one of everything in it."""
    from datetime import date

    from actionplans import services as plan_services
    from actionplans.models import ActionPlan
    from actionplans.tests.factories import submitted_plan, visit_day_comes
    from casefiles.models import Case, CaseCategory, CaseListImport
    from core.tests.files import pdf, upload
    from dashboard import export_files
    from inspections import reports, services
    from inspections.models import Topic
    from inspections.tests.report_factories import report_inspection

    inspection = report_inspection(
        force=force_a, lead=lead_inspector, inspector=inspector, admin=admin_user, case_reviews=3
    )
    interview = services.interview_record(
        inspection=inspection,
        held_on=date(2026, 3, 3),
        topics=[Topic.LEADERSHIP],
        notes="",
        participants=[("Sergeant", "police")],
        by=inspector,
    )
    document = services.document_record(
        inspection=inspection,
        title="Policy",
        kind="policy",
        received_on=date(2026, 3, 3),
        notes="",
        upload=upload("policy.pdf", pdf()),
        by=inspector,
    )
    plan, version = submitted_plan(inspection, by=force_lead_a, kind=ActionPlan.Kind.ACTION_PLAN)
    visit = plan_services.post_inspection_visit_schedule(
        inspection=inspection, visit_on=timezone.localdate() + timedelta(days=30), by=lead_inspector
    )
    visit_day_comes(visit)  # so it can be recorded
    report_file = reports.report_request(inspection=inspection, by=lead_inspector)
    reports.report_build(report_file_id=report_file.pk)
    export_file = export_files.export_request(name="grades", by=admin_user)
    export_files.export_build(export_file_id=export_file.pk)
    case = Case.objects.filter(inspection=inspection).sampled().order_by("reference").first()
    second = (
        Case.objects.filter(inspection=inspection, review__second_review__isnull=False).first()
        or case
    )
    import_job = CaseListImport.objects.create(
        inspection=inspection, stored_file=document.stored_file, created_by=inspector
    )
    finding = inspection.findings.filter(kind="cause_of_concern").first()
    point = inspection.factual_points.create(
        finding=finding,
        inaccuracy="What is inaccurate",
        correction="The correction",
        raised_by=force_lead_a,
        sent_at=timezone.now(),
        response="accepted",
        responded_by=lead_inspector,
    )
    item = plan_services.plan_items(plan)[0]
    return {
        "inspection_id": inspection.pk,
        "topic": Topic.LEADERSHIP,
        "action": "publish",
        "finding_id": finding.pk,
        "point_id": point.pk,
        "recommendation_id": finding.recommendations.first().pk,
        "interview_id": interview.pk,
        "document_id": document.pk,
        "report_file_id": report_file.pk,
        "fmt": "csv",
        "case_id": case.pk,
        "second_case_id": second.pk,
        "import_id": import_job.pk,
        "category_id": CaseCategory.objects.first().pk,
        "plan_slug": plan.slug,
        "item_id": item.id,
        "number": version.number,
        "visit_id": visit.pk,
        "user_id": inspector.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(inspector.pk)),
        "force_slug": force_a.slug,
        "export": "grades",
        "export_file_id": export_file.pk,
        "token": plan_services.calendar_feed_for(force_lead_a).token,
    }


def _kwargs(name: str, pattern: URLPattern, world: dict) -> dict:
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "slug":
            kwargs[key] = world["force_slug"] if name == "forces:detail" else world["plan_slug"]
        elif key == "name":
            kwargs[key] = world["export"]
        elif key == "case_id" and name == "casefiles:second_review":
            kwargs[key] = world["second_case_id"]
        else:
            kwargs[key] = world[key]
    return kwargs


@pytest.fixture
def clients(admin_user, lead_inspector, inspector, other_inspector, force_lead_a, force_lead_b):
    people = {
        "admin": admin_user,
        "lead": lead_inspector,
        "team": inspector,
        "outsider": other_inspector,
        "own_lead": force_lead_a,
        "other_lead": force_lead_b,
    }
    made = {role: signed_in(Client(), user) for role, user in people.items()}
    made["anon"] = Client()
    return made


def test_every_url_pattern_has_a_row_in_the_matrix():
    names = {name for name, _ in url_patterns()}
    missing = sorted(names - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - names)
    assert missing == [], f"add these URLs to the access matrix: {missing}"
    assert stale == [], f"these rows name no URL: {stale}"


def test_an_unnamed_url_pattern_needs_a_row_too():
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern

    def page(request):
        raise AssertionError("never requested")

    unnamed = [path("inspections/", include([path("<uuid:inspection_id>/", page)]))]
    urlconf = URLResolver(RegexPattern(r"^/"), unnamed)
    assert [name for name, _ in url_patterns(urlconf)] == [
        "unnamed: inspections/<uuid:inspection_id>/"
    ]


def test_access_matrix(world, clients):
    unexpected = []
    checked = 0
    for name, pattern in url_patterns():
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        for role, expected in zip(ROLES, EXPECTED[name].split(), strict=True):
            status = clients[role].get(url).status_code
            checked += 1
            if str(status) != expected:
                unexpected.append(f"{name} as {role}: expected {expected}, got {status}")
            if expected in ("403", "404"):
                # Refused a page, refused its form: a POST (empty, or from a
                # page drawn before their rights changed) gets the same
                # answer, or 405 where only a GET is taken.
                status = clients[role].post(url).status_code
                if str(status) not in (expected, "405"):
                    unexpected.append(f"{name} as {role}: POST expected {expected}, got {status}")
    print(f"access matrix: {len(EXPECTED)} URL patterns x {len(ROLES)} roles = {checked} cases")
    assert unexpected == [], "\n".join(unexpected)


# The URLs that take only a POST (405 to a GET above), as each role's POST
# is answered: "admin lead team outsider own_lead other_lead anon". Objects as
# above, on force A's published inspection, so what may no longer be done is
# sent back saying why (302) and what never may be is refused (403, 404).
POST_EXPECTED = {
    "accounts:sign_out": "302 302 302 302 302 302 302",
    # One's own notices: everyone signed in, sent back to them.
    "actionplans:notifications_read": "302 302 302 302 302 302 302",
    # The force's to fill in; only the updated plan starts from the accepted one.
    "actionplans:plan_start_from_accepted": "403 403 403 404 404 404 302",
    "actionplans:plan_submit": "403 403 403 404 302 404 302",
    "exports:prepare": "302 403 403 403 404 404 302",
    # The lead inspector's alone, sent back (published) saying why.
    "inspections:judgment_moderate": "403 302 403 404 404 404 302",
    "inspections:judgment_submit": "302 302 302 404 404 404 302",
    "inspections:report_pdf_build": "302 302 302 404 302 404 302",
}


def test_every_post_only_url_refuses_a_post_as_its_get_would(world, clients):
    """Found by a review: the matrix POSTed only where a GET was refused, so
    the URLs taking a POST alone (moderating, submitting, building a PDF)
    were never sent one by an outsider or a read-only person."""
    post_only = [
        (name, pattern)
        for name, pattern in url_patterns()
        if EXPECTED[name] == "405 405 405 405 405 405 302"
    ]
    assert sorted(name for name, _ in post_only) == sorted(POST_EXPECTED)
    unexpected = []
    # Signing out last: it signs each client out.
    for name, pattern in sorted(post_only, key=lambda row: row[0] == "accounts:sign_out"):
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        for role, expected in zip(ROLES, POST_EXPECTED[name].split(), strict=True):
            status = clients[role].post(url).status_code
            if str(status) != expected:
                unexpected.append(f"{name} as {role}: POST expected {expected}, got {status}")
    assert unexpected == [], "\n".join(unexpected)


DOWNLOADS = [
    "inspections:document_download",
    "inspections:report_pdf_download",
    "actionplans:plan_document",
    "actionplans:version_document",
    "exports:download",
]


def test_only_a_get_takes_a_copy_of_a_file(world, clients):
    """Each download is audited: a POST or HEAD (a crawler, a link checker)
    took no copy but was recorded as one. Only a GET now reaches the view."""
    from core.models import AuditEvent

    patterns = dict(url_patterns())
    for name in DOWNLOADS:
        url = reverse(name, kwargs=_kwargs(name, patterns[name], world))
        client = clients["own_lead" if name == "actionplans:plan_document" else "admin"]
        before = AuditEvent.objects.filter(action="file.downloaded").count()
        for send in (client.post, client.head):
            assert send(url).status_code == 405, name
        assert AuditEvent.objects.filter(action="file.downloaded").count() == before, name
        assert client.get(url).status_code == 200, name
        assert AuditEvent.objects.filter(action="file.downloaded").count() == before + 1, name


SECRETS = ["SECRET-INTERVIEW-NOTE", "SECRET-MODERATION", "SECRET-CASE-NOTE", "SECRET-OTHER-FORCE"]


def _text(response) -> str:
    """What a person would read in a response: PDF text via pdftotext."""
    import subprocess

    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"%PDF"):
        return subprocess.run(  # noqa: S603
            ["pdftotext", "-", "-"],  # noqa: S607
            input=body,
            capture_output=True,
            check=True,
        ).stdout.decode()
    return body.decode(errors="replace")


def test_nothing_a_force_lead_may_not_see_reaches_them(
    world, clients, mailoutbox, force_lead_a, force_b, other_inspector, admin_user
):
    from casefiles.models import CaseReview
    from inspections.models import Interview, Judgment
    from inspections.tests.report_factories import report_inspection

    Interview.objects.filter(pk=world["interview_id"]).update(notes="SECRET-INTERVIEW-NOTE")
    Judgment.objects.filter(inspection_id=world["inspection_id"]).update(
        moderation_comment="SECRET-MODERATION"
    )
    CaseReview.objects.filter(case__inspection_id=world["inspection_id"]).update(
        notes="SECRET-CASE-NOTE"
    )
    theirs = report_inspection(
        force=force_b, lead=other_inspector, inspector=other_inspector, admin=admin_user
    )
    theirs.findings.update(summary="SECRET-OTHER-FORCE")

    seen = []
    for name, pattern in url_patterns():
        if EXPECTED[name].split()[ROLES.index("own_lead")] != "200":
            continue
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        response = clients["own_lead"].get(url)
        assert response.status_code == 200, name
        text = _text(response)
        seen.append(name)
        leaked = [secret for secret in SECRETS if secret in text]
        assert leaked == [], f"{name} shows a force lead {leaked}"
    assert {"inspections:report_pdf_download", "inspections:tracker"} <= set(seen)
    assert "actionplans:calendar_feed" in seen
    emails = [m for m in mailoutbox if force_lead_a.email in m.to]
    for message in emails:
        assert not [s for s in SECRETS if s in message.subject + message.body]


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "trace"])
def test_only_the_methods_a_browser_sends_are_answered(world, clients, method):
    """Found by a review: a PUT, PATCH or DELETE to a plain view drew its GET
    page with 200. Every URL now answers 405 to them, naming GET, HEAD, POST."""
    patterns = dict(url_patterns())
    for name in ("core:home", "actionplans:plan_check", "inspections:detail"):
        url = reverse(name, kwargs=_kwargs(name, patterns[name], world))
        for role in ("admin", "own_lead", "anon"):
            response = getattr(clients[role], method)(url)
            assert response.status_code == 405, (name, role)
            assert response["Allow"] == "GET, HEAD, POST"
            # With the headers every response has (found by a review: placed
            # first, its 405 went out without them).
            assert response["X-Frame-Options"] == "DENY"
            assert "Content-Security-Policy" in response


def test_a_form_address_opened_as_a_page_says_so_where_it_was_blank(clients):
    """Found by the sign-in review: the address a button sends its form to,
    opened as a page (reloaded, bookmarked), was an empty 405 page."""
    for name in ("actionplans:notifications_read", "accounts:sign_out"):
        response = clients["own_lead"].get(reverse(name))
        assert response.status_code == 405
        assert response["Allow"].split(", ")[0] == "POST"  # a class view adds OPTIONS
        html = response.content.decode()
        assert '<h1 class="govuk-heading-l">This address only takes a form</h1>' in html
        assert "Nothing has been saved or changed" in html


def test_the_refusal_page_does_not_say_the_page_could_be_seen(clients):
    """Found by the sign-in review: the 403 page told an inspector refused the
    audit trail that their role let them see it, but not change it."""
    response = clients["team"].get(reverse("core:audit"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do this</h1>" in html
    assert "lets you see this page" not in html
    assert "does not let you do this, or see this page" in html
