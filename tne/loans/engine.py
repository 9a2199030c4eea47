"""The M6 allocation engine: which pupils get a loaned device when there are not enough for all.

Pure Python and numpy, no Django: the pages call :func:`allocate` with the pupils of the
database (their pks as ids), and ``tne allocate INSTANCE.json`` (:func:`command`) runs it on a
file, without settings or database, for audits and tests.

**The problem.** Candidates (a pupil: an id, a school, a priority ≥ 0), schools (each in one
département, with an optional minimum and maximum of pupils served), optional caps per
département, and a capacity: the loanable stock and/or a budget (``budget_cents //
unit_cost_cents`` devices; with both, the smaller of the two; no stock and no budget: no limit).
The engine chooses the pupils served so that **the total priority served is maximal** while each
school serves at least its minimum and at most its maximum, each département at most its cap
and the whole at most the capacity.

- A school's minimum above its number of candidates counts as that number: all its candidates
  are served first (a minimum cannot conjure pupils up). A minimum above the school's maximum is
  an input error. If the minimums cannot all be met (their sum in a département above its cap,
  or in all above the capacity) the instance is infeasible: :class:`Infeasible`, whose French
  message names each département and the figures.
- **Ties** (documented rule): pupils are ranked by priority, highest first, then by id, smallest
  first, ids compared as Python compares them: integers by value, strings by code point (which
  is UTF-8 byte order: ``"10" < "9"``, ``"B" < "a"``). The ids of one instance are all integers
  or all strings. Of two pupils of equal priority competing for the last place, the smaller id
  is served.
- The result lists the pupils served in that ranking order (never the input order), and the
  pupils not served in that order too, each with the reason: the first full bound in the order
  **school maximum → département cap → capacity**; the capacity is « budget » when the budget
  pays for fewer devices than the stock, else « stock ». That bound is full in the result, so
  serving the pupil on top would break it. The same instance gives the same result whatever the
  order of its lists.

**Why the greedy is exact.** (1) Within a school the pupils are interchangeable for every
bound (each bound counts the pupils of a school, of a département or of all, and a school lies
in one département), so some optimal choice serves, in each school, a prefix of its ranking:
swapping a served pupil for a better-ranked unserved one of the same school keeps every count
and does not lower the total. Such a choice contains F, the top ``min`` pupils of every school.
(2) The upper bounds form a laminar family (school ⊂ département ⊂ all: two of the sets are
nested or disjoint), and the sets within such bounds are the independent sets of a matroid (a
laminar matroid). F is independent exactly when the minimums are feasible (min ≤ max per
school, their sums within each cap and the capacity), so that check is exact: no choice meets
the minimums when it fails. (3) The sets T such that F ∪ T is independent are the independent
sets of the contracted matroid M / F, on which the greedy by weight (each pupil, best first,
served if every bound still has room) finds a set of maximal weight when the weights are ≥ 0
(Rado–Edmonds). So F ∪ greedy is optimal. It is also a basis of M / F: it serves as many
pupils as any feasible choice does (a pupil of priority 0 is served when there is room).
``tests/loans/test_engine_exact.py`` checks the total and the count against SciPy's ``milp`` on
hundreds of random instances; the proof is what tells us it holds beyond them.

**Vectorised by rank (a change to the design agreed first, which looped over the pupils).** The
greedy serves a prefix of each school's ranking: once a pupil is refused, the bound that refused
it stays full. So the pupils of rank ≥ the school's maximum are never served, and the school
maximum refuses nobody else. Of the others beyond the minimums (the eligible), the greedy
serves, while the capacity has room, a pupil exactly when fewer than ``cap − F_d`` of the
eligible of its département come before it; and the capacity takes the first ``capacity − |F|``
of those in ranking order. Each step is a stable sort of small integers and a prefix mask, with
no Python loop over the pupils. The sorts are least-significant-digit radix sorts on 16-bit
digits (one pass of numpy's counting sort per digit): the priorities, the school and département
positions, and the ids, integers as such, strings as their UTF-8 bytes (0.14 s for a million
11-byte ids, against 0.55 s for numpy's comparison sort of the strings). What is left in Python
is reading the candidates and writing the result: 1,000,000 pupils in 40,000 schools take 0.8 to
1.4 s of CPU (``bench/allocation.py``, figures in ``docs/benchmarks.md``). The tests check it
against the textbook greedy loop. The reason of a pupil refused is the same at the end as when
the greedy refused it (a full bound stays full; a full département stops its schools from
filling; a full capacity stops everything), so the reasons are read from the final counts.

**What if.** :func:`what_if` is the same run with another stock or budget, nothing saved;
:func:`gain` says how many more pupils and how much more priority it serves."""

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from operator import itemgetter
from pathlib import Path

