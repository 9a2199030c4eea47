"""The requests the bench times, for a national user and for a département coordinator: the
dashboard, the territory browser, the school list (filtered, searched, paginated to a deep page),
the school page, the map, a filtered export, and the same reads through the API."""

import math

from django.conf import settings
from django.db.models import Count

from tne.territory.enums import NodeKind, SchoolKind
from tne.territory.models import School, TerritoryNode

from .timing import Scenario

LIST = "/territoire/etablissements/"
SEARCH = "jean"  # Matches a few thousand names nationally (« Jean Jaurès », « Jean Moulin »…).
# Every word must match the name or the commune: a school name and a town, and two commune words.
TOWN_SEARCH = "jean+jaures+saint"
COMMUNE_SEARCH = "st+quentin"
BIGGEST_DEPARTEMENT_HINT = "59"  # Nord: the département with the most schools.


def _deep_page(user) -> int:
    count = School.objects.visible_to(user).count()
    pages = max(math.ceil(count / settings.TNE_PAGE_SIZE), 1)
    return max(int(pages * 0.9), 1)


def _biggest_departement() -> str:
    if TerritoryNode.objects.filter(
        kind=NodeKind.DEPARTEMENT, code=BIGGEST_DEPARTEMENT_HINT
    ).exists():
        return BIGGEST_DEPARTEMENT_HINT
    row = School.objects.values("departement__code").annotate(n=Count("pk")).order_by("-n").first()
    return row["departement__code"] if row else ""


def _busiest_school(departement: TerritoryNode) -> str:
    """The UAI of the school of ``departement`` with the most classes: the heaviest school page."""
    school = (
        School.objects.filter(departement=departement, kind__in=SchoolKind.lycees())
        .annotate(n=Count("classes"))
        .order_by("-n", "uai")
        .first()
    ) or School.objects.filter(departement=departement).order_by("uai").first()
    if school is None:
        raise SystemExit(f"Aucun établissement dans le département {departement.code}.")
    return school.uai


def build(users: dict, departement: TerritoryNode) -> list[Scenario]:
    national, coordination = "national", f"coordination {departement.code}"
    dep = departement.code
    big = _biggest_departement() or dep
    uai = _busiest_school(departement)
    deep = {key: _deep_page(user) for key, user in users.items()}
    scenarios = []
    for key, who, dep_filter in (("national", national, big), ("coordination", coordination, dep)):
        scenarios += [
            Scenario("Tableau de bord", who, "/"),
            Scenario("Territoire (départements)", who, "/territoire/"),
            Scenario("Département (communes)", who, f"/territoire/departements/{dep}/"),
            Scenario(
                "Département, recherche de communes",
                who,
                f"/territoire/departements/{dep}/?q={COMMUNE_SEARCH}",
            ),
            Scenario("Établissements, page 1", who, LIST),
            Scenario(
                "Établissements, département + écoles",
                who,
                f"{LIST}?departement={dep_filter}&kind=ECOLES",
            ),
            Scenario("Établissements, recherche par nom", who, f"{LIST}?q={SEARCH}"),
            Scenario("Établissements, nom + commune", who, f"{LIST}?q={TOWN_SEARCH}"),
            Scenario(f"Établissements, page {deep[key]}", who, f"{LIST}?page={deep[key]}"),
            Scenario("Fiche établissement", who, f"{LIST}{uai}/"),
            Scenario("Carte du département", who, f"/territoire/departements/{dep}/carte/"),
            Scenario(
                "Export CSV, département + collèges",
                who,
                f"{LIST}export.csv?departement={dep_filter}&kind=COLLEGE",
            ),
            Scenario("API établissements (département)", who, f"/api/v1/schools?departement={dep}"),
            Scenario("API établissements (sans filtre)", who, "/api/v1/schools"),
            Scenario("API établissements (recherche)", who, f"/api/v1/schools?q={SEARCH}"),
            Scenario("API fiche établissement", who, f"/api/v1/schools/{uai}"),
            Scenario("API classes d'un établissement", who, f"/api/v1/schools/{uai}/classes"),
        ]
    return scenarios
