"""Reads of the allocation runs: the schools and the lendable stock of a node, the weights that
apply to each school, the candidates of a run with their priority, what a run decided (per
school, per pupil, and why), the « what if » of another stock or budget (computed, never
saved), the waiting lists of the applied runs and the devices back in stock that wait for the
next pupil.

Every function here reads; the writes are in ``services/runs.py`` and ``services/offers.py``."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from tne.core.formats import NBSP, euros, fr_number, plural
from tne.core.scope import scope_of
from tne.equipment.enums import AssetState
from tne.equipment.models import Asset, Category
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from .. import engine
from ..enums import LoanStatus, RunStatus, UnservedReason
from ..models import AllocationRun, Loan, Pupil, RunDecision, SchoolQuota
from ..perms import ALLOCATE, VIEW
from ..priority import Line, Weights, as_text, breakdown, score
from . import rules

# The kinds of device lent to families (equipment ``Category`` codes), the first by default.
LENDABLE_CATEGORIES = ("tablet", "laptop", "router-4g")
DEFAULT_CATEGORY = "tablet"
# The School column that holds each kind of node (a school belongs to one of each).
SCHOOL_NODE_FIELD = {
    NodeKind.REGION: "region",
    NodeKind.ACADEMIE: "academie",
    NodeKind.DEPARTEMENT: "departement",
    NodeKind.COMMUNE: "commune",
    NodeKind.CIRCONSCRIPTION: "circonscription",
}
# A « what if » of a run of up to this many candidates is computed in the request (a
# département has about 20,000: 0.2 to 0.5 s); above, it is a job.
WHAT_IF_INLINE_MAX = 50_000
# The schools that gain the most, shown by a « what if » (the others are counted).
WHAT_IF_SCHOOLS_SHOWN = 100
# Pending offers: a pupil offered a device not yet handed out (no device attached yet).
PENDING_STATUSES = (LoanStatus.OFFERED, LoanStatus.ACCEPTED)


# --- Nodes, schools, stock ----------------------------------------------------------------------


def node_schools_q(node: TerritoryNode, prefix: str = "") -> Q:
    """The schools under ``node`` (every school for the country)."""
    if node.kind == NodeKind.COUNTRY:
        return Q()
    return Q(**{f"{prefix}{SCHOOL_NODE_FIELD[node.kind]}": node})


def allocation_nodes(user) -> QuerySet[TerritoryNode]:
    """The nodes ``user`` runs allocations on (``loans.allocate``), down to the départements for
    national steering (the communes of France are too many for a list)."""
    scope = scope_of(user, ALLOCATE)
    nodes = TerritoryNode.objects.filter(scope.node_q()).exclude(kind=NodeKind.COMMUNE)
    if scope.everything:
        nodes = nodes.filter(depth__lte=3)
    return nodes.order_by("path")


def departements_of(node: TerritoryNode) -> QuerySet[TerritoryNode]:
    """The départements a run on ``node`` may cap: the node's own (a commune's or a
    circonscription's is its parent), or those under it."""
    if node.kind == NodeKind.DEPARTEMENT:
        return TerritoryNode.objects.filter(pk=node.pk)
    if node.kind in (NodeKind.COMMUNE, NodeKind.CIRCONSCRIPTION):
        return TerritoryNode.objects.filter(pk=node.parent_id, kind=NodeKind.DEPARTEMENT)
    return TerritoryNode.objects.filter(
        kind=NodeKind.DEPARTEMENT, path__startswith=node.path
    ).order_by("code")


def lendable_categories() -> QuerySet[Category]:
    return Category.objects.filter(code__in=LENDABLE_CATEGORIES).select_related("reference_model")


def reference_price(category: Category) -> Decimal | None:
    """The price of the category's reference model, the default unit cost of a run."""
    model = category.reference_model
    return model.unit_price if model is not None else None


