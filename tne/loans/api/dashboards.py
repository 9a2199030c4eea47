"""The dashboards part of the loans API: the M6 figures of a territory node and of each node
below it, or of a school (``loans.view_dashboard``: aggregates only, as on the page), and the
family's own loans (``GET /loans/family``: a parent's linked pupils, nothing else). Never a
guardian's contact. Read-only."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from tne.core.api.params import Code, Uai
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.territory.models import School

from ..enums import LoanStatus
from ..perms import can_view_dashboard
from ..selectors import dashboards as selectors
from ..selectors import families

router = Router()
TAGS = ["Prêts (M6) — tableaux de bord"]
FAMILY_TAGS = ["Prêts (M6) — familles"]
NodeKindCode = Literal["COUNTRY", "REGION", "ACADEMIE", "DEPARTEMENT", "CIRCONSCRIPTION", "COMMUNE"]
ChildKindCode = Literal["DEPARTEMENT", "COMMUNE", "CIRCONSCRIPTION"]


class PlaceOut(Schema):
    kind: str = Field(description="Type du nœud (COUNTRY, DEPARTEMENT…) ou SCHOOL.")
    code: str = Field(description="Code officiel du nœud, ou UAI de l'école.")
    name: str


class FiguresOut(Schema):
    """Les chiffres M6 d'un territoire ou d'une école."""

    place: PlaceOut
    needs: int = Field(description="Élèves dont le besoin est déclaré.")
    served: int = Field(description="Élèves à qui un matériel est proposé ou prêté.")
    waiting: int = Field(description="Besoins déclarés sans proposition.")
    share_covered: float | None = Field(
        description="Part des besoins couverts (servis ÷ besoins), de 0 à 1 ; `null` sans besoin."
    )
    equipped: int = Field(
        description="Élèves à qui un matériel a été remis (prêt en cours ou clos)."
    )
    active: int = Field(description="Prêts en cours.")
    overdue: int = Field(description="Prêts en cours dont la date de retour est passée.")
    lost_or_stolen: int = Field(description="Prêts clos sur une perte ou un vol.")
    in_stock: int = Field(description="Tablettes, ordinateurs portables et routeurs 4G en stock.")
    target: int | None = Field(description="Objectif M6 (élèves) de la période en cours ; `null`.")
    envelope: Decimal | None = Field(description="Enveloppe M6 (€) ; `null` sans enveloppe.")


class CostOut(Schema):
    """Le coût des matériels remis à ce jour, chacun compté une fois."""

    total: Decimal = Field(description="En euros TTC.")
    devices: int
    from_order_lines: int = Field(
        description="Matériels comptés au prix de leur ligne de commande."
    )
    from_reference: int = Field(
        description="Matériels entrés sans commande, comptés au prix de référence de leur "
        "catégorie."
    )
    unpriced: int = Field(description="Matériels sans prix connu, non comptés.")


class DashboardOut(Schema):
    """Le tableau de bord M6 d'un territoire (ou d'une école) et de ses sous-territoires."""

    period: str | None
    total: FiguresOut
    envelope_split: Decimal | None = Field(
        description="Part de l'enveloppe répartie entre les territoires qui en dépendent (€)."
    )
    cost: CostOut
    rows: list[FiguresOut] = Field(
        description="Une ligne par sous-territoire (départements du pays, communes ou "
        "circonscriptions d'un département) ; par école sous une commune, pour qui lit les prêts "
        "de ces écoles."
    )


def _figures(row, place: dict) -> dict:
    f = row.figures
    return {
        "place": place,
        "needs": f.needs,
        "served": f.served,
        "waiting": f.waiting,
        "share_covered": None if f.share is None else round(f.share, 4),
        "equipped": f.equipped,
        "active": f.active,
        "overdue": f.overdue,
        "lost_or_stolen": f.lost,
        "in_stock": f.stock,
        "target": row.target,
        "envelope": row.envelope,
    }


def _node_place(node) -> dict:
    return {"kind": node.kind, "code": node.code, "name": node.name}


def _board(board, school_labels: dict | None = None) -> dict:
    if board.school is not None:
        total_place = {"kind": "SCHOOL", "code": board.school.uai, "name": board.school.name}
    else:
        total_place = _node_place(board.node)
    rows = []
    for row in board.rows:
        if row.node is not None:
            rows.append(_figures(row, _node_place(row.node)))
        else:
            uai, name = (school_labels or {}).get(row.school_id, ("", row.label))
            rows.append(_figures(row, {"kind": "SCHOOL", "code": uai, "name": name}))
    cost = board.cost
    return {
        "period": board.period.label if board.period else None,
        "total": _figures(board.total, total_place),
        "envelope_split": board.envelope.split if board.envelope else None,
        "cost": {
            "total": cost.total,
            "devices": cost.devices,
            "from_order_lines": cost.from_order_lines,
            "from_reference": cost.from_reference,
            "unpriced": cost.unpriced,
        },
        "rows": rows,
    }


def _refuse_without_dashboard(request) -> None:
    if not can_view_dashboard(request.auth):
        raise HttpError(403, "Les tableaux de bord des prêts sont réservés aux agents.")


@router.get(
    "/loans/dashboard/{kind}/{code}",
    response={200: DashboardOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lire le tableau de bord M6 d'un territoire",
    description="Besoins déclarés, élèves servis et en attente, prêts en cours, en retard, perdus "
    "ou volés, matériels en stock, objectif et enveloppe M6, coût à ce jour, dans le territoire "
    "et dans chacun de ses sous-territoires ; les écoles où vous lisez les prêts seulement. 403 "
    "sans accès aux tableaux de bord, 404 pour un territoire que vous ne suivez pas.",
)
def get_dashboard(
    request,
    kind: Annotated[NodeKindCode, Path(description="Type du nœud.")],
    code: Annotated[Code, Path(description="Code officiel du nœud (« FR », « 02 »).")],
    by: Annotated[
        ChildKindCode | None,
        Query(description="Lignes d'un département : COMMUNE (par défaut) ou CIRCONSCRIPTION."),
    ] = None,
):
    _refuse_without_dashboard(request)
    node = selectors.dashboard_nodes(request.auth).filter(kind=kind, code=code).first()
    if node is None:
        raise HttpError(404, "Territoire inconnu ou hors de votre périmètre.")
    board = selectors.node_dashboard(request.auth, node=node, child_kind=by or "")
    labels = {}
    if board.school_rows and board.rows:
        labels = {
            pk: (uai, name)
            for pk, uai, name in School.objects.filter(
                pk__in=[row.school_id for row in board.rows]
            ).values_list("pk", "uai", "name")
        }
    return _board(board, labels)


@router.get(
    "/loans/schools/{uai}/dashboard",
    response={200: DashboardOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lire le tableau de bord M6 d'une école",
    description="Les chiffres M6 d'une école de votre périmètre ; 404 pour une autre.",
)
def get_school_dashboard(request, uai: Annotated[Uai, Path(description="UAI de l'école.")]):
    _refuse_without_dashboard(request)
    school = (
        selectors.dashboard_schools(request.auth)
        .select_related("commune")
        .filter(uai=uai.upper())
        .first()
    )
    if school is None:
        raise HttpError(404, "École inconnue ou hors de votre périmètre.")
    return _board(selectors.school_dashboard(request.auth, school=school))


# --- The family's own loans -------------------------------------------------------------------


class FamilyLoanOut(Schema):
    """Un prêt à l'enfant, en clair."""

    kind: str = Field(description="Type de matériel (« Tablette »).")
    model: str | None = Field(description="Fabricant et modèle ; `null` avant la remise.")
    asset_tag: str | None = Field(description="Numéro d'inventaire ; `null` avant la remise.")
    status: ChoiceOut
    handed_out_on: datetime.date | None
    due_on: datetime.date | None
    returned_on: datetime.date | None
    overdue: bool
    agreement_url: str | None = Field(
        description="Adresse de la convention de prêt signée (PDF) ; `null` sans convention."
    )


