"""Stored CSV files name their charset: every one was checked as UTF-8 when
uploaded, or written as UTF-8 by the service (core.uploads.KINDS["csv"])."""

from django.db import migrations

BEFORE = "text/csv"
AFTER = "text/csv; charset=utf-8"


def name_the_charset(apps, schema_editor):
    StoredFile = apps.get_model("core", "StoredFile")
    StoredFile.objects.filter(content_type=BEFORE).update(content_type=AFTER)


def unname_the_charset(apps, schema_editor):
    StoredFile = apps.get_model("core", "StoredFile")
    StoredFile.objects.filter(content_type=AFTER).update(content_type=BEFORE)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_storedfile")]

    operations = [migrations.RunPython(name_the_charset, unname_the_charset)]
