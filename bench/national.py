"""National-scale benchmark of TNE: ``make bench`` (see docs/benchmarks.md).

1. creates the bench database when missing (``--reset`` drops it first) and migrates it;
2. loads the national school files with the real importer service, each file timed (skipped
   when already loaded);
3. synthesises ~600,000 classes and as many staff rows with ``COPY``, then ``ANALYZE``, then
   the per-school summary figures (``refresh_school_figures``);
4. times the real pages and API with Django's test client, for a national user and for a
   département coordinator (median, p95, SQL queries per request);
5. prints a Markdown report, writes it to ``var/bench/`` and, with ``--write-docs``, into the
   figures section of docs/benchmarks.md.

``--quick`` does the same on the rows of two départements only, in its own database
(``<name>_quick``), for a smoke run of a minute or two.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import database  # noqa: E402 — runs before Django is set up

DEFAULT_URL = "postgres://tne:tne@127.0.0.1:5432/tne_bench"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="deux départements seulement")
    parser.add_argument("--reset", action="store_true", help="recrée la base et recharge tout")
    parser.add_argument("--runs", type=int, default=30, help="essais mesurés par page")
    parser.add_argument("--warmup", type=int, default=3, help="essais d'échauffement par page")
    parser.add_argument("--write-docs", action="store_true", help="met à jour docs/benchmarks.md")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE des requêtes les plus lentes de chaque page (sinon : des pages "
        "au-dessus de l'objectif seulement)",
    )
    parser.add_argument(
        "--equipment-only",
        action="store_true",
        help="s'arrête après l'étape de l'équipement (chargement seulement, sans mesure)",
    )
    parser.add_argument(
        "--equipment-pages",
        action="store_true",
        help="ne mesure que l'équipement (ses pages, l'import de livraison, les étiquettes) ; "
        "avec --write-docs, ne réécrit que sa section",
    )
    # --- loans (M6) pages -------------------------------------------------------------------
    parser.add_argument(
        "--loans-pages",
        action="store_true",
        help="ne mesure que les prêts (la remise confirmée, le retour, le guichet, la page d'un "
        "prêt, les tableaux de bord M6) ; avec --write-docs, ne réécrit que leur section",
    )
    parser.add_argument(
        "--loans-only",
        action="store_true",
        help="s'arrête après l'étape des prêts (chargement seulement, sans mesure)",
    )
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def step(message: str) -> None:
    print(f"\n== {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if args.quick:
        url = database.with_database(url, database.database_name(url) + "_quick")
    created = database.ensure_database(url, reset=args.reset)
    step(f"Base {database.database_name(url)} ({'créée' if created else 'existante'})")
    setup_django(url)

    from django.conf import settings
    from django.core.management import call_command

    from bench import equipment as equipment_step
    from bench import loading, machine, report, scenarios, state, synthesis, timing, users
    from bench import loans as loans_step
    from tne.equipment.models import Allocation, Asset
    from tne.territory.enums import SchoolKind, StaffRole, Stage
    from tne.territory.models import School, SchoolClass, Staff
    from tne.territory.services import ensure_current_school_year

    call_command("migrate", verbosity=0)

    step("Chargement des fichiers nationaux")
    load = loading.loaded_timings()
    if load is None:
        if not loading.importer_available():
            print(
                "Le service d'import (tne.territory.importers.import_file) n'existe pas encore.",
                file=sys.stderr,
            )
            return 2
        national_dir = Path(settings.DATA_DIR) / "opendata" / "national"
        paths = loading.source_files(national_dir, quick=args.quick, var_dir=settings.VAR_DIR)
        load = loading.load_files(paths, var_dir=Path(settings.VAR_DIR))
    else:
        print("Déjà chargés (--reset pour recommencer).", file=sys.stderr)

    step("Synthèse des classes et des personnels")
    year = ensure_current_school_year()
    synthesised = synthesis.synthesise(year)
    if synthesised:
        state.write("synthesis", synthesised)
    else:
        print("Déjà synthétisés.", file=sys.stderr)
        synthesised = state.read("synthesis")
    figures = synthesis.refresh_figures(year)
    if figures:
        synthesised = {**(synthesised or {}), **figures}
        state.write("synthesis", synthesised)

    step("Équipement (M5) : affectations et matériels")
    equipment = equipment_step.synthesise(year)
    if equipment:
        state.write("equipment", equipment)
    else:
        print("Déjà synthétisé.", file=sys.stderr)
        equipment = state.read("equipment")
    if args.equipment_only:
        print(equipment, file=sys.stderr)
        return 0

    step("Prêts (M6) : élèves, besoins, attributions, prêts et tablettes")
    loans = loans_step.synthesise(year)
    if loans:
        state.write("loans", loans)
    else:
        print("Déjà synthétisés.", file=sys.stderr)
        loans = state.read("loans")
    if args.loans_only:
        print(loans, file=sys.stderr)
        return 0
    if args.loans_pages:
        return loans_pages(args, argv, loans_step, users, machine, report, settings)

    counts = {
        "Écoles": School.objects.filter(kind__in=SchoolKind.first_degree()).count(),
        "Collèges": School.objects.filter(kind=SchoolKind.COLLEGE).count(),
        "Lycées": School.objects.filter(kind__in=SchoolKind.lycees()).count(),
        "Classes (année en cours)": SchoolClass.objects.filter(year=year).count(),
        "dont élémentaires": SchoolClass.objects.filter(year=year, stage=Stage.ELEMENTARY).count(),
        "Personnels": Staff.objects.count(),
        "dont nouveaux enseignants": Staff.objects.filter(
            role=StaffRole.TEACHER, is_new_teacher=True
        ).count(),
        "Affectations de kits": Allocation.objects.count(),
        "Matériels": Asset.objects.count(),
    }

    step("Mesure des pages")
    people = users.bench_users()
    departement = users.coordinated_departement()
    load_before = os.getloadavg()
    measures = []
    equipment_scenarios, skipped = equipment_step.scenarios(departement)
    for line in skipped:
        print(line, file=sys.stderr)
    territory_scenarios = [] if args.equipment_pages else scenarios.build(people, departement)

    def client(scenario):
        return timing.client_for(
            people["national" if scenario.who == "national" else "coordination"]
        )

    def say(measured, seconds=None):
        figures = (
            f"médiane {measured.median:.1f} ms, p95 {measured.p95:.1f} ms, "
            f"{measured.queries} requêtes"
            if measured.ok
            else measured.verdict
        )
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        print(
            f"{measured.scenario.page} — {measured.scenario.who} : {figures}{took}",
            file=sys.stderr,
            flush=True,
        )

    for scenario in territory_scenarios:
        started = time.perf_counter()
        measured = timing.measure(client(scenario), scenario, runs=args.runs, warmup=args.warmup)
        measures.append(measured)
        say(measured, time.perf_counter() - started)
    # The equipment pages in rounds (one request of each per round), against bursts of load.
    for measured in timing.measure_rounds(
        [(client(s), s) for s in equipment_scenarios], runs=args.runs, warmup=args.warmup
    ):
        measures.append(measured)
        say(measured)

    equipment_measures = measures[len(measures) - len(equipment_scenarios) :]
    measures = measures[: len(measures) - len(equipment_scenarios)]
    load_pages = os.getloadavg()
    step("Import de livraison et planche d'étiquettes")
    jobs, job_skipped = equipment_step.run_jobs()
    for line in job_skipped:
        print(line, file=sys.stderr)
    for job in jobs:
        print(f"{job['label']} : {job.get('seconds', 0):.1f} s", file=sys.stderr)

    plans = {}
    for measured in equipment_measures:
        if measured.ok and (args.explain or measured.median >= equipment_step.TARGET_MS):
            for _, sql in measured.slowest[:2]:
                plans[sql] = timing.explain(sql)
    for measured in measures:
        if measured.ok and (args.explain or measured.median >= report.TARGET_MS):
            for _, sql in measured.slowest[:2]:
                plans[sql] = timing.explain(sql)

    load_after = os.getloadavg()
    described = machine.describe()
    described["Charge moyenne (1 min) avant / après les mesures"] = (
        f"{load_before[0]:.1f} / {load_after[0]:.1f}"
    )
    today = datetime.date.today().isoformat()
    mode = "rapide (02 et 95)" if args.quick else "nationale"
    rendered = {
        "title": f"Mesures du {today}, échelle {mode}",
        "machine": described,
        "counts": counts,
        "load": load,
        "synthesis": synthesised,
        "measures": measures,
        "runs": args.runs,
        "command": "make bench" + (" (--quick)" if args.quick else ""),
    }
    command = (
        "DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_bench DEBUG=1 "
        ".venv/bin/python bench/national.py " + " ".join(sys.argv[1:] if argv is None else argv)
    ).strip()
    equipment_context = {
        "title": f"Équipement (M5), mesures du {today}, échelle {mode}",
        "machine": {
            **{k: v for k, v in described.items() if not k.startswith("Charge moyenne")},
            "Charge moyenne (1 min) avant / après les pages / après les traitements": (
                f"{load_before[0]:.1f} / {load_pages[0]:.1f} / {load_after[0]:.1f}"
            ),
        },
        "command": command,
        "runs": args.runs,
    }
    equipment_text = equipment_step.report_section(
        equipment, equipment_measures, jobs, skipped + job_skipped, **equipment_context
    )
    equipment_plans = equipment_step.slow_queries(equipment_measures, plans)
    if args.equipment_pages:
        text = equipment_text + ("\n\n" + equipment_plans if equipment_plans else "")
    else:
        text = (
            report.render(**rendered, plans=plans)
            + "\n\n"
            + equipment_text
            + ("\n\n" + equipment_plans if equipment_plans else "")
        )
    print(text)
    prefix = "equipment" if args.equipment_pages else "national"
    name = f"{prefix}-quick-{today}.md" if args.quick else f"{prefix}-{today}.md"
    target = Path(settings.VAR_DIR) / "bench" / name
    report.write_report(text, target)
    print(f"\nRapport écrit dans {target}", file=sys.stderr)
    if args.write_docs:
        # The plans stay in the report under var/: the doc keeps the figures readable.
        doc = REPO / "docs" / "benchmarks.md"
        if not args.equipment_pages:
            report.update_docs(report.render(**rendered, plans={}), doc)
        report.update_docs(
            equipment_text,
            doc,
            start=equipment_step.DOC_START,
            end=equipment_step.DOC_END,
            heading="## Mesures de l'équipement",
        )
        print("docs/benchmarks.md mis à jour.", file=sys.stderr)
    return 0


def loans_pages(args, argv, loans_step, users, machine, report, settings) -> int:
    """``--loans-pages``: the loans' measures alone (``bench/loans.py``), their report under
    ``var/bench/`` and, with ``--write-docs``, their section of docs/benchmarks.md."""
    from bench import timing

    step("Mesure des prêts (M6)")
    departement = users.coordinated_departement()
    load_before = os.getloadavg()
    measures, skipped = loans_step.measure_pages(departement, runs=args.runs, warmup=args.warmup)
    load_after = os.getloadavg()
    for measured in measures:
        figures = (
            f"médiane {measured.median:.1f} ms, p95 {measured.p95:.1f} ms, "
            f"{measured.queries} requêtes"
            if measured.ok
            else measured.verdict
        )
        print(f"{measured.scenario.page} : {figures}", file=sys.stderr, flush=True)
    for line in skipped:
        print(line, file=sys.stderr)
    plans = {}
    for measured in measures:
        if measured.ok and (args.explain or measured.median >= loans_step.TARGET_MS):
            for _, sql in measured.slowest[:2]:
                plans[sql] = timing.explain(sql)
    described = machine.describe()
    described["Charge moyenne (1 min) avant / après les mesures"] = (
        f"{load_before[0]:.1f} / {load_after[0]:.1f}"
    )
    now = datetime.datetime.now(datetime.UTC)
    command = (
        "DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_bench DEBUG=1 "
        ".venv/bin/python bench/national.py " + " ".join(sys.argv[1:] if argv is None else argv)
    ).strip()
    text = loans_step.report_section(
        measures,
        skipped,
        title=f"Prêts (M6), mesures du {now:%Y-%m-%d} ({now:%H} h {now:%M} UTC), "
        "500 000 prêts en base",
        machine=described,
        command=command,
        runs=args.runs,
    )
    details = "\n".join(
        f"- {m.scenario.page} : `{sql[:300]}`\n\n```\n{plans[sql]}\n```"
        for m in measures
        if m.ok
        for _, sql in m.slowest[:2]
        if plans.get(sql)
    )
    print(text + ("\n\n" + details if details else ""))
    target = Path(settings.VAR_DIR) / "bench" / f"loans-{now:%Y-%m-%d}.md"
    report.write_report(text + ("\n\n" + details if details else ""), target)
    print(f"\nRapport écrit dans {target}", file=sys.stderr)
    if args.write_docs:
        report.update_docs(
            text,
            REPO / "docs" / "benchmarks.md",
            start=loans_step.DOC_START,
            end=loans_step.DOC_END,
            heading=loans_step.DOC_HEADING,
        )
        print("docs/benchmarks.md mis à jour.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
