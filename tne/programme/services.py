"""Writes of the programme: targets and envelopes, each checked against the actor's authority
(``perms.can_edit_*_at``), validated (``full_clean``) and written with its audit event in one
transaction. The pages, the demo and the future API call these functions only.

A split envelope is checked twice: by ``Envelope.clean`` (what the form shows) and here under
``select_for_update`` of the envelope being split, so that two parts written at the same time
are serialised and cannot together exceed it (PostgreSQL; SQLite serialises every write)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tne.core.audit import create_audited, delete_audited, diff, record, update_audited
from tne.core.models import AuditAction, AuditSource
from tne.territory.models import TerritoryNode

from .models import Envelope, Measure, Period, Target
from .perms import can_edit_envelope_at, can_edit_target_at

TARGET_FIELDS = ("measure", "node", "period", "count", "unit", "note")
ENVELOPE_FIELDS = ("measure", "node", "period", "amount", "parent", "note")


def _check_target_authority(actor, node: TerritoryNode) -> None:
    if actor is not None and not can_edit_target_at(actor, node):
        raise PermissionDenied(f"Vous ne fixez pas les objectifs de {node}.")


def _check_envelope_authority(actor, node: TerritoryNode) -> None:
    if actor is not None and not can_edit_envelope_at(actor, node):
        raise PermissionDenied(f"Vous ne fixez pas les enveloppes de {node}.")


def _created(obj, fields) -> dict:
    changes = {}
    for name in fields:
        value = getattr(
            obj, f"{name}_id" if name in {"measure", "node", "period", "parent"} else name
        )
        changes[name] = [None, str(value) if isinstance(value, Decimal) else value]
    return changes


# --- Targets ---------------------------------------------------------------------------------


@transaction.atomic
def create_target(
    *,
    actor,
    measure: Measure,
    node: TerritoryNode,
    period: Period,
    count: int,
    unit: str,
    note: str = "",
    source: str = AuditSource.UI,
) -> Target:
    """``actor`` None is the system (the demo, a migration): no authority check."""
    _check_target_authority(actor, node)
    target = Target(measure=measure, node=node, period=period, count=count, unit=unit, note=note)
    target.full_clean()
    target.save()
    record(
        target,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        changes=_created(target, TARGET_FIELDS),
    )
    return target


@transaction.atomic
def update_target(
    *,
    actor,
    target: Target,
    measure: Measure,
    node: TerritoryNode,
    period: Period,
    count: int,
    unit: str,
    note: str = "",
    source: str = AuditSource.UI,
) -> Target:
    """Authority is needed on the node the target had and on the one it gets."""
    _check_target_authority(actor, target.node)
    _check_target_authority(actor, node)
    values = {
        "measure": measure,
        "node": node,
        "period": period,
        "count": count,
        "unit": unit,
        "note": note,
    }
    changes = diff(target, values)
    if not changes:
        return target
    for name, value in values.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    record(target, AuditAction.UPDATE, actor=actor, source=source, changes=changes)
    return target


@transaction.atomic
def delete_target(*, actor, target: Target, source: str = AuditSource.UI) -> None:
    _check_target_authority(actor, target.node)
    record(target, AuditAction.DELETE, actor=actor, source=source, changes={})
    target.delete()


# --- Envelopes -------------------------------------------------------------------------------


def _lock(envelope: Envelope | None) -> Envelope | None:
    """The envelope re-read under a row lock (held until the transaction ends)."""
    if envelope is None or envelope.pk is None:
        return envelope
    locked = Envelope.objects.select_for_update(of=("self",)).select_related("node", "period")
    return locked.get(pk=envelope.pk)


@transaction.atomic
def create_envelope(
    *,
    actor,
    measure: Measure,
    node: TerritoryNode,
    amount: Decimal,
    period: Period | None = None,
    parent: Envelope | None = None,
    note: str = "",
    source: str = AuditSource.UI,
) -> Envelope:
    _check_envelope_authority(actor, node)
    # Lock the envelope being split first: a concurrent split of it waits for this one, then
    # sees its part in the total.
    parent = _lock(parent)
    envelope = Envelope(
        measure=measure, node=node, period=period, amount=amount, parent=parent, note=note
    )
    envelope.full_clean()
    envelope.save()
    record(
        envelope,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        changes=_created(envelope, ENVELOPE_FIELDS),
    )
    return envelope


@transaction.atomic
def update_envelope(
    *,
    actor,
    envelope: Envelope,
    measure: Measure,
    node: TerritoryNode,
    amount: Decimal,
    period: Period | None = None,
    parent: Envelope | None = None,
    note: str = "",
    source: str = AuditSource.UI,
) -> Envelope:
    """Also locks the envelope itself: a part of it written meanwhile cannot make the new,
    lower amount smaller than its parts."""
    _check_envelope_authority(actor, envelope.node)
    _check_envelope_authority(actor, node)
    parent = _lock(parent)
    locked = _lock(envelope)
    values = {
        "measure": measure,
        "node": node,
        "period": period,
        "amount": amount,
        "parent": parent,
        "note": note,
    }
    changes = diff(locked, values)
    if not changes:
        return locked
    for name, value in values.items():
        setattr(locked, name, value)
    if locked.children.exists() and ({"measure", "node", "period"} & changes.keys()):
        raise ValidationError(
            "Cette enveloppe est répartie en sous-enveloppes : sa mesure, son territoire et sa "
            "période ne changent plus."
        )
    locked.full_clean()
    locked.save()
    record(locked, AuditAction.UPDATE, actor=actor, source=source, changes=changes)
    return locked


@transaction.atomic
def delete_envelope(*, actor, envelope: Envelope, source: str = AuditSource.UI) -> None:
    _check_envelope_authority(actor, envelope.node)
    locked = _lock(envelope)
    parts = locked.children.count()
    if parts:
        raise ValidationError(
            f"Cette enveloppe est répartie en {parts} sous-enveloppe{'s' if parts > 1 else ''} : "
            "supprimez-les d'abord."
        )
    record(locked, AuditAction.DELETE, actor=actor, source=source, changes={})
    locked.delete()


# --- Periods (set by superusers in the administration) ----------------------------------------


@transaction.atomic
def period_create(
    *,
    label: str,
    kind: str,
    starts_on,
    ends_on=None,
    school_year=None,
    actor=None,
    source: str = AuditSource.ADMIN,
) -> Period:
    period = Period(
        label=label, kind=kind, starts_on=starts_on, ends_on=ends_on, school_year=school_year
    )
    return create_audited(period, actor=actor, source=source)


@transaction.atomic
def period_update(
    *, period: Period, values: dict, actor=None, source: str = AuditSource.ADMIN
) -> Period:
    return update_audited(period, values, actor=actor, source=source)


@transaction.atomic
def period_delete(*, period: Period, actor=None, source: str = AuditSource.ADMIN) -> None:
    """Deletes a period that no target nor envelope names (they protect it)."""
    delete_audited(period, actor=actor, source=source)
