"""Every change of a device of the register, one function each: atomic, audited
(:mod:`tne.core.audit`) and written to the device's history (:func:`.history.log_events`) in the
same transaction.

The allowed changes of state are one table, :data:`TRANSITIONS`; any other is refused with a
French message. :func:`set_state` and :func:`move` are the building blocks other areas reuse (a
hand-over to a new teacher sets ``LENT`` and a holder; a delivery puts devices in stock)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tne.core.audit import AuditAction, AuditSource, Place, build_event, diff, record, record_many
from tne.territory.models import School, SchoolClass, TerritoryNode

from ..enums import AssetEventKind, AssetSource, AssetState, IncidentKind, IncidentStatus
from ..models import Asset, AssetEvent, DeviceModel, Incident
from .history import log_events

S = AssetState

# From each state, the states a device may be set to. A device is ``ALLOCATED`` or
# ``INSTALLED`` at a school, ``IN_STOCK`` on a node's store; lost or stolen, it may be found
# (back in stock) or written off; retired is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IN_STOCK: frozenset(
        {S.ALLOCATED, S.INSTALLED, S.LENT, S.IN_REPAIR, S.LOST, S.STOLEN, S.RETIRED}
    ),
    S.ALLOCATED: frozenset({S.IN_STOCK, S.INSTALLED, S.LENT, S.IN_REPAIR, S.LOST, S.STOLEN}),
    S.INSTALLED: frozenset({S.IN_STOCK, S.ALLOCATED, S.IN_REPAIR, S.LOST, S.STOLEN, S.RETIRED}),
    S.LENT: frozenset({S.IN_STOCK, S.ALLOCATED, S.INSTALLED, S.IN_REPAIR, S.LOST, S.STOLEN}),
    S.IN_REPAIR: frozenset({S.IN_STOCK, S.ALLOCATED, S.INSTALLED, S.LENT, S.RETIRED}),
    S.LOST: frozenset({S.IN_STOCK, S.RETIRED}),
    S.STOLEN: frozenset({S.IN_STOCK, S.RETIRED}),
    S.RETIRED: frozenset(),
}
# States that need a school (the device is placed there).
AT_SCHOOL = frozenset({S.ALLOCATED, S.INSTALLED})
# What a device may become once swapped for a replacement.
SWAPPED_OUT = frozenset({S.IN_REPAIR, S.RETIRED})
# A device lent to a pupil's family (M6) enters and leaves ``LENT`` through the loans' lifecycle
# only (its convention signed at the counter, its return or loss closing the loan), which says
# so with ``loan_lifecycle=True``; the register refuses it, so that no loan stays open on a
# device the register moved. (The equipment app does not know the loans: this flag is the
# contract.)
LENT_ONLY_BY_LOANS = "Ce matériel est prêté\u00a0: son retour se fait au guichet des prêts."
LEND_ONLY_BY_LOANS = (
    "Un matériel se prête à une famille au guichet des prêts, avec sa convention signée."
)


def check_not_lent(asset: Asset, *, loan_lifecycle: bool = False) -> None:
    """The refusal of a change of a device lent to a family (``LENT``), unless the loans'
    lifecycle makes it."""
    if asset.state == S.LENT and not loan_lifecycle:
        raise ValidationError(LENT_ONLY_BY_LOANS, code="lent")


def normalise_code(value: str) -> str:
    """A serial number or asset tag as stored and searched: trimmed, upper-cased."""
    return (value or "").strip().upper()


def allowed_states(asset: Asset) -> list[str]:
    """The states ``asset`` may be set to in the register, in the order of
    :class:`AssetState` (a device in stock with no school cannot be allocated nor installed; a
    device lent to a family, none: it comes back through the loans' counter)."""
    if asset.state == S.LENT:
        return []
    allowed = TRANSITIONS[asset.state]
    return [
        state
        for state in AssetState.values
        if state in allowed and (asset.school_id is not None or state not in AT_SCHOOL)
    ]


def _check_transition(asset: Asset, to_state: str, *, loan_lifecycle: bool = False) -> None:
    if to_state not in AssetState.values:
        raise ValidationError(f"État inconnu «\u00a0{to_state}\u00a0».", code="unknown_state")
    if to_state == asset.state:
        raise ValidationError(
            f"Le matériel {asset.asset_tag} est déjà «\u00a0{asset.get_state_display()}\u00a0».",
            code="same_state",
        )
    check_not_lent(asset, loan_lifecycle=loan_lifecycle)
    if to_state not in TRANSITIONS[asset.state]:
        raise ValidationError(
            f"Le matériel {asset.asset_tag} ne peut pas passer de «\u00a0"
            f"{asset.get_state_display()}\u00a0» à «\u00a0{AssetState(to_state).label}\u00a0».",
            code="transition",
        )
    if to_state == S.LENT and not loan_lifecycle:
        raise ValidationError(LEND_ONLY_BY_LOANS, code="lend")
    if to_state in AT_SCHOOL and asset.school_id is None:
        raise ValidationError(
            f"Le matériel {asset.asset_tag} est en stock, à aucune école : affectez-le d'abord "
            "à une école.",
            code="no_school",
        )


def _place(asset: Asset) -> Place:
    if asset.school_id is not None:
        return Place(path=asset.school.commune.path, school_id=asset.school_id)
    if asset.stock_node_id is not None:
        return Place(path=asset.stock_node.path)
    return Place()


def _audit(asset, action, *, actor, source, changes):
    record(asset, action, actor=actor, source=source, changes=changes, place=_place(asset))


def _lock(asset: Asset) -> Asset:
    """The current row of ``asset``, locked until the end of the transaction."""
    return (
        Asset.objects.select_for_update(of=("self",))
        .select_related("model", "school__commune", "stock_node")
        .get(pk=asset.pk)
    )


# --- Creating a device -----------------------------------------------------------------------


@transaction.atomic
def create_asset(
    *,
    actor,
    serial_number: str,
    asset_tag: str,
    model: DeviceModel,
    school: School | None = None,
    school_class: SchoolClass | None = None,
    stock_node: TerritoryNode | None = None,
    state: str = AssetState.IN_STOCK,
    warranty_ends_on=None,
    note: str = "",
    source: str = AuditSource.UI,
) -> Asset:
    """A device entered by hand, at a school (and maybe a class) or in the stock of a node."""
    if school is None and stock_node is None:
        raise ValidationError(
            "Indiquez où se trouve le matériel : une école, ou le stock d'un territoire."
        )
    if school_class is not None and (school is None or school_class.school_id != school.pk):
        raise ValidationError({"school_class": "Cette classe n'est pas une classe de l'école."})
    if state in AT_SCHOOL and school is None:
        raise ValidationError({"state": "Un matériel affecté ou installé est à une école."})
    asset = Asset(
        serial_number=normalise_code(serial_number),
        asset_tag=normalise_code(asset_tag),
        model=model,
        school=school,
        school_class=school_class,
        stock_node=stock_node if school is None else None,
        state=state,
        warranty_ends_on=warranty_ends_on,
        note=note,
        source=AssetSource.MANUAL,
    )
    asset.full_clean()
    asset.save()
    changes = diff(
        Asset(),
        {
            "serial_number": asset.serial_number,
            "asset_tag": asset.asset_tag,
            "model_id": model.pk,
            "state": state,
            "school_id": asset.school_id,
            "stock_node_id": asset.stock_node_id,
        },
    )
    _audit(asset, AuditAction.CREATE, actor=actor, source=source, changes=changes)
    log_events([asset], AssetEventKind.CREATED, actor=actor, note=note)
    return asset


# --- State and place ------------------------------------------------------------------------


@transaction.atomic
def set_state(
    *,
    actor,
    asset: Asset,
    state: str,
    note: str = "",
    kind: str = AssetEventKind.STATE,
    source: str = AuditSource.UI,
    holder=None,
    clear_holder: bool = False,
    loan_lifecycle: bool = False,
) -> Asset:
    """Sets the state of ``asset`` if :data:`TRANSITIONS` allows it (else a ValidationError in
    French). ``holder`` sets the person who holds it; ``clear_holder`` removes them (a
    return). ``kind`` is the event written in its history. Entering or leaving ``LENT`` needs
    ``loan_lifecycle=True``: only the loans' services lend to a family and take back."""
    locked = _lock(asset)
    _check_transition(locked, state, loan_lifecycle=loan_lifecycle)
    before = locked.state
    values = {"state": state}
    if holder is not None:
        values["holder_id"] = holder.pk
    elif clear_holder:
        values["holder_id"] = None
    changes = diff(locked, values)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values.keys(), "updated_at"])
    _audit(locked, AuditAction.UPDATE, actor=actor, source=source, changes=changes)
    log_events([locked], kind, actor=actor, note=note, from_states={locked.pk: before})
    _refresh(asset, locked)
    return asset


