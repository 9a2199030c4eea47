"""Step 3c: the loans of measure M6 at national scale, written with PostgreSQL ``COPY``: 600,000
pseudonymous pupils of the elementary schools with their need declarations, one applied
allocation run per département with a decision for each pupil, 500,000 loans at every stage
(offered, accepted, active — some overdue —, closed — returned, some of their devices lent
again, some lost —, declined) and the tablets they lend, in the asset register beside the M5
devices; then ``VACUUM ANALYZE``. What the hand-out and the M6 dashboard are measured against
(issue 8: a hand-out under 50 ms with 500,000 loans in the base; the dashboard of a département
under 50 ms).

Skipped when recorded as done (``bench_state`` key ``loans``); what an interrupted run left is
removed first."""

import datetime
import json
import random
import time
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.utils import timezone

from tne.equipment.enums import AssetSource, AssetState
from tne.equipment.models import Asset, Category
from tne.loans.enums import (
    ELEMENTARY_LEVELS,
    HomeDevices,
    HomeInternet,
    LoanOutcome,
    LoanStatus,
    ReturnCondition,
    RunStatus,
)
from tne.loans.models import (
    AllocationRun,
    Loan,
    NeedDeclaration,
    Pupil,
    RunDecision,
    SchoolLoanTally,
)
from tne.loans.priority import Weights, breakdown, score
from tne.loans.services import tallies
from tne.territory.enums import NodeKind, SchoolKind
from tne.territory.models import School, TerritoryNode

SEED = 2026
PUPILS = 600_000
LOANS = 500_000
NOTE = "Banc national M6 (synthétique)"
# The loans' stages, in these shares of LOANS.
STAGES = [
    ("ACTIVE", 0.60),
    ("OVERDUE", 0.06),
    ("RETURNED", 0.20),
    ("LOST", 0.02),
    ("OFFERED", 0.05),
    ("ACCEPTED", 0.04),
    ("DECLINED", 0.03),
]
# Of the returned loans, this share of devices is lent again (to an active loan of the school).
LENT_AGAIN = 0.5
SPARE_TABLETS = 20_000
TABLES = (Pupil, NeedDeclaration, AllocationRun, RunDecision, Loan, SchoolLoanTally, Asset)


def _stages(count: int) -> list[str]:
    out = []
    for stage, share in STAGES:
        out += [stage] * round(count * share)
    return (out + ["ACTIVE"] * count)[:count]


def clear_partial() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        runs = f"SELECT id FROM {AllocationRun._meta.db_table} WHERE label = %s"
        cursor.execute(f"DELETE FROM {Loan._meta.db_table} WHERE run_id IN ({runs})", [NOTE])
        cursor.execute(f"DELETE FROM {RunDecision._meta.db_table} WHERE run_id IN ({runs})", [NOTE])
        cursor.execute(f"DELETE FROM {AllocationRun._meta.db_table} WHERE label = %s", [NOTE])
        cursor.execute(
            f"DELETE FROM {NeedDeclaration._meta.db_table} WHERE pupil_id IN "
            f"(SELECT id FROM {Pupil._meta.db_table} WHERE code LIKE 'BN%%')"
        )
        cursor.execute(f"DELETE FROM {Pupil._meta.db_table} WHERE code LIKE 'BN%%'")
        cursor.execute(f"DELETE FROM {Asset._meta.db_table} WHERE note = %s", [NOTE])


