import pytest

from casefiles import services
from core.tests.fixtures import private_storage  # noqa: F401 - a fixture

from .factories import InspectionFactory, add_cases, ensure_categories


@pytest.fixture(autouse=True)
def _private_storage(private_storage):  # noqa: F811 - the fixture imported above
    """Uploaded case lists go to a folder of this test's own."""
    return private_storage


@pytest.fixture
def categories(transactional_db):
    """For transactional tests: the flush after the last one took the seeded categories."""
    ensure_categories()


@pytest.fixture
def inspection(force_a, lead_inspector, inspector):
    return InspectionFactory(force=force_a, lead_inspector=lead_inspector, team=[inspector])


@pytest.fixture
def case_list(inspection):
    return add_cases(
        inspection,
        {"missing-children": 30, "strategy-discussions-s47": 20, "child-exploitation": 10},
    )


@pytest.fixture
def drawn(inspection, case_list, inspector):
    """A drawn sample: 4 missing, 3 strategy, 2 exploitation, seed 42."""
    return services.sample_draw(
        inspection=inspection,
        sizes={"missing-children": 4, "strategy-discussions-s47": 3, "child-exploitation": 2},
        seed=42,
        reason="",
        by=inspector,
    )