@transaction.atomic
def move(
    *,
    actor,
    asset: Asset,
    school: School | None = None,
    school_class: SchoolClass | None = None,
    stock_node: TerritoryNode | None = None,
    state: str | None = None,
    note: str = "",
    source: str = AuditSource.UI,
) -> Asset:
    """Moves ``asset`` to a school (and maybe one of its classes), or back to the stock of
    ``stock_node`` (its school and class removed). ``state``: the state it takes there, by
    default ``ALLOCATED`` at a school left in stock, ``IN_STOCK`` back to stock; it must be an
    allowed transition when it changes."""
    if (school is None) == (stock_node is None):
        raise ValidationError("Indiquez soit une école, soit le stock d'un territoire.")
    if school_class is not None and (school is None or school_class.school_id != school.pk):
        raise ValidationError({"school_class": "Cette classe n'est pas une classe de l'école."})
    locked = _lock(asset)
    if locked.state == S.RETIRED:
        raise ValidationError(f"Le matériel {locked.asset_tag} est réformé : il ne bouge plus.")
    check_not_lent(locked)
    before = locked.state
    if state is None:
        if school is None:
            state = S.IN_STOCK if locked.state in AT_SCHOOL else locked.state
        else:
            state = S.ALLOCATED if locked.state == S.IN_STOCK else locked.state
    values = {
        "school_id": school.pk if school else None,
        "school_class_id": school_class.pk if school_class else None,
        "stock_node_id": stock_node.pk if stock_node else None,
    }
    if school is None:
        values["holder_id"] = None
        values["allocation_id"] = None
    if state != locked.state:
        # Checked as if already at the new place (a device moved to a school may be allocated).
        locked.school_id = values["school_id"]
        _check_transition(locked, state)
        values["state"] = state
    if state in AT_SCHOOL and school is None:
        raise ValidationError("Un matériel affecté ou installé est à une école.")
    changes = diff(Asset.objects.get(pk=locked.pk), values)
    if not changes:
        raise ValidationError(f"Le matériel {locked.asset_tag} est déjà à cet endroit.")
    for name, value in values.items():
        setattr(locked, name, value)
    for relation in ("school", "school_class", "stock_node", "holder", "allocation"):
        locked._state.fields_cache.pop(relation, None)
    locked.save(update_fields=[*values.keys(), "updated_at"])
    locked = Asset.objects.select_related("school__commune", "stock_node").get(pk=locked.pk)
    _audit(locked, AuditAction.UPDATE, actor=actor, source=source, changes=changes)
    log_events(
        [locked], AssetEventKind.MOVED, actor=actor, note=note, from_states={locked.pk: before}
    )
    _refresh(asset, locked)
    return asset


