"""Hypothesis strategies for hostile form input."""

import uuid

from hypothesis import strategies as st

CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\u200b\u202e\ufeff"
ATTACKS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE inspections_inspection; --",
    "{{ 7*7 }}",
    "{% debug %}",
    '=HYPERLINK("http://example.org")',
    "../../etc/passwd",
    "\x00",
    "9" * 5000,
    "-1",
    "0",
    "31",
    "2026",
    "99999999999999999999",
]

hostile_text = st.one_of(
    st.sampled_from(ATTACKS),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.text(alphabet=CONTROL, max_size=20),
    st.text(min_size=1, max_size=30).map(lambda s: s * 400),  # far over any limit
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.builds(lambda: str(uuid.uuid4())),
)


def form_data(fields: list[str], extra_values: dict[str, st.SearchStrategy] | None = None):
    """A dict for these fields: each missing, hostile, or a value from extra_values."""
    extra_values = extra_values or {}
    strategies = {}
    for name in fields:
        choices = [hostile_text]
        if name in extra_values:
            choices.append(extra_values[name])
        strategies[name] = st.one_of(*choices)
    return st.fixed_dictionaries({}, optional=strategies)
