"""Allocation runs: starting one (its inputs, checked, and its job) and computing it (in the job:
the candidates and their priorities, the engine, a decision per candidate written in bulk, the
snapshots of the weights and quotas it used).

A run is started by a coordinator (``loans.allocate`` covering its node) for a kind of device,
with a stock (by default the devices of that kind in stock under the node), and/or a budget and
a unit cost (by default the price of the category's reference model), and optional caps per
département. An infeasible run (minimums above the stock or a cap) ends « Échec » with the
engine's French message."""

import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tne.core.audit import AuditAction, AuditSource, create_audited, record
from tne.core.bulk import insert_rows
from tne.core.formats import NBSP, fr_number
from tne.core.jobs import start_job
from tne.core.progress import Progress
from tne.equipment.models import Category
from tne.territory.models import TerritoryNode

from .. import engine
from ..enums import RunStatus
from ..jobs import RUN_JOB_KIND
from ..models import AllocationRun, RunDecision
from ..perms import can_allocate_at
from ..selectors import runs as selectors

# Bounds of the inputs (the columns' and what a programme of 15,000 devices could need).
MAX_STOCK = 10_000_000
MAX_BUDGET = Decimal("9999999999.99")
MAX_UNIT_COST = Decimal("99999999.99")
# Decisions written per statement (and per step of the job's progress).
CHUNK = 5000


def _check_inputs(*, node, category, stock, budget, unit_cost, caps) -> dict:
    errors = {}
    if category.code not in selectors.LENDABLE_CATEGORIES:
        errors["category"] = f"Les familles ne se voient pas prêter de «{NBSP}{category}{NBSP}»."
    if stock is not None and not 0 <= stock <= MAX_STOCK:
        errors["stock"] = f"Le stock est un nombre d'appareils de 0 à {fr_number(MAX_STOCK)}."
    if budget is not None and not Decimal(0) <= budget <= MAX_BUDGET:
        errors["budget"] = "Le budget est un montant positif en euros."
    if unit_cost is not None and not Decimal("0.01") <= unit_cost <= MAX_UNIT_COST:
        errors["unit_cost"] = "Le coût unitaire est un montant en euros, d'au moins 0,01\u00a0€."
    if budget is not None and unit_cost is None and "unit_cost" not in errors:
        errors["unit_cost"] = (
            f"Indiquez le coût unitaire{NBSP}: la catégorie «{NBSP}{category}{NBSP}» n'a pas "
            "de modèle de référence chiffré."
        )
    if stock is None and budget is None:
        errors["stock"] = "Indiquez un stock, un budget, ou les deux."
    codes = set(selectors.departements_of(node).values_list("code", flat=True))
    clean_caps = {}
    for code, cap in (caps or {}).items():
        if code not in codes:
            errors["departement_caps"] = (
                f"Le département {code} n'est pas dans le territoire {node}{NBSP}: pas de "
                "plafond pour lui."
            )
        elif type(cap) is not int or not 0 <= cap <= MAX_STOCK:
            errors["departement_caps"] = (
                f"Le plafond du département {code} est un nombre d'élèves de 0 à "
                f"{fr_number(MAX_STOCK)}."
            )
        else:
            clean_caps[code] = cap
    if errors:
        raise ValidationError(errors)
    return dict(sorted(clean_caps.items()))


@transaction.atomic
def start_run(
    *,
    actor,
    node: TerritoryNode,
    category: Category,
    label: str = "",
    stock: int | None = None,
    current_stock: bool = False,
    budget: Decimal | None = None,
    unit_cost: Decimal | None = None,
    departement_caps: dict[str, int] | None = None,
    source: str = AuditSource.UI,
) -> AllocationRun:
    """Records a run of ``node`` for ``category`` and starts its job. ``current_stock``: the
    stock is the devices of that kind in stock under the node now; ``unit_cost`` defaults to
    the price of the category's reference model when there is a budget."""
    if not can_allocate_at(actor, node):
        raise PermissionDenied(f"Vous ne lancez pas d'attribution sur le territoire {node}.")
    if current_stock:
        stock = selectors.stock_count(node, category)
    if budget is not None and unit_cost is None:
        unit_cost = selectors.reference_price(category)
    caps = _check_inputs(
        node=node,
        category=category,
        stock=stock,
        budget=budget,
        unit_cost=unit_cost,
        caps=departement_caps,
    )
    run = AllocationRun(
        node=node,
        category=category,
        label=label.strip(),
        stock=stock,
        budget=budget,
        unit_cost=unit_cost if budget is not None else None,
        departement_caps=caps,
        created_by=actor,
    )
    create_audited(run, actor=actor, source=source)
    run.job = start_job(
        kind=RUN_JOB_KIND,
        label=f"Attribution n°{NBSP}{run.pk} — {category.name}, {node}",
        params={"run": run.pk},
        user=actor,
    )
    run.save(update_fields=["job"])
    return run


