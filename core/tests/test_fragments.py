"""The fragment cache: every committed write, however it is made, makes every
cached fragment out of date; nothing else does (core/fragments.py)."""

import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import fragments
from forces.models import Force

pytestmark = pytest.mark.django_db(transaction=True)


def version() -> str | None:
    return cache.get(fragments.VERSION_KEY)


@pytest.fixture
def before():
    fragments.data_changed()
    return version()


def test_a_queryset_update_changes_the_data_version(before):
    Force.objects.filter(slug="cleveland").update(short_name="Renamed")
    assert version() != before


def test_a_save_changes_the_data_version(before):
    force = Force.objects.get(slug="cleveland")
    force.short_name = "Renamed"
    force.save()
    assert version() != before


def test_a_bulk_delete_changes_the_data_version():
    from core import audit
    from core.models import AuditEvent

    # A row to delete: with accounts.PasswordEmail protecting audit rows,
    # Django reads them before it deletes, and an empty table writes nothing.
    audit.record(by=None, action="force.renamed", obj=Force.objects.get(slug="cleveland"))
    fragments.data_changed()
    before = version()
    AuditEvent.objects.all().delete()
    assert version() != before


def test_raw_sql_changes_the_data_version(before):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE forces_force SET short_name = 'Raw' WHERE slug = 'cleveland'")
    assert version() != before


def test_a_write_in_a_transaction_changes_the_version_only_at_commit(before):
    with transaction.atomic():
        Force.objects.filter(slug="cleveland").update(short_name="Renamed")
        Force.objects.filter(slug="dyfed-powys").update(short_name="Renamed too")
        assert version() == before
        # One new version for the transaction, not one for each statement.
        assert sum(cb is fragments.data_changed for _, cb, _ in connection.run_on_commit) == 1
    assert version() != before


def test_a_rolled_back_write_keeps_the_version(before):
    with pytest.raises(RuntimeError), transaction.atomic():
        Force.objects.filter(slug="cleveland").update(short_name="Renamed")
        raise RuntimeError
    assert version() == before


def test_a_write_after_a_rolled_back_savepoint_still_changes_the_version(before):
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Force.objects.filter(slug="cleveland").update(short_name="Renamed")
            raise RuntimeError
        Force.objects.filter(slug="dyfed-powys").update(short_name="Renamed too")
    assert version() != before


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("SELECT 1", False),
        ('(SELECT "a" FROM "t") UNION ALL (SELECT "b" FROM "u")', False),
        ("( (SELECT 1) UNION (SELECT 2))", False),
        ("(WITH gone AS (DELETE FROM t RETURNING id) SELECT 1)", True),
        ("(SELECT 1); DELETE FROM forces_force", True),
        ('  select "x" FROM "t" FOR UPDATE', False),
        ("SAVEPOINT s1", False),
        ('UPDATE "django_session" SET "x" = 1', False),
        ('INSERT INTO "forces_force" VALUES (1)', True),
        ("EXPLAIN ANALYZE UPDATE forces_force SET name = 'x'", True),
        ("SELECT 1; DELETE FROM forces_force", True),
        ("WITH gone AS (DELETE FROM t RETURNING id) SELECT 1", True),
        ("TRUNCATE forces_force", True),
        ("COPY forces_force FROM STDIN", True),
        ('UPDATE "django_session_extra" SET "x" = 1', True),
        ('INSERT INTO "axes_accesslog" ("user_agent") VALUES (%s)', False),
        ('UPDATE "axes_accesslog" SET "logout_time" = %s', False),
        ('UPDATE "otp_totp_totpdevice" SET "last_t" = %s WHERE "id" = %s', False),
        ('INSERT INTO "otp_totp_totpdevice" ("user_id") VALUES (%s)', True),
        ('DELETE FROM "otp_totp_totpdevice" WHERE "id" = %s', True),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', False),
        ('UPDATE "accounts_user" SET "last_login" = %s, "role" = %s WHERE "id" = %s', True),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" IN (1)', True),
        ('UPDATE "accounts_user" SET "full_name" = %s WHERE "accounts_user"."id" = %s', True),
    ],
)
def test_what_counts_as_a_write(sql, writes):
    assert fragments._is_write(sql) is writes


def test_a_write_on_a_second_connection_changes_the_version_at_its_own_commit(before):
    if connection.vendor != "postgresql":
        pytest.skip("a second connection to an in-memory SQLite test database sees nothing")
    from django.db import DEFAULT_DB_ALIAS, connections

    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            with side.cursor() as cursor:  # autocommit: committed at once
                cursor.execute("UPDATE forces_force SET short_name = 'x' WHERE slug = ''")
            assert version() != before
            assert not fragments._pending(connection)
    finally:
        side.close()


def test_a_copy_counts_as_a_write_when_its_code_says_so(before):
    with transaction.atomic():
        fragments.copied(connection)
        assert version() == before
    assert version() != before


def test_reads_and_session_writes_keep_the_version(before):
    list(Force.objects.all())
    session = SessionStore()
    session["x"] = 1
    session.save()
    session["x"] = 2
    session.save()
    session.delete()
    assert version() == before


def test_a_scheduled_jobs_heartbeat_keeps_the_version(before):
    """Or every hourly sweep would empty the page cache (core.heartbeats)."""
    from core.heartbeats import Job, heartbeat_record
    from core.models import JobHeartbeat

    JobHeartbeat.objects.filter(job=Job.DEADLINE_SWEEP).delete()
    fragments.data_changed()
    before = version()
    heartbeat_record(job=Job.DEADLINE_SWEEP)  # the first: an insert
    heartbeat_record(job=Job.DEADLINE_SWEEP)  # then updates
    assert version() == before