def _refresh(asset: Asset, current: Asset) -> None:
    if asset is current:
        return
    for field in Asset._meta.concrete_fields:
        setattr(asset, field.attname, getattr(current, field.attname))
    asset._state.fields_cache.clear()


@transaction.atomic
def bulk_set_state(
    *, actor, assets: Iterable[Asset], state: str, note: str = "", source: str = AuditSource.UI
) -> int:
    """Sets ``state`` on every device of ``assets`` (all or nothing: one refused transition
    refuses the whole selection, naming each device refused). Returns the number changed."""
    pks = [a.pk for a in assets]
    locked = list(
        Asset.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("school__commune", "stock_node")
        .order_by("pk")
    )
    refused = []
    for asset in locked:
        try:
            _check_transition(asset, state)
        except ValidationError as error:
            lent = getattr(error, "code", None) in ("lent", "lend")
            refused.extend(f"{asset.asset_tag}\u00a0: {m}" if lent else m for m in error.messages)
    if refused:
        raise ValidationError(refused)
    before = {a.pk: a.state for a in locked}
    Asset.objects.filter(pk__in=[a.pk for a in locked]).update(
        state=state, updated_at=timezone.now()
    )
    events = []
    for asset in locked:
        changes = {"state": [asset.state, state]}
        asset.state = state
        events.append(
            build_event(
                asset,
                AuditAction.UPDATE,
                actor=actor,
                source=source,
                changes=changes,
                place=_place(asset),
            )
        )
    record_many(events)
    log_events(locked, AssetEventKind.STATE, actor=actor, note=note, from_states=before)
    return len(locked)


