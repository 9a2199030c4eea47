"""The equipment of the demo (measures M4, M5, M7): a plausible state of the pilot in the current
school year, written straight into the models of :mod:`tne.equipment.models`.

* **Catalogue**: 2 to 4 real kinds of products per category at plausible prices incl. VAT, the
  first of each category its ``reference_model`` (the one the kits are priced at); suppliers
  (UGAP and two resellers).
* **Socle audit (M4)**: every elementary school of the pilot has its :class:`SchoolAudit`, each
  of its elementary classes a :class:`ClassAudit`, so that the socle gap and its cost are
  computed for every elementary class of the demo; a third of the classes at the socle before
  M4, the others with gaps (the M4 classes installed are at the socle).
* **Campaigns and allocations**, one campaign per measure and département: the hybrid kit (M5)
  for about 82 % of the classes of both départements, the « socle classe » kit (M4) for the
  elementary classes with a gap, lowest IPS first (about 2,700), the « nouvel enseignant » kit
  (M7) for most new teachers: about 15,000 class allocations at every step (prévue, commandée,
  livrée, installée, en service, a few annulées).
* **Orders** of a few hundred allocations each, charged to the département's envelope of the
  measure loaded by :mod:`tne.demo.programme` and never above it (an order that would not fit
  leaves its allocations « prévues »); their lines are the kits' devices × the allocations;
  invoices for the orders delivered.
* **Assets** with serial numbers in their maker's format and the programme's asset tags, attached
  to their order line and to the allocations delivered or later (at the school and class; a new
  teacher's kit handed over has its ``holder``), with their history; some incidents.
* **Sign-offs**: a few dozen installations signed by the school head and co-signed by the commune
  owning the building (a real PDF report by :func:`tne.core.documents.render_pdf`, real
  signatures by :func:`tne.core.signing.sign`, the report of ``services.signoffs``): accepted by
  the school, they are « en service » (as the school head's decision makes them), most of them
  co-signed, a few awaiting the commune; two refused (sent back to « livrée »); every other
  installation stays « installée, à valider ». The demo school head's école keeps installations
  to sign.
* **Hand-over receipts (M7)**: eight new teachers' kits in service have their signed receipt
  (the PDF of ``services.handovers`` naming each device by model, serial and tag, the teacher's
  typed signature, recorded by the school's head when the demo has an account for them).

Deterministic for a seed and idempotent: once the demo's campaigns exist, a second run writes
nothing. Every campaign's ``note`` and every device's ``note`` say the data is synthesised
(:data:`tne.demo.marks.EQUIPMENT`)."""

import datetime
import logging
import random
import string
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from faker.providers.person.fr_FR import Provider as FrenchNames

from tne.accounts.models import RoleAssignment
from tne.core.documents import render_pdf
from tne.core.roles import Role
from tne.core.signing import sign
from tne.equipment.enums import (
    AllocationStatus,
    AssetEventKind,
    AssetSource,
    AssetState,
    IncidentKind,
    IncidentStatus,
    OrderStatus,
    SignoffDecision,
    SignoffParty,
)
from tne.equipment.models import (
    Allocation,
    Asset,
    AssetEvent,
    Campaign,
    Category,
    ClassAudit,
    DeviceModel,
    Handover,
    HandoverKind,
    Incident,
    Invoice,
    KitTemplate,
    Order,
    OrderLine,
    SchoolAudit,
    Signoff,
    Supplier,
)
from tne.equipment.pricing import item_model, with_items
from tne.equipment.services import handovers as handovers_service
from tne.equipment.services import signoffs as signoffs_service
from tne.equipment.services.tallies import recount_schools
from tne.programme.models import Envelope
from tne.territory.enums import NodeKind, StaffRole, Stage
from tne.territory.models import School, SchoolClass, SchoolYear, Staff, TerritoryNode

from .marks import EQUIPMENT as MARK
from .programme import PILOT, PILOT_PERIOD, split

