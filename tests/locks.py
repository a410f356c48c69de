"""Tests that a service waits for a row lock (PostgreSQL, transactional tests).

Another thread holds the row with SELECT ... FOR UPDATE; the service runs
with a 200 ms lock timeout. A service that takes the lock gives up with
"lock timeout" before it returns; one that does not returns (and might only
block at its commit, on a deferred foreign key check), so the test tells the
two apart by whether the call returned.
"""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction


def skip_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database for a write; row locks need PostgreSQL")


def assert_waits_for_row_lock(model, pk, call, *, meanwhile=None):
    """While another transaction holds `model`'s row `pk`, `call()` waits for it.

    `meanwhile()`, if given, runs in the holding transaction half a second
    after the call starts, while it waits (a check of what the call has locked
    so far, say); its result is returned.
    """
    locked, release, seen = threading.Event(), threading.Event(), []

    def hold_the_lock():
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                locked.set()
                if meanwhile is not None:
                    time.sleep(0.5)  # the call is waiting by now
                    seen.append(meanwhile())
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    returned = False
    try:
        assert locked.wait(10)
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                # Long enough for `meanwhile` to run while the call still waits.
                waiting = "1s" if meanwhile is not None else "200ms"
                cursor.execute(f"SET LOCAL lock_timeout = '{waiting}'")
            call()
            returned = True
    finally:
        release.set()
        holder.join(10)
    assert not returned, "the call went ahead without waiting for the row"
    return seen[0] if seen else None
