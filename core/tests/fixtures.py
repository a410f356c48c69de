"""Fixtures other apps' tests can import into their conftest.py.

from core.tests.fixtures import private_storage  # noqa: F401
"""

import pytest


@pytest.fixture
def private_storage(settings, tmp_path):
    """Point the default (private) storage at a fresh folder; returns that folder.

    Assigning a new STORAGES (never editing the dict in place) fires Django's
    setting_changed signal, which drops the cached default_storage; the
    settings fixture restores the old value after the test and fires it again.
    """
    root = tmp_path / "private"
    default = settings.STORAGES["default"]
    settings.PRIVATE_STORAGE_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": root}},
    }
    return root


def stored_paths(root) -> list:
    """Every file under the storage root."""
    return sorted(path for path in root.rglob("*") if path.is_file())
