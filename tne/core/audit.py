"""Writing the audit trail. Services call these inside their transaction.

What an event keeps (``AuditEvent``): who, when, from where (UI, API, import…), the action, the
object (its content type, id and a label), the fields that changed and the **place** the change
concerns (:class:`Place`: the materialised path of its node of the territory, a school's being
its commune's, and the school's id), so that « what changed in my territory » is one indexed
filter (:func:`events_in`).

No personal data: a model holding some declares it, ``PERSONAL_FIELDS = ("first_name", …)``
(the people: staff, users, and the pupils and parents to come). Its events get a stable label
(« Personnel n° 123 », never the name: a page shows the current name through the object while it
exists, :func:`with_current_labels`), and the values of those fields are replaced by a marker
(« renseigné », « modifié », « effacé »). A model may also give its own label (``audit_label()``)
and its place (``audit_place()``); a territory node's place is its ``path``."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.formats import number_format

from .models import AuditAction, AuditEvent, AuditSource

# What stands for the value of a personal field in ``changes``.
FILLED, CHANGED, ERASED = "renseigné", "modifié", "effacé"
PERSONAL_MARKERS = (FILLED, CHANGED, ERASED)


@dataclass(frozen=True)
class Place:
    """Where a change happened: the materialised path of a node of the territory (a school's is
    its commune's) and the school's id when it concerns one. Empty: national, or nowhere."""

    path: str = ""
    school_id: int | None = None


NOWHERE = Place()


def place_of(obj) -> Place:
    """The place of ``obj``: a :class:`Place`, an object with ``audit_place()`` (a school, a
    class, a grant…), anything with a materialised ``path`` (a node), else nowhere."""
    if obj is None:
        return NOWHERE
    if isinstance(obj, Place):
        return obj
    audit_place = getattr(obj, "audit_place", None)
    if callable(audit_place):
        return audit_place()
    path = getattr(obj, "path", None)
    return Place(path=path) if isinstance(path, str) else NOWHERE


def personal_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields of ``model`` holding personal data, as the model declares them."""
    return frozenset(getattr(model, "PERSONAL_FIELDS", ()))


def reference_label(model: type[models.Model], pk) -> str:
    """« Personnel n° 123 »: a stable reference to a record, with no name in it."""
    name = str(model._meta.verbose_name)
    return f"{name[:1].upper()}{name[1:]} n° {pk}"


def label_of(obj: models.Model) -> str:
    """What the trail calls ``obj``: its ``audit_label()``, a reference for a person (a model
    with personal fields), else its ``str()``."""
    audit_label = getattr(obj, "audit_label", None)
    if callable(audit_label):
        return audit_label()[:255]
    if personal_fields(type(obj)):
        return reference_label(type(obj), obj.pk)
    return str(obj)[:255]


def _empty(value) -> bool:
    return value is None or value == ""


def _marker(values) -> str:
    if not isinstance(values, list | tuple) or len(values) != 2:
        return values if values in PERSONAL_MARKERS else CHANGED
    old, new = values
    if _empty(old) and not _empty(new):
        return FILLED
    if not _empty(old) and _empty(new):
        return ERASED
    return CHANGED


def mask_personal(model: type[models.Model], changes: dict) -> dict:
    """``changes`` with the values of ``model``'s personal fields replaced by a marker."""
    personal = personal_fields(model)
    if not personal:
        return changes
    return {
        name: _marker(values) if name.removesuffix("_id") in personal else values
        for name, values in changes.items()
    }


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
    place=None,
) -> AuditEvent:
    """An unsaved event about ``obj``. ``place``: a :class:`Place` or what has one (a school, a
    node); by default the place of ``obj`` itself. Personal values are masked here, whoever
    calls."""
    where = place_of(obj if place is None else place)
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        source=source,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=label_of(obj),
        changes=mask_personal(type(obj), changes or {}),
        job=job,
        place_path=where.path,
        place_school_id=where.school_id,
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


def events_in(scope, *, schools=None):
    """The events of the places where ``scope`` (a ``core.scope.Scope``) has authority: under
    the grants' nodes (``place_path`` prefix) or about its schools. ``schools`` are those ids (a
    subquery of the app that owns schools, ``School.objects.filter(scope.school_q())``), since
    core knows no school model. One query."""
    return AuditEvent.objects.in_places(
        everything=scope.everything, paths=scope.authority_paths, schools=schools
    ).select_related("actor", "content_type")


