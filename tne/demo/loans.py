"""The loans of the demo (measure M6): a plausible state of the pilot's loans in the current school
year, written after the equipment (:mod:`tne.demo.equipment`) and the accounts.

* **Pupils and needs**: about 20,000 pupils of the pilot's écoles élémentaires and primaires
  (public or private under contract) with a need declaration, more of them where the school is
  in REP/REP+ or its IPS is low. A pupil is the code its school gives (« 02-0123-0042 »:
  département, school, pupil), an elementary level of its class of the current year; no name.
* **Rules**: priority weights on both départements (the Aisne's edited from the programme's
  defaults by its coordinator, Val-d'Oise's at the defaults), a few school quotas: a minimum and
  a maximum at the demo école, a minimum at a few small schools, a maximum at the schools with
  the most needs.
* **The allocation run** of the pilot, started by national steering on the country through the
  runs service and computed by its job: tablets, a budget of the national M6 envelope (6 M€) at
  400 € a pupil (the programme's 6 M€ for 15,000 pupils: what a loan costs in all, device,
  protection and replacements, is a « hypothèse de démonstration »), the Aisne (whose weights
  count more points) capped at its share of the M6 target; applied (an offer per pupil
  served). A small run for the 4G routers, on the stock bought.
* **Orders and devices**: an M6 order per département charged to its M6 envelope (never above
  it), the tablets and routers delivered to the schools of the pupils served (a few spares in
  the département's stock), in the asset register with their serial numbers and tags.
* **Loans at every stage**: offered, accepted, declined, handed out (most of them; some
  overdue), returned (some of those devices offered to the next pupil of the school's waiting
  list and lent again), lost, stolen, returned unusable. Written in bulk, with their timeline;
  the « convention de prêt » of a bulk loan was signed on paper and is kept by the school, which
  its timeline says (what a deployment that starts from paper holds: no PDF, no signature is
  made up).
* **Real documents**: a few dozen loans go through the lifecycle services: the convention
  signed at hand-out (a real PDF and signature), returns with their signed receipt, devices
  offered to the next pupil and lent again, a theft and a loss declared. At the demo école, for
  its head: conventions signed, offers to record and to hand out, a device back in stock for the
  coordinator to offer to the next pupil; the demo parent's account is linked to a pupil of that
  école with a loan in progress and its signed convention.
* **Reminders** of overdue loans, sent through ``core.notify`` (the « Messages envoyés » page).
* **Guardians' contacts** (Faker's French names, mobile phones +33 6 or 7, addresses at the reserved
  example domains) sealed at rest for every pupil who got an offer.

Dates follow the current school year up to today (at least 90 days of story). Deterministic for
a seed and idempotent: once the demo's run exists (its label carries
:data:`tne.demo.marks.LOANS`), a second load writes nothing."""

import datetime
import logging
import random
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Sum
from django.utils import timezone

from tne.accounts.models import User
from tne.core import crypto
from tne.core.bulk import insert_rows
from tne.core.jobs import run_job_now
from tne.core.models import AuditSource
from tne.equipment.enums import AssetEventKind, AssetSource, AssetState, OrderStatus
from tne.equipment.models import (
    Asset,
    AssetEvent,
    Category,
    DeviceModel,
    Invoice,
    Order,
    OrderLine,
    Supplier,
)
from tne.loans.enums import (
    ELEMENTARY_LEVELS,
    HomeDevices,
    HomeInternet,
    LoanOutcome,
    LoanStatus,
    RunStatus,
)
from tne.loans.models import (
    AllocationRun,
    FamilyLink,
    GuardianContact,
    Loan,
    NeedDeclaration,
    Pupil,
    RunDecision,
)
from tne.loans.priority import Weights
from tne.loans.services import families, offers, reminders, rules, runs, tallies
from tne.programme.models import Envelope, Target
from tne.territory.enums import EducationNetwork, NodeKind, SchoolKind, Sector, Stage
from tne.territory.models import School, SchoolClass, SchoolYear, TerritoryNode

from .accounts import DOMAIN, demo_ecole
from .equipment import serial_for
from .loan_story import (
    OVERDUE_STAGE,
    PARIS,
    Story,
    guardian_name,
    reserve,
    through_services,
)
from .marks import LOANS as MARK
from .programme import PILOT, PILOT_PERIOD, split

