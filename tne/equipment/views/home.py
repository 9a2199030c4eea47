"""The equipment home: where each area of equipment starts, for what the user may do."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from tne.core.pages import breadcrumb
from tne.core.scope import holds

from .. import perms


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    description: str
    permissions: tuple  # any of them shows the link


SECTIONS = [
    (
        "Suivre",
        [
            Link(
                "Avancement des déploiements",
                "equipment:progress",
                "Classes équipées par mesure et par territoire, au regard des objectifs, avec la "
                "carte des communes.",
                (perms.VIEW_PROGRESS,),
            ),
            Link(
                "Suivi budgétaire",
                "equipment:ledger",
                "Enveloppes, engagements, dépenses, reste disponible et coût par bénéficiaire.",
                (perms.VIEW_PROGRESS,),
            ),
        ],
    ),
    (
        "Socle numérique de base (M4)",
        [
            Link(
                "Audits du socle",
                "equipment:audit_list",
                "Ce que possède chaque classe élémentaire, l'écart au socle et son coût, les "
                "écoles classées par écart et IPS.",
                (perms.VIEW,),
            ),
            Link(
                "Plan de financement",
                "equipment:audit_plan",
                "Les classes à équiper dans l'enveloppe M4 du territoire, et ce qui reste à "
                "financer.",
                (perms.ALLOCATE,),
            ),
        ],
    ),
    (
        "Déployer",
        [
            Link(
                "Campagnes de déploiement",
                "equipment:campaign_list",
                "Affecter un kit à toutes les classes d'une commune, d'une circonscription ou "
                "d'un département, le commander, suivre ses étapes.",
                (perms.VIEW,),
            ),
            Link(
                "Affectations",
                "equipment:allocation_list",
                "Chaque kit affecté à une classe, une école ou un enseignant, et son étape.",
                (perms.VIEW,),
            ),
            Link(
                "Installations à valider",
                "equipment:signoff_list",
                "Valider ou refuser une installation dans son école ; la contresigner pour les "
                "bâtiments de sa collectivité.",
                (perms.SIGN_INSTALLATION, perms.COSIGN_INSTALLATION, perms.VIEW),
            ),
            Link(
                "Commandes",
                "equipment:order_list",
                "Les commandes imputées aux enveloppes, leurs lignes, livraisons et factures.",
                (perms.VIEW_PROGRESS,),
            ),
            Link(
                "Nouveaux enseignants (M7)",
                "equipment:teacher_list",
                "Remettre l'équipement d'un nouvel enseignant contre récépissé signé, et "
                "enregistrer sa restitution.",
                (perms.HAND_OVER,),
            ),
        ],
    ),
    (
        "Registre des matériels",
        [
            Link(
                "Matériels",
                "equipment:asset_list",
                "Chaque matériel : numéro de série et d'inventaire, état, lieu, historique, "
                "incidents.",
                (perms.VIEW,),
            ),
            Link(
                "Lecture rapide",
                "equipment:scan",
                "Saisir ou scanner un numéro d'inventaire, voir le matériel, changer son état, "
                "suivant.",
                (perms.MANAGE_ASSETS, perms.REPORT_INCIDENT),
            ),
            Link(
                "Étiquettes",
                "equipment:labels",
                "Planches A4 d'étiquettes à code QR des numéros d'inventaire.",
                (perms.MANAGE_ASSETS,),
            ),
            Link(
                "Importer une livraison",
                "equipment:delivery_import",
                "Le fichier de livraison d'un fournisseur (CSV ou XLSX) : aperçu des erreurs, "
                "puis entrée au registre.",
                (perms.MANAGE_ASSETS,),
            ),
            Link(
                "Reprendre un inventaire",
                "equipment:inventory_import",
                "Un inventaire exporté de Snipe-IT ou de GLPI.",
                (perms.MANAGE_ASSETS,),
            ),
        ],
    ),
    (
        "Catalogue",
        [
            Link(
                "Matériels du catalogue",
                "equipment:catalogue",
                "Catégories et modèles, avec leur prix TTC et leur garantie.",
                (perms.VIEW, perms.VIEW_PROGRESS),
            ),
            Link(
                "Kits",
                "equipment:kit_list",
                "La composition des kits et leur coût.",
                (perms.VIEW, perms.VIEW_PROGRESS),
            ),
        ],
    ),
]


def sections_for(user) -> list[tuple[str, list[dict]]]:
    """The sections and links ``user`` may follow (a section with none is left out)."""
    shown = []
    for title, links in SECTIONS:
        visible = [
            {"label": link.label, "url": reverse(link.url_name), "description": link.description}
            for link in links
            if any(holds(user, permission) for permission in link.permissions)
        ]
        if visible:
            shown.append((title, visible))
    return shown


@login_required
def index(request):
    if not (perms.can_view_equipment(request.user) or perms.can_view_progress(request.user)):
        raise PermissionDenied("L'équipement des écoles est réservé aux agents de leur périmètre.")
    context = {"sections": sections_for(request.user), "breadcrumb_data": breadcrumb("Équipement")}
    return render(request, "equipment/index.html", context)