# --- Incidents -------------------------------------------------------------------------------

LOSS_STATES = {IncidentKind.LOSS: S.LOST, IncidentKind.THEFT: S.STOLEN}


@transaction.atomic
def report_incident(
    *,
    actor,
    asset: Asset,
    kind: str,
    description: str,
    source: str = AuditSource.UI,
    loan_lifecycle: bool = False,
) -> Incident:
    """A breakdown, damage, loss or theft reported by the school. A loss sets the device
    ``LOST``, a theft ``STOLEN`` (of a device lent to a family, only through the loans'
    lifecycle: ``loan_lifecycle=True``, the loan closed with it); a device with an open incident
    of the same kind is refused."""
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Décrivez ce qui est arrivé au matériel."})
    locked = _lock(asset)
    if locked.state == S.RETIRED:
        raise ValidationError(f"Le matériel {locked.asset_tag} est réformé.")
    if kind in LOSS_STATES:
        check_not_lent(locked, loan_lifecycle=loan_lifecycle)
    if Incident.objects.open().filter(asset=locked, kind=kind).exists():
        raise ValidationError(
            f"Un incident «\u00a0{IncidentKind(kind).label}\u00a0» est déjà ouvert pour le "
            f"matériel {locked.asset_tag}."
        )
    incident = Incident(asset=locked, kind=kind, description=description, reported_by=actor)
    incident.full_clean()
    incident.save()
    record(
        incident,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        changes={"kind": ["", kind]},
        place=_place(locked),
    )
    note = f"{IncidentKind(kind).label}\u00a0: {description}"
    if kind in LOSS_STATES and locked.state != LOSS_STATES[kind]:
        set_state(
            actor=actor,
            asset=locked,
            state=LOSS_STATES[kind],
            note=note,
            kind=AssetEventKind.INCIDENT,
            source=source,
            loan_lifecycle=loan_lifecycle,
        )
    else:
        log_events(
            [locked],
            AssetEventKind.INCIDENT,
            actor=actor,
            note=note,
            from_states={locked.pk: locked.state},
        )
    _refresh(asset, locked)
    return incident


def _lock_incident(incident: Incident) -> Incident:
    return Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)