NEEDS = 20_000  # need declarations across the pilot
SERVED = 15_000  # pupils the run serves: the programme's M6 target
ROUTERS = 300  # 4G routers bought for the pupils without internet at home
SPARES = 0.02  # of the devices bought, kept in the département's stock
TABLET = "SM-X200NZAAEUB"  # Samsung Galaxy Tab A8, 229 € in the demo's catalogue
ROUTER = "ARCHER-MR600"  # TP-Link Archer MR600, 129 €
SUPPLIER = "UGAP"
STORY_DAYS = 90  # the shortest span of the story, up to today

# The Aisne coordinator's weights: no internet and a low IPS count more, the threshold higher.
AISNE_WEIGHTS = {"no_internet": 35, "low_ips": 15, "ips_threshold": Decimal("92.0")}
ECOLE_MINIMUM, ECOLE_WAITING = 16, 6  # the demo école: served at least, left waiting
SMALL_SCHOOL_MINIMUM, SMALL_SCHOOLS = 2, 6
CAPPED_SCHOOLS, CAPPED_SHARE = 4, 0.6

# How the offers of the run stand today (the rest: handed out).
STAGES = {
    LoanStatus.OFFERED: 0.04,
    LoanStatus.ACCEPTED: 0.04,
    LoanStatus.DECLINED: 0.02,
    LoanOutcome.RETURNED: 0.05,
    LoanOutcome.LOST: 0.004,
    LoanOutcome.STOLEN: 0.003,
    LoanOutcome.DAMAGED: 0.002,
}
OVERDUE = 0.03  # of the loans handed out and not returned
ROUTER_STAGES = {LoanStatus.OFFERED: 0.05, LoanStatus.ACCEPTED: 0.05, LoanOutcome.RETURNED: 0.04}
# Real documents, through the lifecycle services.
ECOLE_SIGNED = 5  # conventions signed at the demo école (one of them the demo parent's child)
SIGNED = 14  # elsewhere (Val-d'Oise, by its technician)
RETURNED_SIGNED = 4  # of those, returned against a signed receipt
NEXT_SIGNED = 2  # devices returned then offered to the next pupil and lent again
REMINDERS = 12  # overdue loans reminded through core.notify

EMAIL_DOMAINS = ("example.org", "example.net", "example.com")


@dataclass
class LoansResult:
    pupils: int = 0
    contacts: int = 0
    candidates: int = 0
    served: int = 0
    budget: Decimal = Decimal("0")
    unserved_by_reason: dict = field(default_factory=dict)
    orders: int = 0
    devices: int = 0
    loans: int = 0
    by_stage: dict = field(default_factory=dict)
    overdue: int = 0
    relent: int = 0
    documents: int = 0
    reminders: int = 0

    @property
    def written(self) -> bool:
        return bool(self.pupils)


class _Timeline:
    """The days of the story: from the start of the school year (at least ``STORY_DAYS``
    before today) to today; ``day(f)`` is the day at fraction ``f`` of it."""

    def __init__(self, year: SchoolYear | None, today: datetime.date):
        start = year.starts_on if year else today
        self.start = min(start, today - datetime.timedelta(days=STORY_DAYS))
        self.today = today
        self.days = (today - self.start).days

    def day(self, fraction: float) -> datetime.date:
        return self.start + datetime.timedelta(days=round(fraction * self.days))

    def clamp(self, day: datetime.date) -> datetime.date:
        return min(max(day, self.start), self.today - datetime.timedelta(days=1))

    def at(self, day: datetime.date, rng: random.Random) -> datetime.datetime:
        """A time of the school day on ``day`` (Paris)."""
        minutes = rng.randint(8 * 60 + 20, 17 * 60 + 30)
        moment = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
        return moment.replace(tzinfo=PARIS)


@dataclass
class _Context:
    rng: random.Random
    year: SchoolYear
    timeline: _Timeline
    country: TerritoryNode
    departements: dict
    users: dict
    ecole: School
    schools: dict = field(default_factory=dict)  # pk → School
    names: dict = field(default_factory=dict)  # pupil pk → the guardian's name
    stock: dict = field(default_factory=lambda: defaultdict(list))  # (school, category) → assets
    serials: set = field(default_factory=set)
    tags: Counter = field(default_factory=Counter)


