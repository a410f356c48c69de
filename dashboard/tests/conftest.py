from datetime import date

import pytest
import time_machine

from core.tests.fixtures import private_storage  # noqa: F401 - a fixture

TODAY = date(2026, 11, 25)


@pytest.fixture
def today():
    """Travel to a fixed day, so dates in assertions are fixed."""
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False):
        yield TODAY
