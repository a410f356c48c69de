from django import forms
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from core.forms import FilterFormMixin, GovukMessagesMixin

from .models import Force


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


class FilterSelect(forms.Select):
    """A select written in Python, character for character as Django's
    select templates write it: the programme and the dashboard draw two on
    every page, and three templates a option cost more than the rest of the
    form."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            html.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308  # nosec B308 B703 - escaped above


class ForceFilterForm(FilterFormMixin, GovukMessagesMixin, forms.Form):
    """Filters for the forces list. Unknown values are ignored, not errors."""

    q = forms.CharField(label="Search by name", required=False, max_length=100)
    region = forms.ChoiceField(
        label="Region",
        required=False,
        choices=[("", "All regions"), *Force.Region.choices],
        widget=FilterSelect(attrs={"class": "govuk-select"}),
    )
    country = forms.ChoiceField(
        label="Country",
        required=False,
        choices=[("", "England and Wales"), *Force.Country.choices],
        widget=FilterSelect(attrs={"class": "govuk-select"}),
    )

    def valid_data(self) -> dict:
        """The filters given whose values are valid; a bad one is left out,
        the rest kept. Empty when no filter was given."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def sort_query(self, **more: str) -> str:
        """The filters given, and `more`, as a sort link carries them after its
        own parameter: "&region=…&country=…", URL-encoded (a value as typed
        may hold "&" or "#")."""
        given = {name: self[name].value() for name in ("region", "country")} | more
        return "".join(f"&{urlencode({name: value})}" for name, value in given.items() if value)

    def filter(self, forces):
        """By the valid filters (a search too long to be a force's name
        matches none)."""
        data = self.valid_data()
        if "q" not in data and self.is_bound and self.data.get("q"):
            return forces.none()
        if data.get("q"):
            forces = forces.filter(name__icontains=data["q"]) | forces.filter(
                short_name__icontains=data["q"]
            )
        if data.get("region"):
            forces = forces.filter(region=data["region"])
        if data.get("country"):
            forces = forces.filter(country=data["country"])
        return forces
