from django.core.management import call_command

from core.models import AuditEvent
from inspections.models import Inspection


def test_seed_gives_published_history_across_forces_once(db):
    call_command("seed_demo", password="a-long-demo-password")
    published = Inspection.objects.filter(stage__in=Inspection.PUBLISHED_STAGES)
    count = published.count()
    assert published.values("force").distinct().count() >= 25
    assert published.filter(force__country="wales").values("force").distinct().count() == 3
    assert AuditEvent.objects.filter(action="inspection.published").count() == count
    call_command("seed_demo", password="a-long-demo-password")
    assert published.count() == count