def _stock_q(node: TerritoryNode) -> Q:
    """Devices at the node's schools, or in stock on the node or a node under it."""
    if node.kind == NodeKind.COUNTRY:
        return Q()
    return Q(school__in=School.objects.filter(node_schools_q(node)).values("pk")) | Q(
        school__isnull=True, stock_node__path__startswith=node.path
    )


def stock_counts(node: TerritoryNode) -> dict[int, int]:
    """Category id → the devices of that lendable category in stock under ``node`` (one
    query): the default stock of a run."""
    rows = (
        Asset.objects.filter(
            _stock_q(node),
            state=AssetState.IN_STOCK,
            model__category__code__in=LENDABLE_CATEGORIES,
        )
        .values("model__category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["model__category_id"]: row["n"] for row in rows}


def stock_count(node: TerritoryNode, category: Category) -> int:
    return stock_counts(node).get(category.pk, 0)


# --- Weights ------------------------------------------------------------------------------------

DEFAULT_WEIGHTS_KEY = "defaut"


@dataclass(frozen=True)
class AppliedWeights:
    """The weights a school's priorities use: ``key`` names them in a run's snapshot (the
    node's id, or ``defaut``), ``source`` says where they come from."""

    key: str
    source: str
    weights: Weights


def weights_for_schools(schools: QuerySet[School]) -> dict[int, AppliedWeights]:
    """School id → the weights its priorities use, as the rules' pages say
    (:func:`tne.loans.selectors.rules.applied_weights_for_schools`), with the key and the
    label a run's snapshot keeps. Two queries whatever the number of schools."""
    default = AppliedWeights(DEFAULT_WEIGHTS_KEY, "valeurs par défaut du programme", Weights())
    labelled = {}
    result = {}
    for pk, applied in rules.applied_weights_for_schools(schools).items():
        node = applied.node
        if node is None:
            result[pk] = default
            continue
        if node.pk not in labelled:
            labelled[node.pk] = AppliedWeights(str(node.pk), str(node), applied.weights)
        result[pk] = labelled[node.pk]
    return result


# --- Candidates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolInfo:
    departement: str
    minimum: int = 0
    maximum: int | None = None


@dataclass
class Pool:
    """The candidates of a run on a node for a kind of device, and what it used: their priority
    and its breakdown (``[[label, points], …]``), each school's département and quotas, and the
    snapshots of the weights and quotas kept on the run."""

    pupils: list[int] = field(default_factory=list)
    schools_of: list[int] = field(default_factory=list)
    priorities: list[int] = field(default_factory=list)
    breakdowns: list[list] = field(default_factory=list)
    schools: dict[int, SchoolInfo] = field(default_factory=dict)
    weights_snapshot: dict = field(default_factory=dict)
    quotas_snapshot: dict = field(default_factory=dict)
    # A done run's pupils served (``run_pool``).
    served: set = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.pupils)


def candidates_of(node: TerritoryNode, category: Category) -> QuerySet[Pupil]:
    """The pupils of the node's schools with a need declaration and no open loan of
    ``category``."""
    open_loan = Loan.objects.open().filter(pupil=OuterRef("pk"), category=category)
    return Pupil.objects.filter(node_schools_q(node, "school__"), need__isnull=False).exclude(
        Exists(open_loan)
    )


def candidate_pool(node: TerritoryNode, category: Category) -> Pool:
    """Every candidate of a run with their priority (``priority.score`` of the breakdown under
    their school's weights), in four queries whatever their number."""
    schools = School.objects.filter(node_schools_q(node))
    weights = weights_for_schools(schools)
    school_rows = {
        pk: (network, ips, dept)
        for pk, network, ips, dept in schools.values_list(
            "pk", "education_network", "ips", "departement__code"
        )
    }
    quotas = {
        school_id: (minimum, maximum)
        for school_id, minimum, maximum in SchoolQuota.objects.filter(
            node_schools_q(node, "school__")
        ).values_list("school_id", "minimum", "maximum")
    }
    pool = Pool()
    cache: dict[tuple, tuple[int, list]] = {}
    used_weights: dict[str, AppliedWeights] = {}
    school_weights: dict[str, str] = {}
    rows = (
        candidates_of(node, category)
        .values_list(
            "pk",
            "school_id",
            "need__devices_at_home",
            "need__shared_with",
            "need__internet_at_home",
        )
        .order_by("pk")
    )
    for pupil_id, school_id, devices, shared_with, internet in rows.iterator(chunk_size=5000):
        applied = weights[school_id]
        network, ips, dept = school_rows[school_id]
        key = (applied.key, devices, shared_with, internet, network, ips)
        computed = cache.get(key)
        if computed is None:
            lines = breakdown(
                applied.weights,
                devices_at_home=devices,
                shared_with=shared_with,
                internet_at_home=internet,
                education_network=network,
                ips=ips,
            )
            computed = cache[key] = (score(lines), [[line.label, line.points] for line in lines])
        pool.pupils.append(pupil_id)
        pool.schools_of.append(school_id)
        pool.priorities.append(computed[0])
        pool.breakdowns.append(computed[1])
        if school_id not in pool.schools:
            minimum, maximum = quotas.get(school_id, (0, None))
            pool.schools[school_id] = SchoolInfo(dept, minimum, maximum)
            used_weights[applied.key] = applied
            school_weights[str(school_id)] = applied.key
    pool.weights_snapshot = {
        "sets": {
            key: {"source": applied.source, **applied.weights.as_json()}
            for key, applied in sorted(used_weights.items())
        },
        "schools": school_weights,
    }
    pool.quotas_snapshot = {
        str(school_id): {"min": minimum, "max": maximum}
        for school_id, (minimum, maximum) in sorted(quotas.items())
    }
    return pool


def instance_of(pool: Pool, *, stock, budget_cents, unit_cost_cents, caps) -> engine.Instance:
    return engine.Instance(
        candidates=[
            engine.Candidate(id=pupil, school=school, priority=priority)
            for pupil, school, priority in zip(
                pool.pupils, pool.schools_of, pool.priorities, strict=True
            )
        ],
        schools=[
            engine.School(id=pk, departement=info.departement, min=info.minimum, max=info.maximum)
            for pk, info in pool.schools.items()
        ],
        departement_caps=dict(caps),
        stock=stock,
        budget_cents=budget_cents,
        unit_cost_cents=unit_cost_cents,
    )


def cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


# --- A run: its figures, its schools, its decisions ----------------------------------------------


def runs_for(user) -> QuerySet[AllocationRun]:
    return AllocationRun.objects.visible_to(user).select_related("node", "category", "created_by")


def run_for(user, run_id: int) -> AllocationRun:
    """The run ``run_id`` if its node is in the user's authority (``loans.allocate``), else 404."""
    return get_object_or_404(runs_for(user).select_related("job", "applied_by"), pk=run_id)


def quota_of(run: AllocationRun, school_id: int) -> tuple[int, int | None]:
    quota = run.quotas.get(str(school_id)) or {}
    return quota.get("min", 0), quota.get("max")


def school_rows(run: AllocationRun, user) -> QuerySet:
    """A row per school of the run: its candidates and its pupils served (one grouped query,
    ordered by name)."""
    return (
        decisions_of(run, user)
        .values("school_id", "school__name", "school__uai", "school__commune__name")
        .annotate(n_candidates=Count("pk"), n_served=Count("pk", filter=Q(served=True)))
        .order_by("school__search_name", "school_id")
    )


def decisions_of(run: AllocationRun, user) -> QuerySet[RunDecision]:
    """The decisions of ``run`` about the pupils of the schools the user reads (``loans.view``)."""
    return RunDecision.objects.visible_to(user).filter(run=run)


def filtered_decisions(
    run: AllocationRun, user, *, uai: str = "", served=None, reason: str = ""
) -> QuerySet[RunDecision]:
    rows = decisions_of(run, user)
    if uai:
        rows = rows.filter(school__uai=uai)
    if served is not None:
        rows = rows.filter(served=served)
    if reason:
        rows = rows.filter(served=False, reason=reason)
    return rows.select_related("pupil", "school").order_by("rank")


def decision_for(user, decision_id: int) -> RunDecision:
    """A decision about a pupil of a school the user reads (``loans.view``), else 404."""
    return get_object_or_404(
        RunDecision.objects.visible_to(user).select_related(
            "run__node", "run__category", "pupil__school_class", "school__departement"
        ),
        pk=decision_id,
    )


def capacity_text(run: AllocationRun) -> str:
    """« 1 200 appareils (le stock) », « 4 000 appareils (budget de 1 200 000 € à 300 €) »."""
    parts = []
    if run.stock is not None:
        parts.append(f"stock de {fr_number(run.stock)}")
    if run.budget is not None and run.unit_cost:
        parts.append(f"budget de {euros(run.budget)} à {euros(run.unit_cost)} l'appareil")
    text = plural(run.capacity, "appareil")
    return f"{text} ({', '.join(parts)})" if parts else text


@dataclass(frozen=True)
class Explanation:
    priority: str
    verdict: str


def explain(decision: RunDecision) -> Explanation:
    """Why the run served the pupil or not, in plain French (two or three queries):
    « Priorité 75 (Aucun équipement à la maison : +40 · …). » and « Non servi : le maximum de
    l'école (12) était atteint ; le dernier élève servi de cette école avait une priorité de
    80. »"""
    lines = " · ".join(f"{label}{NBSP}: +{points}" for label, points in decision.breakdown)
    priority = f"Priorité {fr_number(decision.priority)}"
    priority += f" ({lines})." if lines else " (aucun critère de priorité)."
    run = decision.run
    rank = f"rang {fr_number(decision.rank)} sur {fr_number(run.candidates)}"
    if decision.served:
        return Explanation(priority, f"Servi{NBSP}: {rank} dans l'ordre des priorités.")
    served = RunDecision.objects.filter(run=run, served=True)
    if decision.reason == UnservedReason.SCHOOL_MAX:
        _minimum, maximum = quota_of(run, decision.school_id)
        group = served.filter(school_id=decision.school_id)
        bound = f"le maximum de l'école ({fr_number(maximum)}) était atteint"
        whose = "de cette école "
    elif decision.reason == UnservedReason.DEPARTEMENT_CAP:
        code = decision.school.departement.code
        cap = run.departement_caps.get(code)
        group = served.filter(school__departement_id=decision.school.departement_id)
        bound = f"le plafond du département {code} ({fr_number(cap)}) était atteint"
        whose = "de ce département "
    else:
        group = served
        if decision.reason == UnservedReason.BUDGET:
            bound = (
                f"le budget ({euros(run.budget)} à {euros(run.unit_cost)} l'appareil, soit "
                f"{plural(run.capacity, 'appareil')}) était atteint"
            )
        else:
            bound = f"le stock ({plural(run.capacity, 'appareil')}) était épuisé"
        whose = ""
    before = group.filter(rank__lt=decision.rank).order_by("-rank").values("priority").first()
    after = group.filter(rank__gt=decision.rank).count()
    verdict = f"Non servi{NBSP}: {bound}"
    if before is not None:
        verdict += (
            f"\u202f; le dernier élève servi {whose}avant lui dans l'ordre des priorités avait "
            f"une priorité de {fr_number(before['priority'])}"
        )
    else:
        verdict += "\u202f; aucun élève n'a été servi avant lui"
    if after:
        verdict += (
            f"\u202f; {plural(after, 'élève')} de priorité moindre "
            f"{'ont été servis' if after > 1 else 'a été servi'} pour respecter le minimum de "
            "leur école"
        )
    verdict += f" ({rank})."
    return Explanation(priority, verdict)


# --- What if ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolGain:
    school_id: int
    uai: str
    name: str
    before: int
    after: int

    @property
    def gain(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class WhatIf:
    """Another stock or budget on the same inputs as a run (its candidates and priorities, its
    quotas and caps), against what the run served. Nothing is saved."""

    stock: int | None
    budget: Decimal | None
    capacity: int | None
    served: int
    total_priority: int
    run_served: int
    run_priority: int
    extra_cost: Decimal | None
    schools: list[SchoolGain]
    schools_gaining: int = 0
    error: str = ""

    @property
    def extra_pupils(self) -> int:
        return self.served - self.run_served

    @property
    def extra_priority(self) -> int:
        return self.total_priority - self.run_priority

    def summary(self) -> str:
        """« 120 élèves de plus servis pour 36 000 € de plus »."""
        if self.error:
            return self.error
        pupils = self.extra_pupils
        if pupils >= 0:
            text = f"{plural(pupils, 'élève')} de plus servi{'s' if pupils > 1 else ''}"
        else:
            text = f"{plural(-pupils, 'élève')} de moins servi{'s' if pupils < -1 else ''}"
        if self.extra_cost is not None:
            if self.extra_cost >= 0:
                text += f" pour {euros(self.extra_cost)} de plus"
            else:
                text += f" pour {euros(-self.extra_cost)} de moins"
        return text


def run_pool(run: AllocationRun) -> Pool:
    """The candidates of a done run as it ranked them (its decisions: one query), with the
    quotas of its snapshot: the same inputs again, whatever changed in the base since."""
    pool = Pool()
    rows = RunDecision.objects.filter(run=run).values_list(
        "pupil_id", "school_id", "priority", "school__departement__code", "served"
    )
    for pupil_id, school_id, priority, dept, was_served in rows.iterator(chunk_size=5000):
        pool.pupils.append(pupil_id)
        pool.schools_of.append(school_id)
        pool.priorities.append(priority)
        if was_served:
            pool.served.add(pupil_id)
        if school_id not in pool.schools:
            minimum, maximum = quota_of(run, school_id)
            pool.schools[school_id] = SchoolInfo(dept, minimum, maximum)
    return pool


def what_if(run: AllocationRun, *, stock: int | None = None, budget: Decimal | None = None):
    """The run again with another ``stock`` and/or ``budget`` (``None`` keeps the run's):
    how many pupils and how much priority more it serves, what it costs more, and the schools
    that gain. Reads only (the engine is pure)."""
    new_stock = run.stock if stock is None else stock
    new_budget = run.budget if budget is None else budget
    # A budget needs a unit cost: the run's, else (a run on its stock alone) the category's
    # reference price.
    price = run.unit_cost if run.unit_cost is not None else reference_price(run.category)
    base = dict(run_served=run.served, run_priority=run.total_priority)

    def refused(message: str) -> WhatIf:
        return WhatIf(
            stock=new_stock,
            budget=new_budget,
            capacity=None,
            served=0,
            total_priority=0,
            **base,
            extra_cost=None,
            schools=[],
            error=message,
        )

    if new_budget is not None and price is None:
        return refused(
            f"Cette attribution n'a pas de coût unitaire et la catégorie «{NBSP}"
            f"{run.category.name}{NBSP}» n'a pas de modèle de référence chiffré{NBSP}: "
            "simulez un autre stock."
        )
    pool = run_pool(run)
    instance = instance_of(
        pool,
        stock=run.stock,
        budget_cents=cents(run.budget),
        unit_cost_cents=cents(price) if new_budget is not None else None,
        caps=run.departement_caps,
    )
    try:
        result = engine.what_if(instance, stock=new_stock, budget_cents=cents(new_budget))
    except engine.Infeasible as error:
        return refused(str(error))
    before = defaultdict(int)
    after = defaultdict(int)
    school_of = dict(zip(pool.pupils, pool.schools_of, strict=True))
    for pupil in pool.served:
        before[school_of[pupil]] += 1
    for pupil in result.served:
        after[school_of[pupil]] += 1
    gains = sorted(
        ((after[pk] - before[pk], pk) for pk in after if after[pk] > before[pk]),
        key=lambda item: (-item[0], item[1]),
    )
    shown = [pk for _gain, pk in gains[:WHAT_IF_SCHOOLS_SHOWN]]
    names = {
        pk: (uai, name)
        for pk, uai, name in School.objects.filter(pk__in=shown).values_list("pk", "uai", "name")
    }
    schools = [
        SchoolGain(pk, names[pk][0], names[pk][1], before[pk], after[pk])
        for pk in shown
        if pk in names
    ]
    if budget is not None and run.budget is not None:
        extra_cost = new_budget - run.budget
    elif price is not None:
        extra_cost = (len(result.served) - run.served) * price
    else:
        extra_cost = None
    return WhatIf(
        stock=new_stock,
        budget=new_budget,
        capacity=result.capacity,
        served=len(result.served),
        total_priority=result.total_priority,
        **base,
        extra_cost=extra_cost,
        schools=schools,
        schools_gaining=len(gains),
    )


# --- Waiting lists and offers to the next pupil ---------------------------------------------


def _ancestor_paths(*paths: str | None) -> set[str]:
    """Every node path at or above these (``/FR/R32/A20/D02/C02408/`` → ``/FR/``, …)."""
    found = set()
    for path in paths:
        if not path:
            continue
        parts = path.strip("/").split("/")
        found.update("/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    return found


def latest_applied_runs(schools: Iterable[School]) -> dict[tuple[int, int], AllocationRun]:
    """(school id, category id) → the latest applied run covering that school for that kind
    of device (one query). The schools need their ``commune`` and ``circonscription``."""
    schools = list(schools)
    paths_of = {
        s.pk: _ancestor_paths(s.commune.path, s.circonscription.path if s.circonscription else "")
        for s in schools
    }
    every_path = set().union(*paths_of.values()) if paths_of else set()
    runs = list(
        AllocationRun.objects.filter(
            status=RunStatus.DONE, applied_at__isnull=False, node__path__in=every_path
        )
        .select_related("node", "category")
        .order_by("-applied_at", "-pk")
    )
    latest: dict[tuple[int, int], AllocationRun] = {}
    for school in schools:
        for run in runs:
            key = (school.pk, run.category_id)
            if key not in latest and run.node.path in paths_of[school.pk]:
                latest[key] = run
    return latest


def waiting_decisions(run_and_school: Iterable[tuple[AllocationRun, int]]) -> QuerySet:
    """The unserved decisions of these (run, school id) pairs, by rank, less the pupils who
    have an open loan of the run's kind of device by now."""
    schools_of_run: dict[int, set[int]] = defaultdict(set)
    for run, school_id in run_and_school:
        schools_of_run[run.pk].add(school_id)
    if not schools_of_run:
        return RunDecision.objects.none()
    which = Q()
    for run_id, school_ids in schools_of_run.items():  # one term per run (a few)
        which |= Q(run_id=run_id, school_id__in=sorted(school_ids))
    open_loan = Loan.objects.open().filter(
        pupil=OuterRef("pupil_id"), category=OuterRef("run__category_id")
    )
    return (
        RunDecision.objects.filter(which, served=False)
        .exclude(Exists(open_loan))
        .order_by("run_id", "rank")
    )


@dataclass
class WaitingList:
    category: Category
    run: AllocationRun
    decisions: list[RunDecision]
    available: int


def school_for(user, school_id: int, permission=VIEW) -> School:
    return get_object_or_404(
        School.objects.filter(scope_of(user, permission).school_q()).select_related(
            "commune", "circonscription"
        ),
        pk=school_id,
    )


def available_devices(school_ids) -> dict[tuple[int, int], int]:
    """(school id, category id) → the devices of a lendable kind in stock at the school less
    the offers of that kind not yet handed out there (two grouped queries): what can be offered
    to the next pupils. Negative when offers wait for devices. ``school_ids``: a list, or a
    subquery of ids."""
    stock = (
        Asset.objects.filter(
            school_id__in=school_ids,
            state=AssetState.IN_STOCK,
            model__category__code__in=LENDABLE_CATEGORIES,
        )
        .values_list("school_id", "model__category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    pending = (
        Loan.objects.filter(
            school_id__in=school_ids, status__in=PENDING_STATUSES, asset__isnull=True
        )
        .values_list("school_id", "category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    available: dict[tuple[int, int], int] = defaultdict(int)
    for school_id, category_id, n in stock:
        available[(school_id, category_id)] += n
    for school_id, category_id, n in pending:
        available[(school_id, category_id)] -= n
    return dict(available)


def waiting_lists(school: School) -> list[WaitingList]:
    """The waiting list of ``school`` for each kind of device that an applied run covers, in a
    fixed number of queries."""
    latest = latest_applied_runs([school])
    if not latest:
        return []
    runs = sorted(latest.values(), key=lambda r: (r.category.order, r.category.name))
    rows = list(
        waiting_decisions((run, school.pk) for run in runs).select_related("pupil__school_class")
    )
    available = available_devices([school.pk])
    by_run = defaultdict(list)
    for row in rows:
        by_run[row.run_id].append(row)
    return [
        WaitingList(
            category=run.category,
            run=run,
            decisions=by_run[run.pk],
            available=available.get((school.pk, run.category_id), 0),
        )
        for run in runs
    ]


@dataclass(frozen=True)
class Proposal:
    school: School
    category: Category
    available: int
    waiting: int
    run: AllocationRun


def proposals_for(user) -> list[Proposal]:
    """« Propositions à confirmer »: the schools of the user's authority (``loans.allocate``)
    with devices of a lendable kind in stock beyond the offers waiting for them, and pupils on
    the waiting list of that kind. A fixed number of queries whatever the data."""
    scope = scope_of(user, ALLOCATE)
    if scope.is_empty:
        return []
    in_stock = (
        Asset.objects.filter(
            scope.school_q("school__"),
            school__isnull=False,
            state=AssetState.IN_STOCK,
            model__category__code__in=LENDABLE_CATEGORIES,
        )
        .values_list("school_id", flat=True)
        .distinct()
    )
    available = {key: n for key, n in available_devices(in_stock).items() if n > 0}
    if not available:
        return []
    schools = {
        s.pk: s
        for s in School.objects.filter(pk__in={pk for pk, _ in available}).select_related(
            "commune", "circonscription"
        )
    }
    latest = {
        key: run for key, run in latest_applied_runs(schools.values()).items() if key in available
    }
    counts = defaultdict(int)
    for run_id, school_id in waiting_decisions(
        (run, school_id) for (school_id, _), run in latest.items()
    ).values_list("run_id", "school_id"):
        counts[(run_id, school_id)] += 1
    proposals = [
        Proposal(
            school=schools[school_id],
            category=run.category,
            available=available[(school_id, category_id)],
            waiting=counts[(run.pk, school_id)],
            run=run,
        )
        for (school_id, category_id), run in latest.items()
        if counts[(run.pk, school_id)]
    ]
    return sorted(proposals, key=lambda p: (p.school.search_name, p.school.pk, p.category.order))


def next_in_line(school: School, category: Category) -> tuple[AllocationRun | None, list]:
    """The latest applied run covering ``school`` for ``category`` and its waiting list there
    (unserved, by rank, less those with an open loan by now)."""
    run = latest_applied_runs([school]).get((school.pk, category.pk))
    if run is None:
        return None, []
    rows = list(waiting_decisions([(run, school.pk)]).select_related("pupil__school_class"))
    return run, rows


def priority_text(decision: RunDecision) -> str:
    """« Aucun équipement à la maison : +40 · École en REP+ : +20 »."""
    return as_text([Line(label, points) for label, points in decision.breakdown])