def _copy(table: str, columns: str, rows) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def synthesise(year) -> dict:
    """Writes the loans once; returns counts and timings (empty when already there)."""
    from . import state

    if state.read("loans") and Loan.objects.filter(run__label=NOTE).exists():
        return {}
    clear_partial()
    started = time.perf_counter()
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    tablet = Category.objects.select_related("reference_model").get(code="tablet")
    model_id = tablet.reference_model_id
    if model_id is None:
        raise SystemExit("La catégorie « tablet » n'a pas de modèle de référence.")
    schools = list(
        School.objects.filter(kind__in=SchoolKind.first_degree())
        .exclude(kind=SchoolKind.MATERNELLE)
        .order_by("pk")
        .values_list("pk", "departement_id", "departement__code", "education_network", "ips")
    )
    weights = Weights()

    # Pupils and needs, spread over the schools (more in priority education).
    picks = rng.choices(
        range(len(schools)),
        weights=[3 if s[3] else 1 for s in schools],
        k=PUPILS,
    )
    picks.sort()
    pupil_rows, need_rows = [], []
    levels = [str(level) for level in ELEMENTARY_LEVELS[:5]]
    for n, index in enumerate(picks):
        school = schools[index]
        devices = rng.choices(
            [HomeDevices.NONE, HomeDevices.SHARED, HomeDevices.OWN], weights=[5, 4, 1]
        )[0]
        shared = rng.randint(1, 4) if devices == HomeDevices.SHARED else None
        internet = rng.choices(
            [HomeInternet.NONE, HomeInternet.MOBILE, HomeInternet.FIXED], weights=[3, 4, 3]
        )[0]
        pupil_rows.append((school[0], f"BN{n:07d}", None, rng.choice(levels), now, now))
        need_rows.append((index, str(devices), shared, str(internet)))
    with transaction.atomic():
        _copy(
            Pupil._meta.db_table,
            "school_id, code, school_class_id, level, created_at, updated_at",
            pupil_rows,
        )
    pupil_ids = list(
        Pupil.objects.filter(code__startswith="BN").order_by("code").values_list("pk", flat=True)
    )
    priorities = []
    with transaction.atomic():
        rows = []
        for pk, (index, devices, shared, internet) in zip(pupil_ids, need_rows, strict=True):
            school = schools[index]
            lines = breakdown(
                weights,
                devices_at_home=devices,
                shared_with=shared,
                internet_at_home=internet,
                education_network=school[3],
                ips=school[4],
            )
            priorities.append((score(lines), [[line.label, line.points] for line in lines]))
            rows.append((pk, devices, shared, internet, today, None, now))
        _copy(
            NeedDeclaration._meta.db_table,
            "pupil_id, devices_at_home, shared_with, internet_at_home, declared_on, "
            "declared_by_id, updated_at",
            rows,
        )
    pupils_seconds = time.perf_counter() - started

    # One applied run per département; the pupils with a loan were served by it.
    started = time.perf_counter()
    order = sorted(range(PUPILS), key=lambda i: (-priorities[i][0], pupil_ids[i]))
    served_positions = set(rng.sample(range(PUPILS), LOANS))
    departements = {s[1] for s in schools}
    runs = AllocationRun.objects.bulk_create(
        AllocationRun(
            node_id=dep,
            category=tablet,
            label=NOTE,
            stock=LOANS,
            status=RunStatus.DONE,
            weights=weights.as_json(),
            finished_at=now,
            applied_at=now,
        )
        for dep in sorted(departements)
    )
    run_of = {run.node_id: run.pk for run in runs}
    reasons = ["school_max"] * 4 + ["departement_cap"] * 2 + ["stock"] * 4
    with transaction.atomic():
        _copy(
            RunDecision._meta.db_table,
            "run_id, pupil_id, school_id, priority, breakdown, rank, served, reason",
            (
                (
                    run_of[schools[need_rows[i][0]][1]],
                    pupil_ids[i],
                    schools[need_rows[i][0]][0],
                    priorities[i][0],
                    json.dumps(priorities[i][1], ensure_ascii=False),
                    rank,
                    i in served_positions,
                    "" if i in served_positions else rng.choice(reasons),
                )
                for rank, i in enumerate(order, start=1)
            ),
        )
    runs_seconds = time.perf_counter() - started

    # Loans and their tablets, school by school.
    started = time.perf_counter()
    served = sorted(served_positions)
    stages = _stages(len(served))
    rng.shuffle(stages)
    per_school = defaultdict(list)
    for i, stage in zip(served, stages, strict=True):
        per_school[need_rows[i][0]].append((i, stage))
    asset_rows, loan_rows = [], []
    counter = 0

    def new_tablet(school, state):
        nonlocal counter
        counter += 1
        asset_rows.append(
            (
                f"TABM6{counter:08d}",
                f"TNEP{school[2]}-{counter:07d}",
                model_id,
                state,
                school[0],
                today - datetime.timedelta(days=400),
                today + datetime.timedelta(days=330),
                str(AssetSource.DELIVERY),
                NOTE,
                now,
                now,
            )
        )
        return counter  # the position of the tablet; its pk is read back after the COPY

    handed = now - datetime.timedelta(days=200)
    end_of_year = year.ends_on
    for index, loans in per_school.items():
        school = schools[index]
        lent_now = []
        for i, stage in loans:
            if stage in ("ACTIVE", "OVERDUE"):
                tablet_at = new_tablet(school, str(AssetState.LENT))
                lent_now.append(tablet_at)
                due = today - datetime.timedelta(days=rng.randint(1, 60))
                loan_rows.append((i, stage, tablet_at, due if stage == "OVERDUE" else end_of_year))
        for i, stage in loans:
            if stage == "RETURNED":
                if lent_now and rng.random() < LENT_AGAIN:
                    tablet_at = rng.choice(lent_now)
                else:
                    tablet_at = new_tablet(school, str(AssetState.IN_STOCK))
                loan_rows.append((i, stage, tablet_at, end_of_year))
            elif stage == "LOST":
                loan_rows.append((i, stage, new_tablet(school, str(AssetState.LOST)), end_of_year))
            elif stage in ("OFFERED", "ACCEPTED", "DECLINED"):
                loan_rows.append((i, stage, None, None))
    for _ in range(SPARE_TABLETS):
        new_tablet(schools[rng.randrange(len(schools))], str(AssetState.IN_STOCK))
    with transaction.atomic():
        _copy(
            Asset._meta.db_table,
            "serial_number, asset_tag, model_id, state, school_id, delivered_on, "
            "warranty_ends_on, source, note, created_at, updated_at",
            asset_rows,
        )
    asset_pk = dict(Asset.objects.filter(note=NOTE).values_list("serial_number", "pk").iterator())

    def pk_of(position):
        return None if position is None else asset_pk[f"TABM6{position:08d}"]

    status_of = {
        "ACTIVE": LoanStatus.ACTIVE,
        "OVERDUE": LoanStatus.ACTIVE,
        "RETURNED": LoanStatus.CLOSED,
        "LOST": LoanStatus.CLOSED,
        "OFFERED": LoanStatus.OFFERED,
        "ACCEPTED": LoanStatus.ACCEPTED,
        "DECLINED": LoanStatus.DECLINED,
    }
    with transaction.atomic():
        _copy(
            Loan._meta.db_table,
            "pupil_id, school_id, category_id, asset_id, status, run_id, offered_at, "
            "accepted_at, handed_out_at, due_on, returned_at, closed_at, outcome, "
            "return_condition, return_note, reminders_sent, updated_at",
            (
                (
                    pupil_ids[i],
                    schools[need_rows[i][0]][0],
                    tablet.pk,
                    pk_of(position),
                    str(status_of[stage]),
                    run_of[schools[need_rows[i][0]][1]],
                    handed - datetime.timedelta(days=20),
                    None if stage in ("OFFERED", "DECLINED") else handed - datetime.timedelta(10),
                    handed if position is not None else None,
                    due,
                    now - datetime.timedelta(days=30) if stage == "RETURNED" else None,
                    now - datetime.timedelta(days=30)
                    if stage in ("RETURNED", "LOST", "DECLINED")
                    else None,
                    {"RETURNED": LoanOutcome.RETURNED, "LOST": LoanOutcome.LOST}.get(stage, ""),
                    ReturnCondition.GOOD if stage == "RETURNED" else "",
                    "",
                    1 if stage == "OVERDUE" else 0,
                    now,
                )
                for i, stage, position, due in loan_rows
            ),
        )
    loans_seconds = time.perf_counter() - started

    started = time.perf_counter()
    tallies.recount()  # the dashboards' per-school figures, as the services keep them
    tallies_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return {
        "pupils": PUPILS,
        "runs": len(runs),
        "loans": len(loan_rows),
        "tablets": counter,
        "stages": dict(Counter(stages)),
        "pupils_seconds": round(pupils_seconds, 2),
        "runs_seconds": round(runs_seconds, 2),
        "loans_seconds": round(loans_seconds, 2),
        "tallies_seconds": round(tallies_seconds, 2),
        "analyze_seconds": round(time.perf_counter() - started, 2),
    }


