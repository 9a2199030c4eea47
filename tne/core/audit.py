"""Writing the audit trail. Services call these inside their transaction."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import number_format

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


@dataclass(frozen=True)
class ReadableChange:
    label: str
    old: object
    new: object


def readable_changes(model: type[models.Model], events: list[AuditEvent]) -> None:
    """Set ``event.readable_changes`` on each event: field labels instead of names, choice labels
    instead of codes, related objects instead of ids. One query per related model, whatever the
    number of events."""
    fields = {}
    for name in {name for event in events for name in event.changes}:
        try:
            fields[name] = model._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            fields[name] = None
    wanted = defaultdict(set)
    for event in events:
        for name, values in event.changes.items():
            field = fields[name]
            if field is not None and field.is_relation and isinstance(values, list):
                wanted[field.related_model].update(v for v in values if v is not None)
    related = {m: m._default_manager.in_bulk(list(ids)) for m, ids in wanted.items()}

    def show(field, value):
        if value is None or field is None:
            return value
        if field.is_relation:
            return related[field.related_model].get(value, value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(field, models.DecimalField | models.FloatField):
            try:  # « 77,5 », as French readers write it (stored as JSON text or number)
                return number_format(Decimal(str(value)))
            except InvalidOperation:
                return value
        return value

    for event in events:
        event.readable_changes = [
            ReadableChange(
                label=str(fields[name].verbose_name) if fields[name] is not None else name,
                old=show(fields[name], values[0]),
                new=show(fields[name], values[1]),
            )
            for name, values in event.changes.items()
            if isinstance(values, list) and len(values) == 2
        ]


__all__ = [
    "AuditAction",
    "AuditSource",
    "ReadableChange",
    "build_event",
    "diff",
    "history_of",
    "readable_changes",
    "record",
    "record_many",
]