def already_loaded() -> bool:
    return AllocationRun.objects.filter(label__contains=MARK).exists()


# --- Pupils and needs --------------------------------------------------------------------------


def _eligible_schools() -> list[School]:
    return list(
        School.objects.filter(
            departement__code__in=PILOT, kind__in=(SchoolKind.ELEMENTAIRE, SchoolKind.PRIMAIRE)
        )
        .exclude(sector=Sector.PRIVATE_NO_CONTRACT)
        .select_related("departement", "commune", "circonscription")
        .order_by("departement__code", "uai")
    )


def _need_weight(school: School) -> float:
    """How much more often a pupil of ``school`` lacks a device or internet at home: more in
    REP/REP+ and where the IPS is low."""
    ips = float(school.ips) if school.ips is not None else 100.0
    weight = 1 + max(0.0, (112 - ips) / 14)
    if school.education_network == EducationNetwork.REP_PLUS:
        weight += 1.5
    elif school.education_network == EducationNetwork.REP:
        weight += 0.8
    return weight


def _levels(school_class: SchoolClass) -> list[str]:
    return [level for level in school_class.levels if level in ELEMENTARY_LEVELS]


def _need_values(rng: random.Random, school: School) -> tuple[str, int | None, str]:
    low = _need_weight(school) > 2
    draw = rng.random()
    if draw < 0.40 + 0.1 * low:
        devices, shared = HomeDevices.NONE, None
    elif draw < 0.85:
        devices, shared = HomeDevices.SHARED, rng.choices((1, 2, 3, 4), (4, 3, 2, 1))[0]
    else:
        devices, shared = HomeDevices.OWN, None
    draw = rng.random()
    if draw < 0.26 + 0.08 * low:
        internet = HomeInternet.NONE
    elif draw < 0.75:
        internet = HomeInternet.MOBILE
    else:
        internet = HomeInternet.FIXED
    if devices == HomeDevices.OWN and internet == HomeInternet.FIXED:
        internet = HomeInternet.MOBILE  # a declared need always lacks something
    return devices, shared, internet


def _pupils(ctx: _Context) -> list[Pupil]:
    """The pupils with a need and their declarations: ``NEEDS`` shared among the elementary
    classes of the current year in proportion to their headcount and their school's need, a
    little at random; the demo école has at least ``ECOLE_MINIMUM + ECOLE_WAITING`` of them."""
    rng = ctx.rng
    schools = _eligible_schools()
    ctx.schools = {s.pk: s for s in schools}
    classes = [
        c
        for c in SchoolClass.objects.filter(
            year=ctx.year, stage=Stage.ELEMENTARY, school_id__in=ctx.schools
        ).order_by("school_id", "name", "pk")
        if _levels(c) and c.headcount
    ]
    weights = {
        f"{c.pk:010d}": round(
            c.headcount * _need_weight(ctx.schools[c.school_id]) * rng.uniform(0.6, 1.4) * 100
        )
        for c in classes
    }
    shares = split(NEEDS, weights)
    by_school = defaultdict(list)
    for c in classes:
        by_school[c.school_id].append((c, min(c.headcount, shares[f"{c.pk:010d}"])))
    ecole = by_school.get(ctx.ecole.pk, [])
    wanted = ECOLE_MINIMUM + ECOLE_WAITING
    while ecole and sum(n for _, n in ecole) < min(wanted, sum(c.headcount for c, _ in ecole)):
        ecole = [(c, min(c.headcount, n + 1)) for c, n in ecole]
    if ecole:
        by_school[ctx.ecole.pk] = ecole
    numbers = {}
    for code in PILOT:
        ranked = [s for s in schools if s.departement.code == code]
        numbers.update({s.pk: i for i, s in enumerate(ranked, start=1)})
    head = ctx.users["direction"]
    # A pupil the school entered itself keeps its code: the demo's pupils never take it.
    taken = set(Pupil.objects.filter(school__in=schools).values_list("school_id", "code"))
    pupils, needs = [], []
    for school in schools:
        rows = by_school.get(school.pk)
        if not rows:
            continue
        count = sum(n for _, n in rows)
        if not count:
            continue
        headcount = sum(c.headcount for c, _ in rows)
        # The school numbers all its pupils; only those with a need are recorded here.
        codes = sorted(rng.sample(range(1, headcount + 1), count))
        position = 0
        for school_class, n in rows:
            for _ in range(n):
                number = codes[position]
                position += 1
                code = f"{school.departement.code}-{numbers[school.pk]:04d}-{number:04d}"
                if (school.pk, code) in taken:
                    continue
                pupil = Pupil(
                    school=school,
                    code=code,
                    school_class=school_class,
                    level=rng.choice(_levels(school_class)),
                )
                devices, shared, internet = _need_values(rng, school)
                pupils.append(pupil)
                needs.append(
                    NeedDeclaration(
                        pupil=pupil,
                        devices_at_home=devices,
                        shared_with=shared,
                        internet_at_home=internet,
                        declared_on=ctx.timeline.day(rng.uniform(0.02, 0.22)),
                        declared_by=head if school.pk == ctx.ecole.pk else None,
                    )
                )
    now = timezone.now()
    insert_rows(
        Pupil,
        ["school", "code", "school_class", "level", "created_at", "updated_at"],
        [(p.school_id, p.code, p.school_class_id, p.level, now, now) for p in pupils],
        adapt=True,
    )
    ids = {
        (school, code): pk
        for pk, school, code in Pupil.objects.filter(school__in=schools).values_list(
            "pk", "school_id", "code"
        )
    }
    for pupil in pupils:
        pupil.pk = ids[(pupil.school_id, pupil.code)]
    insert_rows(
        NeedDeclaration,
        [
            "pupil",
            "devices_at_home",
            "shared_with",
            "internet_at_home",
            "declared_on",
            "declared_by",
            "updated_at",
        ],
        [
            (
                n.pupil.pk,
                n.devices_at_home,
                n.shared_with,
                n.internet_at_home,
                n.declared_on,
                n.declared_by_id,
                now,
            )
            for n in needs
        ],
        adapt=True,
    )
    for pupil in pupils:
        pupil.school = ctx.schools[pupil.school_id]
    return pupils


