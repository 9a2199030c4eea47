"""The exact optimum of an allocation instance by integer programming, to referee the engine
(:mod:`tne.loans.engine`) in its tests and its benchmark; the application never uses it.

One binary unknown per candidate (served or not), the objective the total priority served, and
the bounds as rows: per school, its minimum (capped at its number of candidates, as the engine
does) and its maximum; per département with a cap, the cap; in all, the capacity. Solved by
SciPy's ``milp`` (HiGHS, relative gap 0). Written from the instance's fields alone, without the
engine's arrays, so that a mistake of the engine is not repeated here.

HiGHS's presolve is off by default (``presolve=True`` puts it back): on the 20,000 pupils of
``bench/allocation.py --quick`` it took 68 s where the solve without it takes 1 s, the root
relaxation being already integral (the rows of a laminar family make a totally unimodular
matrix), so that presolve has nothing to gain.

With ``count_ties``, the objective is ``priority × (n + 1) + 1`` per pupil served: the greatest
total priority first, and among the choices that reach it the one that serves the most pupils
(exact in floating point while the totals stay below 2⁵³: small instances only)."""

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from .engine import Instance


@dataclass(frozen=True)
class Exact:
    """``status``: « optimal », « infeasible » or « time_limit » (then ``total`` is the best
    found, if any); ``served``: the ids served."""

    status: str
    total: int | None
    served_count: int | None
    served: frozenset | None
    seconds: float


def solve_exact(
    instance: Instance,
    *,
    time_limit: float | None = None,
    count_ties: bool = False,
    presolve: bool = False,
) -> Exact:
    started = time.perf_counter()
    candidates = list(instance.candidates)
    n = len(candidates)
    school_row = {school.id: i for i, school in enumerate(instance.schools)}
    departements = sorted({school.departement for school in instance.schools})
    dept_row = {code: len(instance.schools) + i for i, code in enumerate(departements)}
    capacity_row = len(instance.schools) + len(departements)
    rows, columns = [], []
    for j, candidate in enumerate(candidates):
        school = instance.schools[school_row[candidate.school]]
        rows += [school_row[candidate.school], dept_row[school.departement], capacity_row]
        columns += [j, j, j]
    matrix = csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(capacity_row + 1, max(n, 1)))
    sizes = np.bincount([school_row[c.school] for c in candidates], minlength=len(school_row))
    lower = [min(s.min, int(sizes[i])) for i, s in enumerate(instance.schools)]
    upper = [np.inf if s.max is None else s.max for s in instance.schools]
    for code in departements:
        lower.append(0)
        cap = instance.departement_caps.get(code)
        upper.append(np.inf if cap is None else cap)
    capacity = instance.capacity
    lower.append(0)
    upper.append(np.inf if capacity is None else capacity)
    priority = np.array([c.priority for c in candidates] or [0], dtype=float)
    objective = priority * (n + 1) + 1 if count_ties else priority
    options = {"mip_rel_gap": 0, "presolve": presolve}
    if time_limit is not None:
        options["time_limit"] = time_limit
    solution = milp(
        c=-objective,
        constraints=[LinearConstraint(matrix, np.array(lower), np.array(upper))],
        integrality=np.ones(max(n, 1)),
        bounds=Bounds(0, 1 if n else 0),
        options=options,
    )
    seconds = time.perf_counter() - started
    if solution.status == 2:
        return Exact("infeasible", None, None, None, seconds)
    status = "optimal" if solution.status == 0 else "time_limit"
    if solution.x is None:
        return Exact(status, None, None, None, seconds)
    chosen = np.flatnonzero(solution.x[:n] > 0.5)
    return Exact(
        status,
        int(sum(candidates[j].priority for j in chosen.tolist())),
        len(chosen),
        frozenset(candidates[j].id for j in chosen.tolist()),
        seconds,
    )


def exact_total(instance: Instance) -> int | None:
    """The greatest total priority of ``instance`` (``None``: its minimums cannot be met)."""
    result = solve_exact(instance)
    if result.status != "optimal" and result.status != "infeasible":  # pragma: no cover
        raise RuntimeError(f"milp: {result.status}")
    return result.total
