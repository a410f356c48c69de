"""The case categories the programme starts with. Admins may change them later."""

from django.db import migrations

CATEGORIES = [
    ("police-protection-s46", "Children taken into police protection (s46)"),
    ("strategy-discussions-s47", "Strategy discussions and s47 enquiries"),
    ("missing-children", "Missing children"),
    ("child-exploitation", "Child sexual or criminal exploitation"),
    ("online-child-sexual-abuse", "Online child sexual abuse"),
    ("domestic-abuse-children-present", "Domestic abuse incidents with children present"),
    ("children-in-custody", "Children detained in custody"),
    ("sudden-unexpected-child-deaths", "Sudden unexpected child deaths"),
]


def load(apps, schema_editor):
    CaseCategory = apps.get_model("casefiles", "CaseCategory")
    for position, (slug, name) in enumerate(CATEGORIES, start=1):
        CaseCategory.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


def unload(apps, schema_editor):
    CaseCategory = apps.get_model("casefiles", "CaseCategory")
    CaseCategory.objects.filter(slug__in=[slug for slug, _ in CATEGORIES], cases=None).delete()


class Migration(migrations.Migration):
    dependencies = [("casefiles", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