import numpy as np

from tne.core.formats import NBSP, euros, fr_number, plural

# Priorities stay below this, so that any sum of a million of them is exact in 64-bit integers.
MAX_PRIORITY = 10**12
# The bound of a school without maximum or a département without cap.
_NO_LIMIT = np.iinfo(np.int64).max // 4

_SEMICOLON = "\u202f; "  # French: a narrow no-break space before « ; »

EXIT_INFEASIBLE = 1
EXIT_INPUT_ERROR = 2


class Reason(StrEnum):
    """Why a candidate is not served: the first full bound (school → département → capacity)."""

    STOCK = "stock"
    BUDGET = "budget"
    SCHOOL_MAX = "school_max"
    DEPARTEMENT_CAP = "departement_cap"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Reason.STOCK: "stock épuisé",
    Reason.BUDGET: "budget atteint",
    Reason.SCHOOL_MAX: "maximum de l'école atteint",
    Reason.DEPARTEMENT_CAP: "plafond du département atteint",
}


class InputError(ValueError):
    """An instance that cannot be read: ``path`` says where (``candidates[12].priority``),
    ``problem`` what, in French."""

    def __init__(self, path: str, problem: str):
        self.path, self.problem = path, problem
        super().__init__(f"{path}{NBSP}: {problem}" if path else problem)


class Infeasible(Exception):
    """The minimums cannot all be met: ``departements`` maps each département whose schools'
    minimums exceed its cap to ``(sum of the minimums, cap)``; ``minimums`` and ``capacity``
    are set when all the minimums exceed the capacity."""

    def __init__(
        self,
        message: str,
        *,
        departements: dict[str, tuple[int, int]],
        minimums: int | None = None,
        capacity: int | None = None,
    ):
        super().__init__(message)
        self.departements, self.minimums, self.capacity = departements, minimums, capacity


@dataclass(frozen=True)
class School:
    """A school of the instance: ``min`` pupils served at least (capped at its number of
    candidates), ``max`` at most (``None``: no maximum)."""

    id: str | int
    departement: str
    min: int = 0
    max: int | None = None


@dataclass(frozen=True)
class Candidate:
    """A pupil who asks for a device: ``school`` is a :attr:`School.id`, ``priority`` an
    integer from 0 to :data:`MAX_PRIORITY` (the higher, the sooner served)."""

    id: str | int
    school: str | int
    priority: int


@dataclass(frozen=True)
class Instance:
    """What :func:`allocate` decides on: a département without an entry in
    ``departement_caps`` has no cap; the capacity is the stock and/or what the budget pays for
    (``budget_cents // unit_cost_cents``), the smaller of the two, and no limit without
    either."""

    candidates: Sequence[Candidate]
    schools: Sequence[School]
    departement_caps: Mapping[str, int] = field(default_factory=dict)
    stock: int | None = None
    budget_cents: int | None = None
    unit_cost_cents: int | None = None

    @property
    def budget_capacity(self) -> int | None:
        """How many devices the budget pays for (``None``: no budget)."""
        if self.budget_cents is None:
            return None
        _check_count(self.budget_cents, "budget_cents")
        if self.unit_cost_cents is None:
            raise InputError(
                "budget_cents",
                "un budget sans coût unitaire (unit_cost_cents) ne dit pas combien d'appareils "
                "il paie",
            )
        if type(self.unit_cost_cents) is not int or self.unit_cost_cents <= 0:
            raise InputError(
                "unit_cost_cents",
                f"entier strictement positif attendu (reçu {_shown(self.unit_cost_cents)})",
            )
        return self.budget_cents // self.unit_cost_cents

    @property
    def capacity(self) -> int | None:
        """The devices that can be lent: the stock, the budget's, the smaller of the two
        (``None``: neither, no limit)."""
        if self.stock is not None:
            _check_count(self.stock, "stock")
        budget = self.budget_capacity
        limits = [n for n in (self.stock, budget) if n is not None]
        return min(limits) if limits else None

    @property
    def capacity_reason(self) -> Reason:
        budget = self.budget_capacity
        if budget is not None and (self.stock is None or budget < self.stock):
            return Reason.BUDGET
        return Reason.STOCK

    def capacity_text(self) -> str:
        """The capacity and where it comes from, for a message: « 3 000 (stock de 3 000 ;
        budget de 1 000 000 € à 300 € l'appareil, soit 3 333) »."""
        parts = []
        if self.stock is not None:
            parts.append(f"stock de {fr_number(self.stock)}")
        if self.budget_cents is not None:
            parts.append(
                f"budget de {euros(Decimal(self.budget_cents) / 100)} à "
                f"{euros(Decimal(self.unit_cost_cents) / 100)} l'appareil, soit "
                f"{fr_number(self.budget_capacity)}"
            )
        return f"{fr_number(self.capacity)} ({_SEMICOLON.join(parts)})"


