"""Query budgets: every key page runs a fixed number of queries, the same at
factor 0.1 as at factor 1 of the national programme (seed_scale's data).

One module-level fixture builds factor 0.1, counts each page's queries, rolls
the data back to a savepoint, then builds factor 1 for the tests, which count
again on the same kind of object (the first inspection in follow-up, its
force, its lead inspector and the force's lead). A page whose count moved
has a query that grows with the data: an N+1 or a per-row lookup.
"""

import io
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from benchmarks.sections import prepare_export, ready_export, signed_in
from inspections.models import Inspection

SMALL, LARGE = 0.1, 1.0


@dataclass(frozen=True)
class Page:
    # admin, lead (the inspection's lead inspector), inspector (on its team),
    # force_lead (of its force)
    role: str
    url: str  # a URL name
    args: str = ""  # "inspection", "force", or "inspection,<extra>"
    ceiling: int = 0


PLAN = "inspection,action-plan"
# A ceiling is the page's query count today: a change that adds a query has
# to raise it here, on purpose.
PAGES = {
    "programme": Page("admin", "inspections:programme", ceiling=6),
    # +1 each for the scheduled jobs' heartbeats (core.heartbeats), shown to admins.
    "dashboard": Page("admin", "dashboard:dashboard", ceiling=11),
    "home (admin)": Page("admin", "core:home", ceiling=9),
    # Two more since stop 14: the forces and the action plans due on their
    # inspections; one more since stop 21: the judgments waiting for them;
    # two more since the usability review (home): the case file reviews
    # assigned to them and the second reviews they have to do.
    "home (lead inspector)": Page("lead", "core:home", ceiling=10),
    # A member of the same inspection's team (World.users), with case file
    # reviews of their own on the inspections still open.
    "home (inspector)": Page("inspector", "core:home", ceiling=10),
    # Two fewer since perf-h3: the force's inspections are read once, for "What
    # is due" and the table, and the plans' latest versions in one query.
    "home (force lead)": Page("force_lead", "core:home", ceiling=8),
    "inspection (lead inspector)": Page("lead", "inspections:detail", "inspection", 13),
    "inspection (force lead)": Page("force_lead", "inspections:detail", "inspection", 10),
    # Two more since the usability review (ux): the interviews and documents
    # the judgment cites, shown to the lead inspector moderating it (and a
    # third, the interviews' participants, when it cites any).
    "grading": Page("lead", "inspections:judgment", "inspection,investigation", 11),
    "findings": Page("lead", "inspections:findings", "inspection", 6),
    # Each of its two lists counted for its own pages.
    "evidence": Page("lead", "inspections:evidence", "inspection", 9),
    "report (force lead)": Page("force_lead", "inspections:report", "inspection", 7),
    # One more since stop 32: the cases replaced in the sample.
    "sample": Page("lead", "casefiles:sample", "inspection", 10),
    "review list": Page("lead", "casefiles:review_list", "inspection", 6),
    # Four and three fewer since perf-h3: the items and responses only for a
    # force lead who may respond, and the versions read once.
    "action plan (force lead)": Page("force_lead", "actionplans:plan", PLAN, 8),
    "action plan (lead inspector)": Page("lead", "actionplans:plan", PLAN, 8),
    "force page (admin)": Page("admin", "forces:detail", "force", 10),
    # One fewer since perf-h1: the header names the force the page already loaded.
    "force page (force lead)": Page("force_lead", "forces:detail", "force", 10),
    "exports": Page("admin", "exports:list", ceiling=4),
    "export: grades": Page("admin", "exports:download", "export,grades", 5),
    "export: findings": Page("admin", "exports:download", "export,findings", 5),
    "export: case reviews": Page("admin", "exports:download", "export,case-reviews", 5),
    "export: deadlines": Page("admin", "exports:download", "export,deadlines", 5),
}


class World:
    """The objects each page is opened on, found the same way at either size."""

    def __init__(self, admin: User):
        self.inspection = (
            Inspection.objects.filter(stage=Inspection.Stage.FOLLOW_UP, findings__isnull=False)
            .select_related("force", "lead_inspector")
            .order_by("force__slug", "fieldwork_start")
            .first()
        )
        self.users = {
            "admin": admin,
            "lead": self.inspection.lead_inspector,
            "inspector": self.inspection.team.exclude(pk=self.inspection.lead_inspector_id)
            .order_by("email")
            .first(),
            "force_lead": User.objects.filter(force=self.inspection.force)
            .order_by("email")
            .first(),
        }
        # Signed in once, here, so the sessions outlive each test's rollback.
        self.clients = {role: signed_in(user) for role, user in self.users.items()}

    def url(self, page: Page) -> str:
        args = []
        if page.args.startswith("export,"):
            copy = ready_export(page.args.split(",")[1], self.users["admin"])
            return reverse(page.url, args=[copy.pk])
        for arg in filter(None, page.args.split(",")):
            if arg == "inspection":
                args.append(self.inspection.pk)
            elif arg == "force":
                args.append(self.inspection.force.slug)
            else:
                args.append(arg)
        return reverse(page.url, args=args)

    def build_queries(self, name: str) -> int:
        """Preparing a copy in the background: the task's queries (the
        benchmark's own measurement, which fails unless the copy is ready)."""
        return prepare_export(name, self.users["admin"])["queries"]

    def queries(self, page: Page) -> int:
        client = self.clients[page.role]
        url = self.url(page)
        self._get(client, url)  # warm: first-request caches are not the page's cost
        with CaptureQueriesContext(connection) as captured:
            self._get(client, url)
        return len(captured)

    @staticmethod
    def _get(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)  # the export's queries run as it streams


