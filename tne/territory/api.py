"""The territory part of the REST API: nodes of the territory tree, schools, classes, staff.

Read-only. Every list goes through ``.visible_to(request.auth)`` and is keyset-paginated; an
object outside the caller's scope is a 404, exactly like the pages."""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import Q, Subquery
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Search, Uai, finite, text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice

from .enums import EducationNetwork, NodeKind, SchoolKind, Sector, StaffRole, Stage
from .models import School, SchoolClass, Staff, TerritoryNode
from .selectors import search_q

router = Router()

NOT_FOUND = {404: ErrorOut}

# A Literal rather than the enum, so that the path parameter keeps its description in OpenAPI.
NodeKindCode = Literal[tuple(NodeKind.values)]
UaiPath = Annotated[Uai, Path(description="Code UAI de l'établissement, « 0020001A ».")]
# The IPS published range from about 45 to 185; anything outside [0, 300] is a typing error.
Ips = finite(0, 300)
Year = text(9)


# --- Schemas ---------------------------------------------------------------------------------


class NodeRefOut(Schema):
    """Une référence courte à un nœud du territoire."""

    kind: str = Field(description="Type du nœud (COMMUNE, DEPARTEMENT…).")
    code: str = Field(description="Code officiel (INSEE, numéro de département…).")
    name: str


def node_ref(node: TerritoryNode | None) -> dict | None:
    if node is None:
        return None
    return {"kind": node.kind, "code": node.code, "name": node.name}


class NodeOut(Schema):
    """Un nœud du territoire : région, académie, département, circonscription ou commune."""

    kind: ChoiceOut
    code: str
    name: str
    parent: NodeRefOut | None
    depth: int = Field(description="Profondeur dans l'arbre (0 pour le pays).")
    is_pilot: bool = Field(description="Département engagé dans le programme TNE.")
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_kind(obj: TerritoryNode) -> dict | None:
        return choice(NodeKind, obj.kind)

    @staticmethod
    def resolve_parent(obj: TerritoryNode) -> dict | None:
        return node_ref(obj.parent)


class SchoolOut(Schema):
    """Un établissement : école, collège ou lycée."""

    uai: str = Field(description="Code UAI (identifiant national de l'établissement).")
    name: str
    kind: ChoiceOut
    sector: ChoiceOut
    network: ChoiceOut | None = Field(
        description="REP ou REP+ ; `null` hors éducation prioritaire."
    )
    ips: float | None = Field(description="Indice de position sociale (moyenne nationale ≈ 100).")
    commune: NodeRefOut
    departement: NodeRefOut
    owner: NodeRefOut = Field(description="Collectivité propriétaire des bâtiments.")
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_kind(obj: School) -> dict | None:
        return choice(SchoolKind, obj.kind)

    @staticmethod
    def resolve_sector(obj: School) -> dict | None:
        return choice(Sector, obj.sector)

    @staticmethod
    def resolve_network(obj: School) -> dict | None:
        return choice(EducationNetwork, obj.education_network)

    @staticmethod
    def resolve_commune(obj: School) -> dict | None:
        return node_ref(obj.commune)

    @staticmethod
    def resolve_departement(obj: School) -> dict | None:
        return node_ref(obj.departement)

    @staticmethod
    def resolve_owner(obj: School) -> dict | None:
        return node_ref(obj.owner)


class SchoolDetailOut(SchoolOut):
    """La fiche complète d'un établissement."""

    academie: NodeRefOut
    region: NodeRefOut
    circonscription: NodeRefOut | None
    address: str
    postcode: str
    ips_year: str = Field(description="Année scolaire de l'IPS publié.")
    pupils_by_level: dict[str, int] = Field(
        description="Effectifs par niveau publiés en données ouvertes (vide si inconnus)."
    )
    synthesised_fields: list[str] = Field(
        description="Champs synthétisés par la démonstration faute de donnée ouverte."
    )
    updated_at: datetime

    @staticmethod
    def resolve_academie(obj: School) -> dict | None:
        return node_ref(obj.academie)

    @staticmethod
    def resolve_region(obj: School) -> dict | None:
        return node_ref(obj.region)

    @staticmethod
    def resolve_circonscription(obj: School) -> dict | None:
        return node_ref(obj.circonscription)


