"""The story of the demo's loans after the offers (:mod:`tne.demo.loans`): most of it in bulk,
each loan's steps dated with the events of its timeline and of its device's history, written in
a few statements; a few dozen loans through the lifecycle services (real signed documents, the
next pupil of a waiting list, losses).

A bulk loan handed out has no PDF: its timeline says the « convention de prêt » was signed on
paper and is kept by the school (:data:`PAPER_AGREEMENT`), as a deployment that starts from
paper would hold it; no document and no signature is made up."""

import datetime
import random
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from faker.providers.person.fr_FR import Provider as FrenchNames

from tne.core.bulk import adapted_rows, chunks, insert_rows
from tne.core.models import AuditSource
from tne.equipment.enums import AssetEventKind, AssetState, IncidentKind
from tne.equipment.models import Asset, AssetEvent, Category, Incident
from tne.loans.enums import LoanOutcome, LoanStatus, ReturnCondition
from tne.loans.models import AllocationRun, Loan, LoanEvent, Pupil
from tne.loans.models.events import LoanEventKind
from tne.loans.selectors import runs as run_selectors
from tne.loans.services import lifecycle, offers

PARIS = ZoneInfo("Europe/Paris")
OVERDUE_STAGE = "OVERDUE"  # a stage of the plan: handed out, its due date past
RELENT = 0.6  # of the devices back in stock at a school with a waiting list
DECLINE_REASONS = (
    "La famille a pu s'équiper entre-temps.",
    "La famille a déménagé.",
    "La famille ne souhaite pas de prêt.",
)
PAPER_AGREEMENT = (
    "Convention de prêt signée sur papier, conservée par l'école (données synthétiques de la "
    "démonstration)."
)
PAPER_RECEIPT = "Reçu de retour signé sur papier, conservé par l'école."


# --- Bulk writes below the ORM ----------------------------------------------------------------
# ``bulk_create`` stamps ``auto_now_add`` fields with now and spends most of its time preparing
# each value: the events of the story keep their own dates through plain INSERTs
# (``core.bulk.insert_rows``, the values adapted as the ORM would), the offers made by the run
# service get theirs through plain UPDATEs.