@dataclass(frozen=True)
class Result:
    """``served``: the ids served, in ranking order; ``unserved``: id → :class:`Reason`, in
    ranking order; ``counts``: how many pupils each reason stopped (every reason, 0 included)."""

    served: list
    total_priority: int
    unserved: dict
    capacity: int | None
    counts: dict[Reason, int]

    @property
    def served_count(self) -> int:
        return len(self.served)


@dataclass(frozen=True)
class Gain:
    """What another run serves more than a first one (negative: less)."""

    pupils: int
    priority: int
    newly_served: list
    no_longer_served: list


# --- The engine ------------------------------------------------------------------------------


def allocate(instance: Instance) -> Result:
    """The optimal allocation of ``instance`` (see the module's docstring). Raises
    :class:`InputError` for an instance that cannot be read, :class:`Infeasible` when the
    minimums cannot all be met."""
    candidates = instance.candidates
    return _allocate(
        instance,
        [c.id for c in candidates],
        [c.school for c in candidates],
        [c.priority for c in candidates],
    )


def _allocate(instance: Instance, ids: list, refs: list, priorities: list) -> Result:
    """:func:`allocate` on the candidates given as columns (``instance.candidates`` unread):
    the command reads them so from its JSON, without a million :class:`Candidate` objects."""
    capacity = instance.capacity
    index, school_dept, mins, maxs, dept_codes, caps = _schools(instance)
    school_of, priority = _candidates(ids, refs, priorities, index)
    n, n_schools, n_depts = len(ids), len(mins), len(caps)

    # The ranking: priority descending, then id ascending.
    order = _ranking(ids, priority)
    school = school_of[order]  # from here on, position k is the k-th pupil of the ranking
    priority = priority[order]

    candidates_per_school = np.bincount(school, minlength=n_schools)
    rank = _rank_in_group(school, candidates_per_school)
    minimum = np.minimum(mins, candidates_per_school)
    forced = rank < minimum[school]
    dept = school_dept[school]
    forced_per_dept = np.bincount(dept[forced], minlength=n_depts)
    forced_count = int(forced.sum())
    _check_feasible(instance, dept_codes, caps, forced_per_dept, forced_count, capacity)

    eligible = np.flatnonzero(~forced & (rank < maxs[school]))
    eligible_dept = dept[eligible]
    dept_rank = _rank_in_group(eligible_dept, np.bincount(eligible_dept, minlength=n_depts))
    kept = eligible[dept_rank < (caps - forced_per_dept)[eligible_dept]]
    if capacity is not None:
        kept = kept[: capacity - forced_count]
    served = forced.copy()
    served[kept] = True

    served_at = np.flatnonzero(served)
    unserved_at = np.flatnonzero(~served)
    served_per_school = np.bincount(school[served_at], minlength=n_schools)
    served_per_dept = np.bincount(dept[served_at], minlength=n_depts)
    u_school, u_dept = school[unserved_at], dept[unserved_at]
    codes = np.where(
        served_per_school[u_school] >= maxs[u_school],
        0,
        np.where(served_per_dept[u_dept] >= caps[u_dept], 1, 2),
    )
    reasons = (Reason.SCHOOL_MAX, Reason.DEPARTEMENT_CAP, instance.capacity_reason)
    per_code = np.bincount(codes, minlength=3).tolist()
    counts = dict.fromkeys(Reason, 0)
    for reason, count in zip(reasons, per_code, strict=True):
        counts[reason] += count
    # Object arrays: gathering a million ids in ranking order is a C loop, not a Python one.
    ranked_ids = np.array(ids, dtype=object)[order] if n else np.zeros(0, dtype=object)
    return Result(
        served=ranked_ids[served_at].tolist(),
        total_priority=int(priority[served_at].sum()),
        unserved=dict(
            zip(
                ranked_ids[unserved_at].tolist(),
                np.array(reasons, dtype=object)[codes].tolist(),
                strict=True,
            )
        ),
        capacity=capacity,
        counts=counts,
    )


