"""`apply_retention [--dry-run]`: delete case review notes and uploaded files of
inspections closed for longer than the retention period, report PDFs a newer
build has replaced, and stored files that no record names (each a day old or
more). Prints what it removed."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.retention import orphaned_files_remove, retention_apply, superseded_reports_remove


def _ended(inspection) -> str:
    if inspection.is_cancelled:
        # London's day, as the policy counts it (core.retention), not UTC's.
        return f"cancelled {timezone.localdate(inspection.cancelled_at)}"
    return f"closed {inspection.closed_on}"


class Command(BaseCommand):
    help = "Apply the retention policy to inspections closed long enough ago."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing")
        parser.add_argument(
            "--today",
            help="Apply as if today were this date (YYYY-MM-DD); not later than today "
            "unless with --dry-run",
        )

    def handle(self, *args, dry_run: bool, today: str | None, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date as YYYY-MM-DD, not {today!r}") from None
        if day > timezone.localdate() and not dry_run:
            # Deleted notes and files cannot be brought back: a mistyped year
            # would end their retention period early (found by the dates
            # review). A later day can still be looked at with --dry-run.
            raise CommandError(
                f"--today cannot be later than today ({timezone.localdate()}): records would "
                "be deleted before their retention period ends. Add --dry-run to see what "
                "would be removed on that day"
            )
        report = retention_apply(today=day, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for item in report:
            self.stdout.write(
                f"{item.inspection} ({_ended(item.inspection)}): {verb} "
                f"{item.review_notes} case review notes, {item.observations} observations, "
                f"{item.second_review_reasons} second review reasons, "
                f"{item.replacement_reasons} reasons cases were replaced, "
                f"{item.audit_rows} audit records quoting that text, "
                f"{len(item.files)} files" + (f" ({', '.join(item.files)})" if item.files else "")
            )
        if not report:
            self.stdout.write("Nothing to remove.")
        self.stdout.write(f"inspections {'to clear' if dry_run else 'cleared'}: {len(report)}")
        superseded = superseded_reports_remove(dry_run=dry_run)
        self.stdout.write(f"report PDFs replaced by a newer build, {verb}: {len(superseded)}")
        orphans = orphaned_files_remove(dry_run=dry_run)
        self.stdout.write(f"stored files with no record, {verb}: {len(orphans)}")
