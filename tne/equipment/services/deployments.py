"""Deployment campaigns: a campaign (a measure, a kit, a node of the territory), its kit
allocated in bulk to classes (by filter, by school or from a CSV file), and the steps each
allocation goes through until its installation.

Who does what (permissions per grant):

- creating a campaign and allocating its kit, cancelling an allocation: ``equipment.allocate``
  on the campaign's node (``can_allocate_at``) and on each school allocated;
- marking allocations delivered or installed: ``equipment.manage_assets`` on their schools (the
  technician who installs, and the coordinator, hold it). The sign-offs that follow the
  installation (the school head, then the local authority) are ``services/signoffs.py``'s.

Every service recounts the tallies of the schools it touched (``recount_schools``) in the same
transaction and writes one audit event per action on the campaign (not one per row)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tne.core.audit import create_audited, record
from tne.core.models import AuditAction, AuditSource
from tne.core.rowerrors import ErrorCollector, ImportFileError
from tne.core.scope import scope_of
from tne.core.tabular import CsvTable
from tne.programme.models import Measure
from tne.territory.enums import NodeKind, Stage
from tne.territory.models import School, SchoolClass, SchoolYear, TerritoryNode

from ..enums import AllocationStatus, AssetEventKind, AssetState, KitTarget
from ..models import Allocation, Asset, Campaign, KitItem, KitTemplate
from ..perms import ALLOCATE, MANAGE_ASSETS, can_allocate, can_allocate_at
from .history import log_events
from .tallies import recount_schools

# The School column that holds each kind of node (a school belongs to one of each).
SCHOOL_NODE_FIELD = {
    NodeKind.REGION: "region",
    NodeKind.ACADEMIE: "academie",
    NodeKind.DEPARTEMENT: "departement",
    NodeKind.COMMUNE: "commune",
    NodeKind.CIRCONSCRIPTION: "circonscription",
}
# Measure M4 equips the elementary classes only (the « socle numérique de base »).
STAGES_OF_MEASURE = {"M4": (Stage.ELEMENTARY,)}
CSV_COLUMNS = ("uai", "classe")
PER_SCHOOL_TARGETS = (KitTarget.SCHOOL, KitTarget.HEAD)
# The steps an allocation may leave for each service.
DELIVERABLE = (AllocationStatus.PLANNED, AllocationStatus.ORDERED)
INSTALLABLE = (AllocationStatus.DELIVERED,)
CANCELLABLE = (AllocationStatus.PLANNED, AllocationStatus.ORDERED)


def school_q_for_node(node: TerritoryNode, prefix: str = "") -> Q:
    """The schools under ``node`` (every school for the country)."""
    if node.kind == NodeKind.COUNTRY:
        return Q()
    return Q(**{f"{prefix}{SCHOOL_NODE_FIELD[node.kind]}": node})


def allowed_stages(measure: Measure, stages: Iterable[str] | None) -> tuple[str, ...]:
    """The stages a bulk allocation of ``measure`` covers: those chosen (all when none),
    narrowed to the measure's own (elementary only for M4)."""
    chosen = tuple(stages or ()) or tuple(Stage.values)
    own = STAGES_OF_MEASURE.get(measure.code)
    return tuple(s for s in chosen if own is None or s in own)


# --- Campaigns -----------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    *,
    name: str,
    measure: Measure,
    kit: KitTemplate,
    node: TerritoryNode,
    note: str = "",
    actor,
    source: str = AuditSource.UI,
) -> Campaign:
    """A new campaign on ``node``, which ``actor`` must cover with ``equipment.allocate``."""
    if actor is not None and not can_allocate_at(actor, node):
        raise PermissionDenied(f"Vous n'affectez pas d'équipement sur le territoire {node}.")
    if kit.measure_id != measure.pk:
        raise ValidationError(
            {"kit": f"Le kit « {kit} » relève de la mesure {kit.measure.code}, pas {measure.code}."}
        )
    campaign = Campaign(
        name=name.strip(), measure=measure, kit=kit, node=node, note=note, created_by=actor
    )
    campaign.full_clean()
    return create_audited(campaign, actor=actor, source=source)


