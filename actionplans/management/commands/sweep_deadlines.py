from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actionplans.notices import notices_sweep


class Command(BaseCommand):
    help = "Send due reminders and overdue notices now (the same sweep beat runs hourly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Sweep as if today were this date (YYYY-MM-DD), e.g. to back-fill"
        )

    def handle(self, *args, today: str | None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today must be a date as YYYY-MM-DD, not {today!r}") from None
        if day and day > timezone.localdate():
            # Found by the dates review: a later day's reminders and overdue
            # notices would go now, and, each occasion sent once, not on the day.
            raise CommandError(
                f"--today must be today or earlier, not {day}: a sweep for a later day "
                "would send its notices early, and not again on the day"
            )
        sent = notices_sweep(today=day)
        self.stdout.write(f"notices sent: {sent}")