class SchoolContactOut(Schema):
    """Qui contacter : la direction de l'école."""

    name: str
    address: str
    postcode: str
    commune: str
    contact: str = Field(description="À qui s'adresser (la direction de l'école).")


class FamilyChildOut(Schema):
    """Un enfant rattaché à votre compte, ses prêts et son école."""

    level: str
    school: SchoolContactOut
    loans: list[FamilyLoanOut]


def _family_loan(loan, today) -> dict:
    asset = loan.asset
    return {
        "kind": loan.category.name,
        "model": f"{asset.model.maker} {asset.model.name}" if asset else None,
        "asset_tag": asset.asset_tag if asset else None,
        "status": choice(LoanStatus, loan.status),
        "handed_out_on": loan.handed_out_at.date() if loan.handed_out_at else None,
        "due_on": loan.due_on,
        "returned_on": loan.returned_at.date() if loan.returned_at else None,
        "overdue": loan.status == LoanStatus.ACTIVE
        and loan.due_on is not None
        and loan.due_on < today,
        "agreement_url": reverse("loans:family_agreement", args=[loan.pk])
        if loan.agreement_id
        else None,
    }


@router.get(
    "/loans/family",
    response={200: list[FamilyChildOut], 403: ErrorOut},
    tags=FAMILY_TAGS,
    summary="Lire le prêt de mon enfant",
    description="Pour un parent : les enfants rattachés à son compte, le matériel prêté, la date "
    "de retour, la convention et l'école à contacter. 403 pour qui n'est parent dans aucune "
    "école.",
)
def family_loans(request):
    user = request.auth
    if not families.is_parent(user):
        raise HttpError(
            403, "Cette adresse est celle des familles dont un enfant bénéficie d'un prêt."
        )
    today = timezone.localdate()
    return [
        {
            "level": link.pupil.level,
            "school": {
                "name": link.pupil.school.name,
                "address": link.pupil.school.address,
                "postcode": link.pupil.school.postcode,
                "commune": link.pupil.school.commune.name,
                "contact": "La direction de l'école",
            },
            "loans": [_family_loan(loan, today) for loan in link.pupil.family_loans],
        }
        for link in families.family_links(user)
    ]