def update_rows(model, names: list[str], rows: list[tuple]) -> None:
    """``rows``: (values of ``names``…, pk)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"
    values = adapted_rows(model, names, (row[:-1] for row in rows))
    with connection.cursor() as cursor:
        for chunk in chunks((*value, row[-1]) for value, row in zip(values, rows, strict=True)):
            cursor.executemany(sql, chunk)


# --- Loans at every stage, in bulk ---------------------------------------------------------------

MONTHS = (
    *("janvier", "février", "mars", "avril", "mai", "juin"),
    *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
)


def fr_date(day: datetime.date) -> str:
    return f"{day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def person(rng: random.Random) -> str:
    first = rng.choice(FrenchNames.first_names_female + FrenchNames.first_names_male)
    return f"{first} {rng.choice(FrenchNames.last_names)}"


class Story:
    """The bulk part of the loans of one run: each loan's steps, dated, with the events of its
    timeline and of its device's history, written at the end in a few statements."""

    LOAN_FIELDS = [
        "status",
        "offered_at",
        "accepted_at",
        "handed_out_at",
        "due_on",
        "returned_at",
        "closed_at",
        "outcome",
        "return_condition",
        "return_note",
        "asset",
    ]

    def __init__(self, ctx, run: AllocationRun):
        self.ctx, self.run = ctx, run
        self.rng, self.timeline = ctx.rng, ctx.timeline
        self.delivered = ctx.timeline.day(0.36)
        self.due_on = lifecycle.default_due_on(ctx.timeline.today)
        self.loans: list[Loan] = []  # every loan written here, the run's offers first
        self.new: list[Loan] = []  # the offers to the next pupils, to insert
        self.states: dict[int, tuple[Asset, str]] = {}
        self.incidents: list[Incident] = []
        self.loan_events: list[tuple] = []
        self.asset_events: list[tuple] = []
        self.free: dict[int, list] = defaultdict(list)  # school → (when, device or None)

    # Dates.
    def after(self, moment: datetime.datetime, low: int, high: int) -> datetime.datetime | None:
        """A moment ``low``…``high`` days after ``moment`` and before today, or None."""
        start = timezone.localtime(moment, PARIS).date()
        last = self.timeline.today - datetime.timedelta(days=1)
        if start + datetime.timedelta(days=low) > last:
            return None
        day = min(start + datetime.timedelta(days=self.rng.randint(low, high)), last)
        at = self.timeline.at(day, self.rng)
        if at <= moment:  # the same day, earlier: some time after ``moment`` instead
            at = moment + datetime.timedelta(minutes=self.rng.randint(5, 90))
        return at

    def event(self, loan: Loan, kind: str, at, note: str = "", actor=None) -> None:
        self.loan_events.append((loan, kind, at, actor, note))

    def device_event(self, asset: Asset, kind, at, before, after, note: str) -> None:
        self.asset_events.append((asset.pk, at, kind, before, after, asset.school_id, note, None))
        self.states[asset.pk] = (asset, after)

    # Steps.
    def accept(self, loan: Loan) -> bool:
        at = self.after(loan.offered_at, 1, 10)
        if at is None:
            return False
        loan.status, loan.accepted_at = LoanStatus.ACCEPTED, at
        self.event(loan, LoanEventKind.ACCEPTED, at)
        return True

    def decline(self, loan: Loan) -> bool:
        at = self.after(loan.offered_at, 2, 15)
        if at is None:
            return False
        loan.status, loan.closed_at = LoanStatus.DECLINED, at
        self.event(loan, LoanEventKind.DECLINED, at, self.rng.choice(DECLINE_REASONS))
        return True

    def hand_out(self, loan: Loan, asset: Asset, *, overdue: bool = False) -> bool:
        start = max(loan.accepted_at, self.timeline.at(self.delivered, self.rng))
        at = self.after(start, 0, 10)
        if at is None:
            return False
        due_on = self.due_on
        if overdue:
            handed = timezone.localtime(at, PARIS).date()
            room = (self.timeline.today - handed).days - 1
            if room < 21:
                return False
            due_on = handed + datetime.timedelta(days=self.rng.randint(21, room))
        loan.status, loan.asset, loan.handed_out_at, loan.due_on = (
            LoanStatus.ACTIVE,
            asset,
            at,
            due_on,
        )
        code = loan.pupil.code
        self.device_event(
            asset,
            AssetEventKind.HANDED_OVER,
            at,
            AssetState.IN_STOCK,
            AssetState.LENT,
            f"Prêté à l'élève {code} (prêt n°\u00a0{loan.pk}), à rendre le {fr_date(due_on)}",
        )
        self.event(
            loan,
            LoanEventKind.HANDED_OUT,
            at,
            f"{asset.model.name}, n° d'inventaire {asset.asset_tag}\u00a0; à rendre le "
            f"{fr_date(due_on)}. {PAPER_AGREEMENT}",
        )
        return True

    def give_back(self, loan: Loan) -> datetime.datetime | None:
        at = self.after(loan.handed_out_at, 14, 120)
        if at is None:
            return None
        condition = self.rng.choices((ReturnCondition.GOOD, ReturnCondition.WORN), (7, 3))[0]
        label = ReturnCondition(condition).label
        loan.status, loan.outcome, loan.return_condition = (
            LoanStatus.CLOSED,
            LoanOutcome.RETURNED,
            condition,
        )
        loan.returned_at = loan.closed_at = at
        self.device_event(
            loan.asset,
            AssetEventKind.RETURNED,
            at,
            AssetState.LENT,
            AssetState.IN_STOCK,
            f"Rendu par la famille, {label.lower()} (prêt n°\u00a0{loan.pk})",
        )
        note = f"État\u00a0: {label.lower()}. {PAPER_RECEIPT}"
        self.event(loan, LoanEventKind.RETURNED, at, note)
        return at

    LOSSES = {
        LoanOutcome.LOST: (IncidentKind.LOSS, LoanEventKind.LOST, AssetState.LOST),
        LoanOutcome.STOLEN: (IncidentKind.THEFT, LoanEventKind.STOLEN, AssetState.STOLEN),
        LoanOutcome.DAMAGED: (IncidentKind.DAMAGE, LoanEventKind.DAMAGED, AssetState.IN_REPAIR),
    }
    NOTES = {
        LoanOutcome.LOST: "La famille ne retrouve plus la tablette après un déménagement.",
        LoanOutcome.STOLEN: "Volée au domicile (plainte déposée, récépissé remis à l'école).",
        LoanOutcome.DAMAGED: "Écran brisé, la tablette ne s'allume plus.",
    }

    def lose(self, loan: Loan, outcome: str) -> bool:
        at = self.after(loan.handed_out_at, 10, 90)
        if at is None:
            return False
        incident_kind, event_kind, state = self.LOSSES[outcome]
        note = self.NOTES[outcome]
        loan.status, loan.outcome, loan.return_note, loan.closed_at = (
            LoanStatus.CLOSED,
            outcome,
            note,
            at,
        )
        asset = loan.asset
        description = f"{LoanOutcome(outcome).label} pendant le prêt\u00a0: {note}"
        if outcome == LoanOutcome.DAMAGED:
            loan.returned_at = at
            self.device_event(
                asset,
                AssetEventKind.RETURNED,
                at,
                AssetState.LENT,
                AssetState.IN_STOCK,
                "Rendu hors d'usage",
            )
            self.device_event(
                asset,
                AssetEventKind.STATE,
                at,
                AssetState.IN_STOCK,
                AssetState.IN_REPAIR,
                f"{IncidentKind(incident_kind).label}\u00a0: {description}",
            )
            status = "IN_REPAIR"
        else:
            self.device_event(
                asset,
                AssetEventKind.INCIDENT,
                at,
                AssetState.LENT,
                state,
                f"{IncidentKind(incident_kind).label}\u00a0: {description}",
            )
            status = "OPEN"
        incident = Incident(asset=asset, kind=incident_kind, status=status, description=description)
        incident.reported_at = at
        self.incidents.append(incident)
        self.event(loan, event_kind, at, note)
        return True

    # The whole of a run.
    def progress(self, loan: Loan, stage: str) -> None:
        """Takes the offer ``loan`` to ``stage`` (« OVERDUE »: handed out, due date past), as far
        as the dates and the devices at its school allow."""
        self.loans.append(loan)
        if stage == LoanStatus.OFFERED:
            return
        if stage == LoanStatus.DECLINED:
            if self.decline(loan):
                self.free[loan.school_id].append((loan.closed_at, None))
            return
        if not self.accept(loan) or stage == LoanStatus.ACCEPTED:
            return
        stock = self.ctx.stock[(loan.school_id, loan.category_id)]
        if not stock:
            return
        asset = stock.pop()
        overdue = stage == OVERDUE_STAGE
        if not self.hand_out(loan, asset, overdue=overdue) and not (
            overdue and self.hand_out(loan, asset)
        ):
            stock.append(asset)
            return
        if stage == LoanOutcome.RETURNED:
            if (at := self.give_back(loan)) is not None:
                self.free[loan.school_id].append((at, asset))
        elif stage in self.LOSSES:
            self.lose(loan, stage)

    def relend(self, waiting: dict, *, skip: set, offered_by: dict) -> int:
        """The devices back in stock at a school (returned, or left by a declined offer)
        offered to the next pupils of its waiting list (``waiting``: school → [(pupil id,
        code)] by rank), ``RELENT`` of them, and those offers taken on. Returns how many."""
        rng, made = self.rng, []
        for school_id in sorted(self.free):
            queue = waiting.get(school_id) or []
            if school_id in skip:
                continue
            for at, asset in sorted(self.free[school_id], key=lambda item: item[0]):
                if not queue or rng.random() >= RELENT:
                    continue
                offered = self.after(at, 1, 6)
                if offered is None:
                    continue
                pupil_id, code = queue.pop(0)
                school = self.ctx.schools[school_id]
                loan = Loan(
                    pupil=Pupil(pk=pupil_id, code=code, school_id=school_id),
                    school_id=school_id,
                    category_id=self.run.category_id,
                    status=LoanStatus.OFFERED,
                    run=self.run,
                    offered_by=offered_by[school.departement.code],
                )
                made.append((loan, offered, asset))
        Loan.objects.bulk_create([loan for loan, _, _ in made], batch_size=1000)
        for loan, offered, asset in made:
            loan.offered_at = offered
            stock = self.ctx.stock[(loan.school_id, loan.category_id)]
            if asset is not None:
                stock.append(asset)
            draw = rng.random()
            stage = (
                LoanStatus.ACTIVE
                if draw < 0.7
                else LoanStatus.ACCEPTED
                if draw < 0.85
                else LoanStatus.OFFERED
            )
            self.progress(loan, stage)
        return len(made)

    def flush(self) -> None:
        names = [f if f != "asset" else "asset_id" for f in self.LOAN_FIELDS]
        update_rows(
            Loan, self.LOAN_FIELDS, [(*(getattr(x, n) for n in names), x.pk) for x in self.loans]
        )
        states = sorted(self.states.items())
        update_rows(Asset, ["state"], [(state, pk) for pk, (_, state) in states])
        stamps = {id(i): i.reported_at for i in self.incidents}
        Incident.objects.bulk_create(self.incidents)
        for incident in self.incidents:
            incident.reported_at = stamps[id(incident)]
        Incident.objects.bulk_update(self.incidents, ["reported_at"])
        insert_rows(
            LoanEvent,
            ["loan", "kind", "at", "actor", "note"],
            [
                (loan.pk, kind, at, actor.pk if actor else None, note)
                for loan, kind, at, actor, note in self.loan_events
            ],
            adapt=True,
        )
        insert_rows(
            AssetEvent,
            ["asset", "at", "kind", "from_state", "to_state", "school", "note", "actor"],
            self.asset_events,
            adapt=True,
        )


