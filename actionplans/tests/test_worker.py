"""End to end: a real Celery worker with beat, against Redis and PostgreSQL."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from actionplans.models import Notice
from actionplans.tests.factories import today
from tests import secure_redis

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 90


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker_env(tmp_path: Path, redis: dict) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(
        # The worker must read the rows this test committed to the test database.
        DATABASE_URL=_database_url(),
        **redis,
        CELERY_TASK_ALWAYS_EAGER="false",
        SWEEP_EVERY_SECONDS="1",
        DEBUG="true",  # the console mail backend: emails land in the worker's log
        VAR_DIR=str(tmp_path),
    )
    return env


def _redis(which: str) -> dict:
    """The worker's broker and cache: the plain Redis CI gives every test, or
    the one behind a password and TLS (tests/secure_redis.py)."""
    if which == "plain":
        if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
            pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/<db>")
        return {"CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"]}
    return {"CELERY_BROKER_URL": secure_redis.url(db=4), "CACHE_URL": secure_redis.url(db=5)}


@pytest.mark.parametrize("which", ["plain", "password and TLS"])
def test_a_real_worker_and_beat_send_the_overdue_notice_once(
    make_due, force_lead_a, tmp_path, which
):
    redis = _redis(which)
    if connection.vendor != "postgresql":
        pytest.skip("the worker process cannot see an in-memory SQLite test database")
    make_due(action_plan_due_on=today() - timedelta(days=2))
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--pool=solo"]
    command += ["-s", str(tmp_path / "beat-schedule"), "-l", "info"]
    with log.open("wb") as out:
        worker = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=_worker_env(tmp_path, redis),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline and worker.poll() is None:
                if Notice.objects.filter(emailed_at__isnull=False).count() >= 3:
                    time.sleep(3)  # let beat fire a few more sweeps: they must add nothing
                    break
                time.sleep(0.5)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    output = log.read_text(errors="replace")
    emailed = Notice.objects.filter(emailed_at__isnull=False)
    assert emailed.count() == 3, output[-4000:]
    assert Notice.objects.count() == 3
    assert output.count("Subject: Action plan overdue: Greater Manchester") == 3
    assert f"To: {force_lead_a.email}" in output
