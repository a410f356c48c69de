"""Write an inspection's report PDF to a file: the same bytes the service stores."""

import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import audit
from inspections.models import Inspection
from inspections.reports import NO_REPORT_CANCELLED, render_report_pdf


class Command(BaseCommand):
    help = "Render the report PDF of one inspection to a file."

    def add_arguments(self, parser):
        parser.add_argument("inspection_id", help="The inspection's id (a UUID)")
        parser.add_argument("--out", required=True, help="Where to write the PDF")

    def handle(self, *args, inspection_id: str, out: str, **options):
        try:
            inspection = Inspection.objects.select_related("force").get(pk=inspection_id)
        except (Inspection.DoesNotExist, ValidationError, ValueError):
            raise CommandError(f"No inspection with id {inspection_id}") from None
        if inspection.is_cancelled:
            # As the service refuses to build one (reports.report_request):
            # a PDF marked DRAFT of a report there will never be.
            raise CommandError(NO_REPORT_CANCELLED)
        rendered = render_report_pdf(inspection)
        Path(out).write_bytes(rendered.pdf)
        status = "draft" if rendered.is_draft else "published"
        # A copy out of the service, draft or not, is on the record as a
        # download from it is (found by the audit completeness review).
        audit.record(
            by=None,
            action="report.exported",
            obj=inspection,
            force=inspection.force,
            inspection_id=inspection.pk,
            comment=f"The {status} report PDF written to a file on the server by "
            f"manage.py export_report ({out})",
        )
        self.stdout.write(
            f"Wrote {out}: {rendered.page_count} pages, {status}, "
            f"sha256 {hashlib.sha256(rendered.pdf).hexdigest()}"
        )
