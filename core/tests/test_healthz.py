import pytest
from django.urls import reverse


@pytest.fixture
def unreachable_broker(settings):
    """Point the broker at a port nothing listens on, as if Redis had stopped."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"


def test_healthz_is_200_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, unreachable_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_pages_still_work_when_the_broker_is_unreachable(
    client_for, admin_user, unreachable_broker
):
    response = client_for(admin_user).get(reverse("forces:list"))
    assert response.status_code == 200
