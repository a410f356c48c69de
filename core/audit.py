"""The audit trail: one call, made by services, for every change a person makes."""

from typing import Any

from django.db import models

from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field -> [from, to] for the fields whose value changed."""
    return {
        field: [_plain(before.get(field)), _plain(value)]
        for field, value in after.items()
        if before.get(field) != value
    }


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}


def record(
    *,
    by,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]] | None = None,
    force=None,
    inspection_id=None,
    comment: str = "",
) -> AuditEvent:
    """Write one audit row. Call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        force=force,
        inspection_id=inspection_id,
        changes=changes or {},
        comment=comment,
    )