def departement_for_dashboard() -> TerritoryNode:
    """The département the coordinator's dashboard is measured on (the bench's Aisne)."""
    return TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, code="02").first()


# --- Step 4 (``--loans-pages``): the counter's pages and the hand-out confirmation ------------

TARGET_MS = 50.0
DOC_START, DOC_END = "<!-- bench:loans:start -->", "<!-- bench:loans:end -->"
DOC_HEADING = "## Mesures des prêts (M6)"
HTMX_HEADERS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "counter-zone"}


def counter_user(departement: TerritoryNode):
    """The technician of the bench's département: hands devices out in all its schools."""
    from tne.core.roles import Role

    from .users import _user_with_grant

    return _user_with_grant(
        f"banc-technicien-{departement.code}@example.org", Role.TECHNICIAN, departement
    )


def hand_out_pairs(departement: TerritoryNode, count: int) -> list[tuple[int, str]]:
    """``count`` (accepted loan id, in-stock tablet tag) pairs of the bench in ``departement``,
    each tablet in stock at its loan's school: those of the school with the most pairs first
    (the data hold about one accepted loan per school, so one school alone is not enough),
    then of the next ones. Each run of the measure consumes its pairs (the loans become active,
    the tablets lent): a new run takes the next ones."""
    loans = defaultdict(list)
    for pk, school in (
        Loan.objects.filter(
            run__label=NOTE,
            status=LoanStatus.ACCEPTED,
            agreement_signature__isnull=True,
            school__departement=departement,
        )
        .order_by("school_id", "pk")
        .values_list("pk", "school_id")
    ):
        loans[school].append(pk)
    reserved = Loan.objects.filter(status=LoanStatus.ACCEPTED, asset__isnull=False).values(
        "asset_id"
    )
    tablets = defaultdict(list)
    for tag, school in (
        Asset.objects.filter(
            school_id__in=list(loans),
            state=AssetState.IN_STOCK,
            model__category__code="tablet",
        )
        .exclude(pk__in=reserved)
        .order_by("school_id", "asset_tag")
        .values_list("asset_tag", "school_id")
    ):
        tablets[school].append(tag)
    per_school = sorted(
        (list(zip(loans[s], tablets[s], strict=False)) for s in loans if tablets[s]),
        key=len,
        reverse=True,
    )
    return [pair for pairs in per_school for pair in pairs][:count]


