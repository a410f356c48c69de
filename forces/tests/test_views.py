import pytest
from django.urls import reverse


def test_inspector_sees_all_43_forces(client_for, inspector, django_assert_max_num_queries):
    client = client_for(inspector)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("forces:list"))
    assert response.status_code == 200
    assert len(response.context["forces"]) == 43


def test_forces_list_filters_by_country_and_region(client_for, admin_user):
    client = client_for(admin_user)
    response = client.get(reverse("forces:list"), {"country": "wales"})
    assert [f.short_name for f in response.context["forces"]] == [
        "Dyfed-Powys",
        "Gwent",
        "North Wales",
        "South Wales",
    ]
    response = client.get(reverse("forces:list"), {"region": "london", "q": "metro"})
    assert [f.short_name for f in response.context["forces"]] == ["Metropolitan"]


def test_unknown_filter_values_are_ignored_not_errors(client_for, admin_user):
    response = client_for(admin_user).get(reverse("forces:list"), {"region": "<script>"})
    assert response.status_code == 200
    assert len(response.context["forces"]) == 43
    # Only the bad value is left out: the other filters still apply.
    response = client_for(admin_user).get(
        reverse("forces:list"), {"region": "<script>", "country": "wales"}
    )
    assert len(response.context["forces"]) == 4
    # A search longer than any force's name matches none, rather than all.
    response = client_for(admin_user).get(reverse("forces:list"), {"q": "Kent" * 40})
    assert len(response.context["forces"]) == 0
    dashboard = client_for(admin_user).get(
        reverse("dashboard:dashboard"), {"region": "<script>", "country": "wales"}
    )
    assert len(dashboard.context["picture"].rows) == 4


def test_force_page_shows_guidance(client_for, inspector):
    response = client_for(inspector).get(reverse("forces:detail", args=["south-wales"]))
    assert response.status_code == 200
    assert "Wales Safeguarding Procedures" in response.content.decode()


def test_force_lead_sees_own_force(client_for, force_lead_a):
    response = client_for(force_lead_a).get(reverse("forces:detail", args=["greater-manchester"]))
    assert response.status_code == 200


def test_force_lead_cannot_see_other_force(client_for, force_lead_a, force_b):
    response = client_for(force_lead_a).get(reverse("forces:detail", args=[force_b.slug]))
    assert response.status_code == 404


def test_force_lead_list_shows_only_own_force(client_for, force_lead_a):
    response = client_for(force_lead_a).get(reverse("forces:list"))
    assert [f.slug for f in response.context["forces"]] == ["greater-manchester"]
    # Not "The 43 territorial police forces..." above their one force. Only
    # the page's main content is read: a random script nonce may hold "43"
    # (it did, once in about 200 runs, in CI).
    main = response.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert "43" not in main and "your own force" in main


@pytest.mark.parametrize("name", ["forces:list"])
def test_signed_out_user_is_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))