# category code → (maker, reference, name, price incl. VAT, warranty months); the first one is
# the category's reference model.
CATALOGUE = {
    "interactive-display": [
        ("Samsung", "LH65WMBWLGCXEN", "Flip Pro 65 pouces, écran interactif", "2990.00", 36),
        ("Promethean", "AP9-B65-EU-1", "ActivPanel 9 65 pouces", "3290.00", 60),
        ("Speechi", "SPE-ETI-75-4K", "Écran interactif 75 pouces 4K", "3590.00", 60),
    ],
    "projector": [
        ("Epson", "V11HA84040", "EB-760W, vidéoprojecteur ultra-courte focale", "1149.00", 36),
        ("BenQ", "9H.JNK77.13E", "MW826STH, vidéoprojecteur courte focale", "799.00", 36),
        ("Optoma", "E9PD7KK01EZ1", "W319UST, ultra-courte focale", "949.00", 36),
    ],
    "document-camera": [
        ("IPEVO", "5-883-4-01-00", "V4K, visualiseur USB", "109.00", 12),
        ("Lumens", "DC125", "Ladibug DC125", "299.00", 36),
        ("Elmo", "1349", "MX-P3, visualiseur", "659.00", 36),
    ],
    "laptop": [
        ("Lenovo", "21JK0083FR", "ThinkPad E14 Gen 5, 14 pouces", "849.00", 36),
        ("Dell", "N025L354014EMEA", "Latitude 3540, 15 pouces", "799.00", 36),
        ("HP", "816N5EA", "ProBook 440 G10, 14 pouces", "899.00", 36),
    ],
    "tablet": [
        ("Apple", "MPQ03NF/A", "iPad 10,9 pouces Wi-Fi 64 Go", "439.00", 12),
        ("Samsung", "SM-X200NZAAEUB", "Galaxy Tab A8 10,5 pouces", "229.00", 24),
        ("Lenovo", "ZABF0028SE", "Tab M10 HD", "179.00", 12),
    ],
    "webcam": [
        ("Logitech", "960-001055", "C920 HD Pro", "69.90", 24),
        ("Logitech", "960-001364", "C505 HD", "44.90", 24),
        ("AVer", "61U3400000AC", "CAM340+, caméra 4K", "329.00", 36),
    ],
    "microphone": [
        ("Trust", "22656", "GXT 232 Mantis, microphone USB", "34.90", 24),
        ("Jabra", "7410-209", "Speak 410, haut-parleur-micro USB", "109.00", 24),
        ("Rode", "400400075", "NT-USB Mini", "109.00", 12),
    ],
    "speakers": [
        ("Creative", "51MF1705AA000", "Pebble 2.0, enceintes USB", "24.90", 12),
        ("Logitech", "980-000810", "Z200, enceintes", "34.90", 24),
        ("Trust", "23696", "Tytan 2.0, enceintes", "19.90", 24),
    ],
    "wifi-access-point": [
        ("Ubiquiti", "U6-LITE", "UniFi U6 Lite, borne Wi-Fi 6", "129.00", 24),
        ("TP-Link", "EAP650", "Omada EAP650, borne Wi-Fi 6", "149.00", 36),
        ("HPE Aruba", "R2X11A", "Instant On AP22", "219.00", 24),
    ],
    "router-4g": [
        ("Huawei", "51060HWK", "B535-232a, routeur 4G", "149.00", 24),
        ("TP-Link", "ARCHER-MR600", "Archer MR600, routeur 4G+", "129.00", 24),
    ],
    "printer-scanner": [
        ("Brother", "MFCL8390CDWRE1", "MFC-L8390CDW, multifonction laser couleur", "549.00", 36),
        ("Epson", "C11CJ60403", "EcoTank ET-5850", "799.00", 36),
        ("HP", "5HH66F", "Color LaserJet Pro MFP 4302fdw", "649.00", 12),
    ],
    "charging-cart": [
        ("Bretford", "CUBE30-EU", "Cube, chariot de recharge 30 appareils", "1590.00", 60),
        ("LocknCharge", "LKNC-10104", "Carrier 15, valise de recharge", "1290.00", 60),
    ],
}
SUPPLIERS = ("UGAP", "Manutan Collectivités", "Bechtle Direct France")

# Serial number formats: A a capital letter or digit, L a capital letter, 9 a digit, a
# backslash keeps the next character as it is, anything else is itself (what the makers print,
# roughly: Dell's 7-character service tag, Lenovo's PF…).
SERIALS = {
    "Apple": "LAAAAAAAAA",
    "AVer": "5299999999999",
    "BenQ": "PDL9L99999999",
    "Bretford": "BF99-999999",
    "Brother": "E99999L9L999999",
    "Creative": "CT9999LAAA999999",
    "Dell": "AAAAAAA",
    "Elmo": "9999999",
    "Epson": "XAAA999999",
    "HP": "5CD999AAAA",
    "HPE Aruba": "CNL9AAA999",
    "Huawei": "LAAAA99999999999",
    "IPEVO": "V4K99999999",
    "Jabra": "99999LA999999",
    "Lenovo": "PFAAAAAA",
    "LocknCharge": "\\LNC-999999",
    "Logitech": "9999\\LZ0AAAA9",
    "Lumens": "\\L99999999",
    "Optoma": "Q8AAA9999999",
    "Promethean": "AP9-99999999",
    "Rode": "RL99999999",
    "Samsung": "R9AAA9999999",
    "Speechi": "SPE99999999",
    "TP-Link": "22999A9999999",
    "Trust": "9999999999999",
    "Ubiquiti": "AAAAAAAAAAAA",
}
ALNUM = string.ascii_uppercase + string.digits

