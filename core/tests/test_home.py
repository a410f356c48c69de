from django.urls import get_resolver, reverse


def test_admin_home_is_the_programme(client_for, admin_user):
    response = client_for(admin_user).get(reverse("core:home"))
    assert response.templates[0].name == "core/home_admin.html"
    html = response.content.decode()
    assert "43 forces" in html
    assert '<h1 class="govuk-heading-l">Programme administration</h1>' in html
    assert "Nothing is overdue." in html


def test_admin_home_links_to_the_case_categories(client_for, admin_user):
    """Found by crawling every link as each demo user: no page linked to the
    case categories, so an admin could add or retire one only by typing its
    address (its back link already leads home)."""
    html = client_for(admin_user).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("casefiles:category_list")}">Change the case categories</a>' in html


def test_inspector_home_lists_their_inspections(client_for, inspector):
    response = client_for(inspector).get(reverse("core:home"))
    assert response.templates[0].name == "core/home_inspector.html"


def test_force_lead_home_names_their_force(client_for, force_lead_a):
    response = client_for(force_lead_a).get(reverse("core:home"))
    assert response.templates[0].name == "core/home_force_lead.html"
    assert "Greater Manchester Police" in response.content.decode()


def test_navigation_is_role_aware(client_for, force_lead_a, admin_user):
    lead_html = client_for(force_lead_a).get(reverse("core:home")).content.decode()
    assert "Your force" in lead_html
    assert 'href="/forces/"' not in lead_html
    admin_html = client_for(admin_user).get(reverse("core:home")).content.decode()
    assert 'href="/forces/"' in admin_html


def test_404_page_is_styled(client_for, inspector):
    response = client_for(inspector).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-heading-l" in response.content.decode()


