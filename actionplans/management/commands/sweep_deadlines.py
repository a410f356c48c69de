from datetime import date

from django.core.management.base import BaseCommand, CommandError

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
        sent = notices_sweep(today=day)
        self.stdout.write(f"notices sent: {sent}")
