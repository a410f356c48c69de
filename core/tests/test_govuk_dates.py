"""Dates and times as the GOV.UK style guide writes them, in London time."""

from datetime import UTC, date, datetime

import pytest

from core.templatetags.govuk import govuk_date, govuk_datetime


def test_a_date_has_no_leading_zero():
    assert govuk_date(date(2027, 5, 3)) == "3 May 2027"


@pytest.mark.parametrize(
    ("utc", "said"),
    [
        (datetime(2027, 1, 4, 14, 15, tzinfo=UTC), "4 January 2027 at 2:15pm"),
        (datetime(2027, 1, 4, 9, 5, tzinfo=UTC), "4 January 2027 at 9:05am"),
        (datetime(2027, 1, 4, 0, 0, tzinfo=UTC), "4 January 2027 at midnight"),
        (datetime(2027, 1, 4, 12, 0, tzinfo=UTC), "4 January 2027 at midday"),
        (datetime(2027, 1, 4, 0, 30, tzinfo=UTC), "4 January 2027 at 12:30am"),
        # British Summer Time: 11pm in UTC is midnight in London, the next day.
        (datetime(2027, 7, 3, 23, 0, tzinfo=UTC), "4 July 2027 at midnight"),
    ],
)
def test_a_time_is_said_in_london_with_midnight_and_midday(utc, said):
    assert govuk_datetime(utc) == said
