"""No code path changes an audited object silently.

Two checks: every save or delete of an audited model in the real workflows is
matched by an audit row for that object; and no module but a service writes
to the database at all (views, forms, tasks and template tags only call
services), so there is no second, unaudited path.
"""

import ast
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models.signals import post_delete, post_save

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.models import AuditEvent
from inspections import services
from inspections.models import Finding, Inspection, Topic
from inspections.tests.factories import add_concern

ROOT = Path(__file__).resolve().parents[2]
AUDITED = [
    "inspections.Inspection",
    "inspections.Judgment",
    "inspections.Finding",
    "inspections.Recommendation",
    "inspections.Interview",
    "inspections.Document",
]
WRITES = {
    "save",
    "delete",
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# Modules that must never write: they call services instead.
READ_ONLY_MODULES = ("views.py", "forms.py", "access.py", "programme.py", "context_processors.py")


@pytest.fixture
def writes():
    seen: list[tuple[str, str]] = []

    def on_save(sender, instance, **kwargs):
        seen.append((sender._meta.label_lower, str(instance.pk)))

    models = [apps.get_model(label) for label in AUDITED]
    for model in models:
        post_save.connect(on_save, sender=model, weak=False)
        post_delete.connect(on_save, sender=model, weak=False)
    yield seen
    for model in models:
        post_save.disconnect(on_save, sender=model)
        post_delete.disconnect(on_save, sender=model)


def test_every_write_in_the_workflows_has_an_audit_row(
    writes, make_inspection, inspector, lead_inspector, admin_user, force_b
):
    make_inspection(Inspection.Stage.CLOSED)  # the whole lifecycle, each step audited
    open_one = make_inspection(Inspection.Stage.PLANNED, start=date(2027, 5, 3))
    concern = add_concern(open_one, by=inspector, topic=Topic.LEADERSHIP)
    services.finding_update(
        finding=concern,
        topic=Topic.LEADERSHIP,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        summary="Changed",
        detail="Changed",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=inspector,
    )
    services.recommendation_delete(recommendation=concern.recommendations.get(), by=inspector)
    services.finding_delete(finding=concern, by=inspector)
    interview = services.interview_record(
        inspection=open_one,
        held_on=date(2026, 11, 2),  # before fieldwork: evidence is gathered ahead
        topics=[],
        notes="",
        participants=[("Sergeant", "police")],
        by=inspector,
    )
    document = services.document_record(
        inspection=open_one,
        title="Policy",
        kind="policy",
        received_on=date(2026, 11, 2),
        notes="",
        by=inspector,
    )
    services.interview_update(
        interview=interview,
        held_on=date(2026, 11, 3),
        topics=[Topic.LEADERSHIP],
        notes="Corrected",
        participants=[("Inspector", "police")],
        by=inspector,
    )
    services.document_update(
        document=document,
        title="Policy, corrected",
        kind="procedure",
        received_on=date(2026, 11, 3),
        notes="",
        by=inspector,
    )
    services.evidence_delete(item=interview, by=inspector)
    services.evidence_delete(item=document, by=inspector)
    published = make_inspection(Inspection.Stage.PUBLISHED, force=force_b)
    services.inspection_correct_dates(
        inspection=published, received_on=date(2026, 2, 25), by=admin_user, reason="Typo"
    )
    services.inspection_change_lead(
        inspection=published,
        lead_inspector=UserFactory(role=User.Role.LEAD_INSPECTOR),
        reason="Lena has left",
        by=admin_user,
    )
    from actionplans.pcc_response import pcc_response_record

    pcc_response_record(inspection=published, published_on=date(2026, 6, 1), by=admin_user)
    assert AuditEvent.objects.filter(action="inspection.pcc_response_recorded").count() == 1
    assert len(writes) > 30
    silent = [
        (label, pk)
        for label, pk in set(writes)
        if not AuditEvent.objects.filter(object_type=label, object_id=pk).exists()
    ]
    assert silent == []


def _writes_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        # dict.update() on a plain name is not a database write; a queryset's is.
        plain_dict_update = node.func.attr == "update" and isinstance(receiver, ast.Name)
        if node.func.attr in WRITES and not plain_dict_update:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()")
    return found


def test_only_services_write_to_the_database():
    modules = [
        path
        for path in ROOT.glob("*/**/*.py")
        if path.name in READ_ONLY_MODULES or "templatetags" in path.parts
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    assert len(modules) >= 8
    offenders = [line for path in modules for line in _writes_in(path)]
    assert offenders == []
