from datetime import timedelta

import pytest

from actionplans.tests.factories import inspection_due, today
from core.tests.fixtures import private_storage  # noqa: F401


@pytest.fixture(autouse=True)
def _private_files(request):
    """Every test here keeps uploads in its own temporary folder."""
    return request.getfixturevalue("private_storage")


@pytest.fixture
def make_due(force_a, lead_inspector, inspector, admin_user):
    """make_due(action_plan_due_on=..., updated_due_on=..., **overrides): an
    inspection of force A with its plans due on those dates."""

    def make(**kwargs):
        options = {
            "force": force_a,
            "lead": lead_inspector,
            "team": [inspector],
            "admin": admin_user,
        }
        return inspection_due(**{**options, **kwargs})

    return make


@pytest.fixture
def checks(make_due):
    """Force A's report is with the force for checks: the action plan is due in 20 days."""
    return make_due(action_plan_due_on=today() + timedelta(days=20))


@pytest.fixture
def published(make_due, force_lead_a):
    """Force A's report is published: both plans have due dates. Force A has
    its force lead, who is given notice of visits."""
    return make_due(
        action_plan_due_on=today() - timedelta(days=30),
        updated_due_on=today() + timedelta(days=30),
    )
