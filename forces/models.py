from django.db import models
from django.urls import reverse

from core.models import BaseModel


class ForceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ForceQuerySet":
        """The inspectorate sees every force; a force lead sees only their own."""
        if user.is_force_lead:
            return self.filter(pk=user.force_id)
        return self


class Force(BaseModel):
    """One of the 43 territorial police forces of England and Wales."""

    class Country(models.TextChoices):
        ENGLAND = "england", "England"
        WALES = "wales", "Wales"

    class Region(models.TextChoices):
        NORTH_EAST = "north_east", "North East"
        NORTH_WEST = "north_west", "North West"
        YORKSHIRE = "yorkshire_humber", "Yorkshire and the Humber"
        EAST_MIDLANDS = "east_midlands", "East Midlands"
        WEST_MIDLANDS = "west_midlands", "West Midlands"
        EASTERN = "eastern", "Eastern"
        LONDON = "london", "London"
        SOUTH_EAST = "south_east", "South East"
        SOUTH_WEST = "south_west", "South West"
        WALES = "wales", "Wales"

    GUIDANCE = {
        Country.ENGLAND: "Working Together to Safeguard Children 2023",
        Country.WALES: "Wales Safeguarding Procedures",
    }

    name = models.CharField(max_length=100, unique=True)
    short_name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    country = models.CharField(max_length=10, choices=Country.choices)
    region = models.CharField(max_length=20, choices=Region.choices)

    objects = ForceQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forces:detail", args=[self.slug])

    @property
    def statutory_guidance(self) -> str:
        """The guidance the force works under, which its reports cite."""
        return self.GUIDANCE[self.country]
