import pytest

from forces.models import Force

pytestmark = pytest.mark.django_db


def test_exactly_43_territorial_forces_are_loaded():
    assert Force.objects.count() == 43
    assert Force.objects.filter(country=Force.Country.ENGLAND).count() == 39


def test_wales_has_its_four_forces_in_the_wales_region():
    welsh = Force.objects.filter(country=Force.Country.WALES)
    assert sorted(welsh.values_list("short_name", flat=True)) == [
        "Dyfed-Powys",
        "Gwent",
        "North Wales",
        "South Wales",
    ]
    assert set(welsh.values_list("region", flat=True)) == {Force.Region.WALES}


@pytest.mark.parametrize("name", ["British Transport", "Civil Nuclear", "Ministry of Defence"])
def test_special_forces_are_not_in_the_programme(name):
    assert not Force.objects.filter(name__icontains=name).exists()


def test_every_region_has_its_forces():
    counts = {r: Force.objects.filter(region=r).count() for r in Force.Region.values}
    assert counts == {
        "north_east": 3,
        "north_west": 5,
        "yorkshire_humber": 4,
        "east_midlands": 5,
        "west_midlands": 4,
        "eastern": 6,
        "london": 2,
        "south_east": 5,
        "south_west": 5,
        "wales": 4,
    }


def test_official_and_short_names():
    hampshire = Force.objects.get(slug="hampshire")
    assert hampshire.name == "Hampshire and Isle of Wight Constabulary"
    assert Force.objects.get(slug="metropolitan").name == "Metropolitan Police Service"


def test_country_decides_the_statutory_guidance():
    assert Force.objects.get(slug="gwent").statutory_guidance == "Wales Safeguarding Procedures"
    assert (
        Force.objects.get(slug="kent").statutory_guidance
        == "Working Together to Safeguard Children 2023"
    )