# --- Rules -------------------------------------------------------------------------------------


def _rules(ctx: _Context, pupils: list[Pupil]) -> None:
    """The weights of both départements and a few quotas, through the rules service (each
    change audited as its author's)."""
    defaults = Weights().as_json()
    defaults["ips_threshold"] = Weights().ips_threshold
    coordinator, steering = ctx.users["coordination"], ctx.users["pilotage"]
    rules.set_weights(
        node=ctx.departements["02"],
        values={**defaults, **AISNE_WEIGHTS},
        actor=coordinator,
        source=AuditSource.CLI,
    )
    rules.set_weights(
        node=ctx.departements["95"], values=defaults, actor=steering, source=AuditSource.CLI
    )
    counts = Counter(p.school_id for p in pupils)

    def actor_of(school):
        return coordinator if school.departement.code == "02" else steering

    quotas = {}
    ecole = counts.get(ctx.ecole.pk, 0)
    if ecole:
        minimum = min(ECOLE_MINIMUM, ecole)
        quotas[ctx.ecole.pk] = (minimum, max(minimum, ecole - ECOLE_WAITING))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    for school_id, n in ranked[:CAPPED_SCHOOLS]:
        quotas.setdefault(school_id, (0, round(n * CAPPED_SHARE)))
    small = [
        (n, ctx.schools[pk].uai, pk)
        for pk, n in counts.items()
        if n >= SMALL_SCHOOL_MINIMUM and ctx.schools[pk].departement.code == "02"
    ]
    for _, _, school_id in sorted(small)[:SMALL_SCHOOLS]:
        quotas.setdefault(school_id, (SMALL_SCHOOL_MINIMUM, None))
    for school_id, (minimum, maximum) in sorted(quotas.items()):
        school = ctx.schools[school_id]
        rules.set_quota(
            school=school,
            minimum=minimum,
            maximum=maximum,
            actor=actor_of(school),
            source=AuditSource.CLI,
        )


# --- The runs ----------------------------------------------------------------------------------


def _m6(model, ctx: _Context) -> dict:
    """The M6 envelopes or targets of the pilot period, by node code (the country's is « FR »
    or whatever its code is: keyed by node kind for it)."""
    rows = model.objects.filter(
        measure__code="M6",
        period__label=PILOT_PERIOD,
        node__in=[ctx.country, *ctx.departements.values()],
    ).select_related("node")
    return {("country" if r.node_id == ctx.country.pk else r.node.code): r for r in rows}