def what_if(
    instance: Instance,
    *,
    stock: int | None = None,
    budget_cents: int | None = None,
    unit_cost_cents: int | None = None,
) -> Result:
    """The same run with another stock, budget or unit cost (``None`` keeps the instance's),
    nothing saved."""
    changes = {
        name: value
        for name, value in (
            ("stock", stock),
            ("budget_cents", budget_cents),
            ("unit_cost_cents", unit_cost_cents),
        )
        if value is not None
    }
    return allocate(replace(instance, **changes))


def gain(before: Result, after: Result) -> Gain:
    """How many more pupils and how much more priority ``after`` serves than ``before``, and
    who (in ``after``'s ranking order, resp. ``before``'s)."""
    before_ids, after_ids = set(before.served), set(after.served)
    return Gain(
        pupils=after.served_count - before.served_count,
        priority=after.total_priority - before.total_priority,
        newly_served=[i for i in after.served if i not in before_ids],
        no_longer_served=[i for i in before.served if i not in after_ids],
    )


def _rank_in_group(group: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The rank of each element among those of its group, in the order of ``group``."""
    by_group = _radix_order(_digits(group))
    starts = np.cumsum(sizes) - sizes
    rank = np.empty(len(group), dtype=np.int64)
    rank[by_group] = np.arange(len(group)) - np.repeat(starts, sizes)
    return rank


def _check_feasible(instance, dept_codes, caps, forced_per_dept, forced_count, capacity) -> None:
    over = {
        dept_codes[d]: (int(forced_per_dept[d]), int(caps[d]))
        for d in np.flatnonzero(forced_per_dept > caps).tolist()
    }
    problems = [
        f"les minimums des écoles du département {code} totalisent "
        f"{plural(minimums, 'élève')}, plus que son plafond de {fr_number(cap)}"
        for code, (minimums, cap) in sorted(over.items())
    ]
    too_many = capacity is not None and forced_count > capacity
    if too_many:
        problems.append(
            f"les minimums des écoles totalisent {plural(forced_count, 'élève')}, plus que la "
            f"capacité de {instance.capacity_text()}"
        )
    if problems:
        raise Infeasible(
            f"Attribution impossible{NBSP}: " + _SEMICOLON.join(problems) + ".",
            departements=over,
            minimums=forced_count if too_many else None,
            capacity=capacity if too_many else None,
        )


# --- Reading and checking an instance --------------------------------------------------------


def _shown(value) -> str:
    """A value as a message quotes it: « E12 » for a string, 12 for a number."""
    if isinstance(value, str):
        return f"«{NBSP}{value}{NBSP}»"
    return json.dumps(value, ensure_ascii=False, default=repr)[:60]


def _check_count(value, path: str) -> None:
    if type(value) is not int or value < 0:
        raise InputError(path, f"entier positif ou nul attendu (reçu {_shown(value)})")


def _schools(instance: Instance):
    """The schools as arrays: ``index`` (id → position), département position, minimum,
    maximum of each school; the département codes and their caps (no cap: no limit)."""
    index: dict = {}
    dept_index: dict[str, int] = {}
    school_dept, mins, maxs = [], [], []
    for i, school in enumerate(instance.schools):
        where = f"schools[{i}]"
        if type(school.id) not in (str, int):
            raise InputError(f"{where}.id", f"texte ou entier attendu (reçu {_shown(school.id)})")
        if school.id in index:
            raise InputError(
                f"{where}.id",
                f"l'école {_shown(school.id)} est déjà schools[{index[school.id]}]",
            )
        index[school.id] = i
        if type(school.departement) is not str or not school.departement:
            raise InputError(
                f"{where}.departement",
                f"code de département attendu (reçu {_shown(school.departement)})",
            )
        _check_count(school.min, f"{where}.min")
        if school.max is not None:
            _check_count(school.max, f"{where}.max")
            if school.min > school.max:
                raise InputError(
                    where,
                    f"le minimum de l'école {_shown(school.id)} ({fr_number(school.min)}) "
                    f"dépasse son maximum ({fr_number(school.max)})",
                )
        school_dept.append(dept_index.setdefault(school.departement, len(dept_index)))
        # Bounds beyond 64 bits are no bound (and would not fit the arrays).
        mins.append(min(school.min, _NO_LIMIT))
        maxs.append(_NO_LIMIT if school.max is None else min(school.max, _NO_LIMIT))
    caps = [_NO_LIMIT] * len(dept_index)
    for code, cap in instance.departement_caps.items():
        _check_count(cap, f"departement_caps[{json.dumps(code, ensure_ascii=False)}]")
        if code in dept_index:
            caps[dept_index[code]] = min(cap, _NO_LIMIT)
    as_array = lambda values: np.array(values, dtype=np.int64)  # noqa: E731
    return (
        index,
        as_array(school_dept),
        as_array(mins),
        as_array(maxs),
        list(dept_index),
        as_array(caps),
    )


def _candidates(ids: list, refs: list, priorities: list, index: dict):
    """The school positions and the priorities of the candidates, as arrays."""
    where = lambda i: f"candidates[{i}]"  # noqa: E731
    try:  # the lookups in one C loop (itemgetter of one key gives the value, not a tuple)
        school_of = np.array(itemgetter(*refs)(index) if refs else (), dtype=np.int64)
    except (KeyError, TypeError):  # an unknown (or unhashable) school reference: which one
        get = index.get
        bad = (i for i, ref in enumerate(refs) if type(ref) not in (str, int) or get(ref) is None)
        i = next(bad, None)
        if i is None:  # pragma: no cover - a school id whose hash or equality fails
            raise
        raise InputError(
            f"{where(i)}.school",
            f"le candidat {_shown(ids[i])} est d'une école inconnue ({_shown(refs[i])})",
        ) from None
    school_of = school_of.reshape(-1)
    priority = np.array(priorities) if priorities else np.zeros(0, dtype=np.int64)
    if priority.dtype.kind != "i" or (priority < 0).any() or (priority > MAX_PRIORITY).any():
        for i, p in enumerate(priorities):
            if type(p) is not int or not 0 <= p <= MAX_PRIORITY:
                raise InputError(
                    f"{where(i)}.priority",
                    f"la priorité du candidat {_shown(ids[i])} doit être un entier de 0 à "
                    f"{fr_number(MAX_PRIORITY)} ({_shown(p)})",
                )
    return school_of, priority.astype(np.int64)


def _digits(values: np.ndarray) -> list[np.ndarray]:
    """Non-negative integers as rows of base-65,536 digits, the most significant first, as few
    as the largest value needs."""
    values = values.astype(np.uint64)
    top = int(values.max()) if len(values) else 0
    count = max(1, -(-top.bit_length() // 16))
    return [
        ((values >> np.uint64(16 * k)) & np.uint64(0xFFFF)).astype(np.uint16)
        for k in reversed(range(count))
    ]


def _radix_order(rows: list[np.ndarray], order: np.ndarray | None = None) -> np.ndarray:
    """The positions sorted by the tuples of ``rows`` (16-bit digits, the most significant row
    first), stably, after ``order`` if given: a least-significant-digit radix sort, one pass of
    numpy's stable sort per row (a counting sort for 16-bit integers), no comparison."""
    for row in reversed(rows):
        if order is None:
            order = np.argsort(row, kind="stable")
        else:
            order = order[np.argsort(row[order], kind="stable")]
    return order


def _byte_digits(ids: list[str]) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """The UTF-8 bytes of string ids as a matrix (one row per id, padded with NUL) and its
    16-bit digit rows; ``None`` when an id contains a NUL (the padding would be ambiguous).
    Byte order is code point order, and the padding puts a prefix first (« a » < « ab »)."""
    joined = "\0".join(ids)
    if joined.count("\0") != len(ids) - 1:
        return None
    data = joined.encode() + b"\0"
    width = len(data) // len(ids)
    if len(data) == width * len(ids) and not data[width - 1 :: width].strip(b"\0"):
        # Every NUL where ids of one length put it (the common case): no split needed.
        matrix = np.frombuffer(data, dtype=np.uint8).reshape(len(ids), width)[:, :-1]
    else:
        matrix = np.array(data[:-1].split(b"\0"))
        matrix = matrix.view(np.uint8).reshape(len(ids), matrix.dtype.itemsize)
    width = max(2, matrix.shape[1] + matrix.shape[1] % 2)
    padded = np.zeros((len(ids), width), dtype=np.uint8)
    padded[:, : matrix.shape[1]] = matrix
    digits = padded.view(">u2").astype(np.uint16)
    return padded, list(np.ascontiguousarray(digits.T))


def _ranking(ids: list, priority: np.ndarray) -> np.ndarray:
    """The positions of the candidates in ranking order: priority descending, then id
    ascending. Two equal ids are an input error; so are ids of two kinds."""
    n = len(ids)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    try:
        found = _byte_digits(ids)
        strings = True
    except TypeError:  # an id that is not a string
        found, strings = None, False
    if not strings:
        first = type(ids[0])
        for i, value in enumerate(ids):
            if type(value) not in (str, int) or type(value) is not first:
                raise InputError(
                    f"candidates[{i}].id",
                    "les identifiants des candidats sont tous des textes ou tous des entiers "
                    f"({_shown(value)}, alors que candidates[0] a {_shown(ids[0])})",
                )
    by_id = keys = None
    if strings:
        if found is not None:
            keys, rows = found
            by_id = _radix_order(rows)
    else:
        keys = np.array(ids)  # beyond 64 bits: dtype object
        if keys.dtype.kind == "i":
            # A signed 64-bit integer with its sign bit flipped sorts as an unsigned one.
            unsigned = (
                keys.view(np.uint64)
                if keys.min() >= 0
                else keys.view(np.uint64) ^ (np.uint64(1) << np.uint64(63))
            )
            by_id = _radix_order(_digits(unsigned))
        else:
            keys = None
    if by_id is None:  # integers beyond 64 bits, or strings with a NUL character
        by_id = np.array(sorted(range(n), key=ids.__getitem__), dtype=np.int64)
        same = np.flatnonzero([ids[a] == ids[b] for a, b in pairwise(by_id.tolist())])
    else:
        equal = keys[by_id[1:]] == keys[by_id[:-1]]
        same = np.flatnonzero(equal.all(axis=1) if equal.ndim == 2 else equal)
    if len(same):
        a, b = sorted((int(by_id[same[0]]), int(by_id[same[0] + 1])))
        raise InputError(
            f"candidates[{b}].id",
            f"le candidat {_shown(ids[b])} figure déjà en candidates[{a}]",
        )
    return _radix_order(_digits(int(priority.max()) - priority), by_id)


# --- The JSON form and the command ``tne allocate`` --------------------------------------------

_INSTANCE_KEYS = (
    "stock",
    "budget_cents",
    "unit_cost_cents",
    "schools",
    "departement_caps",
    "candidates",
)
_SCHOOL_KEYS = ("id", "departement", "min", "max")
_CANDIDATE_KEYS = ("id", "school", "priority")
_JSON_PROBLEMS = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendu",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets attendu",
    "Unterminated string starting at": "texte non terminé",
    "Invalid control character at": "caractère de contrôle dans un texte",
    "Invalid \\escape": "séquence d'échappement invalide",
    "Invalid \\uXXXX escape": "séquence \\uXXXX invalide",
    "Extra data": "données après la fin du JSON",
    "Illegal trailing comma before end of object": "virgule en trop avant la fin de l'objet",
    "Illegal trailing comma before end of array": "virgule en trop avant la fin de la liste",
}


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "booléen", int: "entier", float: "nombre", str: "texte", list: "liste"}.get(
        type(value), "objet"
    )