def _insert_decisions(rows: list[tuple], progress: Progress) -> None:
    """The decisions, below the ORM (``core.bulk.insert_rows``: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite), by chunks for the progress bar."""
    columns = ["run", "pupil", "school", "priority", "breakdown", "rank", "served", "reason"]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        insert_rows(RunDecision, columns, chunk)
        progress.advance(len(chunk))


def _fail(run: AllocationRun, message: str) -> AllocationRun:
    AllocationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def execute_run(*, run_id: int, progress: Progress | None = None) -> AllocationRun:
    """Computes the run ``run_id`` (in its job): its candidates, the engine, a decision per
    candidate. A run already computed or failed is left alone. An infeasible run ends
    « Échec » with the engine's message (``run.error``); nothing else is written then."""
    progress = progress or Progress()
    run = AllocationRun.objects.select_related("node", "category").get(pk=run_id)
    claimed = AllocationRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    )
    if not claimed:
        return run
    pool = selectors.candidate_pool(run.node, run.category)
    instance = selectors.instance_of(
        pool,
        stock=run.stock,
        budget_cents=selectors.cents(run.budget),
        unit_cost_cents=selectors.cents(run.unit_cost),
        caps=run.departement_caps,
    )
    try:
        result = engine.allocate(instance)
    except engine.Infeasible as error:
        return _fail(run, str(error))
    progress.start(len(pool), "Enregistrement des décisions")
    order = sorted(range(len(pool)), key=lambda i: (-pool.priorities[i], pool.pupils[i]))
    served = set(result.served)
    unserved = result.unserved
    reasons: dict[str, int] = {}
    rows = []
    # The pool shares one breakdown list between the pupils of the same situation: one JSON each.
    texts: dict[int, str] = {}

    def as_json(lines: list) -> str:
        if id(lines) not in texts:
            texts[id(lines)] = json.dumps(lines, ensure_ascii=False)
        return texts[id(lines)]

    for rank, i in enumerate(order, start=1):
        pupil = pool.pupils[i]
        reason = "" if pupil in served else str(unserved[pupil])
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
        rows.append(
            (
                run.pk,
                pupil,
                pool.schools_of[i],
                pool.priorities[i],
                as_json(pool.breakdowns[i]),
                rank,
                pupil in served,
                reason,
            )
        )
    with transaction.atomic():
        RunDecision.objects.filter(run=run).delete()
        _insert_decisions(rows, progress)
        values = {
            "status": RunStatus.DONE,
            "candidates": len(pool),
            "capacity": result.capacity if result.capacity is not None else len(pool),
            "served": len(served),
            "total_priority": result.total_priority,
            "unserved_by_reason": dict(sorted(reasons.items())),
            "weights": pool.weights_snapshot,
            "quotas": pool.quotas_snapshot,
            "finished_at": timezone.now(),
            "error": "",
        }
        AllocationRun.objects.filter(pk=run.pk).update(**values)
        run.refresh_from_db()
        record(
            run,
            AuditAction.UPDATE,
            actor=run.created_by,
            source=AuditSource.UI,
            changes={
                "status": [RunStatus.RUNNING, RunStatus.DONE],
                "served": [0, run.served],
                "candidates": [0, run.candidates],
            },
        )
    progress.close()
    return run


def fail_run(*, run_id: int, message: str) -> None:
    """A run whose job stopped on an unexpected error: « Échec », with ``message``."""
    AllocationRun.objects.filter(
        pk=run_id, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
    ).update(status=RunStatus.FAILED, error=message, finished_at=timezone.now())