def _run(ctx: _Context, category: Category, *, label: str, **inputs) -> AllocationRun:
    """A run of the country started by national steering through the runs service, computed
    by its job now (the worker finds it done and leaves it), then applied: one offer per pupil
    served. Dated in the story."""
    steering = ctx.users["pilotage"]
    run = runs.start_run(
        actor=steering,
        node=ctx.country,
        category=category,
        label=label,
        source=AuditSource.CLI,
        **inputs,
    )
    job = run_job_now(run.job_id)
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        raise ValueError(f"L'attribution de démonstration a échoué : {run.error or job.message}")
    offers.apply_run(actor=steering, run_id=run.pk, source=AuditSource.CLI)
    started = ctx.timeline.at(ctx.timeline.day(0.25), ctx.rng)
    finished = started + datetime.timedelta(seconds=ctx.rng.randint(4, 40))
    applied = ctx.timeline.at(ctx.timeline.day(0.27), ctx.rng)
    AllocationRun.objects.filter(pk=run.pk).update(
        created_at=started, finished_at=finished, applied_at=applied
    )
    type(job).objects.filter(pk=job.pk).update(
        created_at=started, started_at=started, finished_at=finished
    )
    run.refresh_from_db()
    return run


# --- Orders and devices ------------------------------------------------------------------------


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _next_tags(ctx: _Context) -> None:
    """The asset tags go on after the register's (« TNE02-015321 »)."""
    for code in PILOT:
        last = Asset.objects.filter(asset_tag__startswith=f"TNE{code}-").aggregate(
            last=Max("asset_tag")
        )["last"]
        ctx.tags[code] = int(last.rsplit("-", 1)[1]) if last else 0


def _device(ctx: _Context, model: DeviceModel, *, school, node, delivered_on) -> Asset:
    code = node.code
    ctx.tags[code] += 1
    while (serial := serial_for(model.maker, ctx.rng)) in ctx.serials:
        pass
    ctx.serials.add(serial)
    return Asset(
        serial_number=serial,
        asset_tag=f"TNE{code}-{ctx.tags[code]:06d}",
        model=model,
        state=AssetState.IN_STOCK,
        school=school,
        stock_node=None if school else node,
        delivered_on=delivered_on,
        warranty_ends_on=_months_later(delivered_on, model.warranty_months),
        source=AssetSource.DELIVERY,
        note=MARK[:1].upper() + MARK[1:],
    )


FOREIGN = {"model", "stock_node", "school", "order_line"}


