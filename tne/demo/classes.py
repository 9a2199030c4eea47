"""Plans of the classes of a school: pure functions, no database, one seeded generator.

* **Écoles**: the pupils of the calibration (:mod:`tne.demo.calibration`) are spread over the
  levels (PS, MS, GS; CP … CM2, each level ±10 % around the mean), then over the number of
  classes: one class or more per level when there are enough classes, otherwise consecutive
  levels share a class (« CE2-CM1 ») so that the largest class is as small as possible; when
  that leaves a class above 28 pupils, the pupils in level order are cut into classes of equal
  size (« cours doubles »). In REP and REP+ the CP and CE1 are halved: classes of 12 pupils at
  most. ULIS pupils get a ULIS class.
* **Collèges**: the REAL pupils per level of the open data, ~25 pupils per class (30 at most),
  SEGPA ~16, one ULIS class.
* **Lycées** (open data gives no counts): 28-45 classes for a LEGT, 30-45 for a LPO, 20-30 for a
  LP, over seconde / première / terminale and CAP.
"""

import math
import random
from collections import Counter
from dataclasses import dataclass
from itertools import combinations, pairwise

from tne.territory.enums import EducationNetwork, Level, SchoolKind

PRE_ELEMENTARY = (Level.PS, Level.MS, Level.GS)
ELEMENTARY = (Level.CP, Level.CE1, Level.CE2, Level.CM1, Level.CM2)
HALVED = {Level.CP, Level.CE1}
HALVED_MAX = 12
# No class of an école above this, whatever the sample says once CP and CE1 are halved.
ECOLE_CLASS_MAX = 28
COLLEGE = (Level.SIXIEME, Level.CINQUIEME, Level.QUATRIEME, Level.TROISIEME)
COLLEGE_CLASS_SIZE = 25
COLLEGE_CLASS_MAX = 30
SEGPA_CLASS_SIZE = 16
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# (min classes, max classes, share of vocational classes, GT headcounts, vocational headcounts)
LYCEE_SHAPES = {
    SchoolKind.LYCEE_GT: (28, 45, 0.0, (28, 35), (14, 24)),
    SchoolKind.LYCEE_POLY: (30, 45, 0.35, (28, 35), (14, 24)),
    SchoolKind.LYCEE_PRO: (20, 30, 1.0, (28, 35), (14, 24)),
}