# The share of each step, in this order (the first ones are the earliest orders).
M5_STEPS = [
    (AllocationStatus.INSTALLED, 0.35),
    (AllocationStatus.DELIVERED, 0.18),
    (AllocationStatus.ORDERED, 0.22),
    (AllocationStatus.PLANNED, 0.24),
    (AllocationStatus.CANCELLED, 0.01),
]
M4_STEPS = [
    (AllocationStatus.INSTALLED, 0.38),
    (AllocationStatus.DELIVERED, 0.15),
    (AllocationStatus.ORDERED, 0.20),
    (AllocationStatus.PLANNED, 0.25),
    (AllocationStatus.CANCELLED, 0.02),
]
M7_STEPS = [
    (AllocationStatus.IN_SERVICE, 0.50),
    (AllocationStatus.DELIVERED, 0.20),
    (AllocationStatus.ORDERED, 0.15),
    (AllocationStatus.PLANNED, 0.14),
    (AllocationStatus.CANCELLED, 0.01),
]
M5_SHARE = 0.82  # of the classes of the pilot
M7_SHARE = 0.90  # of its new teachers
M4_CLASSES = 2_700
SOCLE_ALREADY = 0.33  # of the elementary classes, at the socle before M4
ORDER_SIZE = 400  # allocations per order
SIGNED, SCHOOL_ONLY, REFUSED = 36, 10, 2
HANDED_OVER = 8  # M7 kits in service with their signed hand-over receipt (a PDF each)
INCIDENTS = 40
DELIVERED_STEPS = {
    AllocationStatus.DELIVERED,
    AllocationStatus.INSTALLED,
    AllocationStatus.IN_SERVICE,
}
ORDERED_STEPS = {AllocationStatus.ORDERED, *DELIVERED_STEPS}


@dataclass
class EquipmentResult:
    models: int = 0
    audits: int = 0
    allocations: int = 0
    orders: int = 0
    assets: int = 0
    signoffs: int = 0
    receipts: int = 0
    by_status: dict = field(default_factory=dict)

    @property
    def written(self) -> bool:
        return bool(self.allocations)


def serial_for(maker: str, rng: random.Random) -> str:
    pattern = SERIALS.get(maker, "LL9999999999")
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "A":
            out.append(rng.choice(ALNUM))
        elif char == "L":
            out.append(rng.choice(string.ascii_uppercase))
        elif char == "9":
            out.append(rng.choice(string.digits))
        else:
            out.append(char)
    return "".join(out)


def ensure_catalogue() -> int:
    """The models and suppliers (kept when there), each category's reference model set when it
    has none. Returns the number of models created."""
    created = 0
    categories = {c.code: c for c in Category.objects.all()}
    for code, rows in CATALOGUE.items():
        category = categories.get(code)
        if category is None:
            continue
        first = None
        for maker, reference, name, price, warranty in rows:
            model, made = DeviceModel.objects.get_or_create(
                reference=reference,
                defaults={
                    "category": category,
                    "maker": maker,
                    "name": name,
                    "unit_price": Decimal(price),
                    "warranty_months": warranty,
                },
            )
            created += made
            first = first or model
        if category.reference_model_id is None:
            category.reference_model = first
            category.save(update_fields=["reference_model"])
    for name in SUPPLIERS:
        Supplier.objects.get_or_create(name=name)
    return created


def _steps(items: list, steps, rng: random.Random) -> list[tuple]:
    """(item, status) for ``items`` in their order, the steps in the shares given."""
    counts = split(len(items), {str(i): round(share * 1000) for i, (_, share) in enumerate(steps)})
    out, position = [], 0
    for i, (status, _) in enumerate(steps):
        for item in items[position : position + counts[str(i)]]:
            out.append((item, status))
        position += counts[str(i)]
    return out


class _Dates:
    """The dates of the steps of a wave of orders, after the start of the school year and never
    after today."""

    def __init__(self, year: SchoolYear, today: datetime.date):
        self.start = year.starts_on
        self.today = today

    def clamp(self, day: datetime.date) -> datetime.date:
        return min(max(day, self.start), self.today)

    def of_wave(self, wave: int, rng: random.Random) -> dict:
        ordered = self.clamp(self.start + datetime.timedelta(days=4 + 6 * wave))
        delivered = self.clamp(ordered + datetime.timedelta(days=rng.randint(18, 30)))
        installed = self.clamp(delivered + datetime.timedelta(days=rng.randint(3, 15)))
        return {"ordered_on": ordered, "delivered_on": delivered, "installed_on": installed}


@dataclass
class _Context:
    rng: random.Random
    year: SchoolYear
    dates: _Dates
    departements: dict
    envelopes: dict  # (measure code, département code) → Envelope
    committed: dict  # envelope id → Decimal
    suppliers: dict
    kits: dict
    tags: Counter = field(default_factory=Counter)
    serials: set = field(default_factory=set)
    order_numbers: Counter = field(default_factory=Counter)
    models_by_category: dict = field(default_factory=lambda: defaultdict(list))


def _kit_lines(ctx: _Context, kit: KitTemplate, *, vary: bool):
    """(model, quantity) bought for one kit: each line's model, or its category's reference;
    with ``vary``, sometimes another active model of the category (an order's choice)."""
    lines = []
    for item in kit.items.all():
        model = item_model(item)
        if vary and item.model_id is None:
            others = ctx.models_by_category[item.category_id]
            if others and ctx.rng.random() < 0.3:
                model = ctx.rng.choice(others)
        lines.append((model, item.quantity))
    return lines


