from django.db import models
from django.db.models import Q

from core.models import BackgroundBuild


class ExportFile(BackgroundBuild):
    """One prepared copy of a national CSV export, made by a Celery task.

    National exports read every published inspection, so their cost grows
    with the programme: they are prepared in the background (on request, and
    each night) and downloaded as a stored file, never built inside a request.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        # Superseded: an older ready copy whose file was deleted, or a
        # failure followed by a good copy.
        REMOVED = "removed", "Removed"

    name = models.SlugField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # The London date the figures were taken on (overdue is judged against it).
    as_of = models.DateField(null=True, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta(BackgroundBuild.Meta):
        indexes = [models.Index(fields=["name", "-created_at"], name="export_latest")]
        constraints = [
            # One copy of each export in the making at a time: two admins
            # asking at once, or an admin and the nightly run, get the same one.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(status__in=["queued", "building"]),
                name="one_export_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} export, {self.created_at:%Y-%m-%d %H:%M}"