def _orders(ctx: _Context, offers_by_kind: dict) -> tuple[int, int]:
    """One M6 order per département for the devices of its offers (and a few spares), charged
    to its M6 envelope and never above what is left of it; the devices delivered to the
    schools of the offers (the spares to the département's stock) and invoiced. Returns the
    numbers of orders and devices."""
    models = {
        m.category.code: m
        for m in DeviceModel.objects.filter(reference__in=(TABLET, ROUTER)).select_related(
            "category"
        )
    }
    envelopes = _m6(Envelope, ctx)
    supplier, _ = Supplier.objects.get_or_create(name=SUPPLIER)
    ordered_on = ctx.timeline.day(0.28)
    delivered_on = ctx.timeline.day(0.36)
    ctx.serials = set(Asset.objects.values_list("serial_number", flat=True))
    _next_tags(ctx)
    orders = devices = 0
    for code in PILOT:
        node, envelope = ctx.departements[code], envelopes.get(code)
        if envelope is None:
            continue
        wanted = {}
        for kind, loans in offers_by_kind.items():
            if kind not in models:
                continue
            per_school = Counter(
                loan.school_id
                for loan in loans
                if ctx.schools[loan.school_id].departement.code == code
            )
            spares = round(sum(per_school.values()) * SPARES)
            if per_school:
                wanted[kind] = (per_school, spares)
        total = sum(
            (models[k].unit_price * (sum(c.values()) + s) for k, (c, s) in wanted.items()),
            Decimal("0"),
        )
        committed = Order.objects.committed().filter(envelope=envelope).aggregate(t=Sum("total"))[
            "t"
        ] or Decimal("0")
        if not total or committed + total > envelope.amount:
            continue
        order = Order.objects.create(
            number=f"BC-{ordered_on.year}-{code}-M6-01",
            supplier=supplier,
            envelope=envelope,
            status=OrderStatus.COMMITTED,
            ordered_on=ordered_on,
            total=total,
        )
        orders += 1
        assets, events = [], []
        for kind, (per_school, spares) in wanted.items():
            model = models[kind]
            quantity = sum(per_school.values()) + spares
            line = OrderLine.objects.create(
                order=order, model=model, quantity=quantity, unit_price=model.unit_price
            )
            places = [(ctx.schools[pk], n) for pk, n in sorted(per_school.items())] + [
                (None, spares)
            ]
            for school, n in places:
                for _ in range(n):
                    asset = _device(ctx, model, school=school, node=node, delivered_on=delivered_on)
                    asset.order_line = line
                    assets.append(asset)
            line.delivered = quantity
            line.save(update_fields=["delivered"])
        now = timezone.now()
        names = [
            "serial_number",
            "asset_tag",
            "model",
            "state",
            "stock_node",
            "school",
            "order_line",
            "delivered_on",
            "warranty_ends_on",
            "source",
            "note",
            "created_at",
            "updated_at",
        ]
        insert_rows(
            Asset,
            names,
            [
                (
                    *(getattr(a, f"{n}_id" if n in FOREIGN else n) for n in names[:-2]),
                    now,
                    now,
                )
                for a in assets
            ],
            adapt=True,
        )
        ids = dict(Asset.objects.filter(order_line__order=order).values_list("asset_tag", "pk"))
        for asset in assets:
            asset.pk = ids[asset.asset_tag]
            asset._state.adding = False
        at = ctx.timeline.at(delivered_on, ctx.rng)
        for asset in assets:
            if asset.school_id:
                ctx.stock[(asset.school_id, asset.model.category_id)].append(asset)
            events.append(
                (
                    asset.pk,
                    at,
                    AssetEventKind.CREATED,
                    "",
                    AssetState.IN_STOCK,
                    asset.school_id,
                    f"Livraison de la commande {order.number}",
                    None,
                )
            )
        insert_rows(
            AssetEvent,
            ["asset", "at", "kind", "from_state", "to_state", "school", "note", "actor"],
            events,
            adapt=True,
        )
        Invoice.objects.create(
            order=order,
            number=f"F{order.number[3:]}-1",
            issued_on=ctx.timeline.clamp(delivered_on + datetime.timedelta(days=30)),
            amount=total,
        )
        devices += len(assets)
    return orders, devices


# --- Contacts, the parent ---------------------------------------------------------------------


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in plain.lower()).strip("-")


def _contacts(ctx: _Context, pupil_ids: list[int]) -> int:
    """The guardian's contact of every pupil offered a device, sealed (a name, a mobile phone
    and/or an address at a reserved example domain)."""
    rng = ctx.rng
    known = set(
        GuardianContact.objects.filter(pupil_id__in=pupil_ids).values_list("pupil_id", flat=True)
    )
    rows, now = [], timezone.now()
    for pupil_id in pupil_ids:
        if pupil_id in known:
            continue
        name = guardian_name(ctx, pupil_id)
        draw = rng.random()
        phone = f"+33{rng.choice('67')}{rng.randint(0, 99_999_999):08d}" if draw < 0.9 else ""
        email = ""
        if draw >= 0.2:
            first, _, last = name.partition(" ")
            email = f"{_ascii(first)}.{_ascii(last)}@{rng.choice(EMAIL_DOMAINS)}"
        sealed = crypto.seal({"name": name, "phone": phone, "email": email})
        rows.append((pupil_id, sealed, bool(phone), bool(email), now, now))
    insert_rows(
        GuardianContact,
        ["pupil", "sealed", "has_phone", "has_email", "created_at", "updated_at"],
        rows,
        adapt=True,
    )
    return len(rows)


