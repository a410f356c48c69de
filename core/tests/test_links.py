"""core.links.url_maker: one reverse() for a table's links, the same URLs."""

import uuid

import pytest
from django.urls import reverse

from core.links import ANY, url_maker


@pytest.mark.parametrize(
    ("viewname", "args", "values"),
    [
        ("inspections:detail", [ANY], [uuid.uuid4(), uuid.uuid4()]),
        ("forces:detail", [ANY], ["greater-manchester", "cleveland"]),
        ("inspections:judgment", [uuid.uuid4(), ANY], ["investigation", "leadership"]),
        ("actionplans:plan", [ANY, "updated-action-plan"], [uuid.uuid4()]),
    ],
)
def test_each_link_is_what_reverse_gives(viewname, args, values):
    make = url_maker(viewname, *args)
    for value in values:
        expected = reverse(viewname, args=[value if a is ANY else a for a in args])
        assert make(value) == expected


def test_a_url_the_sentinel_cannot_reverse_is_reversed_each_time():
    # A version's number is an int: the sentinel, an id, does not reverse.
    inspection = uuid.uuid4()
    make = url_maker("actionplans:version", inspection, "action-plan", ANY)
    assert make(3) == reverse("actionplans:version", args=[inspection, "action-plan", 3])


def test_a_sentinel_found_twice_is_reversed_each_time():
    # The fixed argument happens to read as the sentinel: no guessing which.
    zero, case = uuid.UUID(int=0), uuid.uuid4()
    make = url_maker("casefiles:case_detail", zero, ANY)
    assert make(case) == reverse("casefiles:case_detail", args=[zero, case])
