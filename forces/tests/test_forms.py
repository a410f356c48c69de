"""FilterSelect writes its HTML in Python for speed: it must stay character
for character what Django's own select widget writes, so that a Django
upgrade that changes the select templates fails here rather than drifting."""

import copy

import pytest
from django import forms

from forces.forms import FilterSelect, ForceFilterForm

CHOICES = [
    ("", "All regions"),
    ("north", "North & 'East'"),
    (3, 'Three "quoted" <b>'),
    ("Group <one>", [("a", "A"), ("b&c", "B & C")]),
    ("z", "Last"),
]


@pytest.mark.parametrize(
    "value", [None, "", "north", "3", 3, "b&c", "not a choice", "<script>", ["north", "z"]]
)
@pytest.mark.parametrize(
    "attrs",
    [
        {"class": "govuk-select"},
        {"class": 'a "b" <c>', "data-x": True, "hidden": False, "aria-describedby": "x-hint"},
        {},
    ],
)
def test_filter_select_writes_what_djangos_select_writes(value, attrs):
    django_html = forms.Select(attrs=attrs, choices=CHOICES).render(
        "region", value, attrs={"id": "id_region"}
    )

    ours = FilterSelect(attrs=attrs, choices=CHOICES).render(
        "region", value, attrs={"id": "id_region"}
    )

    assert ours == django_html


def _with_djangos_selects(form: ForceFilterForm) -> ForceFilterForm:
    twin = copy.deepcopy(form)
    for name in ("region", "country"):
        field = twin.fields[name]
        field.widget = forms.Select(attrs=field.widget.attrs, choices=field.choices)
    return twin


@pytest.mark.parametrize(
    "data",
    [None, {}, {"region": "north_west", "country": "wales"}, {"region": '"><b>', "country": "x"}],
)
def test_the_filter_forms_selects_are_djangos_selects(data):
    form = ForceFilterForm(data)
    form.is_valid()

    twin = _with_djangos_selects(form)

    for name in ("region", "country"):
        assert str(form[name]) == str(twin[name])
    assert 'class="govuk-select' in str(form["region"])