def _close(incident: Incident, *, status, resolution, actor, source, replacement=None):
    before = incident.status
    incident.status = status
    incident.resolution = resolution
    incident.resolved_at = timezone.now() if status != IncidentStatus.IN_REPAIR else None
    if replacement is not None:
        incident.replacement = replacement
    incident.save(update_fields=["status", "resolution", "resolved_at", "replacement"])
    record(
        incident,
        AuditAction.UPDATE,
        actor=actor,
        source=source,
        changes={"status": [before, status]},
        place=_place(incident.asset),
    )


def _require_open(incident: Incident, *statuses) -> None:
    if incident.status not in statuses:
        raise ValidationError(
            f"Cet incident est «\u00a0{incident.get_status_display()}\u00a0» : cette suite ne "
            "lui est plus possible."
        )


@transaction.atomic
def send_to_repair(*, actor, incident: Incident, note: str = "", source: str = AuditSource.UI):
    """The device of an open breakdown or damage goes to repair (``IN_REPAIR``)."""
    incident = _lock_incident(incident)
    _require_open(incident, IncidentStatus.OPEN)
    asset = _lock(incident.asset)
    set_state(
        actor=actor,
        asset=asset,
        state=S.IN_REPAIR,
        note=note or "Envoyé en réparation",
        source=source,
    )
    incident.asset = asset
    _close(incident, status=IncidentStatus.IN_REPAIR, resolution=note, actor=actor, source=source)
    return incident


def state_before_repair(asset: Asset) -> str:
    """The state ``asset`` had when it last went to repair (in stock if its history says none,
    or allocated where it cannot be again)."""
    event = (
        AssetEvent.objects.filter(asset=asset, to_state=S.IN_REPAIR)
        .exclude(from_state="")
        .order_by("-at", "-pk")
        .first()
    )
    state = event.from_state if event else S.IN_STOCK
    if (
        (state in AT_SCHOOL and asset.school_id is None)
        or state not in TRANSITIONS[S.IN_REPAIR]
        or state == S.LENT  # back from repair, a device once lent is in stock (to lend again)
    ):
        state = S.IN_STOCK
    return state


@transaction.atomic
def mark_repaired(*, actor, asset: Asset, note: str = "", source: str = AuditSource.UI) -> Asset:
    """A device back from repair takes its previous state again; its incident in repair, if
    any, is closed."""
    locked = _lock(asset)
    if locked.state != S.IN_REPAIR:
        raise ValidationError(f"Le matériel {locked.asset_tag} n'est pas en réparation.")
    set_state(
        actor=actor,
        asset=locked,
        state=state_before_repair(locked),
        note=note or "Retour de réparation",
        kind=AssetEventKind.REPAIRED,
        source=source,
    )
    for incident in Incident.objects.select_for_update().filter(
        asset=locked, status=IncidentStatus.IN_REPAIR
    ):
        incident.asset = locked
        _close(
            incident,
            status=IncidentStatus.CLOSED,
            resolution=note or "Réparé",
            actor=actor,
            source=source,
        )
    _refresh(asset, locked)
    return asset


