"""The M6 allocation engine at national scale: 1,000,000 candidates across 40,000 schools in
100 départements, with school minimums and maximums and département caps (issue 8: under 3 s
median). No Django, no database::

    .venv/bin/python bench/allocation.py            # the 1M / 40k instance
    .venv/bin/python bench/allocation.py --quick    # 20,000 candidates, 800 schools

The instance is seeded (``--seed``): each school's size drawn from a log-normal, each pupil's
school from those sizes, priorities 0 to 10,000 (many ties), string ids like a national pupil
identifier (``--int-ids``: the database's integer pks instead); a minimum (1 to 5) on 30 % of
the schools, a maximum (40 to 100 % of its pupils) on 40 %, a cap (35 to 60 % of its pupils) on 60 %
of the départements, a stock of 60 % of the pupils. It then times, on the same instance:

1. ``allocate`` ``--runs`` times (5): median, min and max, wall clock and CPU of this process;
2. the peak of the memory allocated during one more run (``tracemalloc``: numpy's arrays
   included), and this process's peak resident memory (instance included);
3. ``tne allocate FILE`` once on the instance written as JSON, in a subprocess (reading,
   checking, writing the result included), with its peak resident memory (``--no-cli``: skip);
4. the exact solver (``tne.loans.exact``, SciPy's ``milp``/HiGHS) once, with a time limit
   (``--milp-time-limit``, 300 s), and whether its optimum equals the engine's total
   (``--no-milp``: skip).

It prints a Markdown table for ``docs/benchmarks.md``."""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tne.core.formats import NBSP  # noqa: E402
from tne.core.formats import fr_number as n  # noqa: E402
from tne.loans.engine import Candidate, Instance, School, allocate  # noqa: E402

# 101 codes: metropolitan France (Corsica as 2A and 2B) and five overseas départements.
CODES = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]
CODES += ["971", "972", "973", "974", "976"]


