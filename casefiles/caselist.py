"""Reading and checking the force's case list (CSV).

Pure functions over text: no database. The import task streams the stored
file through these twice, once to check every row and once to save, so a
100,000-row file never sits in memory.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from core.forms import EARLIEST_DATE

# The columns a case list may have, as the template writes them.
REQUIRED_COLUMNS = ["case_reference", "category", "date_recorded"]
OPTIONAL_COLUMNS = ["area"]
TEMPLATE_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
COLUMN_LABELS = {
    "case_reference": "case reference",
    "category": "category",
    "date_recorded": "date recorded",
    "area": "area",
}
ALIASES = {"reference": "case_reference", "case_ref": "case_reference", "date": "date_recorded"}

# Words in a column heading that mean the column would identify a child.
IDENTIFYING_WORDS = {
    "dob", "age", "postcode", "street", "town", "nhs", "upn", "ethnicity", "gender", "sex",
    "phone", "telephone", "mobile", "email", "school", "parent", "carer", "mother", "father",
}  # fmt: skip
IDENTIFYING_PARTS = ("name", "birth", "address", "postcode")


def is_identifying(key: str) -> bool:
    return bool(IDENTIFYING_WORDS & set(key.split("_"))) or any(
        part in key for part in IDENTIFYING_PARTS
    )


MAX_REFERENCE_LENGTH = 50
MAX_AREA_LENGTH = 100
DATE_FORMAT_EXAMPLE = "31/12/2024"
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class CaseListError(Exception):
    """The file as a whole cannot be read: wrong encoding, not a CSV, empty."""


ENCODING_MESSAGE = (
    "The file must be saved as CSV UTF-8. In Excel, choose Save as, then "
    "‘CSV UTF-8 (Comma delimited)’"
)
EMPTY_MESSAGE = "The selected file is empty"
NO_ROWS_MESSAGE = "The file has no cases in it: add one row for each case under the headings"


NOT_CSV_MESSAGE = "The selected file must be a CSV"
NO_HEADINGS_MESSAGE = (
    "The first row must be the headings in the template: case reference, category, "
    "date recorded and area, separated by commas"
)


def shown(text: str) -> str:
    """User text fit to quote in a message: printable, and not too long."""
    text = "".join(c if c.isprintable() else "?" for c in text.strip())
    return text if len(text) <= 60 else text[:57] + "..."


def normalise_heading(heading: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", heading.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def _identifying_message(heading: str) -> str:
    return (
        f"Remove the ‘{shown(heading)}’ column: the case list must never include a "
        "child’s name or other details that could identify them"
    )


def check_headings(headings: list[str]) -> tuple[list[str], list[str]]:
    """Return (column keys in file order, error messages) for a header row."""
    keys = [normalise_heading(h) for h in headings]
    if not set(keys) & set(TEMPLATE_COLUMNS):
        # No heading of the template at all: the first row is a case (the
        # headings left out), or the values are not separated by commas. One
        # message says so, rather than one a column asking to remove "REF-1"
        # (found by the case files review).
        identifying = [
            _identifying_message(heading)
            for heading, key in zip(headings, keys, strict=True)
            if key and is_identifying(key)
        ]
        return keys, [*dict.fromkeys(identifying), NO_HEADINGS_MESSAGE]
    errors = []
    for heading, key in zip(headings, keys, strict=True):
        if key in TEMPLATE_COLUMNS:
            continue
        if not key:
            errors.append("Every column must have a heading: remove empty columns")
        elif is_identifying(key):
            errors.append(_identifying_message(heading))
        else:
            errors.append(
                f"Remove the ‘{shown(heading)}’ column: it is not in the template. "
                "Only case reference, category, date recorded and area can be imported"
            )
    for key in TEMPLATE_COLUMNS:
        if keys.count(key) > 1:
            errors.append(f"The ‘{COLUMN_LABELS[key]}’ column appears more than once")
    for key in REQUIRED_COLUMNS:
        if key not in keys:
            errors.append(f"Add a ‘{COLUMN_LABELS[key]}’ column: the template shows the headings")
    return keys, list(dict.fromkeys(errors))


def parse_date(text: str) -> date | None:
    match = _UK_DATE.match(text) or _ISO_DATE.match(text)
    if not match:
        return None
    a, b, c = (int(part) for part in match.groups())
    day, month, year = (a, b, c) if match.re is _UK_DATE else (c, b, a)
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class CaseRow:
    line: int
    reference: str
    category_id: object
    recorded_on: date
    area: str


class RowChecker:
    """Checks rows one at a time, remembering references to find duplicates.

    categories maps each accepted spelling (name or slug, lower case) to a
    category id. Holds one dict entry per reference: about 10 MB for 100,000.
    """

    def __init__(self, categories: dict[str, object], today: date, track_duplicates: bool = True):
        self.categories = categories
        self.today = today
        self.track_duplicates = track_duplicates
        self.seen: dict[str, int] = {}

    def check(self, line: int, values: dict[str, str]) -> tuple[CaseRow | None, list[str]]:
        errors = []
        if None in values:
            errors.append(
                f"Row {line}: there are more values than column headings: "
                "check for commas in the case reference or area"
            )
        reference = _spaced(values.get("case_reference", "")).strip()
        category_text = values.get("category", "").strip()
        date_text = values.get("date_recorded", "").strip()
        area = _spaced(values.get("area", "")).strip()
        if not reference:
            errors.append(f"Row {line}: enter the case reference")
        elif len(reference) > MAX_REFERENCE_LENGTH:
            errors.append(
                f"Row {line}: the case reference must be {MAX_REFERENCE_LENGTH} characters or fewer"
            )
        elif _has_control(reference):
            errors.append(f"Row {line}: the case reference must not contain control characters")
        elif self.track_duplicates:
            first = self.seen.setdefault(reference.upper(), line)
            if first != line:
                errors.append(
                    f"Row {line}: case reference {reference} is already on row {first}: "
                    "each case must appear once"
                )
        category_id = self.categories.get(category_text.lower())
        if not category_text:
            errors.append(f"Row {line}: enter the category")
        elif category_id is None:
            errors.append(
                f"Row {line}: ‘{shown(category_text)}’ is not a case category: use a category "
                "from the list on the import page"
            )
        recorded_on = parse_date(date_text)
        if recorded_on is None and (_UK_DATE.match(date_text) or _ISO_DATE.match(date_text)):
            # 31/02/2026 is in the format; it is not a day (found by a review).
            errors.append(f"Row {line}: the date recorded must be a real date")
        elif recorded_on is None:
            errors.append(f"Row {line}: enter a date in the format {DATE_FORMAT_EXAMPLE}")
        elif recorded_on > self.today:
            errors.append(f"Row {line}: the date recorded must be today or in the past")
        elif recorded_on < EARLIEST_DATE:
            # A year mistyped (0225 for 2025) is a real date, but no case's.
            errors.append(
                f"Row {line}: the date recorded must be the same as or after 1 January 2000"
            )
        if _has_control(area):
            errors.append(f"Row {line}: the area must not contain control characters")
        elif len(area) > MAX_AREA_LENGTH:
            errors.append(f"Row {line}: the area must be {MAX_AREA_LENGTH} characters or fewer")
        if errors:
            return None, errors
        return CaseRow(line, reference, category_id, recorded_on, area), []


def _spaced(text: str) -> str:
    """Non-breaking and other spaces as plain ones: text pasted from a web
    page or an email has them, and Excel shows them as spaces (found by the
    evidence review: "North Wales" was refused as holding control characters)."""
    if text.isascii():
        return text
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)


def _has_control(text: str) -> bool:
    """Control, format or unassigned characters: a line break, a zero-width
    or direction mark, none of which a reference or an area should hold. And
    Unicode's line and paragraph separators (U+2028, U+2029): line breaks
    too, though not "control" characters to Unicode."""
    if text.isascii():
        return not text.isprintable()
    categories = (unicodedata.category(c) for c in text)
    return any(category[0] == "C" or category in ("Zl", "Zp") for category in categories)


def open_text(binary: IO[bytes]) -> io.TextIOWrapper:
    # utf-8-sig drops the byte order mark Excel writes at the start of CSV UTF-8.
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def read_rows(binary: IO[bytes]) -> Iterator[tuple[int, list[str] | dict[str, str]]]:
    """Yield (0, headings as written) for the header, then (line, values) per row.

    Raises CaseListError for a file that is not UTF-8 text or not a CSV.
    Blank lines are skipped. A row with more values than headings yields the
    values under a None key, for the checker to refuse.
    """
    text = open_text(binary)
    reader = csv.reader(text, strict=False)
    # Rows counted as a spreadsheet shows them, one per record, the headings
    # row 1: not by the file's lines, which a cell holding a line break
    # (Alt+Enter in Excel) makes more (found by the evidence review).
    read_to = 0  # the row of the last record read whole
    try:
        try:
            headings = next(reader)
        except StopIteration:
            raise CaseListError(EMPTY_MESSAGE) from None
        read_to = 1
        if any("\x00" in heading for heading in headings):
            raise CaseListError(NOT_CSV_MESSAGE)
        keys, _ = check_headings(headings)
        yield 0, headings
        width = len(keys)
        for values in reader:
            read_to += 1
            if not values or not any(v.strip() for v in values):
                continue
            row = dict(zip(keys, values, strict=False))
            if len(values) > width and any(v.strip() for v in values[width:]):
                row[None] = "extra"
            yield read_to, row
    except UnicodeDecodeError:
        raise CaseListError(ENCODING_MESSAGE) from None
    except csv.Error as exc:
        # In words, not Python's ("field larger than field limit (131072)",
        # found by the uploads review): a quote mark never closed runs the
        # rest of the file into one value, its likelier cause. The row named
        # is where the record began, where such a quote mark is.
        if "field limit" in str(exc):
            raise CaseListError(
                f"Row {read_to + 1}: a value is longer than {csv.field_size_limit():,} "
                'characters. Check that every quote mark (") in the row is closed, then '
                "save the file as CSV UTF-8 again"
            ) from None
        raise CaseListError(
            f"Row {read_to + 1}: the file could not be read as CSV. Check the row's "
            'quote marks ("), then save the file as CSV UTF-8 again'
        ) from None
    finally:
        if not binary.closed:
            text.detach()


def template_csv() -> str:
    """The downloadable template: the headings, and nothing that could identify a child."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(TEMPLATE_COLUMNS)
    return buffer.getvalue()
