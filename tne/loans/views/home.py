"""The loans home (``loans:index``): where each area of M6 starts, for what the user may do. A
tile whose page is not there (an area not installed yet) is left out, never a broken link."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tne.core.pages import breadcrumb
from tne.core.scope import holds, scope_of
from tne.territory.models import School

from .. import perms


@dataclass(frozen=True)
class Tile:
    label: str
    url_name: str
    description: str
    permissions: tuple  # any of them shows the tile
    # The tile of a school's page: one per school where the user holds the permission.
    per_school: bool = False


SECTIONS = [
    (
        "Suivre",
        [
            Tile(
                "Tableau de bord des prêts",
                "loans:dashboard",
                "Besoins déclarés, élèves servis et en attente, prêts en cours et en retard, "
                "matériels en stock, coût au regard de l'enveloppe M6 et de l'objectif.",
                (perms.VIEW_DASHBOARD,),
            ),
            Tile(
                "Prêts en retard",
                "loans:overdue",
                "Les prêts dont la date de retour est passée, et les relances envoyées.",
                (perms.VIEW, perms.HAND_OUT),
            ),
        ],
    ),
    (
        "À l'école",
        [
            Tile(
                "Élèves et besoins",
                "loans:pupils",
                "Les élèves de l'école (codes, jamais de nom), leurs besoins déclarés avec les "
                "familles et leur priorité.",
                (perms.DECLARE_NEEDS, perms.VIEW),
                per_school=True,
            ),
            Tile(
                "Guichet des prêts",
                "loans:counter",
                "Remettre un matériel (scanner le numéro d'inventaire, faire signer la convention "
                "de prêt, suivant) et le reprendre à son retour, signé par la famille.",
                (perms.HAND_OUT,),
            ),
        ],
    ),
    (
        "Attribuer",
        [
            Tile(
                "Attributions",
                "loans:runs",
                "Lancer l'attribution des prêts du territoire dans le stock ou le budget, lire "
                "pourquoi un élève n'est pas servi, essayer «\u00a0et si\u00a0».",
                (perms.ALLOCATE,),
            ),
            Tile(
                "Listes d'attente",
                "loans:proposals",
                "Les élèves non servis de chaque école, dans l'ordre\u202f; proposer un matériel "
                "rendu à l'élève suivant.",
                (perms.ALLOCATE,),
            ),
            Tile(
                "Règles de priorité et quotas",
                "loans:rules",
                "Les points de la formule de priorité et les quotas des écoles du territoire.",
                (perms.SET_RULES,),
            ),
        ],
    ),
    (
        "Exporter",
        [
            Tile(
                "Déclarations de besoin",
                "loans:declarations_export",
                "Les besoins déclarés (code élève, classe, niveau, besoins, priorité), en "
                "CSV\u202f; jamais les coordonnées des responsables légaux.",
                (perms.VIEW,),
            ),
            Tile(
                "Prêts",
                "loans:loans_export",
                "Chaque prêt\u00a0: matériel, dates, état et issue, en CSV.",
                (perms.VIEW,),
            ),
        ],
    ),
]
# The exports take their format as an argument.
ARGUMENTS: dict[str, Callable[[], list]] = {
    "loans:declarations_export": lambda: ["csv"],
    "loans:loans_export": lambda: ["csv"],
}


def _url(url_name: str, *args) -> str:
    return reverse(url_name, args=[*ARGUMENTS.get(url_name, list)(), *args])


def _own_schools(user, tile: Tile) -> list[School]:
    """The schools a grant on the school itself gives ``user`` a tile permission on (a school
    head's): one tile each. An authority over a territory reaches its schools from the
    dashboard."""
    ids = {
        value
        for permission in tile.permissions
        for lookup, value in scope_of(user, permission).school_grants
        if lookup == "pk"
    }
    return list(School.objects.filter(pk__in=ids).order_by("name", "pk")) if ids else []


def tiles_for(user) -> list[tuple[str, list[dict]]]:
    """The sections and tiles ``user`` may follow (a section with none is left out)."""
    shown = []
    for title, tiles in SECTIONS:
        visible = []
        for tile in tiles:
            if not any(holds(user, permission) for permission in tile.permissions):
                continue
            if tile.per_school:
                for school in _own_schools(user, tile):
                    url = _url(tile.url_name, school.pk)
                    if url:
                        visible.append(
                            {
                                "label": f"{tile.label} — {school.name}",
                                "url": url,
                                "description": tile.description,
                            }
                        )
                continue
            url = _url(tile.url_name)
            if url:
                visible.append({"label": tile.label, "url": url, "description": tile.description})
        if visible:
            shown.append((title, visible))
    return shown


LOANS_PERMISSIONS = (
    perms.VIEW,
    perms.VIEW_DASHBOARD,
    perms.DECLARE_NEEDS,
    perms.READ_CONTACT,
    perms.HAND_OUT,
    perms.SET_RULES,
    perms.ALLOCATE,
)


def holds_a_loans_permission(user) -> bool:
    return any(holds(user, permission) for permission in LOANS_PERMISSIONS)


@login_required
@require_GET
def index(request):
    if not holds_a_loans_permission(request.user):
        raise PermissionDenied("Les prêts de matériel sont réservés aux agents de leur périmètre.")
    context = {
        "title": "Prêts (M6)",
        "sections": tiles_for(request.user),
        "breadcrumb_data": breadcrumb("Prêts (M6)"),
    }
    return render(request, "loans/home.html", context)