def generate(
    *,
    candidates: int = 1_000_000,
    schools: int = 40_000,
    departements: int = 100,
    seed: int = 1,
    int_ids: bool = False,
) -> Instance:
    """The seeded instance described in the module's docstring (always feasible)."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 0.6, schools)
    school_of = rng.choice(schools, size=candidates, p=weights / weights.sum())
    size = np.bincount(school_of, minlength=schools)
    dept_of = rng.integers(0, departements, schools)
    has_min = rng.random(schools) < 0.3
    has_max = rng.random(schools) < 0.4
    minimum = np.where(has_min, rng.integers(1, 6, schools), 0)
    maximum = np.maximum(np.ceil(size * rng.uniform(0.4, 1.0, schools)).astype(int), minimum)
    per_dept = np.bincount(dept_of, weights=size, minlength=departements).astype(int)
    mins_per_dept = np.bincount(
        dept_of, weights=np.minimum(minimum, size), minlength=departements
    ).astype(int)
    codes = CODES[:departements]
    school_ids = [f"{codes[dept_of[s]]}{s:07d}" for s in range(schools)]
    school_list = [
        School(
            school_ids[s],
            codes[dept_of[s]],
            int(minimum[s]),
            int(maximum[s]) if has_max[s] else None,
        )
        for s in range(schools)
    ]
    capped = rng.random(departements) < 0.6
    cap_share = rng.uniform(0.35, 0.6, departements)
    caps = {
        codes[d]: max(int(per_dept[d] * cap_share[d]), int(mins_per_dept[d]))
        for d in range(departements)
        if capped[d]
    }
    numbers = rng.permutation(candidates) + 1
    ids = numbers.tolist() if int_ids else [f"{k:09d}AB" for k in numbers.tolist()]
    priorities = rng.integers(0, 10_001, candidates).tolist()
    candidate_list = [
        Candidate(i, school_ids[s], p)
        for i, s, p in zip(ids, school_of.tolist(), priorities, strict=True)
    ]
    stock = max(int(candidates * 0.6), int(mins_per_dept.sum()))
    return Instance(candidate_list, school_list, caps, stock=stock)


def _as_json(instance: Instance) -> dict:
    return {
        "stock": instance.stock,
        "schools": [
            {"id": s.id, "departement": s.departement, "min": s.min}
            | ({} if s.max is None else {"max": s.max})
            for s in instance.schools
        ],
        "departement_caps": dict(instance.departement_caps),
        "candidates": [
            {"id": c.id, "school": c.school, "priority": c.priority} for c in instance.candidates
        ],
    }


def _fr(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",")


def _mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.0f}".replace(",", "\u202f") + " Mio"


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _machine() -> dict[str, str]:
    import scipy

    from bench.machine import _cpu_model, _memory_gib  # plain /proc readers

    return {
        "Cœurs (nproc)": str(len(os.sched_getaffinity(0))),
        "Mémoire": _memory_gib(),
        "Processeur": _cpu_model(),
        "Python": platform.python_version(),
        "numpy / SciPy": f"{np.__version__} / {scipy.__version__}",
        "Charge moyenne au début (1 min)": f"{os.getloadavg()[0]:.1f}".replace(".", ","),
    }


def run(args: argparse.Namespace, say=print) -> list[tuple[str, str]]:
    """The measures, as rows ``(what, figure)`` of the report."""
    started = time.perf_counter()
    instance = generate(
        candidates=args.candidates,
        schools=args.schools,
        departements=args.departements,
        seed=args.seed,
        int_ids=args.int_ids,
    )
    built = time.perf_counter() - started
    say(f"instance built in {built:.1f} s")
    rows = [
        (
            "Instance",
            f"{n(len(instance.candidates))} candidats, {n(len(instance.schools))} écoles, "
            f"{args.departements} départements ({len(instance.departement_caps)} plafonnés), "
            f"{n(sum(s.min > 0 for s in instance.schools))} minimums, "
            f"{n(sum(s.max is not None for s in instance.schools))} maximums, "
            f"stock {n(instance.stock)}, identifiants {'entiers' if args.int_ids else 'textes'}",
        )
    ]
    walls, cpus = [], []
    for number in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = allocate(instance)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        say(f"run {number + 1}: {walls[-1]:.2f} s ({cpus[-1]:.2f} s CPU)")
    counts = ", ".join(f"{r.label} {n(count)}" for r, count in result.counts.items() if count)
    rows += [
        (
            "Résultat",
            f"{n(result.served_count)} servis, priorité totale {n(result.total_priority)}"
            f"\u202f; non servis{NBSP}: {counts}",
        ),
        (
            f"`allocate`, {args.runs} essais",
            f"médiane **{_fr(statistics.median(walls))} s** (min {_fr(min(walls))}, max "
            f"{_fr(max(walls))})\u202f; CPU médian {_fr(statistics.median(cpus))} s",
        ),
    ]
    tracemalloc.start()
    allocate(instance)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows += [
        ("Mémoire allouée pendant `allocate` (pic, tracemalloc)", _mib(peak)),
        ("Mémoire résidente du processus (pic, instance comprise)", _mib(_peak_rss())),
        ("Construction de l'instance (objets Python, hors mesure)", f"{_fr(built)} s"),
    ]
    if args.cli:
        rows += _time_command(instance, say)
    if args.milp:
        from tne.loans.exact import solve_exact

        say(f"milp (time limit {args.milp_time_limit:.0f} s)…")
        exact = solve_exact(instance, time_limit=args.milp_time_limit)
        if exact.total == result.total_priority:
            found = "optimum égal au total du moteur"
        elif exact.total is None:
            found = "aucune solution trouvée"
        else:
            found = f"meilleur total trouvé {n(exact.total)} (moteur {n(result.total_priority)})"
        ratio = exact.seconds / statistics.median(walls)
        rows.append(
            (
                f"`milp` (HiGHS, sans presolve), une résolution, limite "
                f"{args.milp_time_limit:.0f} s",
                f"{_fr(exact.seconds)} s, statut {exact.status}, {found}\u202f; "
                f"{'au moins ' if exact.status == 'time_limit' else ''}{n(round(ratio))} fois la "
                "médiane du moteur",
            )
        )
    return rows


def _time_command(instance: Instance, say) -> list[tuple[str, str]]:
    """``tne allocate FILE`` once in a subprocess, on the instance written as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "instance.json"
        path.write_text(json.dumps(_as_json(instance)), encoding="utf-8")
        size = path.stat().st_size
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
        env["PYTHONPATH"] = str(REPO)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tne.cli", "allocate", str(path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode:
        raise SystemExit(f"tne allocate a échoué ({done.returncode}) : {done.stderr.decode()}")
    say(f"tne allocate: {seconds:.1f} s")
    peak = f"\u202f; pic de mémoire résidente {_mib(rss * 1024)}" if rss > before else ""
    return [
        (
            f"`tne allocate FICHIER.json` (JSON de {_mib(size)}, sous-processus)",
            f"{_fr(seconds)} s, lecture et écriture comprises{peak}",
        )
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 000 candidats, 800 écoles")
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--departements", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--int-ids", action="store_true", help="identifiants entiers")
    parser.add_argument("--milp-time-limit", type=float, default=300.0)
    parser.add_argument("--no-milp", dest="milp", action="store_false")
    parser.add_argument("--no-cli", dest="cli", action="store_false")
    args = parser.parse_args(argv)
    if args.quick:
        args.candidates, args.schools = 20_000, 800
    machine = _machine()
    rows = run(args, say=lambda text: print(text, file=sys.stderr))
    print("| Machine | |\n|---|---|")
    for key, value in machine.items():
        print(f"| {key} | {value} |")
    print("\n| Mesure | Chiffre |\n|---|---|")
    for what, figure in rows:
        print(f"| {what} | {figure} |")


if __name__ == "__main__":
    main()