@dataclass(frozen=True)
class ClassPlan:
    name: str
    levels: tuple[str, ...]
    headcount: int


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` integers differing by one at most, largest first."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _split_by_weights(total: int, weights: list[float]) -> list[int]:
    """``total`` split proportionally to ``weights`` (largest remainders)."""
    exact = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _level_counts(rng: random.Random, pupils: int, levels) -> dict[str, int]:
    weights = [rng.uniform(0.9, 1.1) for _ in levels]
    return dict(zip(levels, _split_by_weights(pupils, weights), strict=True))


def _name(levels) -> str:
    """« PS-MS », « CE2-CM1 », « 6e », « ULIS école »."""
    return "-".join(
        level if level in PRE_ELEMENTARY else str(Level(level).label) for level in levels
    )


Group = tuple[tuple[str, ...], int]  # the levels of a class and its headcount


def _named(groups: list[Group]) -> list[ClassPlan]:
    """Classes named after their levels (« CE2-CM1 »), with A, B… when several share them."""
    totals = Counter(levels for levels, _ in groups)
    seen: Counter = Counter()
    plans = []
    for levels, headcount in groups:
        suffix = f" {LETTERS[seen[levels]]}" if totals[levels] > 1 else ""
        seen[levels] += 1
        plans.append(ClassPlan(f"{_name(levels)}{suffix}", levels, headcount))
    return plans


def _per_level(counts: dict[str, int], n_classes: int, minima: dict[str, int]) -> list[Group]:
    """At least one class per level (``minima`` for halved levels); the extra classes go to the
    level whose classes are the fullest."""
    allotted = {level: max(1, minima.get(level, 1)) for level in counts}
    for _ in range(n_classes - sum(allotted.values())):
        fullest = max(counts, key=lambda lv: (counts[lv] / allotted[lv], -list(counts).index(lv)))
        allotted[fullest] += 1
    return [
        ((level,), size)
        for level, count in counts.items()
        for size in _spread(count, allotted[level])
    ]


def _grouped(counts: dict[str, int], n_classes: int) -> list[Group]:
    """Whole consecutive levels grouped into ``n_classes`` multi-level classes, the largest class
    as small as possible (few levels: every cut is tried)."""
    levels = list(counts)
    best = None
    for cuts in combinations(range(1, len(levels)), n_classes - 1):
        bounds = [0, *cuts, len(levels)]
        groups = [tuple(levels[a:b]) for a, b in pairwise(bounds)]
        biggest = max(sum(counts[lv] for lv in group) for group in groups)
        if best is None or biggest < best[0]:
            best = (biggest, groups)
    return [(group, sum(counts[lv] for lv in group)) for group in best[1]]


def _sequential(counts: dict[str, int], n_classes: int) -> list[Group]:
    """The pupils, in level order, cut into ``n_classes`` classes of equal size: a class that
    straddles two levels is a « cours double »."""
    remaining = list(counts.items())
    groups = []
    for size in _spread(sum(counts.values()), n_classes):
        levels, taken = [], 0
        while taken < size:
            level, left = remaining[0]
            take = min(left, size - taken)
            levels.append(level)
            taken += take
            remaining[0] = (level, left - take)
            if remaining[0][1] == 0:
                remaining.pop(0)
        groups.append((tuple(levels), size))
    return groups


def _stage_classes(counts: dict[str, int], n_classes: int, halved: bool) -> list[Group]:
    """The classes of one stage: halved CP and CE1 first in REP; then one class or more per
    level, or whole levels grouped when there are fewer classes than levels; when that leaves a
    class above :data:`ECOLE_CLASS_MAX`, « cours doubles » of equal size instead."""
    counts = {level: count for level, count in counts.items() if count > 0}
    if not counts:
        return []
    if halved and HALVED & set(counts):
        minima = {lv: math.ceil(counts[lv] / HALVED_MAX) for lv in counts if lv in HALVED}
        rest = {lv: c for lv, c in counts.items() if lv not in minima}
        halved_groups = _per_level({lv: counts[lv] for lv in minima}, 0, minima)
        return halved_groups + _stage_classes(rest, n_classes - sum(minima.values()), False)
    n_classes = max(n_classes, math.ceil(sum(counts.values()) / ECOLE_CLASS_MAX), 1)
    if n_classes >= len(counts):
        groups = _per_level(counts, n_classes, {})
    else:
        groups = _grouped(counts, n_classes)
    if max(headcount for _, headcount in groups) <= ECOLE_CLASS_MAX:
        return groups
    return _sequential(counts, n_classes)


def ecole_classes(
    rng: random.Random,
    *,
    pre_elementary: int,
    elementary: int,
    ulis: int,
    classes: int,
    network: str,
) -> list[ClassPlan]:
    groups: list[Group] = [((Level.ULIS_ECOLE,), ulis)] if ulis else []
    n = max(classes - len(groups), (pre_elementary > 0) + (elementary > 0))
    n_pre = 0
    if pre_elementary and elementary:
        n_pre = min(max(round(n * pre_elementary / (pre_elementary + elementary)), 1), n - 1)
    elif pre_elementary:
        n_pre = n
    halved = network in (EducationNetwork.REP, EducationNetwork.REP_PLUS)
    groups += _stage_classes(_level_counts(rng, pre_elementary, PRE_ELEMENTARY), n_pre, False)
    groups += _stage_classes(_level_counts(rng, elementary, ELEMENTARY), n - n_pre, halved)
    return _named(groups)


def college_classes(pupils_by_level: dict) -> list[ClassPlan]:
    plans = []
    for level in COLLEGE:
        count = int(pupils_by_level.get(level, 0) or 0)
        if count:
            n = max(1, round(count / COLLEGE_CLASS_SIZE), math.ceil(count / COLLEGE_CLASS_MAX))
            sizes = _spread(count, n)
            label = Level(level).label
            plans += [
                ClassPlan(f"{label} {LETTERS[i]}", (level,), size) for i, size in enumerate(sizes)
            ]
    segpa = int(pupils_by_level.get(Level.SEGPA, 0) or 0)
    if segpa:
        sizes = _spread(segpa, max(1, round(segpa / SEGPA_CLASS_SIZE)))
        plans += [
            ClassPlan(f"SEGPA {LETTERS[i]}", (Level.SEGPA,), size) for i, size in enumerate(sizes)
        ]
    ulis = int(pupils_by_level.get("ULIS", 0) or pupils_by_level.get(Level.ULIS_COLLEGE, 0) or 0)
    if ulis:
        plans.append(ClassPlan("ULIS collège", (Level.ULIS_COLLEGE,), ulis))
    return plans


def lycee_classes(rng: random.Random, kind: str) -> list[ClassPlan]:
    low, high, vocational_share, gt_sizes, pro_sizes = LYCEE_SHAPES.get(
        kind, LYCEE_SHAPES[SchoolKind.LYCEE_GT]
    )
    total = rng.randint(low, high)
    n_pro = round(total * vocational_share)
    plans = []
    n_gt = total - n_pro
    if n_gt:
        per_level = _split_by_weights(n_gt, [0.36, 0.32, 0.32])
        levels = (Level.SECONDE, Level.PREMIERE, Level.TERMINALE)
        for level, n in zip(levels, per_level, strict=True):
            label = Level(level).label
            plans += [
                ClassPlan(f"{label} {i + 1}", (level,), rng.randint(*gt_sizes)) for i in range(n)
            ]
    if n_pro:
        per_level = _split_by_weights(n_pro, [0.25, 0.27, 0.24, 0.24])
        levels = (Level.CAP, Level.SECONDE, Level.PREMIERE, Level.TERMINALE)
        for level, n in zip(levels, per_level, strict=True):
            label = Level(level).label if level == Level.CAP else f"{Level(level).label} pro"
            plans += [
                ClassPlan(f"{label} {i + 1}", (level,), rng.randint(*pro_sizes)) for i in range(n)
            ]
    return plans