class ClassOut(Schema):
    """Une classe d'un établissement pour une année scolaire."""

    id: int
    school_uai: str
    year: str = Field(description="Année scolaire, « 2025-2026 ».")
    name: str
    levels: list[str] = Field(description="Niveaux de la classe (plusieurs si multiniveau).")
    stage: ChoiceOut
    headcount: int = Field(description="Effectif.")
    is_synthetic: bool = Field(description="Classe synthétisée par la démonstration.")

    @staticmethod
    def resolve_school_uai(obj: SchoolClass) -> str:
        return obj.school.uai

    @staticmethod
    def resolve_year(obj: SchoolClass) -> str:
        return obj.year.label

    @staticmethod
    def resolve_stage(obj: SchoolClass) -> dict | None:
        return choice(Stage, obj.stage)


class StaffOut(Schema):
    """Un membre du personnel affecté à un établissement."""

    id: int
    school_uai: str
    role: ChoiceOut
    first_name: str
    last_name: str
    email: str
    is_new_teacher: bool = Field(description="Néo-titulaire ou stagiaire (mesure 7).")
    is_synthetic: bool

    @staticmethod
    def resolve_school_uai(obj: Staff) -> str:
        return obj.school.uai

    @staticmethod
    def resolve_role(obj: Staff) -> dict | None:
        return choice(StaffRole, obj.role)


# --- Filters ---------------------------------------------------------------------------------


class NodeFilters(FilterSchema):
    kind: Annotated[NodeKind | None, FilterLookup("kind")] = Field(
        None, description="Type de nœud."
    )
    parent: Annotated[Code | None, FilterLookup("parent__code")] = Field(
        None, description="Code du nœud parent (par exemple « 02 » pour les communes de l'Aisne)."
    )
    parent_kind: Annotated[NodeKind | None, FilterLookup("parent__kind")] = Field(
        None, description="Type du nœud parent, pour lever l'ambiguïté d'un code."
    )


def _node_is(field: str, kind: str, code: str | None) -> Q:
    """``field`` (a foreign key to a node) is the node of ``kind`` with ``code``: resolved by the
    unique (kind, code) in a one-row subquery, so that the schools are filtered on the indexed
    id. A code alone is ambiguous (« 02 » is a région, an académie and a département)."""
    if not code:
        return Q()
    node = TerritoryNode.objects.filter(kind=kind, code=code).values("pk")[:1]
    return Q(**{f"{field}_id": Subquery(node)})


class SchoolFilters(FilterSchema):
    departement: Code | None = Field(None, description="Code du département (« 02 », « 95 »).")
    commune: Code | None = Field(None, description="Code INSEE de la commune.")
    kind: Annotated[SchoolKind | None, FilterLookup("kind")] = Field(
        None, description="Type d'établissement."
    )
    sector: Annotated[Sector | None, FilterLookup("sector")] = Field(None, description="Secteur.")
    network: Annotated[Literal["REP", "REP_PLUS"] | None, FilterLookup("education_network")] = (
        Field(None, description="Éducation prioritaire : REP ou REP_PLUS (REP+).")
    )
    ips_min: Annotated[Ips | None, FilterLookup("ips__gte")] = Field(
        None, description="IPS minimal (inclus), entre 0 et 300."
    )
    ips_max: Annotated[Ips | None, FilterLookup("ips__lte")] = Field(
        None, description="IPS maximal (inclus), entre 0 et 300."
    )
    q: Search | None = Field(
        None,
        description="Recherche, comme dans l'interface : une UAI exacte, le début d'une UAI, ou "
        "une partie du nom sans tenir compte des accents ni de la casse (100 caractères et 10 "
        "mots au plus).",
    )

    def filter_q(self, query: str | None) -> Q:
        return search_q(query) if query and query.strip() else Q()

    def filter_departement(self, code: str | None) -> Q:
        return _node_is("departement", NodeKind.DEPARTEMENT, code)

    def filter_commune(self, code: str | None) -> Q:
        return _node_is("commune", NodeKind.COMMUNE, code)


class SchoolClassFilters(FilterSchema):
    stage: Annotated[Stage | None, FilterLookup("stage")] = Field(None, description="Cycle.")
    year: Annotated[Year | None, FilterLookup("year__label")] = Field(
        None, description="Année scolaire, « 2025-2026 »."
    )