# --- Bulk allocation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What to allocate: the classes (or schools, for a school kit) of a node with stage
    filters, of chosen schools, or the classes a CSV file names (``class_ids``)."""

    node: TerritoryNode | None = None
    school_ids: tuple[int, ...] = ()
    class_ids: tuple[int, ...] = ()
    stages: tuple[str, ...] = ()

    @property
    def by_file(self) -> bool:
        return bool(self.class_ids)


@dataclass
class Skipped:
    school_id: int
    uai: str
    school_name: str
    class_name: str

    def __str__(self):
        where = f"{self.uai} {self.school_name}"
        return f"{where} — {self.class_name}" if self.class_name else where


@dataclass
class AllocationPlan:
    """What a bulk allocation does (the preview) or did: the allocations to create (school,
    class) and those skipped because the class (or school) already has the kit."""

    campaign: Campaign
    to_create: list[tuple[int, int | None]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Schools chosen that are outside the campaign's node or the actor's scope (left out).
    outside: int = 0
    created: int = 0

    @property
    def per_school(self) -> bool:
        return self.campaign.kit.target in PER_SCHOOL_TARGETS

    @property
    def school_count(self) -> int:
        return len({school_id for school_id, _ in self.to_create})

    @property
    def total(self) -> int:
        return len(self.to_create) + len(self.skipped)


def _check_selection(campaign: Campaign, selection: Selection, actor) -> None:
    if actor is not None and not can_allocate(actor):
        raise PermissionDenied("Vous n'affectez pas d'équipement.")
    if campaign.kit.target == KitTarget.TEACHER:
        raise ValidationError(
            "Un kit d'enseignant s'affecte à une personne, depuis la page des nouveaux "
            "enseignants, pas en masse à des classes."
        )
    if selection.node is not None:
        if not selection.node.path.startswith(campaign.node.path):
            raise ValidationError(
                {
                    "node": f"{selection.node} n'est pas dans le territoire de la campagne "
                    f"({campaign.node})."
                }
            )
        if actor is not None and not can_allocate_at(actor, selection.node):
            raise PermissionDenied(f"Vous n'affectez pas d'équipement sur {selection.node}.")
    elif not selection.school_ids and not selection.class_ids:
        raise ValidationError("Choisissez un territoire, des écoles ou un fichier.")


def _schools(campaign: Campaign, actor) -> QuerySet[School]:
    """The schools this campaign may allocate to: under its node and in the actor's scope."""
    schools = School.objects.filter(school_q_for_node(campaign.node))
    if actor is not None:
        schools = schools.filter(scope_of(actor, ALLOCATE).school_q())
    return schools


def _classes(campaign: Campaign, selection: Selection, actor) -> QuerySet[SchoolClass]:
    schools = _schools(campaign, actor)
    if selection.node is not None:
        schools = schools.filter(school_q_for_node(selection.node))
    if selection.school_ids:
        schools = schools.filter(pk__in=selection.school_ids)
    classes = SchoolClass.objects.filter(school__in=schools.values("pk"))
    if selection.class_ids:
        return classes.filter(pk__in=selection.class_ids)
    return classes.filter(
        year=SchoolYear.objects.current_pk(),
        stage__in=allowed_stages(campaign.measure, selection.stages),
    )


def plan_allocations(*, campaign: Campaign, selection: Selection, actor) -> AllocationPlan:
    """The preview of a bulk allocation (nothing written): two queries, the targets with
    whether they already have the kit."""
    _check_selection(campaign, selection, actor)
    plan = AllocationPlan(campaign=campaign)
    classes = _classes(campaign, selection, actor)
    if selection.school_ids:
        inside = _schools(campaign, actor).filter(pk__in=selection.school_ids).count()
        plan.outside = len(set(selection.school_ids)) - inside
    live = Allocation.objects.live().filter(kit_id=campaign.kit_id)
    if plan.per_school:
        # A school kit goes to the schools that have a class of the selection (the filter's
        # stages) or, by school, to the schools chosen.
        if selection.school_ids and selection.node is None:
            schools = _schools(campaign, actor).filter(pk__in=selection.school_ids)
        else:
            schools = _schools(campaign, actor).filter(pk__in=classes.values("school_id"))
        equipped = set(
            live.filter(school__in=schools, school_class__isnull=True).values_list(
                "school_id", flat=True
            )
        )
        for pk, uai, name in schools.order_by("uai").values_list("pk", "uai", "name"):
            if pk in equipped:
                plan.skipped.append(Skipped(pk, uai, name, ""))
            else:
                plan.to_create.append((pk, None))
        return plan
    equipped = set(live.filter(school_class__in=classes).values_list("school_class_id", flat=True))
    rows = classes.order_by("school__uai", "name", "pk").values_list(
        "pk", "school_id", "school__uai", "school__name", "name"
    )
    for pk, school_id, uai, school_name, class_name in rows:
        if pk in equipped:
            plan.skipped.append(Skipped(school_id, uai, school_name, class_name))
        else:
            plan.to_create.append((school_id, pk))
    return plan