def _family(ctx: _Context, pupil_id: int | None) -> None:
    """The demo parent's account linked to a pupil of the demo école with a loan in progress
    and its signed convention, by the école's head through the families service (the account
    has the « Parent » role there already and a password: no e-mail is sent)."""
    if pupil_id is None:
        return
    parent = ctx.users["parent"]
    if not FamilyLink.objects.filter(user=parent).exists():
        families.link_parent(
            actor=ctx.users["direction"],
            pupil=Pupil.objects.select_related("school").get(pk=pupil_id),
            email=parent.email,
            source=AuditSource.CLI,
        )


def _reminders(ctx: _Context, loans) -> int:
    """Reminders of ``REMINDERS`` overdue loans (the demo école's first), through the
    reminders service: an e-mail or an SMS recorded in « Messages envoyés », a step of the
    loan's timeline. Returns how many were sent."""
    overdue = list(
        loans.overdue(ctx.timeline.today)
        .filter(category__code="tablet")
        .order_by("pk")
        .values_list("pk", "school_id")
    )
    ecole = [pk for pk, school in overdue if school == ctx.ecole.pk]
    others = [pk for pk, school in overdue if school != ctx.ecole.pk]
    chosen = ecole[:1] + ctx.rng.sample(others, min(len(others), REMINDERS - len(ecole[:1])))
    outcome, now = reminders.Outcome(), timezone.now()
    return sum(reminders.remind(pk, now=now, outcome=outcome) for pk in sorted(chosen))


# --- The whole ---------------------------------------------------------------------------------

ACCOUNTS = ("pilotage", "coordination", "direction", "technicien", "parent")


def _context(seed: int) -> _Context | None:
    year = SchoolYear.objects.current()
    country = TerritoryNode.objects.filter(kind=NodeKind.COUNTRY).first()
    departements = {
        n.code: n for n in TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, code__in=PILOT)
    }
    users = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(email__in=[f"{name}@{DOMAIN}" for name in ACCOUNTS])
    }
    if (
        year is None
        or country is None
        or set(departements) != set(PILOT)
        or len(users) < len(ACCOUNTS)
    ):
        return None
    today = timezone.localdate()
    return _Context(
        rng=random.Random(f"{seed}:loans"),
        year=year,
        timeline=_Timeline(year, today),
        country=country,
        departements=departements,
        users=users,
        ecole=demo_ecole(departements["02"]),
    )


def _waiting(run: AllocationRun) -> dict[int, list]:
    """School → its pupils not served by ``run``, by rank: (pupil id, code)."""
    waiting = defaultdict(list)
    for school_id, pupil_id, code in (
        RunDecision.objects.filter(run=run, served=False)
        .order_by("school_id", "rank")
        .values_list("school_id", "pupil_id", "pupil__code")
    ):
        waiting[school_id].append((pupil_id, code))
    return waiting


def _draw(rng: random.Random, stages: dict, overdue: float) -> str:
    draw, total = rng.random(), 0.0
    for stage, share in stages.items():
        total += share
        if draw < total:
            return stage
    return OVERDUE_STAGE if rng.random() < overdue else LoanStatus.ACTIVE


def _play(ctx: _Context, run: AllocationRun, stages: dict, *, reserved=(), skip=()) -> Story:
    """The bulk story of ``run``'s offers (``reserved`` ones left offered, for the services):
    the demo école keeps offers to record and to hand out and an overdue loan."""
    story = Story(ctx, run)
    offers_ = list(Loan.objects.filter(run=run).select_related("pupil").order_by("pk"))
    kept = {loan.pk for loan in reserved}
    ecole = [x for x in offers_ if x.school_id == ctx.ecole.pk and x.pk not in kept]
    special = dict(
        zip(
            (x.pk for x in ecole),
            (
                LoanStatus.OFFERED,
                LoanStatus.OFFERED,
                LoanStatus.ACCEPTED,
                LoanStatus.ACCEPTED,
                OVERDUE_STAGE,
            ),
            strict=False,
        )
    )
    for loan in offers_:
        loan.offered_at = run.applied_at
        if loan.pk in kept:
            stage = LoanStatus.OFFERED
        elif loan.pk in special and stages is STAGES:
            stage = special[loan.pk]
        else:
            stage = _draw(ctx.rng, stages, OVERDUE if stages is STAGES else OVERDUE / 2)
        story.progress(loan, stage)
    offered_by = {"02": ctx.users["coordination"], "95": ctx.users["pilotage"]}
    story.relend(_waiting(run), skip={ctx.ecole.pk, *skip}, offered_by=offered_by)
    story.flush()
    return story