def _audits(ctx: _Context, schools: list, classes_by_school: dict) -> tuple[list, dict]:
    """The audits of every elementary school; returns the SchoolAudit rows and, per class id,
    its ClassAudit (unsaved)."""
    rng = ctx.rng
    school_audits, class_audits = [], {}
    for school in schools:
        audit = SchoolAudit(
            school=school,
            year=ctx.year,
            has_shared_pack=rng.random() < 0.35,
            head_has_laptop=rng.random() < 0.7,
            head_has_internet=rng.random() < 0.9,
            head_has_printer=rng.random() < 0.55,
        )
        school_audits.append(audit)
        for school_class in classes_by_school[school.pk]:
            row = ClassAudit(audit=audit, school_class=school_class)
            row.has_document_camera = rng.random() < 0.3
            if rng.random() < SOCLE_ALREADY:
                _complete(row)
            else:
                row.has_display = rng.random() < 0.55
                row.has_laptop = rng.random() < 0.65
                row.has_internet = rng.random() < 0.8
                row.has_camera = rng.random() < 0.3
                row.has_audio = rng.random() < 0.35
                if _at_socle(row):
                    row.has_camera = False
            class_audits[school_class.pk] = row
    return school_audits, class_audits


def _complete(row: ClassAudit) -> None:
    row.has_display = row.has_laptop = row.has_internet = row.has_camera = row.has_audio = True


def _at_socle(row: ClassAudit) -> bool:
    return all((row.has_display, row.has_laptop, row.has_internet, row.has_camera, row.has_audio))


def _gap(row: ClassAudit) -> int:
    return sum(
        not x
        for x in (row.has_display, row.has_laptop, row.has_internet, row.has_camera, row.has_audio)
    )


def _allocate(ctx: _Context, *, campaign, kit, targets, steps, orders_out, by_wave) -> list:
    """The allocations of ``targets`` ((school, class, staff) in priority order) at the steps;
    the ordered ones grouped into orders of :data:`ORDER_SIZE` charged to the campaign's
    envelope (an order that would not fit leaves its allocations planned)."""
    rng = ctx.rng
    allocations = []
    for (school, school_class, staff), status in _steps(targets, steps, rng):
        allocations.append(
            Allocation(
                campaign=campaign,
                kit=kit,
                measure_id=kit.measure_id,
                school=school,
                school_class=school_class,
                staff=staff,
                status=status,
            )
        )
    ordered = [a for a in allocations if a.status in ORDERED_STEPS]
    envelope = ctx.envelopes[(kit.measure.code, campaign.node.code)]
    supplier = {"M5": "UGAP", "M7": "Bechtle Direct France"}.get(kit.measure.code)
    for wave, start in enumerate(range(0, len(ordered), ORDER_SIZE)):
        batch = ordered[start : start + ORDER_SIZE]
        lines = Counter()
        kit_lines = _kit_lines(ctx, kit, vary=kit.measure.code == "M4")
        for model, quantity in kit_lines:
            lines[model] += quantity * len(batch)
        total = sum((m.unit_price * q for m, q in lines.items()), Decimal("0"))
        if ctx.committed[envelope.pk] + total > envelope.amount:
            for allocation in batch:
                allocation.status = AllocationStatus.PLANNED
            continue
        ctx.committed[envelope.pk] += total
        dates = ctx.dates.of_wave(wave, rng)
        year = dates["ordered_on"].year
        ctx.order_numbers[year] += 1
        order = Order(
            number=f"BC-{year}-{campaign.node.code}-{ctx.order_numbers[year]:04d}",
            supplier=ctx.suppliers[supplier or rng.choice(SUPPLIERS[:2])],
            envelope=envelope,
            campaign=campaign,
            status=OrderStatus.COMMITTED,
            ordered_on=dates["ordered_on"],
            total=total,
        )
        orders_out.append((order, lines, kit_lines, batch))
        for allocation in batch:
            allocation.ordered_on = dates["ordered_on"]
            if allocation.status in DELIVERED_STEPS:
                allocation.delivered_on = dates["delivered_on"]
            if allocation.status in (AllocationStatus.INSTALLED, AllocationStatus.IN_SERVICE):
                allocation.installed_on = dates["installed_on"]
            if allocation.status == AllocationStatus.IN_SERVICE:
                allocation.in_service_on = dates["installed_on"]
            by_wave[id(allocation)] = order
    return allocations


def _tag(ctx: _Context, departement: str) -> str:
    ctx.tags[departement] += 1
    return f"TNE{departement}-{ctx.tags[departement]:06d}"


def _serial(ctx: _Context, maker: str) -> str:
    while True:
        serial = serial_for(maker, ctx.rng)
        if serial not in ctx.serials:
            ctx.serials.add(serial)
            return serial


