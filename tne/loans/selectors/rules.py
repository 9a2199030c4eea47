"""Reading the coordinator's rules: which priority weights apply to a school or a node, and the
quotas of schools.

A school uses the weights of its **nearest** node that has some, in this order: its commune, its
circonscription, its département, its académie, its région, the country; else the programme's
defaults (``Weights()``). :func:`weights_for_schools` answers for any number of schools in two
queries (the weights rows, which are few: one per node a coordinator tuned; and the schools'
two node paths), the rest is dictionary look-ups, so a run over a million candidates of 40,000
schools pays two queries and one pass over the schools."""

from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.db.models import Q, QuerySet

from tne.core.formats import de
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from ..models import PriorityWeights, SchoolQuota
from ..priority import Weights

# The School field that names the node of each kind (the country holds every school).
SCHOOL_FIELD_OF_KIND = {
    NodeKind.REGION: "region",
    NodeKind.ACADEMIE: "academie",
    NodeKind.DEPARTEMENT: "departement",
    NodeKind.CIRCONSCRIPTION: "circonscription",
    NodeKind.COMMUNE: "commune",
}
# Schools looked up per query when ids (not a QuerySet) are given: under SQLite's variable cap.
CHUNK = 5000


def schools_under_q(node: TerritoryNode, prefix: str = "") -> Q:
    """The schools of ``node``'s territory (the country: every school). One indexed equality."""
    if node.kind == NodeKind.COUNTRY:
        return Q()
    return Q(**{f"{prefix}{SCHOOL_FIELD_OF_KIND[node.kind]}": node})


def de_node(node: TerritoryNode) -> str:
    """« de l'Aisne », « de Laon », « du Val-d'Oise »: « de » before a node's name."""
    code = node.code if node.kind == NodeKind.DEPARTEMENT else ""
    return de(node.name, code)


@dataclass(frozen=True)
class AppliedWeights:
    """The weights that apply somewhere, and where they were set (``None``: the programme's
    defaults)."""

    weights: Weights
    node: TerritoryNode | None


def _ancestor_paths(path: str) -> list[str]:
    """``/FR/R32/A20/D02/C02408/`` → its own path then each ancestor's, nearest first."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]


def _weights_by_path() -> dict[str, AppliedWeights]:
    names = [f.name for f in fields(Weights)]
    rows = PriorityWeights.objects.select_related("node").only("node__path", "node__name", *names)
    return {row.node.path: AppliedWeights(Weights.of(row), row.node) for row in rows}


def applied_weights_for_schools(schools: QuerySet | Iterable) -> dict[int, AppliedWeights]:
    """``{school id: AppliedWeights}`` for ``schools`` (a QuerySet of schools, or schools or
    ids): each school's nearest weights (order in the module's docstring) and the node that set
    them. Two queries whatever the number of schools when given a QuerySet (ids: one more per
    5,000 schools)."""
    by_path = _weights_by_path()
    default = AppliedWeights(Weights(), None)
    is_queryset = isinstance(schools, QuerySet)
    ids = None if is_queryset else sorted({getattr(s, "pk", s) for s in schools})
    if not by_path:  # Nobody tuned anything: the defaults everywhere, no path to read.
        return dict.fromkeys(schools.values_list("pk", flat=True) if is_queryset else ids, default)
    columns = ("pk", "commune__path", "circonscription__path")
    if is_queryset:
        batches = [schools.values_list(*columns)]
    else:
        batches = [
            School.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(*columns)
            for start in range(0, len(ids), CHUNK)
        ]
    result: dict[int, AppliedWeights] = {}
    # Memoised per (commune, circonscription): the schools of a commune share their answer.
    seen: dict[tuple[str, str | None], AppliedWeights] = {}
    for batch in batches:
        for pk, commune_path, circonscription_path in batch:
            key = (commune_path, circonscription_path)
            found = seen.get(key)
            if found is None:
                found = seen[key] = _nearest(by_path, commune_path, circonscription_path, default)
            result[pk] = found
    return result


def weights_for_schools(schools: QuerySet | Iterable) -> dict[int, Weights]:
    """``{school id: Weights}``: :func:`applied_weights_for_schools` without the nodes."""
    return {pk: applied.weights for pk, applied in applied_weights_for_schools(schools).items()}


def _nearest(by_path, commune_path: str, circonscription_path: str | None, default):
    if commune_path in by_path:
        return by_path[commune_path]
    if circonscription_path and circonscription_path in by_path:
        return by_path[circonscription_path]
    for path in _ancestor_paths(commune_path)[1:]:
        if path in by_path:
            return by_path[path]
    return default


def weights_for_school(school: School) -> AppliedWeights:
    """The weights of one school and the node they come from (two queries at most)."""
    paths = [school.commune.path]
    if school.circonscription_id:
        paths.append(school.circonscription.path)
    paths += _ancestor_paths(school.commune.path)[1:]
    return _applied(paths)


def weights_for_node(node: TerritoryNode) -> AppliedWeights:
    """The weights a node uses: its own, else its nearest ancestor's, else the defaults (one
    query)."""
    return _applied(_ancestor_paths(node.path))


def _applied(paths: list[str]) -> AppliedWeights:
    rows = {
        row.node.path: row
        for row in PriorityWeights.objects.filter(node__path__in=paths).select_related("node")
    }
    for path in paths:
        if path in rows:
            return AppliedWeights(Weights.of(rows[path]), rows[path].node)
    return AppliedWeights(Weights(), None)


def own_weights(node: TerritoryNode) -> PriorityWeights | None:
    return PriorityWeights.objects.filter(node=node).first()


def weights_set_under(node: TerritoryNode) -> QuerySet:
    """The weights rows set at or below ``node``, nearest first."""
    return (
        PriorityWeights.objects.filter(node__path__startswith=node.path)
        .select_related("node", "updated_by")
        .order_by("node__depth", "node__path")
    )


def weights_in(scope) -> QuerySet:
    """The weights rows of the nodes where ``scope`` (a ``Scope``) has authority, nearest the
    top first."""
    return (
        PriorityWeights.objects.filter(scope.node_q("node__"))
        .select_related("node", "updated_by")
        .order_by("node__depth", "node__path")
    )


def quotas_for_schools(schools: QuerySet) -> dict[int, tuple[int, int | None]]:
    """``{school id: (minimum, maximum)}`` of the schools of ``schools`` that have a quota (one
    query)."""
    return {
        school_id: (minimum, maximum)
        for school_id, minimum, maximum in SchoolQuota.objects.filter(
            school__in=schools
        ).values_list("school_id", "minimum", "maximum")
    }


def quotas_under(node: TerritoryNode) -> QuerySet:
    """The quotas of the schools of ``node``'s territory, by school name."""
    return (
        SchoolQuota.objects.filter(schools_under_q(node, "school__"))
        .select_related("school__commune", "updated_by")
        .order_by("school__search_name", "school__uai")
    )
