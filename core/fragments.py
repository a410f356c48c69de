"""Rendered page fragments, cached until any data changes.

A fragment is the HTML of part of a page (a table of 43 forces, say),
stored in the shared cache under a key made of:

- the **data version**: a random token that every committed write to the
  database replaces. A database execute wrapper, installed on every
  connection, sees each statement: anything but a plain read (an INSERT,
  UPDATE, DELETE, TRUNCATE, DDL, EXPLAIN ANALYZE, several statements at
  once…) schedules a new token for when its transaction commits, whichever
  way it was written (``save()``, ``QuerySet.update()``, ``bulk_create()``,
  raw SQL). A COPY goes around the wrapper: the code that runs one calls
  ``copied()``. A rolled-back write keeps the token. Only the bookkeeping
  of signing in is ignored, as no fragment shows it (tests/test_fragment_pages.py
  changes all of it and compares every page): sessions, sign-in attempts and
  logs (django-axes), updates to authenticator devices' counters (django-otp;
  adding or removing a device still counts) and a person's last sign-in time.
  Otherwise every sign-in would empty every cached page. So is a scheduled
  job's heartbeat (core.heartbeats), shown only outside fragments, or every
  hourly sweep would.
- the build: a digest of the code and templates, so that during a rolling
  deploy old and new processes never serve each other's HTML;
- the London date, because "due in 3 days" changes at midnight;
- the person (their id, role, force and whether they are active), the full
  path with its query string, and their CSRF secret, so a fragment is only
  ever served back to the person it was drawn for, in the same sign-in, with
  the same rights, for the same page;
- the fragment's name.

The data version is read once, by FragmentVersionMiddleware, before the
request reads anything else. Whatever the request then reads is at least
as new as that version, so a write that commits while it runs makes what
it stores unreachable rather than stale. A fragment is therefore never
older than the last committed change, but for one case: a cache that
refused the new token. Then this process skips the cache until it has
stored one, and fragments expire after TIMEOUT anyway.

Nothing is cached (the fragment is drawn and not stored) for a request other
than GET, for no signed-in person, when the version could not be read, or
inside a transaction that has written and not yet committed: that
transaction sees rows no other request can see yet.

The cache must be shared by every process that writes, web and Celery
alike: Redis (CACHE_URL) in production. Without CACHE_URL it is on only
with DEBUG on or under tests, where every process shares var/.
"""

import functools
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.shortcuts import render as django_render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

VERSION_KEY = "fragments:data-version"
# The context key of the callable that gives a fragment its context.
BODY = "fragment_body"
# The longest a fragment lives: the bound on staleness should the cache
# ever refuse a new data version.
TIMEOUT = 10 * 60
# After a cache error, this process leaves the cache alone for a while
# rather than wait on its timeouts at every request.
PAUSE_AFTER_ERROR = 30.0

# Plain reads. Anything else is taken as a write.
# A UNION of SELECTs starts "(SELECT" on PostgreSQL: a read too (found by a
# review: the deadline sweep's union emptied every cached page each hour).
# A write never starts with a bracket; a data-modifying WITH is a write.
_READS = re.compile(
    r"[\s(]*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|SET|SHOW|BEGIN|COMMIT|PRAGMA)\b", re.IGNORECASE
)
# The bookkeeping of signing in, and jobs' heartbeats, which no fragment
# shows (see above).
_BOOKKEEPING_WRITE = re.compile(
    r'\s*(?:(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:django_session|axes_\w+|core_jobheartbeat)"?\s'
    r'|UPDATE\s+"?otp_\w+device"?\s'
    r'|UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s$)',
    re.IGNORECASE,
)


class _State:
    paused_until = 0.0
    # A new data version this process failed to store: no fragment is
    # served by this process until one is stored.
    owed = False


@functools.cache
def build_id() -> str:
    """A digest of the templates and our own apps' Python code (every
    installed app whose folder is at the top of the project, and config/),
    the same on every machine that runs the same build."""
    base = Path(settings.BASE_DIR)
    folders = [Path(app.path) for app in apps.get_app_configs()]
    folders = [folder for folder in folders if folder.parent == base] + [base / "config"]
    paths = sorted(base.glob("templates/**/*.html"))
    for folder in folders:
        paths += sorted(p for p in folder.glob("**/*.py") if "tests" not in p.parts)
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _pause(what: str) -> None:
    _State.paused_until = time.monotonic() + PAUSE_AFTER_ERROR
    logger.exception("Fragment cache: %s failed; drawing pages afresh for a while", what)