@transaction.atomic
def swap(
    *,
    actor,
    incident: Incident,
    replacement: Asset,
    old_state: str = S.IN_REPAIR,
    note: str = "",
    source: str = AuditSource.UI,
) -> Incident:
    """The device of ``incident`` is replaced by ``replacement``, a device in stock, which
    inherits its school, class, holder, allocation and state; the old one goes to repair or is
    retired (``old_state``), back to the stock of the node that kept the replacement."""
    if old_state not in SWAPPED_OUT:
        raise ValidationError({"old_state": "L'ancien matériel part en réparation ou est réformé."})
    incident = _lock_incident(incident)
    _require_open(incident, IncidentStatus.OPEN, IncidentStatus.IN_REPAIR)
    first, second = sorted([incident.asset_id, replacement.pk])
    old = _lock(Asset(pk=incident.asset_id))
    new = _lock(replacement)
    if first == second:
        raise ValidationError({"replacement": "Un matériel ne se remplace pas par lui-même."})
    check_not_lent(old)  # its loan names it: the loans' counter takes it back first
    if new.state != S.IN_STOCK or new.school_id is not None:
        raise ValidationError(
            {
                "replacement": f"Le matériel {new.asset_tag} n'est pas en stock : il ne peut pas "
                "servir de remplacement."
            }
        )
    inherited_state = old.state
    if inherited_state in (S.IN_REPAIR, S.LOST, S.STOLEN):
        inherited_state = state_before_repair(old) if inherited_state == S.IN_REPAIR else None
        if inherited_state is None or inherited_state == S.IN_STOCK:
            inherited_state = S.INSTALLED if old.school_id else S.IN_STOCK
    values_new = {
        "school_id": old.school_id,
        "school_class_id": old.school_class_id,
        "holder_id": old.holder_id,
        "allocation_id": old.allocation_id,
        "stock_node_id": None if old.school_id else old.stock_node_id,
        "state": inherited_state,
    }
    values_old = {
        "school_id": None,
        "school_class_id": None,
        "holder_id": None,
        "allocation_id": None,
        "stock_node_id": new.stock_node_id or old.stock_node_id,
        "state": old_state,
    }
    if old.state != old_state and old_state not in TRANSITIONS[old.state]:
        raise ValidationError(
            f"Le matériel {old.asset_tag} ne peut pas passer de «\u00a0{old.get_state_display()}"
            f"\u00a0» à «\u00a0{AssetState(old_state).label}\u00a0»."
        )
    before = {old.pk: old.state, new.pk: new.state}
    old_place, new_changes, old_changes = _place(old), diff(new, values_new), diff(old, values_old)
    for obj, values in ((new, values_new), (old, values_old)):
        for name, value in values.items():
            setattr(obj, name, value)
        obj._state.fields_cache.clear()
        obj.save(update_fields=[*values.keys(), "updated_at"])
    new = Asset.objects.select_related("school__commune", "stock_node").get(pk=new.pk)
    old = Asset.objects.select_related("school__commune", "stock_node").get(pk=old.pk)
    record_many(
        [
            build_event(
                new,
                AuditAction.UPDATE,
                actor=actor,
                source=source,
                changes=new_changes,
                place=_place(new),
            ),
            build_event(
                old,
                AuditAction.UPDATE,
                actor=actor,
                source=source,
                changes=old_changes,
                place=old_place,
            ),
        ]
    )
    log_events(
        [new],
        AssetEventKind.SWAPPED,
        actor=actor,
        from_states=before,
        note=f"Remplace {old.asset_tag}" + (f"\u00a0: {note}" if note else ""),
    )
    log_events(
        [old],
        AssetEventKind.SWAPPED,
        actor=actor,
        from_states=before,
        note=f"Remplacé par {new.asset_tag}" + (f"\u00a0: {note}" if note else ""),
    )
    incident.asset = old
    _close(
        incident,
        status=IncidentStatus.SWAPPED,
        resolution=note or f"Remplacé par {new.asset_tag}",
        actor=actor,
        source=source,
        replacement=new,
    )
    _refresh(replacement, new)
    return incident


@transaction.atomic
def close_incident(
    *, actor, incident: Incident, resolution: str, source: str = AuditSource.UI
) -> Incident:
    """Closes an incident with what came of it (a device found, a breakdown that was none)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "Dites ce qu'il est advenu de cet incident."})
    incident = _lock_incident(incident)
    _require_open(incident, IncidentStatus.OPEN, IncidentStatus.IN_REPAIR)
    incident.asset = Asset.objects.select_related("school__commune", "stock_node").get(
        pk=incident.asset_id
    )
    _close(
        incident, status=IncidentStatus.CLOSED, resolution=resolution, actor=actor, source=source
    )
    log_events(
        [incident.asset],
        AssetEventKind.INCIDENT,
        actor=actor,
        note=f"Incident clos\u00a0: {resolution}",
        from_states={incident.asset_id: incident.asset.state},
    )
    return incident
