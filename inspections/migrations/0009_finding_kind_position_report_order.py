"""kind_position follows the report's order: accelerated causes of concern
before causes of concern (Finding.REPORT_ORDER). A derived sort key, put right
on every finding; nothing a person wrote changes."""

from django.db import migrations

# Kind -> (old position, new position): the two concern kinds swap.
SWAPS = {"accelerated_cause_of_concern": (2, 1), "cause_of_concern": (1, 2)}


def _set(apps, which: int) -> None:
    Finding = apps.get_model("inspections", "Finding")
    for kind, positions in SWAPS.items():
        Finding.objects.filter(kind=kind).update(kind_position=positions[which])


def forwards(apps, schema_editor):
    _set(apps, 1)


def backwards(apps, schema_editor):
    _set(apps, 0)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0008_factual_point_accepted_label")]

    operations = [migrations.RunPython(forwards, backwards)]