# --- Through the services: signed documents, the next pupils, losses ----------------------------

RETURN_CONDITIONS = (
    ReturnCondition.GOOD,
    ReturnCondition.GOOD,
    ReturnCondition.WORN,
    ReturnCondition.GOOD,
    ReturnCondition.DAMAGED,
    ReturnCondition.INCOMPLETE,
    ReturnCondition.GOOD,
)


def guardian_name(ctx, pupil_id: int) -> str:
    """The guardian's name of a pupil (the same on the signed documents and the contact)."""
    if pupil_id not in ctx.names:
        ctx.names[pupil_id] = person(ctx.rng)
    return ctx.names[pupil_id]


def signature(ctx, loan: Loan):
    return lifecycle.SignatureData(typed_name=guardian_name(ctx, loan.pupil_id), consent=True)


def _hand_out(ctx, actor, loan: Loan, asset: Asset) -> Loan:
    """As at the counter: the convention prepared when the device is scanned, then signed by
    the guardian."""
    loan = lifecycle.prepare_agreement(
        actor=actor, loan=loan, asset_tag=asset.asset_tag, source=AuditSource.CLI
    )
    return lifecycle.hand_out(
        actor=actor,
        loan=loan,
        asset_tag=asset.asset_tag,
        signature_data=signature(ctx, loan),
        source=AuditSource.CLI,
    )


