from django.core.management import call_command

from core.models import AuditEvent
from inspections.models import Inspection


def test_seed_gives_published_history_across_forces_once(db):
    call_command("seed_demo", force=True, password="a-long-demo-password")
    published = Inspection.objects.filter(stage__in=Inspection.PUBLISHED_STAGES)
    count = published.count()
    assert published.values("force").distinct().count() >= 25
    assert published.filter(force__country="wales").values("force").distinct().count() == 3
    assert AuditEvent.objects.filter(action="inspection.published").count() == count
    call_command("seed_demo", force=True, password="a-long-demo-password")
    assert published.count() == count


def test_the_historys_plans_are_dated_when_they_were_due_not_today(db):
    """Found by the outputs review: a 2018 inspection's plans read as
    submitted and accepted on the day the demo was seeded."""
    from django.utils import timezone

    from actionplans.models import ActionPlanVersion
    from dashboard.seed import HISTORY_LEAD_EMAIL

    call_command("seed_demo", force=True, password="a-long-demo-password")
    history = ActionPlanVersion.objects.filter(
        plan__inspection__lead_inspector__email=HISTORY_LEAD_EMAIL
    ).select_related("plan")
    assert history.exists()
    for version in history:
        submitted = timezone.localdate(version.submitted_at)
        assert submitted < version.plan.due_on, version
        assert timezone.localdate(version.reviewed_at) > submitted


def test_nobody_is_told_today_of_the_historys_plans(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    """Found by the newcomer review: the first `make run` emailed 80
    "Action plan version 1 submitted" notices about 2018 inspections, dated
    the day the demo was seeded."""
    from actionplans.models import Notice
    from dashboard.seed import HISTORY_LEAD_EMAIL

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", force=True, password="a-long-demo-password")
    history = Notice.objects.filter(inspection__lead_inspector__email=HISTORY_LEAD_EMAIL)
    told = history.filter(kind__in=(Notice.Kind.PLAN_SUBMITTED, Notice.Kind.PLAN_ACCEPTED))
    assert not told.exists()
    assert not [m for m in mailoutbox if "January 2018" in m.body and "submitted" in m.subject]
