"""The territory nodes an import needs: loaded in a few queries, the missing ones created in bulk
level by level (pays → région → académie → département → commune), each with its materialised
path. Nodes are matched on (kind, code); the reference nodes are never renamed or moved here."""

from collections.abc import Iterable
from dataclasses import dataclass

from tne.territory.enums import NodeKind
from tne.territory.models import TerritoryNode

from .reference import COUNTRY_CODE, COUNTRY_NAME, departements

CHUNK = 500
BATCH = 1000
NAME_MAX_LENGTH = TerritoryNode._meta.get_field("name").max_length
_UPPER_KINDS = (NodeKind.COUNTRY, NodeKind.REGION, NodeKind.ACADEMIE, NodeKind.DEPARTEMENT)


@dataclass(frozen=True)
class CommuneData:
    code: str
    name: str
    latitude: float | None = None
    longitude: float | None = None


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class TerritoryIndex:
    def __init__(self):
        self.nodes: dict[tuple[str, str], TerritoryNode] = {}
        self.by_pk: dict[int, TerritoryNode] = {}
        self.created = 0

    def _keep(self, nodes: Iterable[TerritoryNode]) -> None:
        for node in nodes:
            self.nodes[(node.kind, node.code)] = node
            self.by_pk[node.pk] = node

    def load(self, commune_codes: Iterable[str]) -> None:
        """The country, régions, académies and départements (a few hundred at most), and the
        communes of ``commune_codes``."""
        self._keep(TerritoryNode.objects.filter(kind__in=_UPPER_KINDS))
        for codes in chunks(sorted(set(commune_codes))):
            self._keep(TerritoryNode.objects.filter(kind=NodeKind.COMMUNE, code__in=codes))

    def get(self, kind: str, code: str) -> TerritoryNode | None:
        return self.nodes.get((kind, code))

    def _create(self, kind: str, items: list[tuple[str, str, TerritoryNode | None, dict]]):
        """Creates the nodes of one level: ``(code, name, parent, extra fields)``."""
        pending: dict[str, TerritoryNode] = {}
        for code, name, parent, extra in items:
            if (kind, code) not in self.nodes and code not in pending:
                pending[code] = TerritoryNode(
                    kind=kind,
                    code=code,
                    name=name,
                    parent=parent,
                    path=TerritoryNode.path_for(kind, code, parent),
                    depth=parent.depth + 1 if parent else 0,
                    **extra,
                )
        new = list(pending.values())
        if new:
            TerritoryNode.objects.bulk_create(new, batch_size=BATCH)
            self._keep(new)
            self.created += len(new)

    def ensure_departements(self, codes: Iterable[str]) -> None:
        """The départements of ``codes`` and their ancestors, from the reference."""
        refs = [departements()[code] for code in sorted(set(codes))]
        if not refs:
            return
        self._create(NodeKind.COUNTRY, [(COUNTRY_CODE, COUNTRY_NAME, None, {})])
        country = self.get(NodeKind.COUNTRY, COUNTRY_CODE)
        self._create(
            NodeKind.REGION, [(ref.region_code, ref.region_name, country, {}) for ref in refs]
        )
        self._create(
            NodeKind.ACADEMIE,
            [
                (
                    ref.academie_code,
                    ref.academie_name,
                    self.get(NodeKind.REGION, ref.region_code),
                    {},
                )
                for ref in refs
            ],
        )
        self._create(
            NodeKind.DEPARTEMENT,
            [
                (ref.code, ref.name, self.get(NodeKind.ACADEMIE, ref.academie_code), {})
                for ref in refs
            ],
        )

    def ensure_communes(self, communes: Iterable[CommuneData], departement_of) -> None:
        """Creates the communes not yet known; ``departement_of(code)`` gives a commune's
        département code. Known communes are left as they are."""
        pending: dict[str, CommuneData] = {}
        for commune in communes:
            if (NodeKind.COMMUNE, commune.code) not in self.nodes:
                pending.setdefault(commune.code, commune)
        self.ensure_departements(departement_of(code) for code in pending)
        self._create(
            NodeKind.COMMUNE,
            [
                (
                    c.code,
                    c.name,
                    self.get(NodeKind.DEPARTEMENT, departement_of(c.code)),
                    {"latitude": c.latitude, "longitude": c.longitude},
                )
                for c in pending.values()
            ],
        )

    def update_communes(self, communes: Iterable[CommuneData]) -> int:
        """Sets the name and centre of known communes; returns how many changed."""
        changed = 0
        for data in communes:
            node = self.get(NodeKind.COMMUNE, data.code)
            values = {"name": data.name, "latitude": data.latitude, "longitude": data.longitude}
            if any(getattr(node, field) != value for field, value in values.items()):
                TerritoryNode.objects.filter(pk=node.pk).update(**values)
                changed += 1
        return changed

    def chain_for(self, commune_code: str, departement_of) -> dict[str, int | None]:
        """:meth:`chain_of` the commune of ``commune_code``; for a commune not yet created, its
        links as they will be: no commune id, the ids of the département (from
        ``departement_of(code)`` and the reference) and above, None where not created yet."""
        commune = self.get(NodeKind.COMMUNE, commune_code)
        if commune is not None:
            return self.chain_of(commune)
        ref = departements()[departement_of(commune_code)]
        departement = self.get(NodeKind.DEPARTEMENT, ref.code)
        if departement is not None:
            academie = self.by_pk[departement.parent_id]
            ids = (departement.pk, academie.pk, academie.parent_id)
        else:
            academie = self.get(NodeKind.ACADEMIE, ref.academie_code)
            region = self.get(NodeKind.REGION, ref.region_code)
            ids = (None, academie and academie.pk, region and region.pk)
        keys = ("departement_id", "academie_id", "region_id")
        return dict(zip(keys, ids, strict=True), commune_id=None)

    def chain_of(self, commune: TerritoryNode) -> dict[str, int]:
        """The ids of a commune's département, académie and région, as School fields."""
        departement = self.by_pk[commune.parent_id]
        academie = self.by_pk[departement.parent_id]
        return {
            "commune_id": commune.pk,
            "departement_id": departement.pk,
            "academie_id": academie.pk,
            "region_id": academie.parent_id,
        }