# On a page --------------------------------------------------------------------


def programme_html(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inspections:programme"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_a_page_is_served_from_the_cache_until_the_data_changes(client_for, admin_user):
    client = client_for(admin_user)
    first, drawn = programme_html(client)
    again, served = programme_html(client)
    assert main(again) == main(first)
    assert served < drawn  # the programme's own queries did not run

    Force.objects.filter(slug="cleveland").update(short_name="Renamedshire")
    after, queries = programme_html(client)
    assert "Renamedshire" in after
    assert queries == drawn


def test_a_fragment_is_never_served_to_another_person(admin_user):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    other = UserFactory(email="admin2@example.org", role=User.Role.ADMIN)
    first, drawn = programme_html(_signed_in(admin_user))
    _, queries = programme_html(_signed_in(other))
    assert queries == drawn


def _signed_in(user):
    from django.test import Client

    from accounts.tests.factories import signed_in

    return signed_in(Client(), user)


def test_a_new_day_draws_the_page_again(client_for, admin_user, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(admin_user)
    _, drawn = programme_html(client)
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(fragments.timezone, "localdate", lambda: tomorrow)
    _, queries = programme_html(client)
    assert queries == drawn


def test_uncommitted_writes_are_never_cached(client_for, admin_user):
    client = client_for(admin_user)
    with transaction.atomic():
        Force.objects.filter(slug="cleveland").update(short_name="Uncommitted")
        html, drawn = programme_html(client)
        assert "Uncommitted" in html
        _, queries = programme_html(client)
        assert queries == drawn
        transaction.set_rollback(True)
    html, _ = programme_html(client)
    assert "Uncommitted" not in html


def test_a_write_committed_while_a_page_is_open_makes_it_drawn_again(
    client_for, admin_user, monkeypatch
):
    """The version is read before the request reads anything: what a request
    draws after a write committed mid-request is stored under the version
    before that write, and so is never served."""
    import inspections.views

    client = client_for(admin_user)
    _, drawn = programme_html(client)
    real = inspections.views.ForceFilterForm

    def a_write_then_the_form(*args, **kwargs):
        # Someone else's change commits after this request loaded the
        # person, before its fragment is looked up.
        Force.objects.filter(slug="cleveland").update(short_name="Renamedshire")
        return real(*args, **kwargs)

    monkeypatch.setattr(inspections.views, "ForceFilterForm", a_write_then_the_form)
    programme_html(client)
    monkeypatch.setattr(inspections.views, "ForceFilterForm", real)
    html, queries = programme_html(client)
    assert "Renamedshire" in html
    assert queries == drawn


def test_a_version_the_cache_refused_is_stored_before_anything_is_served(
    client_for, admin_user, monkeypatch
):
    client = client_for(admin_user)
    programme_html(client)

    class RefusesVersions:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, *args, **kwargs):
            if key == fragments.VERSION_KEY:
                raise ConnectionError("cache refused")
            return cache.set(key, *args, **kwargs)

    monkeypatch.setattr(fragments, "cache", RefusesVersions())
    Force.objects.filter(slug="cleveland").update(short_name="Renamedshire")
    assert fragments._State.owed
    html, _ = programme_html(client)  # paused: drawn, not from the cache
    assert "Renamedshire" in html
    monkeypatch.setattr(fragments, "cache", cache)
    fragments._State.paused_until = 0.0
    html, _ = programme_html(client)  # the owed version is stored first
    assert "Renamedshire" in html
    assert not fragments._State.owed


def test_a_version_refused_while_another_thread_stores_one_stays_owed(monkeypatch):
    """Web runs requests in threads. One thread's store of a new version is on
    its way when another's is refused: the refusal must not be forgotten when
    the first store returns, or fragments older than the refused write would
    be served until they expired (found by a review of the threads)."""
    on_its_way, refused = threading.Event(), threading.Event()

    class Cache:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, *args, **kwargs):
            if threading.current_thread().name == "slow store":
                on_its_way.set()
                assert refused.wait(timeout=10)
                return cache.set(key, *args, **kwargs)
            raise ConnectionError("cache refused")

    monkeypatch.setattr(fragments, "cache", Cache())
    monkeypatch.setattr(fragments._State, "owed", False)
    monkeypatch.setattr(fragments._State, "paused_until", 0.0)
    slow = threading.Thread(target=fragments.data_changed, name="slow store")
    slow.start()
    try:
        assert on_its_way.wait(timeout=10)
        fragments.data_changed()  # refused, in this thread
    finally:
        refused.set()
        slow.join()

    assert fragments._State.owed


def test_a_new_build_draws_the_page_again(client_for, admin_user, monkeypatch):
    client = client_for(admin_user)
    _, drawn = programme_html(client)
    monkeypatch.setattr(fragments, "build_id", lambda: "another build")
    _, queries = programme_html(client)
    assert queries == drawn


def test_the_page_is_drawn_when_the_cache_is_down(client_for, admin_user, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    client = client_for(admin_user)
    html, _ = programme_html(client)
    assert "Cleveland" in html


def test_the_cache_can_be_turned_off(client_for, admin_user, settings):
    settings.FRAGMENT_CACHE = False
    client = client_for(admin_user)
    _, drawn = programme_html(client)
    _, queries = programme_html(client)
    assert queries == drawn