def _assets(ctx: _Context, orders: list, allocations_by_order: dict) -> list:
    """The devices of the allocations delivered or later, one per kit device, on their order
    line; a new teacher's kit in service is handed over (holder)."""
    assets = []
    for order, lines_by_model, kit_lines, _ in orders:
        line_of = {line.model_id: line for line in lines_by_model}
        for allocation in allocations_by_order[order.pk]:
            if allocation.status not in DELIVERED_STEPS:
                continue
            installed = (
                allocation.status
                in (
                    AllocationStatus.INSTALLED,
                    AllocationStatus.IN_SERVICE,
                )
                and not allocation.staff_id
            )
            handed = allocation.staff_id and allocation.status == AllocationStatus.IN_SERVICE
            for model, quantity in kit_lines:
                line = line_of[model.pk]
                for _ in range(quantity):
                    line.delivered += 1
                    assets.append(
                        Asset(
                            serial_number=_serial(ctx, model.maker),
                            asset_tag=_tag(ctx, allocation.school.departement.code),
                            model=model,
                            state=AssetState.INSTALLED if installed else AssetState.ALLOCATED,
                            school=allocation.school,
                            school_class=allocation.school_class,
                            holder=allocation.staff if handed else None,
                            allocation=allocation,
                            order_line=line,
                            delivered_on=allocation.delivered_on,
                            warranty_ends_on=_months_later(
                                allocation.delivered_on, model.warranty_months
                            ),
                            source=AssetSource.DELIVERY,
                            note=MARK,
                        )
                    )
    return assets


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def _history(assets: list) -> list:
    events = []
    for asset in assets:
        events.append(
            AssetEvent(
                asset=asset,
                kind=AssetEventKind.CREATED,
                to_state=AssetState.ALLOCATED,
                school_id=asset.school_id,
                note=f"Livraison de la commande {asset.order_line.order.number}",
            )
        )
        if asset.state == AssetState.INSTALLED:
            events.append(
                AssetEvent(
                    asset=asset,
                    kind=AssetEventKind.STATE,
                    from_state=AssetState.ALLOCATED,
                    to_state=AssetState.INSTALLED,
                    school_id=asset.school_id,
                    note="Installé dans la classe",
                )
            )
        if asset.holder_id:
            events.append(
                AssetEvent(
                    asset=asset,
                    kind=AssetEventKind.HANDED_OVER,
                    from_state=AssetState.ALLOCATED,
                    to_state=AssetState.ALLOCATED,
                    school_id=asset.school_id,
                    note="Remis au nouvel enseignant",
                )
            )
    return events


INCIDENT_TEXTS = {
    IncidentKind.BREAKDOWN: (
        "Ne s'allume plus depuis lundi.",
        "Le son grésille puis se coupe au bout de quelques minutes.",
        "L'image clignote et la lampe signale une erreur.",
    ),
    IncidentKind.DAMAGE: ("Câble arraché lors d'un déplacement.", "Écran fissuré."),
    IncidentKind.THEFT: ("Disparu après l'effraction du week-end (plainte déposée).",),
}


def _incidents(ctx: _Context, assets: list) -> tuple[list, list, list]:
    """Some incidents on installed devices: open breakdowns, devices in repair, closed
    damages repaired under warranty, thefts. Returns (incidents, changed assets, events)."""
    rng = ctx.rng
    installed = [a for a in assets if a.state == AssetState.INSTALLED]
    chosen = rng.sample(installed, min(INCIDENTS, len(installed)))
    incidents, changed, events = [], [], []
    now = timezone.now()
    for i, asset in enumerate(chosen):
        if i % 8 == 7:
            kind, status, state = IncidentKind.THEFT, IncidentStatus.CLOSED, AssetState.STOLEN
        elif i % 4 == 1:
            kind, status = IncidentKind.BREAKDOWN, IncidentStatus.IN_REPAIR
            state = AssetState.IN_REPAIR
        elif i % 4 == 2:
            kind, status, state = IncidentKind.DAMAGE, IncidentStatus.CLOSED, AssetState.INSTALLED
        else:
            kind, status, state = IncidentKind.BREAKDOWN, IncidentStatus.OPEN, AssetState.INSTALLED
        closed = status == IncidentStatus.CLOSED
        incidents.append(
            Incident(
                asset=asset,
                kind=kind,
                status=status,
                description=rng.choice(INCIDENT_TEXTS[kind]),
                resolution=(
                    "Déclaré volé, retiré du parc."
                    if kind == IncidentKind.THEFT
                    else "Réparé sous garantie."
                    if closed
                    else ""
                ),
                resolved_at=now if closed else None,
            )
        )
        events.append(
            AssetEvent(
                asset=asset,
                kind=AssetEventKind.INCIDENT,
                from_state=asset.state,
                to_state=state,
                school_id=asset.school_id,
                note=incidents[-1].get_kind_display(),
            )
        )
        if state != asset.state:
            asset.state = state
            changed.append(asset)
    return incidents, changed, events