def _field(obj: dict, key: str, path: str, kind: str, *, default=..., minimum: int = 0):
    """``obj[key]`` checked: ``kind`` « id » (text or integer), « text », « count » (integer ≥
    ``minimum``) or « count-or-null »; missing: ``default``, or an error if there is none."""
    where = f"{path}.{key}" if path else key
    if key not in obj:
        if default is ...:
            raise InputError(where, "champ manquant")
        return default
    value = obj[key]
    if kind == "count-or-null" and value is None:
        return None
    if kind == "id" and type(value) in (str, int):
        return value
    if kind == "text" and type(value) is str and value:
        return value
    if kind.startswith("count") and type(value) is int and value >= minimum:
        return value
    expected = {
        "id": "texte ou entier attendu",
        "text": "texte non vide attendu",
        "count": f"entier ≥ {minimum} attendu",
        "count-or-null": f"entier ≥ {minimum} ou null attendu",
    }[kind]
    raise InputError(where, f"{expected} (reçu {_shown(value)}, {_json_type(value)})")


def _object(value, path: str, keys: tuple[str, ...]) -> dict:
    if type(value) is not dict:
        raise InputError(path, f"objet attendu (reçu {_json_type(value)})")
    unknown = [k for k in value if k not in keys]
    if unknown:
        raise InputError(
            f"{path}.{unknown[0]}" if path else unknown[0],
            f"champ inconnu (champs possibles{NBSP}: {', '.join(keys)})",
        )
    return value


