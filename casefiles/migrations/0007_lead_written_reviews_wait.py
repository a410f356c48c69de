"""A review the lead wrote, of a case chosen for a second review, submitted
before 52a9ef7 got no second review at all: it escaped moderation for good,
and a new lead never learnt the case had been chosen. Each such review of an
inspection whose case files are still open is given the second review it
would get now (casefiles.services.case_review_submit): the lead's to hold,
waiting for a next lead, or the current lead's to do if someone else leads
the inspection now. Closed case files are left as their figures went out.
Nothing a person wrote changes; run again, it adds nothing. Backwards, the
second reviews stay: older code offers them to the lead, who is refused."""

from django.db import migrations

# inspections.access.EDITABLE_STAGES: the case files are open.
OPEN_STAGES = ("planned", "fieldwork", "moderation")


def forwards(apps, schema_editor):
    CaseReview = apps.get_model("casefiles", "CaseReview")
    SecondReview = apps.get_model("casefiles", "SecondReview")
    escaped = CaseReview.objects.filter(
        status="submitted",
        second_review__isnull=True,
        case__second_review_due=True,
        case__sample_draw__isnull=False,
        case__inspection__stage__in=OPEN_STAGES,
        case__inspection__lead_inspector__isnull=False,
    ).values_list("pk", "case__inspection__lead_inspector_id")
    SecondReview.objects.bulk_create(
        SecondReview(review_id=review_id, reviewer_id=lead_id) for review_id, lead_id in escaped
    )


class Migration(migrations.Migration):
    dependencies = [("casefiles", "0006_case_replacements")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