@transaction.atomic
def allocate(
    *, campaign: Campaign, selection: Selection, actor, source: str = AuditSource.UI
) -> AllocationPlan:
    """Allocates the campaign's kit to the selection: one bulk insert, the tallies of the
    schools recounted, one audit event. The classes that already have the kit are skipped and
    listed in the plan returned (``skipped``)."""
    # A campaign of the country is allocated by each département in its own schools: the
    # schools allocated are those of the campaign's node in the actor's scope (``_schools``).
    Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
    plan = plan_allocations(campaign=campaign, selection=selection, actor=actor)
    rows = [
        Allocation(
            campaign=campaign,
            kit_id=campaign.kit_id,
            measure_id=campaign.measure_id,
            school_id=school_id,
            school_class_id=class_id,
            status=AllocationStatus.PLANNED,
        )
        for school_id, class_id in plan.to_create
    ]
    try:
        with transaction.atomic():
            Allocation.objects.bulk_create(rows, batch_size=5000)
    except IntegrityError as exc:
        raise ValidationError(
            "Une autre affectation de ce kit vient d'être enregistrée pour une de ces classes : "
            "recommencez l'aperçu."
        ) from exc
    plan.created = len(rows)
    recount_schools({school_id for school_id, _ in plan.to_create})
    record(
        campaign,
        AuditAction.UPDATE,
        actor=actor,
        source=source,
        place=campaign.node,
        changes={
            "affectations créées": plan.created,
            "déjà équipées (ignorées)": len(plan.skipped),
            "écoles": plan.school_count,
        },
    )
    return plan


def read_allocation_csv(
    path: str | Path, *, campaign: Campaign, actor, label: str | None = None
) -> Selection:
    """The classes a CSV file names (header ``uai;classe``; ``,`` or ``;``; with or without
    BOM): each a class of the current school year of a school the campaign may allocate to.
    All or nothing: any error (with its line and column) raises :class:`ImportFileError`."""
    table = CsvTable(path, label=label)
    table.require(CSV_COLUMNS)
    errors = ErrorCollector(table.label)
    wanted: list[tuple[int, str, str]] = []
    for line, row in table.rows(on_error=errors.add):
        uai, name = row["uai"].strip().upper(), row["classe"].strip()
        if not uai:
            errors.add(line, "uai", "UAI manquant.")
            continue
        if not name:
            errors.add(line, "classe", "nom de classe manquant.")
            continue
        wanted.append((line, uai, name))
    if not wanted and not errors.errors:
        errors.add(None, None, "le fichier ne nomme aucune classe.")
    uais = {uai for _, uai, _ in wanted}
    known = dict(School.objects.filter(uai__in=uais).values_list("uai", "pk"))
    allowed = set(_schools(campaign, actor).filter(uai__in=uais).values_list("uai", flat=True))
    classes = {
        (uai, name.casefold()): pk
        for pk, uai, name in SchoolClass.objects.filter(
            school__uai__in=allowed, year=SchoolYear.objects.current_pk()
        ).values_list("pk", "school__uai", "name")
    }
    stages = dict(SchoolClass.objects.filter(pk__in=classes.values()).values_list("pk", "stage"))
    own = STAGES_OF_MEASURE.get(campaign.measure.code)
    seen: dict[int, int] = {}
    for line, uai, name in wanted:
        if uai not in known:
            errors.add(line, "uai", f"aucune école ne porte l'UAI {uai}.")
        elif uai not in allowed:
            errors.add(
                line,
                "uai",
                f"l'école {uai} n'est pas dans le territoire de la campagne ni dans le vôtre.",
            )
        elif (pk := classes.get((uai, name.casefold()))) is None:
            errors.add(line, "classe", f"l'école {uai} n'a pas de classe « {name} » cette année.")
        elif own is not None and stages[pk] not in own:
            errors.add(
                line,
                "classe",
                f"la classe « {name} » n'est pas élémentaire (la mesure "
                f"{campaign.measure.code} n'équipe que les classes élémentaires).",
            )
        elif pk in seen:
            errors.add(line, "classe", f"classe déjà nommée ligne {seen[pk]}.")
        else:
            seen[pk] = line
    errors.raise_if_any()
    return Selection(class_ids=tuple(seen))