def cache_paused() -> bool:
    """True for a while after the shared cache failed: whatever keeps things
    in it (fragments here, reports.cached_pdf) draws them afresh instead of
    waiting on the cache's timeouts again on every request."""
    return time.monotonic() < _State.paused_until


def cache_failed(what: str) -> None:
    """The shared cache failed doing `what`: skip it for a while (cache_paused)."""
    _pause(what)


def data_changed() -> None:
    """A new data version: every cached fragment is now out of date.

    Called after a commit. It must not fail the write that caused it.
    """
    try:
        _store_new_version()
    except Exception:
        _State.owed = True
        _pause("storing a new data version")


def _store_new_version() -> None:
    # Cleared before the store, not after it: web runs several requests at once
    # in a process (gunicorn's threads), and another thread's store may fail
    # while this one's is on its way. Cleared after, its failure would be
    # forgotten, and every process would serve fragments older than its write
    # until they expired (found by a review of the threads).
    _State.owed = False
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), None)
    except Exception:
        _State.owed = True
        raise


def _is_write(sql) -> bool:
    if not isinstance(sql, str):
        return True
    if ";" in sql.strip().rstrip(";"):
        return True  # several statements: any of them may write
    return not _READS.match(sql) and not _BOOKKEEPING_WRITE.match(sql)


def copied(connection) -> None:
    """Call after a COPY into a table: it does not pass the execute wrapper."""
    _changed_on_commit(connection)


def _changed_on_commit(connection) -> None:
    if connection.in_atomic_block:
        # One callback a transaction is enough; a savepoint rolled back takes
        # its callback with it, and the next write schedules another.
        if not _pending(connection):
            connection.on_commit(data_changed, robust=True)
    else:
        # Autocommit: already committed. (Manual transactions, not used here,
        # have no hook at commit: now, then.)
        data_changed()


def _pending(connection) -> bool:
    return any(callback is data_changed for _, callback, _ in connection.run_on_commit)


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: a write schedules a new data version after its commit."""
    result = execute(sql, params, many, context)
    if _is_write(sql):
        _changed_on_commit(context["connection"])
    return result


def on_connection_created(sender, connection, **kwargs) -> None:
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def _uncommitted_writes() -> bool:
    return any(
        conn.in_atomic_block and _pending(conn) for conn in connections.all(initialized_only=True)
    )


def read_version() -> str | None:
    """The current data version, or None if the cache cannot be used now."""
    if not settings.FRAGMENT_CACHE or time.monotonic() < _State.paused_until:
        return None
    try:
        if _State.owed:
            _store_new_version()
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), None)
            version = cache.get(VERSION_KEY)
    except Exception:
        _pause("reading the data version")
        return None
    return version


class FragmentVersionMiddleware:
    """Reads the data version first, before the request reads any data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET":
            request.fragment_data_version = read_version()
        return self.get_response(request)


def _key(request, name: str, version: str) -> str:
    user = request.user
    parts = (
        version,
        build_id(),
        timezone.localdate().isoformat(),
        user.pk,
        user.role,
        user.force_id,
        user.is_active,
        request.get_full_path(),
        request.META.get("CSRF_COOKIE", ""),
        name,
        connections["default"].settings_dict["NAME"],
    )
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return f"fragments:{digest}"


def cached(request, name: str, draw: Callable[[], str]) -> SafeString:
    """The fragment `name` of this request's page: from the cache if the data
    has not changed since it was drawn, else drawn by `draw()` and stored."""
    version = getattr(request, "fragment_data_version", None)
    if (
        version is None
        or request.method != "GET"
        or not request.user.is_authenticated
        or _uncommitted_writes()
        or cache_paused()
    ):
        return draw()
    key = _key(request, name, version)
    try:
        html = cache.get(key)
    except Exception:
        _pause("reading a fragment")
        return draw()
    if html is not None:
        # Our own template output, escaped when it was drawn.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703
    html = draw()
    try:
        cache.set(key, str(html), TIMEOUT)
    except Exception:
        _pause("storing a fragment")
    return html


def render(request, template_name: str, context: dict, body: Callable[[], dict]):
    """Render a page whose `{% fragment %}` needs `body()`'s context too.

    `context` is what the rest of the page needs (the title, the back link);
    `body()` is called only if the fragment is drawn, not when it is served
    from the cache, so the page's heavy queries run only then.
    """
    return django_render(request, template_name, {**context, BODY: body})
