"""What axe does not catch (found by the accessibility review): a field's
hint and error are read with it only if its aria-describedby names their
ids; a filter value left out is not marked in error with nothing to say why;
no heading level is skipped."""

import re

import pytest
from django.urls import reverse

from inspections.models import Inspection

pytestmark = pytest.mark.django_db


def dangling(html: str) -> list[str]:
    """Ids named by an aria-describedby that no element has."""
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    named = [
        ref for refs in re.findall(r'aria-describedby="([^"]*)"', html) for ref in refs.split()
    ]
    return [ref for ref in named if ref not in ids]


def unread_errors(html: str) -> list[str]:
    """Error messages no field's aria-describedby names."""
    named = {
        ref for refs in re.findall(r'aria-describedby="([^"]*)"', html) for ref in refs.split()
    }
    errors = re.findall(r'<p class="govuk-error-message" id="([^"]+)"', html)
    return [error for error in errors if error not in named]


def heading_skips(html: str) -> list[str]:
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    return [f"h{a} -> h{b}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]


def test_the_audit_trails_hints_and_errors_are_read_with_their_fields(client_for, admin_user):
    client = client_for(admin_user)
    assert dangling(client.get(reverse("core:audit")).content.decode()) == []
    refused = client.get(reverse("core:audit"), {"since": "31/13/2026", "inspection": "nope"})
    html = refused.content.decode()
    assert "govuk-error-summary" in html and 'aria-invalid="true"' in html
    assert dangling(html) == [] and unread_errors(html) == []


@pytest.mark.parametrize(
    "name, query",
    [
        ("accounts:user_list", {"role": "nonsense", "status": "nonsense"}),
        ("forces:list", {"region": "nonsense"}),
        ("inspections:programme", {"region": "nonsense"}),
        ("dashboard:dashboard", {"country": "nonsense"}),
        ("actionplans:notifications", {"force": "nonsense", "about": "nonsense"}),
    ],
)
def test_a_filter_value_left_out_is_not_marked_in_error(client_for, admin_user, name, query):
    html = client_for(admin_user).get(reverse(name), query).content.decode()
    assert 'aria-invalid="true"' not in html and "govuk-select--error" not in html
    assert dangling(html) == []


def test_the_history_skips_no_heading_level_and_leaves_out_a_bad_filter(
    client_for, force_a, lead_inspector, inspector, admin_user
):
    from inspections.tests.factories import inspection_at

    inspection = inspection_at(
        Inspection.Stage.FIELDWORK,
        force=force_a,
        lead=lead_inspector,
        team=[inspector],
        admin=admin_user,
    )
    url = reverse("inspections:history", args=[inspection.pk])
    html = client_for(lead_inspector).get(url, {"what": "nonsense"}).content.decode()
    assert 'aria-invalid="true"' not in html and dangling(html) == []
    assert heading_skips(html) == []