@transaction.atomic
def load_loans(*, seed: int) -> LoansResult:
    """Writes the demo's loans once (see the module's docstring)."""
    result = LoansResult()
    if already_loaded() or (ctx := _context(seed)) is None:
        return result
    envelopes, targets = _m6(Envelope, ctx), _m6(Target, ctx)
    categories = {c.code: c for c in Category.objects.filter(code__in=("tablet", "router-4g"))}
    if "country" not in envelopes or set(categories) != {"tablet", "router-4g"}:
        return result
    # WeasyPrint says each step of each PDF at INFO: not what the demo's console is for.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    pupils = _pupils(ctx)
    if not pupils:
        return result
    _rules(ctx, pupils)
    _analyze(Pupil, NeedDeclaration, Asset)
    budget = envelopes["country"].amount
    shares = split(SERVED, {code: targets[code].count for code in PILOT if code in targets})
    label = f"{ctx.year.label} — {MARK}"
    run = _run(
        ctx,
        categories["tablet"],
        label=f"Tablettes des élèves, {label}",
        budget=budget,
        unit_cost=(budget / SERVED).quantize(Decimal("0.01")),
        # The Aisne, whose coordinator weighs its needs more, at its share of the target.
        departement_caps={"02": shares["02"]} if shares.get("02") else {},
    )
    routers = _run(
        ctx,
        categories["router-4g"],
        label=f"Routeurs 4G des familles sans internet, {label}",
        stock=ROUTERS,
    )
    offers_by_kind = {
        "tablet": list(Loan.objects.filter(run=run).only("pk", "school_id")),
        "router-4g": list(Loan.objects.filter(run=routers).only("pk", "school_id")),
    }
    result.orders, result.devices = _orders(ctx, offers_by_kind)
    _analyze(RunDecision, Loan, Asset)
    tablets = list(Loan.objects.filter(run=run).select_related("pupil").order_by("pk"))
    ecole, others = reserve(ctx, tablets, _waiting(run), ecole=ECOLE_SIGNED, others=SIGNED)
    story = _play(
        ctx,
        run,
        STAGES,
        reserved=ecole + others,
        skip={loan.school_id for loan in others},
    )
    _play(ctx, routers, ROUTER_STAGES)
    signed = through_services(
        ctx,
        categories["tablet"],
        ecole,
        others,
        story,
        ecole_signed=ECOLE_SIGNED,
        returned=RETURNED_SIGNED,
        next_pupils=NEXT_SIGNED,
    )
    loans = Loan.objects.filter(run__in=(run, routers))
    pupil_ids = sorted(set(loans.values_list("pupil_id", flat=True)))
    result.contacts = _contacts(ctx, pupil_ids)
    _family(ctx, signed["parent_pupil"])
    result.reminders = _reminders(ctx, loans)
    # The story wrote its loans in bulk: the dashboards' tallies, once, from all of them.
    tallies.recount()

    run.refresh_from_db()
    result.pupils = len(pupils)
    result.candidates, result.served = run.candidates, run.served
    result.budget = run.budget
    result.unserved_by_reason = dict(run.unserved_by_reason)
    result.documents = signed["documents"]
    result.loans = loans.count()
    result.by_stage = _stages_of(loans)
    result.overdue = loans.overdue(ctx.timeline.today).count()
    # The offers to a pupil the run did not serve: devices back in stock offered to the next.
    # (One look-up each in the (run, pupil) unique index: a join would be planned blind on
    # PostgreSQL's fresh, unanalysed tables and compare every loan with every decision.)
    unserved = RunDecision.objects.filter(
        run=OuterRef("run"), pupil=OuterRef("pupil"), served=False
    )
    result.relent = loans.filter(Exists(unserved)).count()
    return result


def _analyze(*models) -> None:
    """PostgreSQL's statistics of the tables just filled by bulk writes, so that the queries
    that follow (the runs', the story's) are planned on their real sizes, not on empty tables."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _stages_of(loans) -> dict[str, int]:
    counts = Counter()
    for status, outcome in loans.values_list("status", "outcome"):
        counts[outcome.lower() if status == LoanStatus.CLOSED else status.lower()] += 1
    return dict(counts)
