"""Loans in the API: the loans the caller reads (``loans.view``, or ``loans.hand_out`` where
they hand devices out), keyset-paginated by number and filtered by status, school and delay; one
loan with its steps; the hand-out and the return for who hands devices out at the loan's school,
through the same services as the counter (the guardian's typed name and consent). No answer ever
holds a guardian's contact, nor the name they typed to sign (it is in the signed PDF only)."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, Uai, text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.core.audit import AuditSource

from ..enums import LoanOutcome, LoanStatus, ReturnCondition
from ..models import Loan, LoanEvent, LoanEventKind
from ..perms import can_hand_out
from ..selectors.loans import readable_loans
from ..services import lifecycle

router = Router()
TAGS = ["Prêts (M6)"]
LoanId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Numéro du prêt.")]
StatusCode = Literal[tuple(LoanStatus.values)]
ConditionCode = Literal[tuple(ReturnCondition.values)]
# The fields of a refusal that are the caller's input (400); any other refusal is a conflict
# with the state of the loan or the device (409).
INPUT_FIELDS = {"typed_name", "consent", "drawing", "due_on", "condition", "note"}


class AssetRefOut(Schema):
    """Le matériel prêté."""

    asset_tag: str = Field(description="Numéro d'inventaire (celui de l'étiquette).")
    serial_number: str
    model: str
    category: str = Field(description="Code de la catégorie («\u00a0tablet\u00a0»…).")


class LoanOut(Schema):
    """Un prêt : l'élève par son code (jamais son nom), l'école, le matériel, les dates."""

    id: int
    status: ChoiceOut
    outcome: ChoiceOut | None
    pupil_code: str
    school_uai: str
    school_name: str
    category: str = Field(description="Code du type de matériel prêté.")
    asset: AssetRefOut | None
    offered_at: datetime.datetime
    accepted_at: datetime.datetime | None
    handed_out_at: datetime.datetime | None
    due_on: datetime.date | None
    returned_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    return_condition: ChoiceOut | None
    reminders_sent: int
    last_reminder_at: datetime.datetime | None
    days_late: int = Field(description="Jours de retard d'un prêt en cours (0 sinon).")
    has_agreement: bool = Field(description="La convention de prêt signée existe.")
    has_return_receipt: bool = Field(description="Le reçu de retour signé existe.")

    @staticmethod
    def resolve_status(obj: Loan) -> dict | None:
        return choice(LoanStatus, obj.status)

    @staticmethod
    def resolve_outcome(obj: Loan) -> dict | None:
        return choice(LoanOutcome, obj.outcome)

    @staticmethod
    def resolve_return_condition(obj: Loan) -> dict | None:
        return choice(ReturnCondition, obj.return_condition)

    @staticmethod
    def resolve_pupil_code(obj: Loan) -> str:
        return obj.pupil.code

    @staticmethod
    def resolve_school_uai(obj: Loan) -> str:
        return obj.school.uai

    @staticmethod
    def resolve_school_name(obj: Loan) -> str:
        return obj.school.name

    @staticmethod
    def resolve_category(obj: Loan) -> str:
        return obj.category.code

    @staticmethod
    def resolve_asset(obj: Loan) -> dict | None:
        if obj.asset_id is None:
            return None
        asset = obj.asset
        return {
            "asset_tag": asset.asset_tag,
            "serial_number": asset.serial_number,
            "model": asset.model.name,
            "category": obj.category.code,
        }

    @staticmethod
    def resolve_days_late(obj: Loan) -> int:
        today = timezone.localdate()
        if obj.status != LoanStatus.ACTIVE or not obj.due_on or obj.due_on >= today:
            return 0
        return (today - obj.due_on).days

    @staticmethod
    def resolve_has_agreement(obj: Loan) -> bool:
        return obj.agreement_id is not None

    @staticmethod
    def resolve_has_return_receipt(obj: Loan) -> bool:
        return obj.return_receipt_id is not None


class StepOut(Schema):
    """Une étape du prêt."""

    at: datetime.datetime
    kind: ChoiceOut
    note: str

    @staticmethod
    def resolve_kind(obj: LoanEvent) -> dict | None:
        return choice(LoanEventKind, obj.kind)


class LoanDetailOut(LoanOut):
    """Un prêt et ses étapes depuis la proposition, de la plus ancienne à la plus récente."""

    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Loan) -> list:
        return list(obj.events.order_by("at", "pk"))


class LoanFilters(Schema):
    status: StatusCode | None = Field(None, description="État («\u00a0ACTIVE\u00a0»…).")
    school: Uai | None = Field(None, description="UAI de l'école.")
    category: Code | None = Field(None, description="Code du type de matériel.")
    overdue: bool | None = Field(
        None, description="`true` : les prêts en cours dont la date de retour est passée."
    )


Name = text(200)


class SignatureIn(Schema):
    """La signature du responsable légal : son nom saisi par lui-même et son accord."""

    typed_name: Name = Field(description="Nom et prénom du responsable légal, saisis par lui.")
    consent: bool = Field(description="`true` : il accepte le texte de la convention ou du reçu.")


class HandOutIn(SignatureIn):
    """La remise d'un matériel pour une proposition acceptée."""

    asset_tag: text(80) = Field(description="Numéro d'inventaire (ou de série) du matériel remis.")
    due_on: datetime.date | None = Field(
        None, description="Date de retour (par défaut : la fin de l'année scolaire)."
    )


