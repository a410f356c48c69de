from io import StringIO

from django.core.management import call_command

from actionplans import seed, services
from actionplans.models import ActionPlanVersion, Notice, PostInspectionVisit
from inspections.models import Inspection


def test_seed_does_nothing_without_the_demo_inspections(db):
    out = StringIO()
    seed.seed(out)
    assert "nothing to add" in out.getvalue()
    assert not ActionPlanVersion.objects.exists()


def test_seed_demo_makes_plans_in_every_state_once(db):
    call_command("seed_demo", force=True, password="a-long-demo-password", stdout=StringIO())
    counts = (
        ActionPlanVersion.objects.count(),
        PostInspectionVisit.objects.count(),
        Notice.objects.count(),
    )
    call_command("seed_demo", force=True, password="a-long-demo-password", stdout=StringIO())
    assert counts == (
        ActionPlanVersion.objects.count(),
        PostInspectionVisit.objects.count(),
        Notice.objects.count(),
    )
    labels = {
        summary.status.label
        for inspection in Inspection.objects.all()
        for summary in services.plan_summaries(inspection)
    }
    labels = {label.split(",")[0] for label in labels}  # "Returned, due in 4 days"
    assert {"Not yet due", "Submitted", "Returned", "Accepted", "Overdue"} <= labels
    assert PostInspectionVisit.objects.filter(notice_sent_at__isnull=False).count() == 1
    assert Notice.objects.filter(kind=Notice.Kind.OVERDUE).exists()