def _list(obj: dict, key: str) -> list:
    value = obj.get(key, [])
    if type(value) is not list:
        raise InputError(key, f"liste attendue (reçu {_json_type(value)})")
    return value


def instance_from_json(data) -> Instance:
    """The :class:`Instance` of the JSON form ``{"stock": int, "schools": [{"id", "departement",
    "min", "max"}], "departement_caps": {code: int}, "candidates": [{"id", "school",
    "priority"}]}`` (also ``budget_cents`` and ``unit_cost_cents``); raises :class:`InputError`
    naming the path of a missing or ill-typed field (``schools[3].max``)."""
    instance, ids, refs, priorities = _parse_json(data)
    candidates = [Candidate(*c) for c in zip(ids, refs, priorities, strict=True)]
    return replace(instance, candidates=candidates)


def _parse_json(data) -> tuple[Instance, list, list, list]:
    """The instance (without its candidates) and the ids, schools and priorities of the
    candidates, checked as :func:`instance_from_json` says."""
    top = _object(data, "", _INSTANCE_KEYS)
    schools = []
    for i, item in enumerate(_list(top, "schools")):
        path = f"schools[{i}]"
        item = _object(item, path, _SCHOOL_KEYS)
        schools.append(
            School(
                id=_field(item, "id", path, "id"),
                departement=_field(item, "departement", path, "text"),
                min=_field(item, "min", path, "count", default=0),
                max=_field(item, "max", path, "count-or-null", default=None),
            )
        )
    caps = top.get("departement_caps", {})
    if type(caps) is not dict:
        raise InputError("departement_caps", f"objet attendu (reçu {_json_type(caps)})")
    for code, cap in caps.items():
        _check_count(cap, f"departement_caps[{json.dumps(code, ensure_ascii=False)}]")
    instance = Instance(
        candidates=(),
        schools=schools,
        departement_caps=caps,
        stock=_field(top, "stock", "", "count-or-null", default=None),
        budget_cents=_field(top, "budget_cents", "", "count-or-null", default=None),
        unit_cost_cents=_field(
            top, "unit_cost_cents", "", "count-or-null", default=None, minimum=1
        ),
    )
    return instance, *_candidate_columns(_list(top, "candidates"))


