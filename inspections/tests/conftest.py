import pytest

from inspections.tests.factories import inspection_at, schedule


@pytest.fixture
def planned(force_a, lead_inspector, inspector, admin_user):
    return schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)


@pytest.fixture
def in_fieldwork(planned, lead_inspector):
    """Force A's inspection with fieldwork started: the five topics can be graded."""
    from inspections import services

    services.inspection_start_fieldwork(inspection=planned, by=lead_inspector)
    planned.refresh_from_db()
    return planned


@pytest.fixture
def make_inspection(force_a, lead_inspector, inspector, admin_user):
    """make_inspection(stage, **overrides): an inspection of force A at that stage."""

    def make(stage, **kwargs):
        options = {
            "force": force_a,
            "lead": lead_inspector,
            "team": [inspector],
            "admin": admin_user,
        }
        return inspection_at(stage, **{**options, **kwargs})

    return make


from core.tests.fixtures import private_storage  # noqa: E402, F401
from inspections.tests.report_factories import make_report  # noqa: E402, F401


@pytest.fixture
def reworded(monkeypatch):
    """reworded(): from then on the running code words the report otherwise,
    as after a deploy of a wording fix (REPORT_WORDING_REVISION bumped)."""
    from inspections import reports

    def reword():
        revision = reports.REPORT_WORDING_REVISION + 1
        monkeypatch.setattr(reports, "REPORT_WORDING_REVISION", revision)
        reports.wording_version.cache_clear()

    yield reword
    reports.wording_version.cache_clear()
