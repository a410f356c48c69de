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
        if not self.is_valid():
            return forces
        data = self.cleaned_data
        if data["q"]:
            forces = forces.filter(name__icontains=data["q"]) | forces.filter(
                short_name__icontains=data["q"]
            )
        if data["region"]:
            forces = forces.filter(region=data["region"])
        if data["country"]:
            forces = forces.filter(country=data["country"])
        return forces