class ReturnIn(SignatureIn):
    """Le retour d'un matériel prêté, avec son état."""

    condition: ConditionCode = Field(description="État du matériel rendu.")
    note: text(255) = Field("", description="Remarque (facultative).")


def _rows(user):
    return readable_loans(user).select_related("pupil", "school", "category", "asset__model")


def _filtered(rows, filters: LoanFilters):
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.school:
        rows = rows.filter(school__uai=filters.school.upper())
    if filters.category:
        rows = rows.filter(category__code=filters.category)
    if filters.overdue is not None:
        late = Q(status=LoanStatus.ACTIVE, due_on__lt=timezone.localdate())
        rows = rows.filter(late) if filters.overdue else rows.exclude(late)
    return rows


@router.get(
    "/loans/loans",
    response=list[LoanOut],
    tags=TAGS,
    summary="Lister les prêts",
    description="Les prêts des écoles de votre périmètre, par numéro.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_loans(request, filters: Query[LoanFilters]):
    return _filtered(_rows(request.auth), filters)


@router.get(
    "/loans/loans/{loan_id}",
    response={200: LoanDetailOut, 404: ErrorOut},
    tags=TAGS,
    summary="Consulter un prêt",
    description="Un prêt de votre périmètre et ses étapes.",
)
def get_loan(request, loan_id: LoanId):
    return get_object_or_404(_rows(request.auth), pk=loan_id)


def _act(request, loan_id: int, call):
    loan = get_object_or_404(_rows(request.auth), pk=loan_id)
    if not can_hand_out(request.auth, loan.school):
        raise HttpError(403, "Vous ne remettez ni ne reprenez les matériels de cette école.")
    try:
        call(loan)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    except ValidationError as error:
        fields = set(getattr(error, "error_dict", {}))
        status = 400 if fields and fields <= INPUT_FIELDS else 409
        raise HttpError(status, " ".join(error.messages)) from error
    return get_object_or_404(_rows(request.auth), pk=loan_id)


WRITE_ANSWERS = {200: LoanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post(
    "/loans/loans/{loan_id}/hand-out",
    response=WRITE_ANSWERS,
    tags=TAGS,
    summary="Remettre le matériel d'un prêt",
    description=(
        "Pour qui remet les matériels à l'école du prêt, une proposition acceptée : le "
        "matériel (de ce type, en stock à l'école ou dans un stock au-dessus d'elle) est "
        "prêté, la convention de prêt est signée par le responsable légal (nom saisi et "
        "accord). Sans convention préparée pour ce matériel et cette date (au guichet, le "
        "scan la prépare), l'appel la prépare lui-même : il rend alors le PDF et répond plus "
        "lentement (de l'ordre de 150 ms). Un matériel déjà prêté ou un prêt qui n'est pas à "
        "remettre : 409 ; une signature ou une date invalide : 400."
    ),
)
def hand_out_loan(request, loan_id: LoanId, payload: HandOutIn):
    return _act(
        request,
        loan_id,
        lambda loan: lifecycle.hand_out(
            actor=request.auth,
            loan=loan,
            asset_tag=payload.asset_tag,
            due_on=payload.due_on,
            signature_data=lifecycle.SignatureData(
                typed_name=payload.typed_name, consent=payload.consent
            ),
            request=request,
            prepare=True,
            source=AuditSource.API,
        ),
    )


@router.post(
    "/loans/loans/{loan_id}/return",
    response=WRITE_ANSWERS,
    tags=TAGS,
    summary="Enregistrer le retour d'un prêt",
    description=(
        "Pour qui reprend les matériels à l'école du prêt, un prêt en cours : le reçu de "
        "retour est signé par le responsable légal, le matériel revient en stock (en "
        "réparation s'il est endommagé ou incomplet) et le prêt est clos. Un prêt qui n'est "
        "pas en cours : 409 ; une signature invalide : 400."
    ),
)
def return_loan(request, loan_id: LoanId, payload: ReturnIn):
    return _act(
        request,
        loan_id,
        lambda loan: lifecycle.record_return(
            actor=request.auth,
            loan=loan,
            condition=payload.condition,
            note=payload.note,
            signature_data=lifecycle.SignatureData(
                typed_name=payload.typed_name, consent=payload.consent
            ),
            request=request,
            source=AuditSource.API,
        ),
    )
