from django import forms

from core.forms import GovukMessagesMixin

from .models import Force


class ForceFilterForm(GovukMessagesMixin, forms.Form):
    """Filters for the forces list. Unknown values are ignored, not errors."""

    q = forms.CharField(label="Search by name", required=False, max_length=100)
    region = forms.ChoiceField(
        label="Region",
        required=False,
        choices=[("", "All regions"), *Force.Region.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    country = forms.ChoiceField(
        label="Country",
        required=False,
        choices=[("", "England and Wales"), *Force.Country.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def valid_data(self) -> dict:
        """The filters given whose values are valid; a bad one is left out,
        the rest kept. Empty when no filter was given."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

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