def _person(rng: random.Random) -> str:
    first = rng.choice(FrenchNames.first_names_female + FrenchNames.first_names_male)
    return f"{first} {rng.choice(FrenchNames.last_names)}"


def _signers() -> tuple[dict, dict]:
    """The demo's users who may sign: the school head accounts by school, the local authority
    accounts by commune."""
    heads = {
        s.school_id: s
        for s in Staff.objects.filter(role=StaffRole.HEAD, user__isnull=False).select_related(
            "user"
        )
    }
    authorities = {
        r.node_id: r.user
        for r in RoleAssignment.objects.filter(role=Role.LOCAL_AUTHORITY).select_related("user")
    }
    return heads, authorities


def _sign_installations(ctx: _Context, allocations: list, demo_school_id) -> int:
    """Real reports and signatures for a few dozen installed allocations (none of the demo
    school's, kept for its head to sign, but one). Returns the number of sign-offs."""
    rng = ctx.rng
    candidates = [
        a
        for a in allocations
        if a.status == AllocationStatus.INSTALLED and a.school_class_id is not None
    ]
    own = [a for a in candidates if a.school_id == demo_school_id][:1]
    others = [a for a in candidates if a.school_id != demo_school_id]
    picked = own + rng.sample(others, min(SIGNED + SCHOOL_ONLY + REFUSED - len(own), len(others)))
    heads, authorities = _signers()
    head_names = {
        s.school_id: f"{s.first_name} {s.last_name}"
        for s in Staff.objects.filter(
            role=StaffRole.HEAD, school_id__in={a.school_id for a in picked}
        )
    }
    now = timezone.now()
    signoffs, changed = 0, []
    # WeasyPrint says each step of each PDF at INFO: not what the demo's console is for.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    for index, allocation in enumerate(picked):
        refused = index >= SIGNED + SCHOOL_ONLY
        cosigned = index < SIGNED
        school = allocation.school
        assets = list(Asset.objects.filter(allocation=allocation).select_related("model__category"))
        head = heads.get(school.pk)
        head_name = head_names.get(school.pk) or _person(rng)
        remarks = (
            "Le vidéoprojecteur n'est pas fixé et le câble HDMI manque\u00a0: à reprendre."
            if refused
            else rng.choice(["", "", "Installation propre, enseignants formés à l'usage."])
        )
        decision = SignoffDecision.REFUSED if refused else SignoffDecision.ACCEPTED
        # The report the school head's decision page renders (services.signoffs), same template.
        report = render_pdf(
            signoffs_service.REPORT_TEMPLATE,
            {
                **signoffs_service.report_context(allocation, devices=assets),
                "decision": decision,
                "decision_label": SignoffDecision(decision).label,
                "remarks": remarks,
                "has_photo": False,
                "signer": {
                    "typed_name": head_name,
                    "capacity": signoffs_service.SCHOOL_CAPACITY,
                    "at": now,
                    "consent": signoffs_service.DECISION_CONSENT,
                },
            },
            kind=signoffs_service.REPORT_KIND,
            title=f"Procès-verbal d'installation n° {allocation.pk}",
        )
        signature = sign(
            report,
            signer=head.user if head else None,
            capacity=signoffs_service.SCHOOL_CAPACITY,
            typed_name=head_name,
            consent=signoffs_service.DECISION_CONSENT,
        )
        Signoff.objects.create(
            allocation=allocation,
            party=SignoffParty.SCHOOL,
            decision=decision,
            remarks=remarks,
            report=report,
            signature=signature,
        )
        signoffs += 1
        if refused:
            allocation.status, allocation.installed_on = AllocationStatus.DELIVERED, None
            Asset.objects.filter(allocation=allocation).update(state=AssetState.ALLOCATED)
            changed.append(allocation)
            continue
        allocation.school_signed_at = now
        allocation.status = AllocationStatus.IN_SERVICE
        allocation.in_service_on = ctx.dates.today
        if cosigned:
            officer = authorities.get(school.commune_id)
            signature = sign(
                report,
                signer=officer,
                capacity=f"{signoffs_service.AUTHORITY_CAPACITY} ({school.commune.name})",
                typed_name=(
                    f"{officer.first_name} {officer.last_name}" if officer else _person(rng)
                ),
            )
            Signoff.objects.create(
                allocation=allocation,
                party=SignoffParty.AUTHORITY,
                decision=SignoffDecision.ACCEPTED,
                report=report,
                signature=signature,
            )
            signoffs += 1
            allocation.authority_signed_at = now
        changed.append(allocation)
    Allocation.objects.bulk_update(
        changed,
        ["status", "installed_on", "in_service_on", "school_signed_at", "authority_signed_at"],
    )
    return signoffs


