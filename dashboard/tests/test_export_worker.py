"""An export copy whose build a real Celery worker stopped at its hard time
limit (found by the jobs review). Celery acknowledges a task it stops at
the hard limit, so no worker is ever given it again: the copy said "in the
making" for 30 minutes (LOST_AFTER), and asking for a new copy returned it
again. Its builder lock, freed with the worker's connection, now says at
once that nobody is building it. The test failed on the code as reviewed."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from actionplans.tests.test_worker import _redis, _worker_env
from config.celery import app
from core import background
from dashboard import export_files
from dashboard.models import ExportFile
from tests.locks import skip_unless_postgresql

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    # send_task always goes to the broker, as the test means it to.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

LIST = reverse("exports:list")
HARD_LIMIT = 3  # seconds


def _start_worker(tmp_path: Path, log) -> subprocess.Popen:
    """A real worker with a child process (the solo pool has no time limits),
    whose builds hang (dashboard/tests/hanging_worker.py)."""
    env = _worker_env(tmp_path, _redis("plain"))
    env["PRIVATE_STORAGE_ROOT"] = str(tmp_path / "private")
    command = [sys.executable, "-m", "celery", "-A", "dashboard.tests.hanging_worker", "worker"]
    command += ["--pool=prefork"]
    command += ["--concurrency=1", "-l", "info"]
    return subprocess.Popen(
        command, cwd=Path(settings.BASE_DIR), env=env, stdout=log, stderr=subprocess.STDOUT
    )


def _stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_a_copy_stopped_at_the_hard_time_limit_is_given_up_at_once(
    admin_user, client_for, tmp_path, private_storage
):
    skip_unless_postgresql()
    _redis("plain")  # skips without Redis
    copy = ExportFile.objects.create(name="grades", requested_by=admin_user)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = _start_worker(tmp_path, log)
        try:
            # The soft limit a second before the hard one, which stops the build.
            limits = {"time_limit": HARD_LIMIT, "soft_time_limit": HARD_LIMIT - 1}
            app.send_task("dashboard.tasks.build_export", args=[str(copy.pk)], **limits)
            stopped = _wait_for(
                lambda: "Hard time limit" in log_path.read_text(errors="replace"), 30
            )
            output = log_path.read_text(errors="replace")
            assert stopped, output[-4000:]
            copy.refresh_from_db()
            assert copy.status == ExportFile.Status.BUILDING  # what the worker left
            admin = client_for(admin_user)
            # Within seconds, not 30 minutes: the page says so and offers another.
            assert _wait_for(lambda: "was not prepared in time" in admin.get(LIST).text, 10)
            again = export_files.export_request(name="grades", by=admin_user)
        finally:
            _stop(worker)
    copy.refresh_from_db()
    again.refresh_from_db()  # built here: the tests' tasks run where they are queued
    assert again.pk != copy.pk and again.status == ExportFile.Status.READY
    # Failed, then superseded by the new copy, as a failure before a good copy is.
    assert (copy.status, copy.error) == (ExportFile.Status.REMOVED, background.STOPPED)
