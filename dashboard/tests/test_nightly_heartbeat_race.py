"""The night's last two copies finishing at once, on two workers (found by
the jobs review): each build marked its copy ready and then counted the
ready copies in its own transaction, neither seeing the other's, so each
found one missing and neither recorded the heartbeat. The night's work was
done, and the next day the admins were told the exports had stopped. The
test failed on the code as reviewed."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from core.heartbeats import late_jobs
from core.models import JobHeartbeat
from dashboard import export_files
from dashboard.models import ExportFile
from tests.locks import skip_unless_postgresql
from tests.races import race


@pytest.mark.django_db(transaction=True)
def test_the_last_two_copies_ready_at_once_record_the_night(private_storage, monkeypatch):
    skip_unless_postgresql()
    JobHeartbeat.objects.update_or_create(
        job=JobHeartbeat.Job.NIGHTLY_EXPORTS,
        defaults={"finished_at": timezone.now() - timedelta(days=3)},
    )
    assert [j.job for j in late_jobs()] == ["nightly_exports"]
    first, second, *built = export_files.exports.EXPORTS
    for name in built:
        ExportFile.objects.create(name=name, status="ready", as_of=timezone.localdate())
    last = [ExportFile.objects.create(name=name) for name in (first, second)]  # the night's

    # Both builds have marked their copy ready, neither has committed yet.
    both_ready = threading.Barrier(2, timeout=10)
    check = export_files._heartbeat_once_all_ready

    def check_once_both_are_ready(today):
        both_ready.wait()
        check(today)

    monkeypatch.setattr(export_files, "_heartbeat_once_all_ready", check_once_both_are_ready)
    race(*(lambda pk=row.pk: export_files.export_build(export_file_id=pk) for row in last))
    assert set(ExportFile.objects.values_list("status", flat=True)) == {"ready"}
    assert late_jobs() == []
