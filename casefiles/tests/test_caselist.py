"""Reading and checking the case list, without the database."""

import io
from datetime import date

import pytest

from casefiles.caselist import (
    ENCODING_MESSAGE,
    CaseListError,
    RowChecker,
    check_headings,
    parse_date,
    read_rows,
    template_csv,
)

LOOKUP = {"missing children": 1, "missing-children": 1}
TODAY = date(2026, 11, 25)


def test_template_has_exactly_the_importable_columns():
    assert template_csv().strip() == "case_reference,category,date_recorded,area"


@pytest.mark.parametrize(
    "headings",
    [
        ["case_reference", "category", "date_recorded"],
        ["Case reference", "Category", "Date recorded", "Area"],
        ["\ufeffcase_reference", " CATEGORY ", "date-recorded"],
    ],
)
def test_template_headings_in_any_reasonable_spelling_are_accepted(headings):
    _, errors = check_headings(headings)
    assert errors == []


@pytest.mark.parametrize(
    "column", ["Name", "child_name", "DOB", "Date of birth", "Address", "Postcode"]
)
def test_identifying_columns_are_refused_with_a_reason(column):
    _, errors = check_headings(["case_reference", "category", "date_recorded", column])
    assert errors == [
        f"Remove the ‘{column}’ column: the case list must never include a child’s name or "
        "other details that could identify them"
    ]


def test_other_columns_not_in_the_template_are_refused():
    _, errors = check_headings(["case_reference", "category", "date_recorded", "Officer"])
    assert errors[0].startswith("Remove the ‘Officer’ column: it is not in the template")


def test_a_missing_column_is_named():
    _, errors = check_headings(["case_reference", "category"])
    assert errors == ["Add a ‘date recorded’ column: the template shows the headings"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2024", date(2024, 12, 31)),
        ("1/2/2025", date(2025, 2, 1)),
        ("2025-02-01", date(2025, 2, 1)),
        ("31/02/2024", None),
        ("12/31/2024", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates_are_read_day_first(text, expected):
    assert parse_date(text) == expected


def check(values, checker=None):
    checker = checker or RowChecker(LOOKUP, today=TODAY)
    return checker.check(14, values)


def test_a_good_row_is_parsed():
    row, errors = check(
        {"case_reference": " AB/1 ", "category": "Missing Children", "date_recorded": "3/5/2024"}
    )
    assert errors == []
    assert (row.reference, row.category_id, row.recorded_on) == ("AB/1", 1, date(2024, 5, 3))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"category": "missing children", "date_recorded": "1/1/2025"},
            "Row 14: enter the case reference",
        ),
        ({"case_reference": "A", "date_recorded": "1/1/2025"}, "Row 14: enter the category"),
        (
            {"case_reference": "A", "category": "burglary", "date_recorded": "1/1/2025"},
            "Row 14: ‘burglary’ is not a case category: use a category from the list on the "
            "import page",
        ),
        (
            {"case_reference": "A", "category": "missing children", "date_recorded": "2025/31/12"},
            "Row 14: enter a date in the format 31/12/2024",
        ),
        (
            {"case_reference": "A", "category": "missing children", "date_recorded": "31/02/2026"},
            "Row 14: the date recorded must be a real date",
        ),
        (
            {"case_reference": "A", "category": "missing children", "date_recorded": "1/1/2027"},
            "Row 14: the date recorded must be today or in the past",
        ),
        # A year mistyped (0225 or 1025 for 2025) is a real date, but no
        # case's: the service's dates begin in 2000 (core.forms.EARLIEST_DATE).
        (
            {"case_reference": "A", "category": "missing children", "date_recorded": "1/3/0225"},
            "Row 14: the date recorded must be the same as or after 1 January 2000",
        ),
        (
            {"case_reference": "A", "category": "missing children", "date_recorded": "1025-03-01"},
            "Row 14: the date recorded must be the same as or after 1 January 2000",
        ),
        (
            {
                "case_reference": "A" * 51,
                "category": "missing children",
                "date_recorded": "1/1/2025",
            },
            "Row 14: the case reference must be 50 characters or fewer",
        ),
    ],
)
def test_each_bad_value_gets_a_row_level_message(values, message):
    row, errors = check(values)
    assert row is None
    assert errors == [message]


def test_a_duplicate_reference_names_the_first_row():
    checker = RowChecker(LOOKUP, today=TODAY)
    values = {"case_reference": "AB/1", "category": "missing children", "date_recorded": "1/1/2025"}
    assert checker.check(2, values)[1] == []
    _, errors = checker.check(9, {**values, "case_reference": "ab/1"})
    assert errors == ["Row 9: case reference ab/1 is already on row 2: each case must appear once"]


def rows_of(data: bytes):
    return list(read_rows(io.BytesIO(data)))


def test_rows_are_numbered_as_a_spreadsheet_numbers_them_and_blank_lines_skipped():
    rows = rows_of(b"case_reference,category,date_recorded\r\nA,x,1/1/2025\r\n\r\nB,y,2/1/2025\r\n")
    assert rows[0] == (0, ["case_reference", "category", "date_recorded"])
    assert [line for line, _ in rows[1:]] == [2, 4]


def test_a_byte_order_mark_is_dropped():
    rows = rows_of("\ufeffcase_reference,category,date_recorded\nA,x,1/1/2025\n".encode())
    assert rows[0][1][0] == "case_reference"


def test_a_file_not_in_utf8_is_refused():
    data = "case_reference,category,date_recorded\nA,caf\xe9,1/1/2025\n".encode("latin-1")
    with pytest.raises(CaseListError, match="CSV UTF-8"):
        rows_of(data)
    assert "CSV UTF-8" in ENCODING_MESSAGE


def test_an_empty_file_is_refused():
    with pytest.raises(CaseListError, match="The selected file is empty"):
        rows_of(b"")


def test_extra_values_beyond_the_headings_are_flagged():
    rows = rows_of(b"case_reference,category,date_recorded\nA,x,1/1/2025,Jane Smith\n")
    _, errors = RowChecker(LOOKUP, today=TODAY).check(rows[1][0], rows[1][1])
    assert errors[0].startswith("Row 2: there are more values than column headings")


@pytest.mark.parametrize(
    "headings",
    [
        ["GW-1", "missing-children", "01/02/2025", "Newport"],  # the heading row left out
        ["case_reference;category;date_recorded;area"],  # separated by semicolons
    ],
)
def test_a_first_row_with_no_template_heading_is_refused_in_one_message(headings):
    _, errors = check_headings(headings)
    assert errors == [
        "The first row must be the headings in the template: case reference, category, "
        "date recorded and area, separated by commas"
    ]


def test_a_first_row_with_no_template_heading_still_names_an_identifying_column():
    _, errors = check_headings(["Ref", "Child name"])
    assert errors[0].startswith("Remove the ‘Child name’ column: the case list must never")
    assert errors[1].startswith("The first row must be the headings in the template")
    assert len(errors) == 2
