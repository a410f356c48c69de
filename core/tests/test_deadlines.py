"""The date rules at month ends, 29 February and the clock changes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.deadlines import (
    Rule,
    action_plan_rule,
    derive,
    london_date,
    pcc_response_rule,
    updated_action_plan_rule,
    visit_notice_rule,
)

UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2024, 1, 31), date(2024, 2, 28)),  # month end into a leap February
        (date(2024, 2, 1), date(2024, 2, 29)),  # lands on 29 February
        (date(2023, 2, 1), date(2023, 3, 1)),  # no 29 February in 2023
        (date(2024, 2, 29), date(2024, 3, 28)),  # from 29 February
        (date(2024, 12, 10), date(2025, 1, 7)),  # across the new year
        (date(2024, 3, 10), date(2024, 4, 7)),  # across BST start (31 March 2024)
        (date(2024, 10, 20), date(2024, 11, 17)),  # across BST end (27 October 2024)
    ],
)
def test_action_plan_is_due_28_days_after_receipt(received, due):
    assert derive(received, action_plan_rule()) == due


def test_updated_action_plan_is_due_8_weeks_after_publication():
    assert derive(date(2024, 1, 5), updated_action_plan_rule()) == date(2024, 3, 1)
    assert derive(date(2023, 1, 5), updated_action_plan_rule()) == date(2023, 3, 2)


def test_pcc_response_is_due_56_days_after_publication():
    assert derive(date(2024, 8, 31), pcc_response_rule()) == date(2024, 10, 26)


def test_visit_notice_is_due_14_days_before_the_visit():
    assert derive(date(2024, 3, 1), visit_notice_rule()) == date(2024, 2, 16)
    assert derive(date(2024, 3, 14), visit_notice_rule()) == date(2024, 2, 29)


def test_a_late_evening_in_summer_is_that_day_in_london():
    # 23:30 BST on 31 March 2024 is 22:30 UTC: still 31 March in London.
    received = datetime(2024, 3, 31, 22, 30, tzinfo=UTC)
    assert london_date(received) == date(2024, 3, 31)
    assert derive(received, action_plan_rule()) == date(2024, 4, 28)


def test_just_after_midnight_in_summer_is_the_next_day_in_london():
    # 00:30 BST on 27 October 2024 is 23:30 UTC on 26 October.
    received = datetime(2024, 10, 26, 23, 30, tzinfo=UTC)
    assert london_date(received) == date(2024, 10, 27)


def test_in_winter_london_is_utc():
    assert london_date(datetime(2024, 12, 1, 23, 59, tzinfo=UTC)) == date(2024, 12, 1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        london_date(datetime(2024, 1, 1, 12, 0))


def test_rules_follow_settings(settings):
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "ACTION_PLAN_DAYS": 30}
    assert derive(date(2024, 1, 1), action_plan_rule()) == date(2024, 1, 31)


def test_custom_rule():
    assert derive(date(2024, 1, 1), Rule("x", 0)) == date(2024, 1, 1)