# --- Steps ---------------------------------------------------------------------------------


@dataclass
class StepResult:
    done: int
    skipped: int


def _selected(allocation_ids: Iterable[int], actor, permission) -> QuerySet[Allocation]:
    ids = sorted(set(allocation_ids))
    if not ids:
        raise ValidationError("Sélectionnez au moins une affectation.")
    rows = Allocation.objects.filter(pk__in=ids)
    if actor is not None:
        rows = rows.visible_to(actor, permission)
    found = list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
    if len(found) != len(ids):
        raise PermissionDenied("Une affectation choisie n'est pas dans votre périmètre.")
    return Allocation.objects.filter(pk__in=ids)


def _check_day(day: datetime.date, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({label: "La date ne peut pas être dans le futur."})


def _audit_step(rows: QuerySet[Allocation], what: str, done: int, skipped: int, actor, source):
    campaigns = Campaign.objects.filter(pk__in=rows.values("campaign_id")).select_related("node")
    for campaign in campaigns:
        record(
            campaign,
            AuditAction.UPDATE,
            actor=actor,
            source=source,
            place=campaign.node,
            changes={what: done, "ignorées (étape)": skipped},
        )


def _step(
    *,
    allocation_ids,
    actor,
    permission,
    source_steps,
    values: dict,
    what: str,
    source: str,
    earlier: str | None = None,
) -> StepResult:
    rows = _selected(allocation_ids, actor, permission)
    total = rows.count()
    eligible = rows.filter(status__in=source_steps)
    day = next((v for k, v in values.items() if k.endswith("_on")), None)
    if earlier and day is not None and eligible.filter(**{f"{earlier}__gt": day}).exists():
        raise ValidationError(
            "La date est antérieure à l'étape précédente d'une des affectations choisies."
        )
    schools = set(eligible.values_list("school_id", flat=True))
    done = eligible.update(**values, updated_at=timezone.now())
    recount_schools(schools)
    _audit_step(rows, what, done, total - done, actor, source)
    return StepResult(done=done, skipped=total - done)


@transaction.atomic
def mark_delivered(
    *, allocation_ids: Iterable[int], on: datetime.date, actor, source: str = AuditSource.UI
) -> StepResult:
    """Planned or ordered allocations → delivered on ``on`` (a kit delivered outside an order
    of TNE too); the others of the selection are counted as skipped."""
    _check_day(on, "on")
    return _step(
        allocation_ids=allocation_ids,
        actor=actor,
        permission=MANAGE_ASSETS,
        source_steps=DELIVERABLE,
        values={"status": AllocationStatus.DELIVERED, "delivered_on": on},
        what="livrées",
        source=source,
        earlier="ordered_on",
    )


@transaction.atomic
def mark_installed(
    *, allocation_ids: Iterable[int], on: datetime.date, actor, source: str = AuditSource.UI
) -> StepResult:
    """Delivered allocations → installed on ``on``; their devices go from allocated to
    installed (with their history). The school head's sign-off comes next."""
    _check_day(on, "on")
    rows = _selected(allocation_ids, actor, MANAGE_ASSETS)
    assets = list(
        Asset.objects.filter(
            allocation__in=rows.filter(status__in=INSTALLABLE), state=AssetState.ALLOCATED
        )
    )
    result = _step(
        allocation_ids=allocation_ids,
        actor=actor,
        permission=MANAGE_ASSETS,
        source_steps=INSTALLABLE,
        values={"status": AllocationStatus.INSTALLED, "installed_on": on},
        what="installées",
        source=source,
        earlier="delivered_on",
    )
    if assets:
        before = {a.pk: a.state for a in assets}
        now = timezone.now()
        for asset in assets:
            asset.state, asset.updated_at = AssetState.INSTALLED, now
        Asset.objects.bulk_update(assets, ["state", "updated_at"], batch_size=2000)
        log_events(
            assets, AssetEventKind.STATE, actor=actor, note="Installation", from_states=before
        )
    return result


@transaction.atomic
def cancel(*, allocation_ids: Iterable[int], actor, source: str = AuditSource.UI) -> StepResult:
    """Planned or ordered allocations → cancelled (the class may get the kit again later);
    delivered or later ones are counted as skipped (their devices are there)."""
    return _step(
        allocation_ids=allocation_ids,
        actor=actor,
        permission=ALLOCATE,
        source_steps=CANCELLABLE,
        values={"status": AllocationStatus.CANCELLED},
        what="annulées",
        source=source,
    )


# --- Deliveries ----------------------------------------------------------------------------


@transaction.atomic
def assign_deliveries(*, order_ids: Iterable[int], actor) -> int:
    """For the ordered allocations of ``order_ids``: attach delivered devices in stock of the
    orders' lines, ``quantity`` devices per kit line (one for most lines) by category, set
    them allocated at the allocation's school and class (with their history), and move each
    allocation whose kit is complete to delivered (on the latest delivery date of its devices).
    Returns the number of allocations delivered. Called by the delivery import."""
    order_ids = sorted(set(order_ids))
    allocations = list(
        Allocation.objects.select_for_update()
        .filter(order_id__in=order_ids, status=AllocationStatus.ORDERED)
        .order_by("order_id", "school_id", "school_class_id", "pk")
    )
    if not allocations:
        return 0
    needs: dict[int, dict[int, int]] = defaultdict(dict)
    kits = {a.kit_id for a in allocations}
    for kit_id, category_id, quantity in KitItem.objects.filter(kit_id__in=kits).values_list(
        "kit_id", "category_id", "quantity"
    ):
        needs[kit_id][category_id] = quantity
    held: dict[tuple[int, int], int] = defaultdict(int)
    for allocation_id, category_id in Asset.objects.filter(
        allocation__in=[a.pk for a in allocations]
    ).values_list("allocation_id", "model__category_id"):
        held[allocation_id, category_id] += 1
    pools: dict[tuple[int, int], list[Asset]] = defaultdict(list)
    stock = (
        Asset.objects.select_for_update()
        .filter(
            order_line__order_id__in=order_ids,
            state=AssetState.IN_STOCK,
            allocation__isnull=True,
        )
        .select_related("model", "order_line")
        .order_by("delivered_on", "asset_tag")
    )
    for asset in stock:
        pools[asset.order_line.order_id, asset.model.category_id].append(asset)
    moved: list[Asset] = []
    delivered: list[Allocation] = []
    for allocation in allocations:
        kit_needs = needs.get(allocation.kit_id, {})
        taken = []
        complete = True
        for category_id, quantity in kit_needs.items():
            missing = quantity - held[allocation.pk, category_id]
            pool = pools[allocation.order_id, category_id]
            while missing > 0 and pool:
                taken.append(pool.pop(0))
                missing -= 1
            complete = complete and missing <= 0
        for asset in taken:
            asset.state = AssetState.ALLOCATED
            asset.allocation = allocation
            asset.school_id = allocation.school_id
            asset.school_class_id = allocation.school_class_id
            asset.stock_node = None
            asset.updated_at = timezone.now()
            held[allocation.pk, asset.model.category_id] += 1
        moved.extend(taken)
        if complete and kit_needs:
            allocation.status = AllocationStatus.DELIVERED
            days = [a.delivered_on for a in taken if a.delivered_on]
            allocation.delivered_on = max(days) if days else timezone.localdate()
            allocation.updated_at = timezone.now()
            delivered.append(allocation)
    if moved:
        Asset.objects.bulk_update(
            moved,
            ["state", "allocation", "school", "school_class", "stock_node", "updated_at"],
            batch_size=2000,
        )
        log_events(
            moved,
            AssetEventKind.MOVED,
            actor=actor,
            note="Livraison affectée",
            from_states={a.pk: AssetState.IN_STOCK for a in moved},
        )
    if delivered:
        Allocation.objects.bulk_update(
            delivered, ["status", "delivered_on", "updated_at"], batch_size=2000
        )
        recount_schools({a.school_id for a in delivered})
    for campaign in Campaign.objects.filter(
        pk__in={a.campaign_id for a in delivered}
    ).select_related("node"):
        record(
            campaign,
            AuditAction.UPDATE,
            actor=actor,
            source=AuditSource.IMPORT,
            place=campaign.node,
            changes={"livrées": sum(1 for a in delivered if a.campaign_id == campaign.pk)},
        )
    return len(delivered)


__all__ = [
    "AllocationPlan",
    "ImportFileError",
    "Selection",
    "StepResult",
    "allocate",
    "assign_deliveries",
    "cancel",
    "create_campaign",
    "mark_delivered",
    "mark_installed",
    "plan_allocations",
    "read_allocation_csv",
]
