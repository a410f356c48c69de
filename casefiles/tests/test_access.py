"""Who may see and change case file reviews.

Force leads get 404 on every case file URL, even for their own force's
inspection and after publication. Inspectors off the team get 404.
"""

import pytest
from django.urls import URLPattern, reverse

from casefiles import services
from casefiles.models import Case, CaseCategory
from casefiles.urls import urlpatterns
from inspections.models import Inspection

from .factories import csv_upload, good_rows

pytestmark = pytest.mark.django_db

URL_NAMES = [p.name for p in urlpatterns if isinstance(p, URLPattern)]
INSPECTION_URL_NAMES = [p.name for p in urlpatterns if "inspection_id" in p.pattern.converters]


@pytest.fixture
def objects(inspection, inspector, django_capture_on_commit_callbacks, settings):
    """One of everything a case file URL can point at."""
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "SECOND_REVIEW_SHARE": 1.0}
    with django_capture_on_commit_callbacks(execute=True):
        job = services.case_list_import_start(
            inspection=inspection, upload=csv_upload(good_rows(6)), by=inspector
        )
    services.sample_draw(
        inspection=inspection, sizes={"missing-children": 2}, seed=1, reason="", by=inspector
    )
    return {
        "inspection_id": inspection.pk,
        "case_id": Case.objects.sampled().first().pk,
        "import_id": job.pk,
        "category_id": CaseCategory.objects.first().pk,
    }


def url_for(name: str, objects: dict) -> str:
    pattern = next(p for p in urlpatterns if getattr(p, "name", None) == name)
    return reverse(f"casefiles:{name}", kwargs={k: objects[k] for k in pattern.pattern.converters})


def test_every_url_is_covered():
    assert len(URL_NAMES) == 19
    assert set(INSPECTION_URL_NAMES) < set(URL_NAMES)


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("stage", [Inspection.Stage.FIELDWORK, Inspection.Stage.PUBLISHED])
def test_force_lead_of_the_inspected_force_gets_404(
    name, stage, objects, inspection, client_for, force_lead_a
):
    Inspection.objects.filter(pk=inspection.pk).update(stage=stage)
    client = client_for(force_lead_a)
    url = url_for(name, objects)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_force_lead_of_another_force_gets_404(name, objects, client_for, force_lead_b):
    client = client_for(force_lead_b)
    assert client.get(url_for(name, objects)).status_code == 404


@pytest.mark.parametrize("name", INSPECTION_URL_NAMES)
def test_inspector_not_on_the_team_gets_404(name, objects, client_for, other_inspector):
    client = client_for(other_inspector)
    url = url_for(name, objects)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_signed_out_users_are_sent_to_sign_in(name, objects, client):
    response = client.get(url_for(name, objects))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize(
    "name",
    [
        "overview",
        "case_list",
        "sample",
        "review_list",
        "second_review_list",
        "case_detail",
        "import_status",
    ],
)
def test_team_members_and_admins_can_read(name, objects, client_for, inspector, admin_user):
    for user in (inspector, admin_user):
        assert client_for(user).get(url_for(name, objects)).status_code == 200


@pytest.fixture
def colleague(inspection):
    from accounts.tests.factories import UserFactory

    user = UserFactory(email="colleague@example.org", full_name="Col League")
    inspection.team.add(user)
    return user


@pytest.mark.parametrize("name", ["review_edit", "review_check"])
def test_a_team_member_not_assigned_reads_but_cannot_write_the_review(
    name, objects, inspection, client_for, colleague, inspector
):
    case = Case.objects.get(pk=objects["case_id"])
    services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=inspector
    )
    client = client_for(colleague)
    assert client.get(url_for("case_detail", objects)).status_code == 200
    assert client.post(url_for(name, objects), {"save": ""}).status_code == 403


def test_only_the_lead_inspector_second_reviews(objects, client_for, inspector):
    assert client_for(inspector).post(url_for("second_review", objects), {}).status_code == 403


@pytest.mark.parametrize("name", ["case_replace", "case_take_out"])
def test_only_the_lead_inspector_replaces_or_takes_out_a_case(
    name, objects, client_for, inspector, admin_user
):
    for user in (inspector, admin_user):
        client = client_for(user)
        assert client.get(url_for(name, objects)).status_code == 403
        assert client.post(url_for(name, objects), {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("name", ["category_add", "category_edit"])
def test_inspectors_read_categories_but_only_admins_change_them(
    name, objects, client_for, inspector
):
    client = client_for(inspector)
    assert client.get(reverse("casefiles:category_list")).status_code == 200
    assert client.get(url_for(name, objects)).status_code == 403
    assert client.post(url_for(name, objects), {"name": "Burglary"}).status_code == 403
    assert not CaseCategory.objects.filter(name="Burglary").exists()
