"""Offers of a device to a family: applying a run (an offer for each pupil it served) and offering
a device back in stock at a school to the next pupil of its waiting list.

Both are one function, atomic and audited, that locks the run's row first, so that a double
submit (or two coordinators at once) makes one set of offers: the second finds the run applied,
or the pupil offered, and makes nothing. The database has the last word: a pupil holds at most
one open loan per kind of device (a partial unique index), so a pupil who got one meanwhile is
skipped and counted, never an error of the whole."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tne.core.audit import AuditAction, AuditSource, Place, record
from tne.core.formats import NBSP
from tne.core.scope import scope_of
from tne.equipment.models import Category
from tne.territory.models import School

from ..enums import LoanStatus, RunStatus
from ..models import AllocationRun, Loan, RunDecision
from ..perms import ALLOCATE, can_allocate_at
from ..selectors import runs as selectors
from . import tallies


@dataclass(frozen=True)
class Applied:
    """What applying a run did: ``made`` offers, ``skipped`` served pupils who had an open loan
    of that kind by then; ``already``: the run had been applied before (nothing made now)."""

    made: int
    skipped: int
    already: bool = False


def _lock_run(run_id: int) -> AllocationRun:
    return (
        AllocationRun.objects.select_for_update(of=("self",))
        .select_related("node", "category")
        .get(pk=run_id)
    )


def _offer_rows(*, run: AllocationRun, actor, pupils: list[tuple[int, int]]):
    """The columns and rows of the offers to ``pupils`` (``(pupil id, school id)``): every
    concrete field of ``Loan`` as a new offer of the run holds it (its defaults, ``auto_now``
    fields set now), prepared once, only the pupil and the school varying."""
    now = timezone.now()
    template = Loan(
        pupil_id=0,
        school_id=0,
        category=run.category,
        status=LoanStatus.OFFERED,
        run=run,
        offered_by=actor,
    )
    fields = [f for f in Loan._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            setattr(template, f.attname, now)
    prepared = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields]
    at = {f.attname: i for i, f in enumerate(fields)}
    pupil_at, school_at = at["pupil_id"], at["school_id"]
    rows = []
    for pupil_id, school_id in pupils:
        row = list(prepared)
        row[pupil_at], row[school_at] = pupil_id, school_id
        rows.append(row)
    return fields, rows


def _insert_offers(*, run: AllocationRun, actor, pupils: list[tuple[int, int]]) -> int:
    """Offers to ``pupils`` (``(pupil id, school id)``), how many the database accepted: all
    at once below the ORM (``COPY`` on PostgreSQL, one ``executemany`` on SQLite: 15,000 offers
    through ``bulk_create`` took seconds of value preparation), else one by one, a pupil who
    got an open loan of that kind since the check being refused by the partial unique index,
    and skipped."""
    if not pupils:
        return 0
    fields, rows = _offer_rows(run=run, actor=actor, pupils=pupils)
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    table = quote(Loan._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return len(rows)
    except (IntegrityError, connection.Database.IntegrityError):
        # (``COPY`` goes through psycopg's own cursor: its error is not Django's.)
        pass
    made = 0
    for pupil_id, school_id in pupils:
        offer = Loan(
            pupil_id=pupil_id,
            school_id=school_id,
            category=run.category,
            status=LoanStatus.OFFERED,
            run=run,
            offered_by=actor,
        )
        try:
            with transaction.atomic():
                offer.save(force_insert=True)
        except IntegrityError:
            continue
        made += 1
    return made


@transaction.atomic
def apply_run(*, actor, run_id: int, source: str = AuditSource.UI) -> Applied:
    """An offer (``Loan`` « proposé », with the run and who offered) to each pupil the run
    served, once: the run's row is locked, and a run already applied makes nothing again. One
    audit event, on the run (its offers are its loans: ``Loan.run``)."""
    run = _lock_run(run_id)
    if not can_allocate_at(actor, run.node):
        raise PermissionDenied(f"Vous n'appliquez pas d'attribution sur le territoire {run.node}.")
    if run.applied_at is not None:
        return Applied(run.offers_made, run.offers_skipped, already=True)
    if run.status != RunStatus.DONE:
        raise ValidationError(
            f"Cette attribution est «{NBSP}{run.get_status_display()}{NBSP}»{NBSP}: seule une "
            "attribution terminée s'applique."
        )
    served = RunDecision.objects.filter(run=run, served=True)
    taken = set(
        Loan.objects.open()
        .filter(category=run.category, pupil__in=served.values("pupil_id"))
        .values_list("pupil_id", flat=True)
    )
    pupils = [
        (pupil_id, school_id)
        for pupil_id, school_id in served.order_by("rank").values_list("pupil_id", "school_id")
        if pupil_id not in taken
    ]
    made = _insert_offers(run=run, actor=actor, pupils=pupils)
    skipped = run.served - made
    applied_at = timezone.now()
    changes = {
        "applied_at": [None, applied_at.isoformat()],
        "offers_made": [0, made],
        "offers_skipped": [0, skipped],
    }
    AllocationRun.objects.filter(pk=run.pk).update(
        applied_at=applied_at, applied_by=actor, offers_made=made, offers_skipped=skipped
    )
    record(run, AuditAction.UPDATE, actor=actor, source=source, changes=changes)
    tallies.recount({school_id for _pupil_id, school_id in pupils})
    return Applied(made, skipped)


@dataclass(frozen=True)
class Offered:
    """The offer made to the next pupil, or (``already``) the open one that pupil had."""

    loan: Loan
    already: bool = False


@transaction.atomic
def offer_next(
    *,
    actor,
    school: School,
    category: Category,
    decision_id: int,
    source: str = AuditSource.UI,
) -> Offered:
    """Offers a device of ``category`` back in stock at ``school`` to the next pupil of its
    waiting list (the decision the coordinator confirmed, which must still be the first). The
    run's row is locked, so two confirmations make one offer."""
    if not scope_of(actor, ALLOCATE).contains_school(school):
        raise PermissionDenied(f"Vous ne confirmez pas les propositions de l'école {school.name}.")
    run, _waiting = selectors.next_in_line(school, category)
    if run is None:
        raise ValidationError(
            f"Aucune attribution appliquée ne couvre l'école {school.name} pour «{NBSP}"
            f"{category.name}{NBSP}»{NBSP}: il n'y a pas de liste d'attente."
        )
    run = _lock_run(run.pk)
    decision = (
        RunDecision.objects.filter(pk=decision_id, run=run, school=school, served=False)
        .select_related("pupil")
        .first()
    )
    if decision is None:
        raise ValidationError("Cet élève n'est pas sur la liste d'attente de l'école.")
    existing = Loan.objects.open().filter(pupil=decision.pupil, category=category).first()
    if existing is not None:
        return Offered(existing, already=True)
    _run, waiting = selectors.next_in_line(school, category)
    if not waiting or waiting[0].pk != decision.pk:
        raise ValidationError(
            f"La liste d'attente a changé{NBSP}: l'élève {decision.pupil.code} n'est plus le "
            "suivant. Vérifiez la proposition à nouveau."
        )
    available = selectors.available_devices([school.pk]).get((school.pk, category.pk), 0)
    if available <= 0:
        raise ValidationError(
            f"Aucun appareil «{NBSP}{category.name}{NBSP}» n'est disponible à l'école "
            f"{school.name}{NBSP}: ceux qui y sont en stock sont déjà proposés à d'autres élèves."
        )
    loan = Loan(
        pupil=decision.pupil,
        school=school,
        category=category,
        status=LoanStatus.OFFERED,
        run=run,
        offered_by=actor,
    )
    try:
        with transaction.atomic():
            loan.save(force_insert=True)
    except IntegrityError:
        existing = Loan.objects.open().filter(pupil=decision.pupil, category=category).first()
        if existing is None:
            raise
        return Offered(existing, already=True)
    record(
        loan,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        changes={"status": [None, LoanStatus.OFFERED], "run_id": [None, run.pk]},
        place=Place(path=school.commune.path, school_id=school.pk),
    )
    tallies.recount([school.pk])
    return Offered(loan)