def test_500_page_names_the_service_and_needs_no_request_context(rf):
    """Drawn as Django draws its own, without the request, but through the
    service's handler: Django's gave the header's home link no words."""
    handler = get_resolver().resolve_error_handler(500)

    response = handler(rf.get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert 'class="govuk-service-navigation__link">Child protection inspections</a>' in html


def assert_the_400_page(response) -> None:
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Sorry, the service could not read that request – " in html
    assert '<h1 class="govuk-heading-l">Sorry, the service could not read that request</h1>' in html
    assert 'class="govuk-service-navigation__link">Child protection inspections</a>' in html


def test_a_web_address_for_another_host_gets_the_services_400_page(client_for, inspector):
    """A Host header not in ALLOWED_HOSTS (DEBUG is off in tests, as in
    production): Django's bare "Bad Request (400)" before."""
    response = client_for(inspector).get("/", HTTP_HOST="inspections.example.net")
    assert_the_400_page(response)


def test_a_form_with_too_many_fields_gets_the_services_400_page(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = {f"field{n}": "x" for n in range(6)}
    assert_the_400_page(client.post(reverse("accounts:sign_in"), data))


def test_accessibility_statement_is_public_and_honest(client, db):
    html = client.get(reverse("core:accessibility")).content.decode()
    assert "What we have not yet tested" in html


def test_security_headers_are_sent(client, db):
    response = client.get(reverse("accounts:sign_in"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_inspectors_home_lists_the_action_plans_due_on_their_inspections(
    client_for, force_a, force_b, lead_inspector, inspector, other_inspector, admin_user
):
    """Found by a screenshot sweep: the lead inspector had three overdue plans
    and a home page that did not say so; only the force lead's had a list."""
    from datetime import timedelta

    from actionplans.tests.factories import inspection_due, today

    ours = inspection_due(
        force=force_a,
        lead=lead_inspector,
        admin=admin_user,
        team=[inspector],
        action_plan_due_on=today() - timedelta(days=3),
    )
    inspection_due(
        force=force_b,
        lead=other_inspector,
        admin=admin_user,
        action_plan_due_on=today() + timedelta(days=5),
    )
    plan = reverse("actionplans:plan", args=[ours.pk, "action-plan"])
    for person in (lead_inspector, inspector):
        html = client_for(person).get(reverse("core:home")).content.decode()
        assert "Deadlines" in html and "Overdue" in html
        # Each deadline links to its plan, named for screen readers by its force.
        assert f'href="{plan}">Action plan<span class="govuk-visually-hidden"> for Greater' in html
        assert force_b.short_name not in html  # not their inspection
    theirs = client_for(other_inspector).get(reverse("core:home")).content.decode()
    assert "Due in the next 30 days" in theirs and force_b.short_name in theirs
    assert "Overdue" not in theirs and "Greater Manchester" not in theirs
    # The admin, who watches every deadline, sees both, each linked to its inspection.
    admins = client_for(admin_user).get(reverse("core:home")).content.decode()
    assert f'href="{plan}">Action plan<span class="govuk-visually-hidden"> for Greater' in admins
    assert "Due in the next 30 days" in admins and force_b.short_name in admins


def test_an_inspectors_home_lists_the_commissioners_responses_overdue(
    client_for, force_a, force_b, lead_inspector, other_inspector, admin_user
):
    # Found by the helper that built the response: the dashboard listed them
    # for admins, and the lead inspector's own home page did not.
    from datetime import timedelta

    from actionplans.tests.factories import bare_pcc_response_due, today

    late = bare_pcc_response_due(
        force=force_a, lead=lead_inspector, due_on=today() - timedelta(days=2)
    )
    bare_pcc_response_due(force=force_b, lead=other_inspector, due_on=today() - timedelta(days=9))
    followup = reverse("actionplans:followup", args=[late.pk])
    html = client_for(lead_inspector).get(reverse("core:home")).content.decode()
    assert f'href="{followup}#pcc-response">Police and crime commissioner’s response' in html
    assert force_b.short_name not in html  # not their inspection
    admins = client_for(admin_user).get(reverse("core:home")).content.decode()
    assert admins.count("Police and crime commissioner’s response<span") == 2
    # Recorded, it is no longer owed.
    late.pcc_response_published_on = today() - timedelta(days=1)
    late.save(update_fields=["pcc_response_published_on"])
    html = client_for(lead_inspector).get(reverse("core:home")).content.decode()
    assert "Police and crime commissioner’s response" not in html


def test_no_page_drawn_for_a_signed_in_person_is_kept_by_the_browser(client_for, force_lead_a):
    """Found by a security review: pages of grades, findings and plans could
    come back from the browser's cache on a shared computer after sign-out."""
    response = client_for(force_lead_a).get(reverse("core:home"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_homes_list_the_commissioners_responses_due_in_the_next_30_days(
    client_for, force_a, force_b, lead_inspector, other_inspector, admin_user
):
    """Found by the admin review: a response due in 3 days was on the force
    lead's home, and not on the admin's, who watches every deadline."""
    from datetime import timedelta

    from actionplans.tests.factories import bare_pcc_response_due, today

    soon = bare_pcc_response_due(force=force_a, lead=lead_inspector, due_on=today() + timedelta(3))
    bare_pcc_response_due(force=force_b, lead=other_inspector, due_on=today() + timedelta(days=31))
    bare_pcc_response_due(
        force=force_b, lead=other_inspector, due_on=today() + timedelta(days=5), stage="closed"
    )

    admins = client_for(admin_user).get(reverse("core:home")).content.decode()
    due_soon = admins.split("Due in the next 30 days")[1]
    followup = reverse("actionplans:followup", args=[soon.pk])
    assert f'href="{followup}#pcc-response">Police and crime commissioner’s response' in due_soon
    assert admins.count("Police and crime commissioner’s response<span") == 1  # not 31 days, closed
    assert "Due in 3 days</strong>" in due_soon
    leads = client_for(lead_inspector).get(reverse("core:home")).content.decode()
    assert f'href="{followup}#pcc-response"' in leads.split("Due in the next 30 days")[1]


def test_the_home_pages_links_to_a_force_and_to_its_inspection_are_told_apart(
    client_for, force_a, lead_inspector, inspector, force_lead_a, admin_user
):
    """Found by listing each page's links as a screen reader does: the lead
    inspector's home had "Greater Manchester" twice, one to the force (its
    deadline) and one to the inspection, with nothing to tell them apart."""
    import re
    from collections import defaultdict
    from datetime import timedelta

    from actionplans.tests.factories import inspection_due, today

    inspection_due(
        force=force_a,
        lead=lead_inspector,
        admin=admin_user,
        team=[inspector],
        action_plan_due_on=today() - timedelta(days=3),
    )
    for person in (lead_inspector, force_lead_a):
        html = client_for(person).get(reverse("core:home")).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        destinations = defaultdict(set)
        for href, text in re.findall(r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', main, re.S):
            destinations[re.sub(r"<[^>]+>", "", text).strip()].add(href)
        assert all(len(hrefs) == 1 for hrefs in destinations.values()), dict(destinations)
        assert "Greater Manchester inspection, fieldwork " in "\n".join(destinations)
