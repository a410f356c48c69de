"""CSV that is safe to open in a spreadsheet, streamed row by row.

A cell that starts with = + - @ (or a tab or carriage return) is read by
Excel and LibreOffice as a formula, which can run commands or leak data when
someone opens the file: such cells get a leading apostrophe (OWASP's advice).
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.http import StreamingHttpResponse

from core.csvcheck import normalised

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    if _starts_a_formula(text):
        return "'" + text
    return text


def _starts_a_formula(text: str) -> bool:
    """As core.csvcheck reads a cell: after blanks and invisible characters,
    and with look-alikes folded ("＝" as "="). Found by the uploads review:
    a force's response " =HYPERLINK(…)" went into the tracker CSV as it was,
    a file the service's own upload check refuses."""
    if text.startswith(FORMULA_STARTS):
        return True
    if text.isascii():
        return text.lstrip().startswith(FORMULA_STARTS)
    return normalised(text[:200]).lstrip().startswith(FORMULA_STARTS)


class _Echo:
    """A file-like object whose write() hands back the line csv.writer made."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    """Streamed: rows are read from the database as they are written out."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
