"""The programme's date rules, in one pure function.

Deadlines are calendar dates in Europe/London. A trigger may arrive as a date
or as an aware datetime (a report emailed at 23:30 on a summer evening is
received that day in London, though it is the next day in UTC), so datetimes
are first turned into the London calendar date. Adding days to a calendar date
is then immune to clock changes: 28 days after 20 March is 17 April whether or
not the clocks went forward in between.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Rule:
    """A deadline a fixed number of days after (or, if negative, before) its trigger."""

    name: str
    days: int


def london_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("A datetime trigger must be aware of its time zone")
        return value.astimezone(LONDON).date()
    return value


def derive(trigger: date | datetime, rule: Rule) -> date:
    """The absolute date a rule gives for a trigger date."""
    return london_date(trigger) + timedelta(days=rule.days)


def action_plan_rule() -> Rule:
    return Rule("action plan", settings.PROGRAMME_RULES["ACTION_PLAN_DAYS"])


def updated_action_plan_rule() -> Rule:
    return Rule("updated action plan", settings.PROGRAMME_RULES["UPDATED_ACTION_PLAN_DAYS"])


def pcc_response_rule() -> Rule:
    return Rule(
        "police and crime commissioner's response", settings.PROGRAMME_RULES["PCC_RESPONSE_DAYS"]
    )


def visit_notice_rule() -> Rule:
    """The latest date notice of a post-inspection visit may be given."""
    return Rule("notice of post-inspection visit", -settings.PROGRAMME_RULES["VISIT_NOTICE_DAYS"])
