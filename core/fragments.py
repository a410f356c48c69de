"""Rendered page fragments, cached until any data changes.

A fragment is the HTML of part of a page (a table of 43 forces, say),
stored in the shared cache under a key made of:

- the **data version**: a random token that every committed write to the
  database replaces. A database execute wrapper, installed on every
  connection, sees each statement: anything but a read (an INSERT, UPDATE,
  DELETE, TRUNCATE, COPY, DDL…) schedules a new token for when its
  transaction commits, whichever way it was written (``save()``,
  ``QuerySet.update()``, ``bulk_create()``, raw SQL). A rolled-back write
  changes nothing and so keeps the token. Only writes to the session table
  are ignored: no fragment shows a session.
- the London date, because "due in 3 days" changes at midnight;
- the person (their id), the full path with its query string, and their
  CSRF secret, so a fragment is only ever served back to the person it was
  drawn for, in the same sign-in, for the same page;
- the fragment's name.

So a fragment is never older than the last committed change. It is not
used at all (drawn afresh and not stored) for a request other than GET, for
no signed-in person, or inside a transaction that has written and not yet
committed: that transaction sees rows no other request can see yet.

Each process start also replaces the token, so new code never serves HTML
drawn by old templates. The cache must be shared by every process that
writes (web workers and Celery workers): Redis (CACHE_URL) in production,
files under var/ otherwise. If the cache fails, the fragment is drawn afresh.
"""

import hashlib
import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.shortcuts import render as django_render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

VERSION_KEY = "fragments:data-version"
# The context key of the callable that gives a fragment its context.
BODY = "fragment_body"
# A fragment lives a day at most; each London day has its own keys anyway.
TIMEOUT = 24 * 60 * 60

# Statements that change nothing. Anything else is taken as a write.
_READS = re.compile(
    r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|SET|SHOW|EXPLAIN|BEGIN|COMMIT|PRAGMA)\b",
    re.IGNORECASE,
)
_SESSION_WRITE = re.compile(
    r'\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?django_session"?\s', re.IGNORECASE
)


def data_changed() -> None:
    """A new data version: every cached fragment is now out of date.

    Called after a commit. It must not fail the write that caused it.
    """
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), None)
    except Exception:  # a cache that is down loses nothing: fragments are skipped
        logger.exception("Could not change the fragment data version")


def _is_write(sql: str) -> bool:
    return not _READS.match(sql) and not _SESSION_WRITE.match(sql)


def _changed_on_commit(connection) -> None:
    # One callback a transaction is enough; a savepoint rolled back takes its
    # callback with it, and the next write schedules another.
    if connection.in_atomic_block and _pending(connection):
        return
    transaction.on_commit(data_changed, using=connection.alias, robust=True)


def _pending(connection) -> bool:
    return any(callback is data_changed for _, callback, _ in connection.run_on_commit)


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: a write schedules a new data version after its commit."""
    result = execute(sql, params, many, context)
    if not isinstance(sql, str) or _is_write(sql):
        _changed_on_commit(context["connection"])
    return result


def on_connection_created(sender, connection, **kwargs) -> None:
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def _uncommitted_writes() -> bool:
    return any(
        conn.in_atomic_block and _pending(conn) for conn in connections.all(initialized_only=True)
    )


def _key(request, name: str, version: str) -> str:
    parts = (
        version,
        timezone.localdate().isoformat(),
        str(request.user.pk),
        request.get_full_path(),
        request.META.get("CSRF_COOKIE", ""),
        name,
        connections["default"].settings_dict["NAME"],
    )
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return f"fragments:{digest}"


def _version(request) -> str:
    version = getattr(request, "_fragment_data_version", None)
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), None)
            version = cache.get(VERSION_KEY)
        request._fragment_data_version = version
    return version


def cached(request, name: str, draw: Callable[[], str]) -> SafeString:
    """The fragment `name` of this request's page: from the cache if the data
    has not changed since it was drawn, else drawn by `draw()` and stored."""
    if (
        not settings.FRAGMENT_CACHE
        or request is None
        or request.method != "GET"
        or not request.user.is_authenticated
        or _uncommitted_writes()
    ):
        return draw()
    try:
        key = _key(request, name, _version(request))
        html = cache.get(key)
    except Exception:
        logger.exception("Fragment cache unavailable; drawing %s afresh", name)
        return draw()
    if html is not None:
        # Our own template output, escaped when it was drawn.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703
    html = draw()
    try:
        cache.set(key, str(html), TIMEOUT)
    except Exception:
        logger.exception("Could not store fragment %s", name)
    return html


def render(request, template_name: str, context: dict, body: Callable[[], dict]):
    """Render a page whose `{% fragment %}` needs `body()`'s context too.

    `context` is what the rest of the page needs (the title, the back link);
    `body()` is called only if the fragment is drawn, not when it is served
    from the cache, so the page's heavy queries run only then.
    """
    return django_render(request, template_name, {**context, BODY: body})
