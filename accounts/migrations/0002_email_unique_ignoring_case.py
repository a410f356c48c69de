import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower


def lower_case_emails(apps, schema_editor):
    """Addresses stored in lower case, as create_user always stored them. Two
    that differ only in capitals make the constraint below fail: one of them
    must be merged or removed by hand first."""
    User = apps.get_model("accounts", "User")
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("forces", "0002_load_forces"),
    ]

    operations = [
        migrations.RunPython(lower_case_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="email_unique_ignoring_case",
                violation_error_message="A person with this email address already exists",
            ),
        ),
    ]
