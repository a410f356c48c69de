"""A build a live worker is building, for tests of what its page and a new
request do meanwhile.

A row "building" that no worker holds the builder lock of is lost
(core.background.builder_gone): its worker stopped. A test of a live build
holds the lock, as the worker would, from a thread with its own database
connection.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from core import background


@contextmanager
def live_builder(row) -> Iterator[None]:
    """While this runs, a live worker is building `row` (it holds its lock)."""
    holding, done = threading.Event(), threading.Event()

    def build():
        try:
            with background.builder_lock(type(row), row.pk) as held:
                assert held
                holding.set()
                done.wait(30)
        finally:
            connection.close()

    worker = threading.Thread(target=build)
    worker.start()
    try:
        assert holding.wait(10), "the builder lock was not taken"
        yield
    finally:
        done.set()
        worker.join(10)


@contextmanager
def page_looking(row, seconds: float = 0.3) -> Iterator[None]:
    """While this runs, a page holds the build's lock for a moment, as
    builder_gone and give_up_if_lost do to see whether a worker builds it."""
    holding = threading.Event()

    def look():
        try:
            with background.builder_lock(type(row), row.pk) as held:
                assert held
                holding.set()
                threading.Event().wait(seconds)
        finally:
            connection.close()

    page = threading.Thread(target=look)
    page.start()
    try:
        assert holding.wait(10), "the builder lock was not taken"
        yield
    finally:
        page.join(10)
