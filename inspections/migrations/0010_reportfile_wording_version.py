"""What worded each report PDF (reports.wording_version). Left empty on the
PDFs built before: a draft of them is out of date, as its wording is unknown;
a published one is held to its data alone, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0009_finding_kind_position_report_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportfile",
            name="wording_version",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
