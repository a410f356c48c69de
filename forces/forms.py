from django import forms

from .models import Force


class ForceFilterForm(forms.Form):
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

    def filter(self, forces):
        """By the filters given; a value that is not valid is left out, the
        rest kept (a search too long to be a force's name matches none)."""
        if not self.is_bound:
            return forces
        self.is_valid()
        data = self.cleaned_data
        if "q" not in data and self.data.get("q"):
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