def _handover_receipts(ctx: _Context, allocations: list, demo_school_id) -> int:
    """Signed hand-over receipts for a few new teachers' kits in service (one at the demo
    école when it has one): the receipt of ``services.handovers`` listing the devices the
    teacher holds, signed with their typed name. Returns the number of receipts."""
    in_service = [
        a for a in allocations if a.staff_id is not None and a.status == AllocationStatus.IN_SERVICE
    ]
    own = [a for a in in_service if a.school_id == demo_school_id][:1]
    others = [a for a in in_service if a.school_id != demo_school_id]
    picked = own + ctx.rng.sample(others, min(HANDED_OVER - len(own), len(others)))
    if not picked:
        return 0
    devices = defaultdict(list)
    for asset in (
        Asset.objects.filter(allocation__in=[a.pk for a in picked], holder__isnull=False)
        .select_related("model__category")
        .order_by("model__category__order", "asset_tag")
    ):
        devices[asset.allocation_id].append(asset)
    heads, _ = _signers()
    now = timezone.now()
    receipts = []
    for allocation in picked:
        staff = allocation.staff
        head = heads.get(allocation.school_id)
        actor = head.user if head is not None else None
        lines = handovers_service.receipt_lines(devices[allocation.pk])
        receipt, signature = handovers_service.signed_receipt(
            allocation,
            kind=HandoverKind.HAND_OVER,
            lines=lines,
            typed_name=f"{staff.first_name} {staff.last_name}",
            actor=actor,
            consent=handovers_service.HANDOVER_CONSENT,
            now=now,
        )
        receipts.append(
            Handover(
                allocation=allocation,
                kind=HandoverKind.HAND_OVER,
                lines=lines,
                receipt=receipt,
                signature=signature,
                created_by=actor,
            )
        )
    Handover.objects.bulk_create(receipts)
    return len(receipts)


def _invoices(orders: list) -> list:
    """One invoice for each order wholly delivered; a part invoice for every other order with
    deliveries."""
    invoices = []
    for order, lines, _, _ in orders:
        delivered = sum((line.unit_price * line.delivered for line in lines), Decimal("0"))
        if not delivered:
            continue
        whole = all(line.delivered == line.quantity for line in lines)
        if not whole and order.pk % 2:
            continue
        invoices.append(
            Invoice(
                order=order,
                number=f"F{order.number[3:]}-{1 if whole else 'A'}",
                issued_on=order.ordered_on + datetime.timedelta(days=45),
                amount=order.total if whole else delivered,
            )
        )
    return invoices


def already_loaded() -> bool:
    return Campaign.objects.filter(note=MARK).exists()