class ClassFilters(SchoolClassFilters):
    school: Annotated[Code | None, FilterLookup("school__uai")] = Field(
        None, description="UAI de l'établissement."
    )


# --- Endpoints -------------------------------------------------------------------------------


def _visible_school(request, uai: str) -> School:
    return get_object_or_404(School.objects.visible_to(request.auth), uai=uai.upper())


@router.get(
    "/territory/nodes",
    response=list[NodeOut],
    tags=["Territoire"],
    summary="Lister les nœuds du territoire",
    description="Régions, académies, départements, circonscriptions et communes de votre "
    "périmètre, triés par nom.",
)
@paginate(KeysetPagination, ordering=("name", "pk"))
def list_nodes(request, filters: Query[NodeFilters]):
    return filters.filter(TerritoryNode.objects.visible_to(request.auth).select_related("parent"))


@router.get(
    "/territory/nodes/{kind}/{code}",
    response={200: NodeOut, **NOT_FOUND},
    tags=["Territoire"],
    summary="Lire un nœud du territoire",
    description="Un nœud identifié par son type et son code ; 404 s'il est hors de votre "
    "périmètre.",
)
def get_node(
    request,
    kind: Annotated[NodeKindCode, Path(description="Type du nœud.")],
    code: Annotated[Code, Path(description="Code officiel du nœud (« 02 », « 02408 »).")],
):
    nodes = TerritoryNode.objects.visible_to(request.auth).select_related("parent")
    return get_object_or_404(nodes, kind=kind, code=code)


@router.get(
    "/schools",
    response=list[SchoolOut],
    tags=["Établissements"],
    summary="Lister les établissements",
    description="Écoles, collèges et lycées de votre périmètre, triés par nom puis par "
    "identifiant, avec filtres.",
)
@paginate(KeysetPagination, ordering=("name", "pk"))
def list_schools(request, filters: Query[SchoolFilters]):
    schools = School.objects.visible_to(request.auth).select_related(
        "commune", "departement", "owner"
    )
    return filters.filter(schools)


@router.get(
    "/schools/{uai}",
    response={200: SchoolDetailOut, **NOT_FOUND},
    tags=["Établissements"],
    summary="Lire un établissement",
    description="La fiche d'un établissement identifié par son UAI ; 404 s'il est hors de "
    "votre périmètre.",
)
def get_school(request, uai: UaiPath):
    schools = School.objects.visible_to(request.auth).select_related(
        "commune", "departement", "owner", "academie", "region", "circonscription"
    )
    return get_object_or_404(schools, uai=uai.upper())


@router.get(
    "/schools/{uai}/classes",
    response={200: list[ClassOut], **NOT_FOUND},
    tags=["Classes"],
    summary="Lister les classes d'un établissement",
    description="Les classes d'un établissement de votre périmètre, toutes années "
    "confondues sauf filtre ; 404 si l'établissement est hors périmètre.",
)
@paginate(KeysetPagination)
def list_school_classes(request, uai: UaiPath, filters: Query[SchoolClassFilters]):
    school = _visible_school(request, uai)
    return filters.filter(school.classes.select_related("school", "year"))


@router.get(
    "/schools/{uai}/staff",
    response={200: list[StaffOut], **NOT_FOUND},
    tags=["Personnels"],
    summary="Lister les personnels d'un établissement",
    description="Enseignants et direction d'un établissement de votre périmètre. Liste vide "
    "pour les rôles qui ne voient pas les personnes (évaluation, collectivité, parent).",
)
@paginate(KeysetPagination)
def list_school_staff(request, uai: UaiPath):
    school = _visible_school(request, uai)
    return Staff.objects.visible_to(request.auth).filter(school=school).select_related("school")


@router.get(
    "/classes",
    response=list[ClassOut],
    tags=["Classes"],
    summary="Lister les classes",
    description="Les classes des établissements de votre périmètre, avec filtres.",
)
@paginate(KeysetPagination)
def list_classes(request, filters: Query[ClassFilters]):
    classes = SchoolClass.objects.visible_to(request.auth).select_related("school", "year")
    return filters.filter(classes)
