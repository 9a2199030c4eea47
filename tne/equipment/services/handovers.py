"""M7, the new teachers: the « équipement nouvel enseignant » kit allocated to a new teacher (in
the M7 campaign of their département, created on the fly), handed over to them against a receipt
they sign, and given back when they leave, each device back in stock, to repair or lost.

The receipts are PDFs (:func:`tne.core.documents.render_pdf`) naming each device by model, serial
number and asset tag, signed with core's mechanism by the teacher on the device of the person
who hands over (their typed name, capacity « Enseignant bénéficiaire »). The signature's
``signer`` is left empty: the teacher typed their name but is not the logged-in user; who
recorded the hand-over is the receipt's ``created_by``, written on the receipt and in the trail.
"""

from collections import Counter
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tne.core.audit import AuditAction, AuditSource, record
from tne.core.documents import render_pdf
from tne.core.signing import sign
from tne.programme.models import Measure
from tne.territory.models import Staff

from ..enums import AllocationStatus, AssetEventKind, AssetState
from ..models import Allocation, Asset, Campaign, Handover, HandoverKind, KitTemplate
from ..perms import can_hand_over
from .history import log_events
from .tallies import recount_schools

KIT_CODE = "nouvel-enseignant"
CAPACITY = "Enseignant bénéficiaire"
RECEIPT_TEMPLATE = "equipment/documents/handover_receipt.html"
RECEIPT_KIND = "equipment.handover_receipt"
RETURN_KIND = "equipment.return_receipt"
MAX_TAGS = 50

HANDOVER_CONSENT = (
    "En saisissant mon nom, je reconnais avoir reçu les matériels listés dans ce reçu, en bon "
    "état de fonctionnement, et m'engage à les restituer à mon départ."
)
RETURN_CONSENT = (
    "En saisissant mon nom, je reconnais avoir restitué les matériels listés dans ce reçu, dans "
    "l'état indiqué pour chacun."
)

# What a device given back becomes.
OUTCOMES = {
    "GOOD": ("En bon état, remis en stock", AssetState.IN_STOCK),
    "REPAIR": ("À réparer", AssetState.IN_REPAIR),
    "LOST": ("Perdu ou non rendu", AssetState.LOST),
}
OPEN_STEPS = (AllocationStatus.PLANNED, AllocationStatus.ORDERED, AllocationStatus.DELIVERED)


def teacher_kit() -> KitTemplate:
    return KitTemplate.objects.get(code=KIT_CODE)


def _check(actor, staff: Staff) -> None:
    if not can_hand_over(actor, staff.school):
        raise PermissionDenied("Vous ne remettez pas l'équipement des enseignants de cette école.")


