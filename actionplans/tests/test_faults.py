"""Fault tests against real Redis, PostgreSQL and a real Celery worker.

- With Redis stopped, pages still work, saving an action plan still succeeds,
  /healthz says 503, and the notices go out once Redis is back.
- A worker killed in the middle of a sweep loses nothing and duplicates nothing.
"""

import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu import pools

from actionplans import services
from actionplans.models import ActionPlan, Notice
from actionplans.tests.factories import complete_draft, today
from actionplans.tests.test_worker import _worker_env
from config.celery import app as celery_app
from forces.models import Force

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs PostgreSQL"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]
BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A Redis of our own on a spare port, so the test can stop and start it."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]  # noqa: S607
            + ["--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis(tmp_path, settings, monkeypatch):
    server = Redis(tmp_path)
    server.start()
    # Celery reads CELERY_BROKER_URL from the environment before its own config.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    # Real publishing, to our Redis, with the production retry settings.
    settings.CELERY_BROKER_URL = server.url
    changes = {
        "broker_url": server.url,
        "task_always_eager": False,
    }
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    _fresh_connections()
    yield server
    server.stop()
    celery_app.conf.update(saved)
    _fresh_connections()


def _fresh_connections() -> None:
    """Drop pooled broker connections made for another test's broker."""
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _run_worker(tmp_path: Path, broker_url: str, *, beat: bool = False) -> subprocess.Popen:
    env = _worker_env(tmp_path, {"CELERY_BROKER_URL": broker_url})
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "-l",
        "info",
    ]
    if beat:
        command += ["-B", "-s", str(tmp_path / "beat-schedule")]
    log = (tmp_path / "worker.log").open("ab")
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _stop(worker: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
    if worker is not None and worker.poll() is None:
        worker.send_signal(sig)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _wait_for(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_with_redis_stopped_work_goes_on_and_notices_follow(
    redis, checks, client_for, force_lead_a, lead_inspector, tmp_path
):
    plan = complete_draft(
        services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN), by=force_lead_a
    )
    redis.stop()

    client = client_for(force_lead_a)
    for url in (reverse("core:home"), checks.get_absolute_url(), plan.get_absolute_url()):
        assert client.get(url).status_code == 200, url
    health = client.get("/healthz")
    assert health.status_code == 200  # the pages work: the load balancer keeps web
    assert health.json()["status"] == "degraded"
    assert health.json()["broker"] == "unavailable"

    started = time.monotonic()
    response = client.post(reverse("actionplans:plan_submit", args=[checks.pk, plan.slug]))
    assert response.status_code == 302
    assert time.monotonic() - started < 10, "a dead broker must not hang the page"
    assert plan.versions.count() == 1
    waiting = Notice.objects.filter(emailed_at__isnull=True)
    assert waiting.count() == 2  # the force lead's confirmation and the lead inspector's

    redis.start()
    assert client.get("/healthz").json()["status"] == "ok"
    # The next sweep (hourly) re-queues emails claimed while the broker was down.
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        call_command("sweep_deadlines")
    queued = subprocess.run(  # noqa: S603
        ["redis-cli", "-p", str(redis.port), "llen", "celery"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert queued == "1", "the re-queued emails should be waiting in Redis, in one batch"
    worker = _run_worker(tmp_path, redis.url)
    try:
        emailed = _wait_for(lambda: not Notice.objects.filter(emailed_at__isnull=True).exists())
    finally:
        _stop(worker)
    assert emailed, (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    assert Notice.objects.filter(emailed_at__isnull=False).count() == 2
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert log.count(f"To: {force_lead_a.email}") == 1
    assert log.count(f"To: {lead_inspector.email}") == 1


def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(redis, make_due, tmp_path):
    for n, (slug, days) in enumerate((("cleveland", 3), ("kent", 10), ("gwent", 17))):
        make_due(
            force=Force.objects.get(slug=slug),
            action_plan_due_on=today() - timedelta(days=days),
            start=today() - timedelta(days=300 + 30 * n),
        )
    # Hold the notices table so the worker's sweep blocks inside its transaction.
    blocker = psycopg2.connect(**connection.get_connection_params())
    blocker.autocommit = False
    worker = None
    try:
        # Inside the try: whatever fails, the lock goes, or the test database's
        # flush would wait on it for ever.
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE actionplans_notice IN ACCESS EXCLUSIVE MODE")
        worker = _run_worker(tmp_path, redis.url)
        from actionplans.tasks import sweep_deadlines

        sweep_deadlines.delay()
        log = tmp_path / "worker.log"
        assert _wait_for(
            lambda: log.exists() and "sweep_deadlines" in log.read_text(errors="replace")
        )
        time.sleep(1)  # the sweep is now waiting on the lock, mid-transaction
        _stop(worker, signal.SIGKILL)
    finally:
        blocker.rollback()
        blocker.close()
        _stop(worker)
    assert Notice.objects.count() == 0  # the killed sweep committed nothing

    call_command("sweep_deadlines")
    first = Notice.objects.count()
    assert first > 0
    call_command("sweep_deadlines")
    assert Notice.objects.count() == first  # and a rerun adds nothing
    keys = Notice.objects.values_list("recipient", "kind", "inspection", "sequence")
    assert len(set(keys)) == len(keys)