def reserve(ctx, made: list[Loan], waiting: dict, *, ecole: int, others: int) -> tuple[list, list]:
    """The offers kept for the lifecycle services: ``ecole`` + 1 at the demo école, ``others``
    at a few schools of Val-d'Oise that have a waiting list (five offers each)."""
    at_ecole = [loan for loan in made if loan.school_id == ctx.ecole.pk][: ecole + 1]
    by_school = defaultdict(list)
    for loan in made:
        school = ctx.schools[loan.school_id]
        if school.departement.code == "95" and school.pk != ctx.ecole.pk:
            by_school[school.pk].append(loan)
    eligible = sorted(
        (ctx.schools[pk].uai, pk)
        for pk, loans in by_school.items()
        if len(loans) >= 5 and len(waiting.get(pk, ())) >= 2
    )
    ctx.rng.shuffle(eligible)
    picked = []
    for _, pk in eligible:
        if len(picked) >= others:
            break
        picked += by_school[pk][:5]
    return at_ecole, picked[:others]


def through_services(
    ctx,
    category: Category,
    ecole: list,
    others: list,
    story: Story,
    *,
    ecole_signed: int,
    returned: int,
    next_pupils: int,
) -> dict:
    """The reserved offers accepted and handed out against their signed convention (the demo
    école's by its head, the others by the Val-d'Oise technician); the demo école's last one
    and ``returned`` others returned against a signed receipt, ``next_pupils`` of those
    devices offered to the next pupil and lent again; a theft and a loss declared. Returns
    the counts, and the pupil of the demo école's first loan (for the parent's account)."""
    head, technician = ctx.users["direction"], ctx.users["technicien"]
    steering = ctx.users["pilotage"]
    counts = Counter()
    handed = []
    for loan, actor in [(x, head) for x in ecole] + [(x, technician) for x in others]:
        loan = lifecycle.accept_offer(actor=actor, loan=loan, source=AuditSource.CLI)
        stock = ctx.stock[(loan.school_id, category.pk)]
        if not stock:
            continue
        asset = stock.pop()
        loan = _hand_out(ctx, actor, loan, asset)
        counts["documents"] += 1
        handed.append((loan, actor, asset))
    ecole_handed = [h for h in handed if h[0].school_id == ctx.ecole.pk]
    other_handed = [h for h in handed if h[0].school_id != ctx.ecole.pk]
    # The demo école's last one is back: its device waits for the coordinator to offer it.
    step = max(1, len(other_handed) // max(1, returned))
    returns = ecole_handed[ecole_signed:] + other_handed[::step][:returned]
    back = []
    for (loan, actor, asset), condition in zip(returns, RETURN_CONDITIONS, strict=False):
        lifecycle.record_return(
            actor=actor,
            loan=loan,
            condition=condition,
            note="Écran rayé." if condition == ReturnCondition.WORN else "",
            signature_data=signature(ctx, loan),
            source=AuditSource.CLI,
        )
        counts["documents"] += 1
        if loan.school_id != ctx.ecole.pk and condition in (
            ReturnCondition.GOOD,
            ReturnCondition.WORN,
        ):
            back.append((loan, asset))
    for loan, asset in back[:next_pupils]:
        school = ctx.schools[loan.school_id]
        _run, waiting = run_selectors.next_in_line(school, category)
        if not waiting:
            continue
        offered = offers.offer_next(
            actor=steering,
            school=school,
            category=category,
            decision_id=waiting[0].pk,
            source=AuditSource.CLI,
        )
        again = lifecycle.accept_offer(actor=technician, loan=offered.loan, source=AuditSource.CLI)
        _hand_out(ctx, technician, again, asset)
        counts["documents"] += 1
        counts["relent"] += 1
    reserved = {loan.pk for loan in ecole + others}
    active = [
        loan
        for loan in story.loans
        if loan.status == LoanStatus.ACTIVE
        and loan.pk not in reserved
        and ctx.schools[loan.school_id].departement.code == "95"
    ]
    for loan, (kind, note) in zip(
        ctx.rng.sample(active, min(2, len(active))),
        (
            (LoanOutcome.STOLEN, "Tablette volée dans le cartable à la sortie de l'école."),
            (LoanOutcome.LOST, "Oubliée dans un bus, non retrouvée."),
        ),
        strict=False,
    ):
        lifecycle.declare_loss(
            actor=technician, loan=loan, kind=kind, note=note, source=AuditSource.CLI
        )
    counts["parent_pupil"] = ecole_handed[0][0].pupil_id if ecole_handed else None
    return counts