def _campaign(staff: Staff, kit: KitTemplate, actor) -> Campaign:
    """The M7 campaign of the teacher's département for this kit, created if there is none."""
    departement = staff.school.departement
    campaign = (
        Campaign.objects.filter(node=departement, kit=kit, measure__code="M7")
        .order_by("pk")
        .first()
    )
    if campaign is None:
        campaign = Campaign.objects.create(
            name=f"Équipement des nouveaux enseignants — {departement.name}",
            measure=Measure.objects.get(code="M7"),
            kit=kit,
            node=departement,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
    return campaign


@transaction.atomic
def allocate_kit(*, staff_id: int, actor, source: str = AuditSource.UI) -> Allocation:
    """The new teacher's kit allocation (the one they have if it is still live)."""
    staff = (
        Staff.objects.select_for_update(of=("self",))
        .select_related("school__departement")
        .get(pk=staff_id)
    )
    _check(actor, staff)
    if not staff.is_new_teacher:
        raise ValidationError("Seul un nouvel enseignant reçoit l'équipement de la mesure M7.")
    kit = teacher_kit()
    live = Allocation.objects.live().filter(staff=staff, kit=kit).first()
    if live is not None:
        return live
    campaign = _campaign(staff, kit, actor)
    allocation = Allocation(
        campaign=campaign,
        kit=kit,
        measure=campaign.measure,
        school=staff.school,
        staff=staff,
        status=AllocationStatus.PLANNED,
    )
    allocation.full_clean()
    allocation.save()
    record(allocation, AuditAction.CREATE, actor=actor, source=source, place=staff.school)
    recount_schools([staff.school_id])
    return allocation


def _locked_allocation(allocation_id: int) -> Allocation:
    return (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("staff", "school__departement", "school__commune", "kit", "measure")
        .get(pk=allocation_id, staff__isnull=False)
    )


def _in_reach_of(asset: Asset, allocation: Allocation) -> bool:
    """A device in stock at the teacher's school, or in the stock of a node above it."""
    if asset.school_id is not None:
        return asset.school_id == allocation.school_id
    if asset.stock_node_id is None:
        return True
    return allocation.school.departement.path.startswith(asset.stock_node.path)


def normalise_tags(raw: str | Iterable[str]) -> list[str]:
    """Asset tags scanned or typed one per line (or separated by spaces, commas, semicolons),
    once each, in the order given."""
    if isinstance(raw, str):
        raw = raw.replace(",", " ").replace(";", " ").split()
    return list(dict.fromkeys(tag.strip().upper() for tag in raw if tag and tag.strip()))


def receipt_lines(assets: Iterable[Asset], outcomes: Mapping[int, str] | None = None) -> list[dict]:
    """What a receipt lists of each device (its model, serial number and tag), and, for a
    return, the state it came back in."""
    return [
        {
            "asset": asset.pk,
            "tag": asset.asset_tag,
            "serial": asset.serial_number,
            "model": asset.model.name,
            "category": asset.model.category.name,
            "outcome": (outcomes or {}).get(asset.pk, ""),
            "outcome_label": OUTCOMES[outcomes[asset.pk]][0] if outcomes else "",
        }
        for asset in assets
    ]


def signed_receipt(
    allocation, *, kind, lines, typed_name, actor, consent, now, drawing=None, request=None
):
    """The receipt's PDF rendered and stored, and the teacher's signature of it (the writes of
    :func:`hand_over` and :func:`give_back`; the demo signs its receipts with it too)."""
    staff = allocation.staff
    title = (
        f"Reçu de remise d'équipement n° {allocation.pk}"
        if kind == HandoverKind.HAND_OVER
        else f"Reçu de restitution d'équipement n° {allocation.pk}"
    )
    context = {
        "allocation": allocation,
        "staff": staff,
        "school": allocation.school,
        "kind": kind,
        "lines": lines,
        "handed_by": actor.get_full_name() if hasattr(actor, "get_full_name") else "",
        "signer": {
            "typed_name": " ".join(typed_name.split()),
            "capacity": CAPACITY,
            "at": now,
            "consent": consent,
        },
    }
    document = render_pdf(
        RECEIPT_TEMPLATE,
        context,
        kind=RECEIPT_KIND if kind == HandoverKind.HAND_OVER else RETURN_KIND,
        title=title,
        user=actor,
    )
    signature = sign(
        document,
        signer=None,
        capacity=CAPACITY,
        typed_name=typed_name,
        consent=consent,
        drawing=drawing,
        request=request,
    )
    return document, signature


@transaction.atomic
def hand_over(
    *,
    allocation_id: int,
    actor,
    tags: str | Iterable[str],
    typed_name: str,
    drawing: list | None = None,
    request=None,
    source: str = AuditSource.UI,
) -> Handover:
    """Hand the kit over to its teacher: the devices ``tags`` (in stock, matching the kit's
    categories and quantities), a receipt they sign; the devices are then held by the teacher
    (« affectés ») and the allocation is in service."""
    allocation = _locked_allocation(allocation_id)
    _check(actor, allocation.staff)
    if allocation.status not in OPEN_STEPS:
        raise ValidationError(
            f"L'équipement de {allocation.staff} n'est pas à remettre\u00a0: il est à l'étape "
            f"«\u00a0{allocation.get_status_display()}\u00a0»."
        )
    wanted = normalise_tags(tags)
    if not wanted:
        raise ValidationError(
            {"tags": "Scannez ou saisissez le numéro d'inventaire de chaque matériel."}
        )
    if len(wanted) > MAX_TAGS:
        raise ValidationError({"tags": f"Remettez au plus {MAX_TAGS} matériels à la fois."})
    assets = list(
        Asset.objects.select_for_update(of=("self",))
        .filter(asset_tag__in=wanted)
        .select_related("model__category", "stock_node")
        .order_by("pk")
    )
    by_tag = {asset.asset_tag.upper(): asset for asset in assets}
    errors = []
    unknown = [tag for tag in wanted if tag not in by_tag]
    if unknown:
        errors.append("Numéros d'inventaire inconnus\u00a0: " + ", ".join(unknown) + ".")
    for tag in wanted:
        asset = by_tag.get(tag)
        if asset is None:
            continue
        if asset.state != AssetState.IN_STOCK:
            errors.append(
                f"{tag} n'est pas en stock (état «\u00a0{asset.get_state_display()}\u00a0»)."
            )
        elif not _in_reach_of(asset, allocation):
            errors.append(f"{tag} est dans le stock d'un autre territoire.")
    expected = Counter({item.category_id: item.quantity for item in allocation.kit.items.all()})
    got = Counter(asset.model.category_id for asset in assets)
    if not unknown and got != expected:
        names = {item.category_id: item.category.name for item in allocation.kit.items.all()}
        names.update({asset.model.category_id: asset.model.category.name for asset in assets})
        missing = expected - got
        extra = got - expected
        if missing:
            errors.append(
                "Il manque au kit\u00a0: "
                + ", ".join(f"{n} × {names[c]}" for c, n in sorted(missing.items()))
                + "."
            )
        if extra:
            errors.append(
                "En trop pour ce kit\u00a0: "
                + ", ".join(f"{n} × {names[c]}" for c, n in sorted(extra.items()))
                + "."
            )
    if errors:
        raise ValidationError({"tags": errors})
    assets.sort(key=lambda a: (a.model.category.order, a.asset_tag))
    now = timezone.now()
    document, signature = signed_receipt(
        allocation,
        kind=HandoverKind.HAND_OVER,
        lines=receipt_lines(assets),
        typed_name=typed_name,
        actor=actor,
        consent=HANDOVER_CONSENT,
        now=now,
        drawing=drawing,
        request=request,
    )
    handover = Handover.objects.create(
        allocation=allocation,
        kind=HandoverKind.HAND_OVER,
        lines=receipt_lines(assets),
        receipt=document,
        signature=signature,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    before = {asset.pk: asset.state for asset in assets}
    for asset in assets:
        asset.state = AssetState.ALLOCATED
        asset.holder_id = allocation.staff_id
        asset.school_id = allocation.school_id
        asset.school_class_id = None
        asset.stock_node_id = None
        asset.allocation_id = allocation.pk
        asset.updated_at = now
    Asset.objects.bulk_update(
        assets,
        ["state", "holder", "school", "school_class", "stock_node", "allocation", "updated_at"],
    )
    log_events(
        assets,
        AssetEventKind.HANDED_OVER,
        actor=actor,
        note=f"Remis à un nouvel enseignant (affectation n° {allocation.pk})",
        from_states=before,
    )
    old = allocation.status
    today = timezone.localdate(now)
    allocation.status = AllocationStatus.IN_SERVICE
    allocation.delivered_on = allocation.delivered_on or today
    allocation.installed_on = allocation.installed_on or today
    allocation.in_service_on = today
    allocation.save(
        update_fields=["status", "delivered_on", "installed_on", "in_service_on", "updated_at"]
    )
    record(
        allocation,
        AuditAction.UPDATE,
        actor=actor,
        source=source,
        changes={"status": [old, allocation.status]},
        place=allocation.school,
    )
    recount_schools([allocation.school_id])
    return handover


@transaction.atomic
def give_back(
    *,
    allocation_id: int,
    actor,
    outcomes: Mapping[int, str],
    typed_name: str,
    drawing: list | None = None,
    request=None,
    source: str = AuditSource.UI,
) -> Handover:
    """The teacher leaves: every device they hold through this allocation comes back, each with
    its outcome (``GOOD`` back in the département's stock, ``REPAIR`` to repair, ``LOST``), on a
    receipt they sign; the allocation is « restituée »."""
    allocation = _locked_allocation(allocation_id)
    _check(actor, allocation.staff)
    if allocation.status != AllocationStatus.IN_SERVICE:
        raise ValidationError(
            f"L'équipement de {allocation.staff} n'est pas à restituer\u00a0: il est à l'étape "
            f"«\u00a0{allocation.get_status_display()}\u00a0»."
        )
    assets = list(
        Asset.objects.select_for_update(of=("self",))
        .filter(allocation=allocation, holder_id=allocation.staff_id)
        .select_related("model__category")
        .order_by("model__category__order", "asset_tag")
    )
    outcomes = {int(k): v for k, v in outcomes.items()}
    missing = [a.asset_tag for a in assets if outcomes.get(a.pk) not in OUTCOMES]
    if missing:
        raise ValidationError(
            {
                "outcomes": "Dites dans quel état revient chaque matériel\u00a0: "
                + ", ".join(missing)
                + "."
            }
        )
    now = timezone.now()
    lines = receipt_lines(assets, outcomes)
    document, signature = signed_receipt(
        allocation,
        kind=HandoverKind.RETURN,
        lines=lines,
        typed_name=typed_name,
        actor=actor,
        consent=RETURN_CONSENT,
        now=now,
        drawing=drawing,
        request=request,
    )
    handover = Handover.objects.create(
        allocation=allocation,
        kind=HandoverKind.RETURN,
        lines=lines,
        receipt=document,
        signature=signature,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    before = {asset.pk: asset.state for asset in assets}
    for asset in assets:
        asset.state = OUTCOMES[outcomes[asset.pk]][1]
        asset.holder_id = None
        asset.school_id = None
        asset.school_class_id = None
        asset.stock_node_id = allocation.school.departement_id
        asset.allocation_id = None
        asset.updated_at = now
    Asset.objects.bulk_update(
        assets,
        ["state", "holder", "school", "school_class", "stock_node", "allocation", "updated_at"],
    )
    log_events(
        assets,
        AssetEventKind.RETURNED,
        actor=actor,
        note=f"Restitué par un enseignant (affectation n° {allocation.pk})",
        from_states=before,
    )
    allocation.status = AllocationStatus.RETURNED
    allocation.returned_on = timezone.localdate(now)
    allocation.save(update_fields=["status", "returned_on", "updated_at"])
    record(
        allocation,
        AuditAction.UPDATE,
        actor=actor,
        source=source,
        changes={"status": [AllocationStatus.IN_SERVICE, AllocationStatus.RETURNED]},
        place=allocation.school,
    )
    recount_schools([allocation.school_id])
    return handover


def still_held(staff: Staff):
    """The devices a teacher still holds."""
    return (
        Asset.objects.filter(holder=staff)
        .select_related("model__category")
        .order_by("model__category__order", "asset_tag")
    )
