"""Synthetic circonscriptions: groups of écoles followed by an IEN, which open data does not give.

In each pilot département the communes that have écoles are clustered by their centre (latitude
and longitude of the communes file) with a weighted k-means (k-means++ start, generator seeded
with the demo seed and the département code; a commune weighs its number of écoles, so that the
circonscriptions have comparable sizes, and a cluster heavier than the mean repels points a
little at each iteration). Aisne gets 20 circonscriptions and Val-d'Oise 33, as in
reality; another département one per ~25 écoles. A circonscription is named after its commune
with the most schools (« Circonscription de Laon ») and coded département + rank (0201, 0202…).
A commune without a centre joins the smallest circonscription.
"""

import math
import random
from bisect import bisect_left
from collections import Counter
from itertools import accumulate

from django.db import transaction

from tne.core.text import search_text
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from .marks import CIRCONSCRIPTION, marked

CIRCONSCRIPTION_COUNTS = {"02": 20, "95": 33}
ECOLES_PER_CIRCONSCRIPTION = 25
BALANCE = 0.5

Point = tuple[float, float, float]  # x, y, weight


def _dist2(a, b) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def kmeans(points: list[Point], k: int, rng: random.Random, iterations: int = 60) -> list[int]:
    """The cluster index of each point (weighted Lloyd iterations after a k-means++ start)."""
    k = min(k, len(points))
    if k <= 1:
        return [0] * len(points)
    centres = [points[rng.randrange(len(points))][:2]]
    while len(centres) < k:
        cumulative = list(accumulate(min(_dist2(p, c) for c in centres) * p[2] for p in points))
        if not cumulative[-1]:  # every point is already a centre
            break
        pick = bisect_left(cumulative, rng.uniform(0, cumulative[-1]))
        centres.append(points[min(pick, len(points) - 1)][:2])
    k = len(centres)
    labels: list[int] = []
    sizes = [1.0] * k
    for _ in range(iterations):
        # A cluster heavier than the mean repels points a little: sizes stay comparable.
        mean = sum(sizes) / k
        penalty = [(size / mean) ** BALANCE for size in sizes]
        new_labels = [
            min(range(k), key=lambda i, p=p: _dist2(p, centres[i]) * penalty[i]) for p in points
        ]
        if new_labels == labels:
            break
        labels = new_labels
        sizes = [0.0] * k
        for i in range(k):
            members = [p for p, label in zip(points, labels, strict=True) if label == i]
            if members:
                weight = sum(p[2] for p in members)
                sizes[i] = weight
                centres[i] = (
                    sum(p[0] * p[2] for p in members) / weight,
                    sum(p[1] * p[2] for p in members) / weight,
                )
            else:  # an empty cluster restarts on the point farthest from its centre
                far = max(range(len(points)), key=lambda j: _dist2(points[j], centres[labels[j]]))
                centres[i] = points[far][:2]
                sizes[i] = points[far][2]
    return labels


def circonscription_name(commune: str) -> str:
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if commune.startswith(article):
            return f"Circonscription {contracted}{commune[len(article) :]}"
    if commune[:1].upper() in "AEIOUYHÉÈÊÎÔ":
        return f"Circonscription d'{commune}"
    return f"Circonscription de {commune}"


def _target_count(departement: TerritoryNode, ecoles: int) -> int:
    default = max(1, round(ecoles / ECOLES_PER_CIRCONSCRIPTION))
    return CIRCONSCRIPTION_COUNTS.get(departement.code, default)


@transaction.atomic
def create_circonscriptions(*, departement: TerritoryNode, seed: int) -> int:
    """Create the circonscriptions of a département and attach each of its écoles to one.
    Returns the number of écoles whose circonscription changed (0 when all have one)."""
    ecoles = list(
        School.objects.first_degree()
        .filter(departement=departement)
        .only("pk", "commune_id", "circonscription_id", "synthesised_fields")
    )
    if not ecoles or all(e.circonscription_id for e in ecoles):
        return 0
    weights = Counter(e.commune_id for e in ecoles)
    communes = list(
        TerritoryNode.objects.filter(pk__in=weights)
        .order_by("code")
        .values("pk", "name", "latitude", "longitude")
    )
    located = [c for c in communes if c["latitude"] is not None and c["longitude"] is not None]
    scale = math.cos(math.radians(sum(c["latitude"] for c in located) / (len(located) or 1)))
    points = [(c["longitude"] * scale, c["latitude"], weights[c["pk"]]) for c in located]
    k = min(_target_count(departement, len(ecoles)), len(communes))
    rng = random.Random(f"{seed}:{departement.code}:circonscriptions")
    labels = kmeans(points, k, rng) if points else []
    cluster_of = {c["pk"]: label for c, label in zip(located, labels, strict=True)}
    sizes = Counter({i: 0 for i in range(max(k, 1))})
    for commune_pk, label in cluster_of.items():
        sizes[label] += weights[commune_pk]
    for commune in communes:
        if commune["pk"] not in cluster_of:
            smallest = min(sizes, key=lambda i: (sizes[i], i))
            cluster_of[commune["pk"]] = smallest
            sizes[smallest] += weights[commune["pk"]]

    # The main commune: the one with the most schools of any kind (a collège or a lycée marks a
    # town), then the most écoles, then the first name.
    all_schools = Counter(
        School.objects.filter(commune_id__in=weights).values_list("commune_id", flat=True)
    )
    main_commune = {}
    for commune in communes:
        label = cluster_of[commune["pk"]]
        key = (-all_schools[commune["pk"]], -weights[commune["pk"]], commune["name"])
        if label not in main_commune or key < main_commune[label][0]:
            main_commune[label] = (key, commune["name"])
    ranked = sorted(main_commune, key=lambda label: main_commune[label][1])
    node_of_cluster = {}
    for rank, label in enumerate(ranked, start=1):
        node_of_cluster[label] = _circonscription_node(
            departement=departement,
            code=f"{departement.code}{rank:02d}",
            name=circonscription_name(main_commune[label][1]),
        )

    changed = []
    for ecole in ecoles:
        target = node_of_cluster[cluster_of[ecole.commune_id]].pk
        fields = marked(ecole.synthesised_fields, CIRCONSCRIPTION)
        if ecole.circonscription_id != target or ecole.synthesised_fields != fields:
            ecole.circonscription_id, ecole.synthesised_fields = target, fields
            changed.append(ecole)
    School.objects.bulk_update(changed, ["circonscription", "synthesised_fields"], batch_size=500)
    return len(changed)


def _circonscription_node(*, departement: TerritoryNode, code: str, name: str) -> TerritoryNode:
    node, created = TerritoryNode.objects.get_or_create(
        kind=NodeKind.CIRCONSCRIPTION,
        code=code,
        defaults={
            "name": name,
            "parent": departement,
            "path": TerritoryNode.path_for(NodeKind.CIRCONSCRIPTION, code, departement),
            "depth": departement.depth + 1,
        },
    )
    if not created and node.name != name:
        node.name, node.search_name = name, search_text(name)
        node.save(update_fields=["name", "search_name"])
    return node
