"""An allocation run at scale, the database side (issue 8, point 3: « a run of 20,000 candidates
in a few seconds »): a département of its own (``B01``) with schools and pupils with a need
declaration, then a run on it timed end to end (``execute_run``: the candidates and their
priorities, the engine, a decision per candidate written in bulk), with its parts timed apart,
the « what if » of 10 % more stock, and applying the run (an offer per pupil served)::

    DEBUG=1 DATABASE_URL=sqlite:///var/bench-runs.sqlite3 .venv/bin/python bench/loans_runs.py
    DEBUG=1 DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_bench \\
        .venv/bin/python bench/loans_runs.py --candidates 100000

``--candidates N`` (20,000 by default; one school per 25 pupils), ``--runs N`` (3: the median
is printed). The database is migrated first; what the bench wrote is removed at the end unless
``--keep``."""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
# The run's job is not handed to a worker: the bench computes it in this process, timed.
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")

PER_SCHOOL = 25
CODE = "B01"


def _setup(candidates: int):
    """The bench's département, its schools, pupils and needs, and its coordinator."""
    from bench.synthetic import node as _node
    from tne.accounts.models import User
    from tne.accounts.roles import grant_role
    from tne.core.roles import Role
    from tne.loans.enums import HomeDevices, HomeInternet
    from tne.loans.models import NeedDeclaration, Pupil, SchoolQuota
    from tne.territory.enums import EducationNetwork, NodeKind, SchoolKind, Sector
    from tne.territory.models import School

    country = _node(NodeKind.COUNTRY, "FR", "France", None)
    region = _node(NodeKind.REGION, "B9", "Région du banc d'essai", country)
    academie = _node(NodeKind.ACADEMIE, "B9", "Académie du banc d'essai", region)
    departement = _node(NodeKind.DEPARTEMENT, CODE, "Département du banc d'essai", academie)
    commune = _node(NodeKind.COMMUNE, "B0001", "Commune du banc d'essai", departement)
    n_schools = max(1, candidates // PER_SCHOOL)
    networks = (
        [EducationNetwork.NONE] * 6 + [EducationNetwork.REP] * 3 + [EducationNetwork.REP_PLUS]
    )
    School.objects.bulk_create(
        [
            School(
                uai=f"9{i:06d}B",
                name=f"École du banc {i}",
                search_name=f"ECOLE DU BANC {i}",
                kind=SchoolKind.ELEMENTAIRE,
                sector=Sector.PUBLIC,
                education_network=networks[i % len(networks)],
                ips=80 + (i % 50),
                region=region,
                academie=academie,
                departement=departement,
                commune=commune,
                owner=commune,
            )
            for i in range(n_schools)
        ],
        batch_size=2000,
    )
    schools = list(School.objects.filter(departement=departement).order_by("pk"))
    SchoolQuota.objects.bulk_create(
        [SchoolQuota(school=s, minimum=1, maximum=15) for s in schools[::10]], batch_size=2000
    )
    devices = list(HomeDevices.values)
    internet = list(HomeInternet.values)
    batch = 5000
    for start in range(0, candidates, batch):
        made = Pupil.objects.bulk_create(
            [
                Pupil(school=schools[i % len(schools)], code=f"B{i:08d}", level="CM1")
                for i in range(start, min(candidates, start + batch))
            ]
        )
        NeedDeclaration.objects.bulk_create(
            [
                NeedDeclaration(
                    pupil=pupil,
                    devices_at_home=devices[k % 3],
                    shared_with=(k % 4) + 1 if devices[k % 3] == HomeDevices.SHARED else None,
                    internet_at_home=internet[(k // 3) % 3],
                    declared_on=datetime.date(2026, 10, 1),
                )
                for k, pupil in enumerate(made, start=start)
            ]
        )
    user, _ = User.objects.get_or_create(email="banc-attribution@bench.tne.invalid")
    if not user.role_assignments.exists():
        grant_role(user=user, role=Role.COORDINATOR, target=departement)
    return departement, user


def _clean(departement) -> None:
    """What the bench wrote, in dependency order."""
    from tne.core.models import AuditEvent, Job
    from tne.loans.models import AllocationRun, Loan, NeedDeclaration, Pupil, SchoolQuota
    from tne.territory.models import School

    runs = AllocationRun.objects.filter(node=departement)
    Loan.objects.filter(run__in=runs).delete()
    job_ids = list(runs.values_list("job_id", flat=True))
    runs.delete()  # and their decisions (cascade)
    Job.objects.filter(pk__in=job_ids).delete()
    NeedDeclaration.objects.filter(pupil__school__departement=departement).delete()
    Pupil.objects.filter(school__departement=departement).delete()
    SchoolQuota.objects.filter(school__departement=departement).delete()
    AuditEvent.objects.filter(place_path__startswith=departement.path).delete()
    School.objects.filter(departement=departement).delete()


def run(*, candidates: int = 20_000, runs: int = 3, keep: bool = False, say=print) -> dict:
    from django.db import connection

    from tne.equipment.models import Category
    from tne.loans import engine
    from tne.loans.selectors import runs as selectors
    from tne.loans.services import offers
    from tne.loans.services import runs as services

    departement, user = _setup(candidates)
    tablet = Category.objects.get(code="tablet")
    stock = candidates * 3 // 4
    figures = {"total": [], "pool": [], "engine": [], "what_if": [], "apply": []}
    try:
        for number in range(runs):
            started = time.perf_counter()
            pool = selectors.candidate_pool(departement, tablet)
            figures["pool"].append(time.perf_counter() - started)
            instance = selectors.instance_of(
                pool, stock=stock, budget_cents=None, unit_cost_cents=None, caps={}
            )
            started = time.perf_counter()
            engine.allocate(instance)
            figures["engine"].append(time.perf_counter() - started)

            run_row = services.start_run(actor=user, node=departement, category=tablet, stock=stock)
            started = time.perf_counter()
            run_row = services.execute_run(run_id=run_row.pk)
            figures["total"].append(time.perf_counter() - started)
            assert run_row.candidates == candidates, run_row.candidates

            started = time.perf_counter()
            outcome = selectors.what_if(run_row, stock=stock * 11 // 10)
            figures["what_if"].append(time.perf_counter() - started)

            started = time.perf_counter()
            applied = offers.apply_run(actor=user, run_id=run_row.pk)
            figures["apply"].append(time.perf_counter() - started)
            say(
                f"run {number + 1}: {candidates} candidates, {run_row.served} served — run "
                f"{figures['total'][-1]:.2f} s (candidates {figures['pool'][-1]:.2f} s, engine "
                f"{figures['engine'][-1]:.2f} s), what if +10 % {figures['what_if'][-1]:.2f} s "
                f"(+{outcome.extra_pupils}), apply {figures['apply'][-1]:.2f} s "
                f"({applied.made} offers)"
            )
            # The next run starts from the same candidates: its offers are withdrawn.
            from tne.loans.models import Loan

            Loan.objects.filter(run=run_row).delete()
    finally:
        if not keep:
            _clean(departement)
    return {
        "label": f"Attribution de {candidates:,} candidats".replace(",", "\u202f"),
        **{name: round(statistics.median(values), 2) for name, values in figures.items()},
        "runs": [round(s, 2) for s in figures["total"]],
        "load": round(os.getloadavg()[0], 1),
        "vendor": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="garde les données du banc d'essai")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = run(candidates=args.candidates, runs=args.runs, keep=args.keep)
    print(
        f"(load average {result['load']:.1f} on {os.cpu_count()} cores) {result['vendor']}: "
        f"{result['label']}, median of {args.runs}: run {result['total']:.2f} s (candidates "
        f"{result['pool']:.2f} s, engine {result['engine']:.2f} s), what if "
        f"{result['what_if']:.2f} s, apply {result['apply']:.2f} s"
    )


if __name__ == "__main__":
    main()
