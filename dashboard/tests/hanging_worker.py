"""The Celery app for tests that need a build a real worker must stop at its
hard time limit (`celery -A dashboard.tests.hanging_worker worker`): the
service's own app, whose export builds hang, once claimed, in code the soft
time limit cannot interrupt (as a library's C code would, the soft limit's
signal held back), away from the database."""

import signal
import time

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app"]


def _hang(*args, **kwargs):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # the soft limit's signal
    time.sleep(600)


@worker_process_init.connect
def _builds_hang(**kwargs) -> None:
    from dashboard import export_files

    export_files.csv_lines = _hang
