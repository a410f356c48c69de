import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    """A row with a UUID key, so URLs never reveal counts or invite guessing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_id=obj.pk)


class AuditEvent(models.Model):
    """One change a person made: who, when, what, from and to.

    Rows are written only by core.audit.record() inside the service that makes
    the change, in the same transaction, so a change and its record stand or
    fall together. Nothing in the app edits or deletes them.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255)
    force = models.ForeignKey(
        "forces.Force", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspection_id = models.UUIDField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class StoredFile(BaseModel):
    """An uploaded file, kept privately under a random name.

    Created only by core.uploads after its checks pass; served only through
    a view that checks access and records the download.
    """

    original_name = models.CharField(max_length=255)
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.original_name


# A build still waiting this long after it was asked for, or still running
# this long after it started (the task time limit is 10 minutes), was lost
# with its worker: its page says so and offers to try again.
LOST_AFTER = timedelta(minutes=30)


class BackgroundBuild(BaseModel):
    """A file a Celery task builds on request: a report PDF, an export copy.

    Each kind declares its own `status` (queued, building, ready, failed and
    any of its own); core.background.build_claimed runs the build.
    """

    MAKING = ("queued", "building")
    # Set by core.background.builder_gone: building, but by no worker.
    builder_gone = False

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stored_file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker started building it (core.background._claim).
    attempts = models.PositiveSmallIntegerField(default=0)
    # The Celery task building it, and its retries then (core.background.Delivery):
    # its retry carries on the build rather than taking it over.
    task_id = models.CharField(max_length=255, blank=True)
    task_retries = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_ready(self) -> bool:
        return self.status == "ready" and self.stored_file_id is not None

    @property
    def is_lost(self) -> bool:
        since = timezone.now() - LOST_AFTER
        if self.status == "queued":
            return self.created_at < since
        if self.status == "building":
            return self.builder_gone or (self.started_at or self.created_at) < since
        return False

    @property
    def is_in_progress(self) -> bool:
        return self.status in self.MAKING and not self.is_lost


class JobHeartbeat(models.Model):
    """When a scheduled job last finished: the proof that beat and the worker
    run it (core.heartbeats). Written by the job itself; no person edits it."""

    class Job(models.TextChoices):
        DEADLINE_SWEEP = "deadline_sweep", "Deadline reminders and overdue notices"
        NIGHTLY_EXPORTS = "nightly_exports", "The nightly national exports"
        RETENTION = "retention", "Deletions under the retention policy"

    job = models.CharField(max_length=40, choices=Job.choices, primary_key=True)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_job_display()}: {self.finished_at:%Y-%m-%d %H:%M}"
