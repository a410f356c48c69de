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


def fill_the_disk(monkeypatch) -> None:
    """The private storage's disk fills in the middle of a write, as a real
    full disk does: the first chunk is on disk when the next one fails
    (Django's FileSystemStorage leaves that part behind)."""
    import errno
    import os

    from django.core.files.storage import FileSystemStorage

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(next(iter(content.chunks()), b"")[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", _save)