def _candidate_columns(items: list) -> tuple[list, list, list]:
    """The ids, schools and priorities of the candidates' objects. The common case is checked
    a column at a time; anything else, object by object, for the message that says where."""
    try:
        if all(type(item) is dict and len(item) == 3 for item in items):
            columns = tuple([item[key] for item in items] for key in _CANDIDATE_KEYS)
            ids, refs, priorities = columns
            if (
                set(map(type, ids)) <= {str, int}
                and set(map(type, refs)) <= {str, int}
                and set(map(type, priorities)) <= {int}
            ):
                return columns
    except KeyError:
        pass
    for i, item in enumerate(items):
        path = f"candidates[{i}]"
        item = _object(item, path, _CANDIDATE_KEYS)
        _field(item, "id", path, "id")
        _field(item, "school", path, "id")
        _field(item, "priority", path, "count")
    raise AssertionError(
        "unreachable: a column failed its check, so an object does"
    )  # pragma: no cover


def result_to_json(result: Result) -> dict:
    """``{"served": [ids], "total_priority": int, "unserved": {id: reason}}`` (JSON keys are
    strings: an integer id is written ``"12"`` there)."""
    return {
        "served": result.served,
        "total_priority": result.total_priority,
        "unserved": {str(k): v.value for k, v in result.unserved.items()},
    }