# The export downloads above are stored files, prepared by a Celery task
# (dashboard.export_files); the task's queries are fixed too.
# Each build's last three queries wait for any other copy finishing at once,
# ask whether the night's copies are all ready, and whether the night is
# recorded yet
# (dashboard.export_files._heartbeat_once_all_ready), whoever asked for it.
# Two take and release the build's lock (core.background.builder_lock).
EXPORT_BUILDS = {"grades": 17, "findings": 18, "case-reviews": 17, "deadlines": 18}


def _build(factor: float) -> None:
    call_command("seed_scale", factor=factor, seed=2026, force=True, stdout=io.StringIO())


@pytest.fixture(scope="module")
def budgets(django_db_setup, django_db_blocker, tmp_path_factory):
    """Count every page at factor 0.1, then leave factor 1 in place for the tests.

    Everything happens inside one transaction that is rolled back at the end
    of the module, as Django's setUpTestData does, so no other test sees it.
    """
    from accounts.tests.factories import UserFactory

    # The export copies are files: kept in a folder of this module's own.
    default = settings.STORAGES["default"]
    location = tmp_path_factory.mktemp("budget-files")
    storages = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": location}},
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            admin = UserFactory(email="budget.admin@example.org", role=User.Role.ADMIN)
            before = transaction.savepoint_create()
            _build(SMALL)
            small = World(admin)
            counts = {name: small.queries(page) for name, page in PAGES.items()}
            builds = {f"preparing {name}": small.build_queries(name) for name in EXPORT_BUILDS}
            transaction.savepoint_rollback(before)
            _build(LARGE)
            # Check the deferred foreign keys now, once: otherwise each test's
            # teardown checks every row built here again (PostgreSQL).
            connection.check_constraints()
            yield {**counts, **builds}, World(admin)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_two_sizes_differ(budgets, db):
    _, world = budgets
    assert Inspection.objects.count() == round(129 * LARGE)
    assert Inspection.objects.filter(force=world.inspection.force).count() == 3


@pytest.mark.parametrize("name", list(PAGES))
def test_page_queries_are_fixed_and_within_budget(name, budgets, db):
    small_counts, world = budgets
    page = PAGES[name]
    large = world.queries(page)
    assert large == small_counts[name], (
        f"{name}: {small_counts[name]} queries at factor {SMALL}, {large} at factor {LARGE}"
    )
    assert large <= page.ceiling, f"{name}: {large} queries, budget {page.ceiling}"


@pytest.mark.parametrize("name", list(EXPORT_BUILDS))
def test_export_builds_are_fixed_and_within_budget(name, budgets, db):
    small_counts, world = budgets
    large = world.build_queries(name)
    assert large == small_counts[f"preparing {name}"], (
        f"preparing {name}: {small_counts[f'preparing {name}']} queries at factor {SMALL}, "
        f"{large} at {LARGE}"
    )
    assert large <= EXPORT_BUILDS[name], f"preparing {name}: {large} queries"


@pytest.mark.parametrize("role", ["lead", "force_lead"])
def test_factual_accuracy_page_queries_do_not_grow_with_the_points(
    role, client_for, force_a, force_lead_a, lead_inspector, inspector, admin_user
):
    """The points page at pre-publication checks, with 2 points and with 12
    (each on a finding, half of them answered): the same queries."""
    from django.test.utils import override_settings

    from inspections import factual_accuracy
    from inspections.tests.report_factories import report_inspection

    inspection = report_inspection(
        force=force_a,
        lead=lead_inspector,
        inspector=inspector,
        admin=admin_user,
        stage=Inspection.Stage.PRE_PUBLICATION,
    )
    client = client_for(force_lead_a if role == "force_lead" else lead_inspector)
    url = reverse("inspections:factual_accuracy", args=[inspection.pk])
    findings = list(inspection.findings.all())

    def add_points(n: int) -> None:
        points = [
            factual_accuracy.factual_point_save(
                inspection=inspection,
                topic="",
                finding=findings[i % len(findings)],
                inaccuracy=f"Inaccuracy {i} of {n}",
                correction="Correction",
                evidence="",
                by=force_lead_a,
            )
            for i in range(n)
        ]
        factual_accuracy.factual_points_send(
            inspection=inspection, points=[p.pk for p in points], by=force_lead_a
        )
        for point in points[: n // 2]:
            factual_accuracy.factual_point_respond(
                point=point, response="accepted", explanation="", by=lead_inspector
            )

    def count() -> int:
        with override_settings(FRAGMENT_CACHE=False), CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    add_points(2)
    few = count()
    add_points(10)
    assert count() == few
    assert few <= 8, few


def test_the_lead_inspectors_home_is_counted_with_case_file_work_on_it(budgets, db):
    """The counted home page lists the case file reviews assigned to the lead
    and the second reviews they have to do: the fixed count covers those
    lists, not only their empty state."""
    _, world = budgets
    html = world.clients["lead"].get(reverse("core:home")).content.decode()
    assert "Case file reviews assigned to you" in html
    assert "Second reviews to do" in html