def _page_scenarios(departement: TerritoryNode) -> tuple[list, list[str]]:
    """The GET pages of the counter measured in rounds: the counter's schools, the return of
    an active loan's device (scanned: its loan and the signature form), a loan's page."""
    from django.urls import reverse

    from .timing import Scenario

    skipped = []
    active = (
        Loan.objects.filter(
            run__label=NOTE, status=LoanStatus.ACTIVE, school__departement=departement
        )
        .select_related("asset")
        .order_by("pk")
        .first()
    )
    found = [("Guichet des prêts (écoles)", reverse("loans:counter"))]
    if active is None:
        skipped.append("Aucun prêt en cours dans le département : retour et page du prêt omis.")
    else:
        found += [
            (
                "Retour : matériel scanné",
                reverse("loans:return", args=[active.school_id])
                + f"?code={active.asset.asset_tag}",
            ),
            ("Page d'un prêt en cours", reverse("loans:loan", args=[active.pk])),
        ]
    scenarios = [Scenario(page, "technicien du département", url) for page, url in found]
    dashboard = reverse("loans:dashboard")
    country = TerritoryNode.objects.get(kind=NodeKind.COUNTRY)
    scenarios += [
        Scenario(
            "Tableau de bord M6 — département", "coordination", f"{dashboard}?node={departement.pk}"
        ),
        Scenario("Tableau de bord M6 — national", "national", f"{dashboard}?node={country.pk}"),
    ]
    return scenarios, skipped