USAGE = f"""usage{NBSP}: tne allocate FICHIER.json [--stock N]
                           [--budget-cents N --unit-cost-cents N]

Calcule l'attribution des prêts (M6) d'une instance JSON, sans base de données{NBSP}: les élèves
servis (dans l'ordre de classement{NBSP}: priorité décroissante, puis identifiant croissant), la
priorité totale servie et, pour chaque élève non servi, la contrainte qui l'a arrêté.
FICHIER «{NBSP}-{NBSP}» lit l'entrée standard. Les options remplacent le stock, le budget ou le
coût unitaire (en centimes) de l'instance{NBSP}: la même attribution «{NBSP}et si{NBSP}».
Code de sortie{NBSP}: 0 (résultat JSON sur la sortie standard), 1 (minimums impossibles à
respecter), 2 (instance ou options fautives)."""

_OPTIONS = {
    "--stock": "stock",
    "--budget-cents": "budget_cents",
    "--unit-cost-cents": "unit_cost_cents",
}


def _parse_arguments(argv: list[str]) -> tuple[str, dict]:
    """``(file, overrides)``; raises :class:`InputError` for anything else."""
    file, overrides, args = None, {}, list(argv)
    while args:
        arg = args.pop(0)
        name, _, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _OPTIONS:
            value = inline or (args.pop(0) if args else "")
            if not (value.isascii() and value.isdigit()) or (
                name == "--unit-cost-cents" and int(value) == 0
            ):
                least = 1 if name == "--unit-cost-cents" else 0
                raise InputError(name, f"entier ≥ {least} attendu (reçu {_shown(value)})")
            overrides[_OPTIONS[name]] = int(value)
        elif arg.startswith("-") and arg != "-":
            raise InputError("", f"option inconnue{NBSP}: {arg}")
        elif file is not None:
            raise InputError("", f"un seul fichier à la fois ({_shown(file)}, puis {_shown(arg)})")
        else:
            file = arg
    if file is None:
        raise InputError("", "il manque le fichier de l'instance")
    return file, overrides


def _read(file: str, stdin) -> object:
    """The JSON of the instance file (``-``: standard input)."""
    try:
        raw = stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except FileNotFoundError:
        raise InputError("", "fichier introuvable") from None
    except OSError as error:
        raise InputError("", f"lecture impossible ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError("", f"le fichier n'est pas en UTF-8 (octet {error.start + 1})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = _JSON_PROBLEMS.get(error.msg, f"syntaxe JSON invalide ({error.msg})")
        raise InputError(
            f"ligne {error.lineno}, colonne {error.colno}", f"JSON invalide ({problem})"
        ) from None


def command(argv: list[str], *, stdin=None, stdout=None, stderr=None) -> int:
    """``tne allocate FILE [--stock N] [--budget-cents N --unit-cost-cents N]``: the result JSON
    on ``stdout`` and 0; an input error on ``stderr`` and 2 (« FILE, schools[3].max : … »);
    infeasible minimums on ``stderr`` and 1. Needs no Django settings and no database."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    if any(arg in ("-h", "--help") for arg in argv):
        print(USAGE, file=stdout)
        return 0
    try:
        file, overrides = _parse_arguments(argv)
    except InputError as error:
        print(error, file=stderr)
        print(USAGE.split("\n\n")[0], file=stderr)
        return EXIT_INPUT_ERROR
    name = "entrée standard" if file == "-" else file
    try:
        instance, *columns = _parse_json(_read(file, stdin))
        instance = replace(instance, **overrides)
        if instance.stock is None and instance.budget_cents is None:
            raise InputError("stock", f"champ manquant (ou un budget{NBSP}: --budget-cents)")
        result = _allocate(instance, *columns)
    except InputError as error:
        where = f"{name}, {error.path}" if error.path else name
        print(f"{where}{NBSP}: {error.problem}", file=stderr)
        return EXIT_INPUT_ERROR
    except Infeasible as error:
        print(f"{name}{NBSP}: {error}", file=stderr)
        return EXIT_INFEASIBLE
    stdout.write(json.dumps(result_to_json(result), ensure_ascii=False))  # one shot: faster
    stdout.write("\n")
    return 0
