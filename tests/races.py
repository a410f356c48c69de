"""Two requests for the same thing at once: a double click, two tabs.

Two ways to test one:
- first_click_lands_first: both clicks passed the page's check, and the
  first is saved just as the second reaches the service. Played in order in
  one request, so the test can say exactly what the second click is shown
  (a calm "already done", not "There is a problem").
- race: two calls really at once, each in a thread with its own database
  connection (transactional tests), for what only the database can order:
  a lock, a conditional update, a unique row.
"""

import threading
from collections.abc import Callable, Mapping

from django.db import connection


def clicked_twice(
    service: Callable, *, afresh: Mapping[str, Callable[[], object]] | None = None
) -> Callable:
    """`service`, as a second click that waited for the first meets it: the
    first click's call has just been saved, with the same arguments, then
    this call runs.

    `afresh` names the arguments the first click loads for itself, as its own
    request would: deleting a row clears its copy's pk, so the first click
    must not delete the copy the second one holds.
    """

    def second_click(**kwargs):
        loaded = {name: load() for name, load in (afresh or {}).items()}
        service(**{**kwargs, **loaded})
        return service(**kwargs)

    return second_click


def first_click_lands_first(
    monkeypatch, owner, name: str, *, afresh: Mapping[str, Callable[[], object]] | None = None
) -> None:
    """Replace the service `owner.name` (`owner` is its module, usually) for
    the test with clicked_twice() of it."""
    monkeypatch.setattr(owner, name, clicked_twice(getattr(owner, name), afresh=afresh))


def race(*calls: Callable[[], object]) -> list:
    """Run `calls` at once, each in a thread of its own, and return what they
    returned, in the order they finished. An exception in any fails the test,
    as a page would have shown it: a 500.

    Each thread has its own database connection, as each request would, and
    closes it: one left open keeps the test database from being dropped.
    """
    start_together = threading.Barrier(len(calls), timeout=10)
    returned, raised = [], []

    def run(call):
        try:
            start_together.wait()
            returned.append(call())
        except Exception as error:  # reported below, from the test's own thread
            raised.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "still running after 30 s"
    assert not raised, f"raised: {raised!r}"
    return returned