def with_current_labels(events: list[AuditEvent]) -> list[AuditEvent]:
    """Set ``event.label`` on each event: the object's current ``str()`` while it exists (a
    person's current name, which an erasure removes everywhere), else the stored label. One
    query per kind of object."""
    wanted = defaultdict(set)
    for event in events:
        wanted[event.content_type_id].add(event.object_id)
    found = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        pk_field = model._meta.pk
        try:
            pks = [pk_field.to_python(pk) for pk in ids]
        except (ValidationError, ValueError, TypeError):  # an id of another type: stored labels
            continue
        for pk, obj in model._default_manager.in_bulk(pks).items():
            found[content_type_id, str(pk)] = obj
    for event in events:
        obj = found.get((event.content_type_id, event.object_id))
        event.label = str(obj) if obj is not None else event.object_repr
    return events


def anonymise_person_events(obj: models.Model) -> int:
    """Before a person is erased: their events keep a reference instead of any name, and no
    personal value (events written before the trail masked them). Returns the events rewritten."""
    model = type(obj)
    events = list(history_of(obj))
    for event in events:
        event.object_repr = reference_label(model, obj.pk)
        event.changes = mask_personal(model, event.changes)
    AuditEvent.objects.bulk_update(events, ["object_repr", "changes"])
    return len(events)


# Keys of ``changes`` that are no field of their model (role grants written before 2026-12).
OTHER_LABELS = {"target": "cible"}


@dataclass(frozen=True)
class ReadableChange:
    label: str
    old: object
    new: object
    # A personal field: its values are not kept, ``new`` says « modifié », « renseigné »…
    hidden: bool = False

    def __str__(self):
        if self.hidden:
            return f"{self.label}\u00a0: {self.new}"
        old = "—" if _empty(self.old) else self.old
        new = "—" if _empty(self.new) else self.new
        return f"{self.label}\u00a0: {old} → {new}"


def readable_changes(model: type[models.Model], events: list[AuditEvent]) -> None:
    """Set ``event.readable_changes`` on each event: field labels instead of names, choice labels
    instead of codes, related objects instead of ids (a person through their current record),
    the marker of a personal field alone. One query per related model, whatever the number of
    events."""
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
        if isinstance(field, models.BooleanField) and isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(field, models.DecimalField | models.FloatField):
            try:  # « 77,5 », as French readers write it (stored as JSON text or number)
                return number_format(Decimal(str(value)))
            except InvalidOperation:
                return value
        return value

    def label(name):
        if fields[name] is not None:
            return str(fields[name].verbose_name)
        return OTHER_LABELS.get(name, name)

    for event in events:
        event.readable_changes = []
        for name, values in event.changes.items():
            if isinstance(values, list) and len(values) == 2:
                event.readable_changes.append(
                    ReadableChange(
                        label=label(name),
                        old=show(fields[name], values[0]),
                        new=show(fields[name], values[1]),
                    )
                )
            elif values in PERSONAL_MARKERS:
                event.readable_changes.append(
                    ReadableChange(label=label(name), old=None, new=values, hidden=True)
                )


__all__ = [
    "NOWHERE",
    "AuditAction",
    "AuditSource",
    "Place",
    "ReadableChange",
    "anonymise_person_events",
    "build_event",
    "diff",
    "events_in",
    "history_of",
    "label_of",
    "mask_personal",
    "place_of",
    "readable_changes",
    "record",
    "record_many",
    "with_current_labels",
]


# --- Writes with their event, for the services of every app ------------------------------


def _editable_fields(obj: models.Model) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.editable
    }


def create_audited(obj: models.Model, *, actor, source: str) -> models.Model:
    """Validates and saves the new ``obj``, with its creation event (every editable field)."""
    obj.full_clean()
    obj.save()
    blank = type(obj)()
    record(
        obj,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        changes=diff(blank, _editable_fields(obj)),
    )
    return obj


def update_audited(obj: models.Model, values: dict, *, actor, source: str) -> models.Model:
    """Sets ``values`` (field names or attnames) on ``obj`` and saves what changed, audited at
    its new place (a class moved to another school: the event names the school it left)."""
    values = {obj._meta.get_field(name).attname: value for name, value in values.items()}
    values = {
        name: (value.pk if hasattr(value, "pk") and name.endswith("_id") else value)
        for name, value in values.items()
    }
    changes = diff(obj, values)
    if not changes:
        return obj
    for name, value in values.items():
        setattr(obj, name, value)
    for field in obj._meta.concrete_fields:  # A changed foreign key: drop the cached object.
        if field.is_relation and field.attname in changes:
            obj._state.fields_cache.pop(field.name, None)
    obj.full_clean()
    obj.save(update_fields=list(changes))
    record(obj, AuditAction.UPDATE, actor=actor, source=source, changes=changes)
    return obj


def delete_audited(obj: models.Model, *, actor, source: str) -> None:
    """Deletes ``obj``, with its deletion event at the place it had."""
    record(obj, AuditAction.DELETE, actor=actor, source=source, place=place_of(obj))
    obj.delete()