@transaction.atomic
def load_equipment(*, seed: int) -> EquipmentResult:
    """Writes the demo's equipment once (see the module's docstring)."""
    result = EquipmentResult()
    result.models = ensure_catalogue()
    if already_loaded():
        return result
    departements = {
        n.code: n for n in TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, code__in=PILOT)
    }
    envelopes = {
        (e.measure.code, e.node.code): e
        for e in Envelope.objects.filter(
            period__label=PILOT_PERIOD, node__in=departements.values()
        ).select_related("measure", "node")
    }
    kits = {k.code: k for k in with_items(KitTemplate.objects.select_related("measure"))}
    needed = {("M4", d) for d in PILOT} | {("M5", d) for d in PILOT} | {("M7", d) for d in PILOT}
    if set(departements) != set(PILOT) or not needed <= set(envelopes):
        return result
    committed = defaultdict(Decimal)
    for row in (
        Order.objects.committed()
        .filter(envelope__in=envelopes.values())
        .values("envelope")
        .annotate(total=Sum("total"))
    ):
        committed[row["envelope"]] = row["total"]
    year = SchoolYear.objects.current()
    rng = random.Random(f"{seed}:equipment")
    ctx = _Context(
        rng=rng,
        year=year,
        dates=_Dates(year, timezone.localdate()),
        departements=departements,
        envelopes=envelopes,
        committed=committed,
        suppliers={s.name: s for s in Supplier.objects.all()},
        kits=kits,
    )
    ctx.serials = set(Asset.objects.values_list("serial_number", flat=True))
    for model in DeviceModel.objects.active().order_by("pk"):
        ctx.models_by_category[model.category_id].append(model)
    schools = {
        s.pk: s
        for s in School.objects.filter(departement__code__in=PILOT).select_related(
            "departement", "commune"
        )
    }
    classes = list(
        SchoolClass.objects.filter(year=year, school_id__in=schools).order_by("school_id", "pk")
    )
    for school_class in classes:
        school_class.school = schools[school_class.school_id]
    classes_by_school = defaultdict(list)
    for school_class in classes:
        if school_class.stage == Stage.ELEMENTARY:
            classes_by_school[school_class.school_id].append(school_class)
    elementary_schools = sorted(
        (schools[pk] for pk in classes_by_school), key=lambda s: (s.departement.code, s.uai)
    )
    school_audits, class_audits = _audits(ctx, elementary_schools, classes_by_school)

    # M4: the classes with a gap, lowest IPS first then the largest gap, per département.
    elementary_by_dep = {
        d: sum(len(classes_by_school[s.pk]) for s in elementary_schools if s.departement.code == d)
        for d in PILOT
    }
    m4_quota = split(M4_CLASSES, elementary_by_dep)
    gaps = [c for c in classes if c.pk in class_audits and not _at_socle(class_audits[c.pk])]
    gaps.sort(
        key=lambda c: (
            c.school.ips is None,
            c.school.ips or 0,
            -_gap(class_audits[c.pk]),
            c.school.uai,
            c.pk,
        )
    )
    orders, by_wave, allocations = [], {}, []
    campaigns = []
    label = year.label
    for code in PILOT:
        departement = departements[code]
        m4_targets = [(c.school, c, None) for c in gaps if c.school.departement.code == code][
            : m4_quota[code]
        ]
        m5_classes = [c for c in classes if c.school.departement.code == code]
        rng.shuffle(m5_classes)
        m5_targets = [(c.school, c, None) for c in m5_classes[: round(M5_SHARE * len(m5_classes))]]
        new_teachers = list(
            Staff.objects.filter(
                school__departement=departement, role=StaffRole.TEACHER, is_new_teacher=True
            ).order_by("school_id", "pk")
        )
        for teacher in new_teachers:
            teacher.school = schools[teacher.school_id]
        rng.shuffle(new_teachers)
        m7_targets = [
            (t.school, None, t) for t in new_teachers[: round(M7_SHARE * len(new_teachers))]
        ]
        for kit_code, name, targets, steps in (
            ("kit-hybride", "Kits d'enseignement hybride", m5_targets, M5_STEPS),
            ("socle-classe", "Socle numérique des classes élémentaires", m4_targets, M4_STEPS),
            ("nouvel-enseignant", "Équipement des nouveaux enseignants", m7_targets, M7_STEPS),
        ):
            kit = kits[kit_code]
            campaign = Campaign(
                name=f"{name} — {departement.name} — {label}",
                measure_id=kit.measure_id,
                kit=kit,
                node=departement,
                note=MARK,
            )
            campaign.save()
            campaigns.append(campaign)
            allocations += _allocate(
                ctx,
                campaign=campaign,
                kit=kit,
                targets=targets,
                steps=steps,
                orders_out=orders,
                by_wave=by_wave,
            )

    # The demo école's classes: their hybrid kits installed, for its head to sign.
    demo_school_id = _demo_school_id()
    for allocation in allocations:
        if (
            allocation.school_id == demo_school_id
            and allocation.status in DELIVERED_STEPS
            and allocation.staff_id is None
        ):
            allocation.status = AllocationStatus.INSTALLED
            allocation.installed_on = allocation.installed_on or ctx.dates.clamp(
                allocation.delivered_on + datetime.timedelta(days=7)
            )

    # Audits after installation: the register says the M4 classes installed are at the socle.
    for allocation in allocations:
        if allocation.kit.code == "socle-classe" and allocation.status in (
            AllocationStatus.INSTALLED,
            AllocationStatus.IN_SERVICE,
        ):
            _complete(class_audits[allocation.school_class_id])
    SchoolAudit.objects.bulk_create(school_audits, batch_size=1000)
    for row in class_audits.values():
        row.audit_id = row.audit.pk
    ClassAudit.objects.bulk_create(class_audits.values(), batch_size=2000)

    Order.objects.bulk_create([o for o, *_ in orders], batch_size=500)
    line_rows = []
    resolved = []
    for order, lines, kit_lines, batch in orders:
        rows = [
            OrderLine(order=order, model=model, quantity=quantity, unit_price=model.unit_price)
            for model, quantity in lines.items()
        ]
        line_rows += rows
        resolved.append((order, rows, kit_lines, batch))
    OrderLine.objects.bulk_create(line_rows, batch_size=2000)
    for allocation in allocations:
        order = by_wave.get(id(allocation))
        allocation.order = order
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    allocations_by_order = defaultdict(list)
    for allocation in allocations:
        if allocation.order is not None:
            allocations_by_order[allocation.order.pk].append(allocation)

    assets = _assets(ctx, resolved, allocations_by_order)
    Asset.objects.bulk_create(assets, batch_size=2000)
    OrderLine.objects.bulk_update(line_rows, ["delivered"], batch_size=2000)
    events = _history(assets)
    incidents, changed, incident_events = _incidents(ctx, assets)
    Asset.objects.bulk_update(changed, ["state"])
    Incident.objects.bulk_create(incidents)
    AssetEvent.objects.bulk_create(events + incident_events, batch_size=5000)
    Invoice.objects.bulk_create(_invoices(resolved))

    result.signoffs = _sign_installations(ctx, allocations, demo_school_id)
    result.receipts = _handover_receipts(ctx, allocations, demo_school_id)
    recount_schools()
    result.audits = len(school_audits)
    result.allocations = len(allocations)
    result.orders = len(orders)
    result.assets = len(assets)
    result.by_status = dict(Counter(a.status for a in allocations))
    return result


def _demo_school_id():
    head = (
        RoleAssignment.objects.filter(role=Role.SCHOOL_HEAD, school__isnull=False)
        .order_by("pk")
        .values_list("school_id", flat=True)
        .first()
    )
    return head
