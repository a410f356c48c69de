"""Loads the 43 territorial police forces of England and Wales.

British Transport Police, the Civil Nuclear Constabulary and the Ministry of
Defence Police are not territorial forces and are not in the programme.
"""

from django.db import migrations
from django.utils.text import slugify

# (official name, short name, country, region)
FORCES = [
    ("Cleveland Police", "Cleveland", "england", "north_east"),
    ("Durham Constabulary", "Durham", "england", "north_east"),
    ("Northumbria Police", "Northumbria", "england", "north_east"),
    ("Cheshire Constabulary", "Cheshire", "england", "north_west"),
    ("Cumbria Constabulary", "Cumbria", "england", "north_west"),
    ("Greater Manchester Police", "Greater Manchester", "england", "north_west"),
    ("Lancashire Constabulary", "Lancashire", "england", "north_west"),
    ("Merseyside Police", "Merseyside", "england", "north_west"),
    ("Humberside Police", "Humberside", "england", "yorkshire_humber"),
    ("North Yorkshire Police", "North Yorkshire", "england", "yorkshire_humber"),
    ("South Yorkshire Police", "South Yorkshire", "england", "yorkshire_humber"),
    ("West Yorkshire Police", "West Yorkshire", "england", "yorkshire_humber"),
    ("Derbyshire Constabulary", "Derbyshire", "england", "east_midlands"),
    ("Leicestershire Police", "Leicestershire", "england", "east_midlands"),
    ("Lincolnshire Police", "Lincolnshire", "england", "east_midlands"),
    ("Northamptonshire Police", "Northamptonshire", "england", "east_midlands"),
    ("Nottinghamshire Police", "Nottinghamshire", "england", "east_midlands"),
    ("Staffordshire Police", "Staffordshire", "england", "west_midlands"),
    ("Warwickshire Police", "Warwickshire", "england", "west_midlands"),
    ("West Mercia Police", "West Mercia", "england", "west_midlands"),
    ("West Midlands Police", "West Midlands", "england", "west_midlands"),
    ("Bedfordshire Police", "Bedfordshire", "england", "eastern"),
    ("Cambridgeshire Constabulary", "Cambridgeshire", "england", "eastern"),
    ("Essex Police", "Essex", "england", "eastern"),
    ("Hertfordshire Constabulary", "Hertfordshire", "england", "eastern"),
    ("Norfolk Constabulary", "Norfolk", "england", "eastern"),
    ("Suffolk Constabulary", "Suffolk", "england", "eastern"),
    ("City of London Police", "City of London", "england", "london"),
    ("Metropolitan Police Service", "Metropolitan", "england", "london"),
    ("Hampshire and Isle of Wight Constabulary", "Hampshire", "england", "south_east"),
    ("Kent Police", "Kent", "england", "south_east"),
    ("Surrey Police", "Surrey", "england", "south_east"),
    ("Sussex Police", "Sussex", "england", "south_east"),
    ("Thames Valley Police", "Thames Valley", "england", "south_east"),
    ("Avon and Somerset Police", "Avon and Somerset", "england", "south_west"),
    ("Devon and Cornwall Police", "Devon and Cornwall", "england", "south_west"),
    ("Dorset Police", "Dorset", "england", "south_west"),
    ("Gloucestershire Constabulary", "Gloucestershire", "england", "south_west"),
    ("Wiltshire Police", "Wiltshire", "england", "south_west"),
    ("Dyfed-Powys Police", "Dyfed-Powys", "wales", "wales"),
    ("Gwent Police", "Gwent", "wales", "wales"),
    ("North Wales Police", "North Wales", "wales", "wales"),
    ("South Wales Police", "South Wales", "wales", "wales"),
]


def load(apps, schema_editor):
    Force = apps.get_model("forces", "Force")
    for name, short_name, country, region in FORCES:
        Force.objects.update_or_create(
            slug=slugify(short_name),
            defaults={"name": name, "short_name": short_name, "country": country, "region": region},
        )


def unload(apps, schema_editor):
    apps.get_model("forces", "Force").objects.filter(
        slug__in=[slugify(short_name) for _, short_name, _, _ in FORCES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("forces", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
