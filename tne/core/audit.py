"""Writing the audit trail. Services call these inside their transaction."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditAction, AuditEvent, AuditSource


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def diff(obj: models.Model, values: dict) -> dict:
    """The fields of ``obj`` whose value differs from ``values``, as ``{field: [old, new]}``."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if isinstance(old, Decimal) and new is not None:
            new = Decimal(str(new))
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def build_event(
    obj: models.Model,
    action: str,
    *,
    actor=None,
    source: str = AuditSource.UI,
    changes: dict | None = None,
    job=None,
) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        source=source,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
        job=job,
    )


def record(obj: models.Model, action: str, **kwargs) -> AuditEvent:
    event = build_event(obj, action, **kwargs)
    event.save()
    return event


def record_many(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events), batch_size=1000)


def history_of(obj: models.Model):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


__all__ = [
    "AuditAction",
    "AuditSource",
    "build_event",
    "diff",
    "history_of",
    "record",
    "record_many",
]