def measure_hand_out(user, departement, *, runs: int, warmup: int):
    """The confirming POST of the hand-out (« Confirmer la remise », htmx), request to
    response through the test client: each run a different accepted loan and in-stock tablet,
    whose convention is prepared first (the scan step, outside the timing); the SQL queries of
    one run captured. Returns the ``Measure`` (the scenario's URL is the first school's)."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tne.loans.services import lifecycle

    from .timing import Measure, Scenario, client_for

    pairs = hand_out_pairs(departement, warmup + runs + 1)
    first = Loan.objects.get(pk=pairs[0][0]).school_id if pairs else 0
    url = reverse("loans:hand_out", args=[first]) if pairs else ""
    result = Measure(Scenario("Remise : POST de confirmation", "technicien du département", url))
    if len(pairs) < warmup + 2:
        result.error = f"pas assez de prêts acceptés et de tablettes en stock ({len(pairs)})"
        return result
    client = client_for(user)
    for index, (loan_id, tag) in enumerate(pairs):
        loan = lifecycle.prepare_agreement(
            actor=user, loan=Loan.objects.get(pk=loan_id), asset_tag=tag
        )
        data = {
            "loan": loan.pk,
            "asset_tag": tag,
            "due_on": loan.due_on.isoformat(),
            "typed_name": "Responsable Banc",
            "consent": "on",
            "drawing": "",
        }
        path = reverse("loans:hand_out", args=[loan.school_id])
        captured = CaptureQueriesContext(db) if index == warmup else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if captured is not None:
            with captured:
                response = client.post(path, data, **HTMX_HEADERS)
        else:
            response = client.post(path, data, **HTMX_HEADERS)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu_started) * 1000
        body = response.content
        result.status = response.status_code
        if response.status_code != 200 or b'id="counter-done"' not in body:
            result.error = f"la remise du prêt n° {loan.pk} n'a pas abouti"
            return result
        if captured is not None:
            queries = captured.captured_queries
            result.queries = len(queries)
            result.sql_ms = sum(float(q["time"]) for q in queries) * 1000
            result.slowest = sorted(
                ((float(q["time"]) * 1000, q["sql"]) for q in queries), reverse=True
            )[:3]
            result.bytes = len(body)
        elif index > warmup:
            result.timings_ms.append(elapsed)
            result.cpu_ms.append(cpu)
    return result


def measure_pages(departement: TerritoryNode, *, runs: int, warmup: int) -> tuple[list, list]:
    """(the measures: the hand-out POST first, then the pages in rounds; the sentences of what
    was not measured)."""
    from . import timing
    from .users import bench_users

    user = counter_user(departement)
    people = {"technicien du département": user, **bench_users()}
    scenarios, skipped = _page_scenarios(departement)
    hand_out = measure_hand_out(user, departement, runs=runs, warmup=warmup)
    pages = timing.measure_rounds(
        [(timing.client_for(people[s.who]), s) for s in scenarios], runs=runs, warmup=warmup
    )
    return [hand_out, *pages], skipped


def report_section(measures: list, skipped: list[str], **context) -> str:
    """The loans' part of the report: the equipment's table, with the loans' title."""
    from .equipment import report_section as table

    return table(None, measures, [], skipped, **context)
