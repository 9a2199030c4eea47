"""The sign-offs of installations in the REST API: the sign-offs (school decisions and
co-signatures) of the installations the caller reads (``equipment.view`` on their school), with
the SHA-256 of the signed report, keyset-paginated; and the two signatures, through the same
services and the same form checks as the pages (typed name and consent sentence; no drawing
and no photo through the API):

- the school head's decision on one installation at step « installée » (accepted with remarks,
  or refused with its reason), ``equipment.sign_installation`` on its school;
- the co-signature of one installation, or of a list of at most 200 at once (one signature over
  one report), by the local authority owning the buildings, ``equipment.cosign_installation``.

An installation the caller does not read is a 404, one they read but may not sign a 403 (each
grant only where it is given: a head of school A who is a commune's officer elsewhere signs for
A only), one already decided or co-signed a 409 with the reason in French. The services lock the
rows before they read the step: of two identical submits, exactly one signs."""

import datetime
import unicodedata
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as ApiValidationError
from ninja.pagination import paginate
from pydantic import AfterValidator

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code, text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.core.audit import AuditSource
from tne.core.scope import scope_of

from ..enums import SignoffDecision, SignoffParty
from ..forms.signoffs import CosignForm, DecisionForm
from ..models import Allocation, Signoff
from ..perms import COSIGN_INSTALLATION, SIGN_INSTALLATION, VIEW
from ..services import signoffs as services

router = Router()
TAGS = ["Équipement"]
MAX_ID = 2**63 - 1
AllocationId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="Identifiant de l'affectation (l'installation).")
]


class SignoffOut(Schema):
    """Une validation d'installation : la décision de l'école ou la contresignature de la
    collectivité propriétaire, signée sur un procès-verbal dont l'empreinte est donnée."""

    id: int
    allocation_id: int = Field(description="L'affectation dont l'installation est validée.")
    school_uai: str = Field(description="UAI de l'école.")
    party: ChoiceOut
    decision: ChoiceOut
    remarks: str = Field(description="Remarques, ou motif du refus.")
    report_sha256: str = Field(description="Empreinte SHA-256 du procès-verbal signé.")
    signed_by: str = Field(description="Nom saisi par le signataire.")
    capacity: str = Field(description="Qualité du signataire.")
    signed_at: datetime.datetime
    has_photo: bool

    @staticmethod
    def resolve_school_uai(obj: Signoff) -> str:
        return obj.allocation.school.uai

    @staticmethod
    def resolve_party(obj: Signoff) -> dict | None:
        return choice(SignoffParty, obj.party)

    @staticmethod
    def resolve_decision(obj: Signoff) -> dict | None:
        return choice(SignoffDecision, obj.decision)

    @staticmethod
    def resolve_report_sha256(obj: Signoff) -> str:
        return obj.signature.document_sha256

    @staticmethod
    def resolve_signed_by(obj: Signoff) -> str:
        return obj.signature.typed_name

    @staticmethod
    def resolve_capacity(obj: Signoff) -> str:
        return obj.signature.capacity

    @staticmethod
    def resolve_signed_at(obj: Signoff) -> datetime.datetime:
        return obj.signature.signed_at

    @staticmethod
    def resolve_has_photo(obj: Signoff) -> bool:
        return bool(obj.photo)


class SignoffFilters(FilterSchema):
    uai: Annotated[Code | None, FilterLookup("allocation__school__uai")] = Field(
        None, description="UAI de l'école."
    )
    party: Annotated[SignoffParty | None, FilterLookup("party")] = Field(
        None, description="SCHOOL (direction de l'école) ou AUTHORITY (collectivité)."
    )
    decision: Annotated[SignoffDecision | None, FilterLookup("decision")] = Field(
        None, description="ACCEPTED ou REFUSED."
    )


# --- Signing --------------------------------------------------------------------------------


def _no_control_but_line_breaks(value: str) -> str:
    if any(unicodedata.category(c) in {"Cc", "Cs"} and c not in "\n\r\t" for c in value):
        raise ValueError("caractère de contrôle interdit\u00a0; ôtez-le")
    return value


Remarks = Annotated[str, Field(max_length=2000), AfterValidator(_no_control_but_line_breaks)]
TypedName = text(200)
NAME_HELP = "Votre nom et prénom\u00a0: le saisir vaut signature."
ERRORS = {200: SignoffOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
LIST_ERRORS = {**ERRORS, 200: list[SignoffOut]}


class DecisionIn(Schema):
    """La décision signée de la direction de l'école sur une installation."""

    decision: Literal[tuple(SignoffDecision.values)] = Field(
        description="ACCEPTED (l'installation est validée et mise en service) ou REFUSED (elle "
        "revient à l'étape «\u00a0livrée\u00a0» pour l'installateur)."
    )
    remarks: Remarks = Field(
        "", description="Remarques (facultatives) ou motif du refus (obligatoire pour un refus)."
    )
    typed_name: TypedName = Field(
        description="Votre nom et prénom\u00a0: le saisir vaut signature."
    )
    consent: bool = Field(
        description="true\u00a0: vous acceptez la phrase «\u00a0"
        + services.DECISION_CONSENT
        + "\u00a0» (obligatoire pour signer)."
    )


class CosignIn(Schema):
    """La contresignature de la collectivité propriétaire du bâtiment."""

    remarks: Remarks = Field("", description="Remarques de la collectivité (facultatives).")
    typed_name: TypedName = Field(
        description="Votre nom et prénom\u00a0: le saisir vaut signature."
    )
    consent: bool = Field(
        description="true\u00a0: vous acceptez la phrase «\u00a0"
        + services.COSIGN_CONSENT
        + "\u00a0» (obligatoire pour signer)."
    )


class CosignListIn(CosignIn):
    """Une contresignature de plusieurs installations à la fois (une signature, un seul
    procès-verbal)."""

    allocation_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1,
        max_length=services.MAX_BULK,
        description=f"Les affectations à contresigner ({services.MAX_BULK} au plus).",
    )


CONSENT_MISSING = (
    "doit valoir «\u00a0true\u00a0»\u00a0: signer demande d'accepter la phrase de consentement."
)


def _checked(form) -> dict:
    """The form's cleaned data, or a 422 with one French error per field, as ninja's."""
    if form.is_valid():
        return form.cleaned_data
    errors = []
    for field, messages in form.errors.items():
        message = CONSENT_MISSING if field == "consent" else " ".join(messages)
        errors.append(
            {"loc": ["body", "payload", field], "type": "value_error", "ctx": {"error": message}}
        )
    raise ApiValidationError(errors)


def _signature_data(payload) -> dict:
    return {
        "typed_name": payload.typed_name,
        "consent": "on" if payload.consent else "",
        "remarks": payload.remarks,
        "drawing": "",
    }


def _refusal(error: DjangoValidationError) -> Exception:
    """A refusal of the service: a field's error is a 422 (as the form's), the step a 409."""
    if hasattr(error, "error_dict"):
        return ApiValidationError(
            [
                {"loc": ["body", "payload", field], "type": "value_error", "ctx": {"error": msg}}
                for field, messages in error.message_dict.items()
                for msg in messages
            ]
        )
    return HttpError(409, " ".join(error.messages))


def _readable(user):
    return Allocation.objects.visible_to(user, VIEW).select_related("school")


@router.post(
    "/equipment/allocations/{allocation_id}/decision",
    response=ERRORS,
    tags=TAGS,
    summary="Valider ou refuser une installation (direction de l'école)",
    description=(
        "La direction de l'école signe sa décision sur une installation à l'étape "
        "«\u00a0installée\u00a0», en saisissant son nom et en acceptant la phrase de "
        "consentement\u00a0: validée, elle est mise en service\u00a0; refusée (motif "
        "obligatoire), elle revient à l'étape «\u00a0livrée\u00a0». Le procès-verbal signé est "
        "conservé avec son empreinte. 404 pour une installation hors de votre périmètre, 403 "
        "si vous ne validez pas les installations de son école, 409 si elle n'est pas (ou plus) "
        "à valider."
    ),
)
def decide_installation(request, allocation_id: AllocationId, payload: DecisionIn):
    allocation = get_object_or_404(_readable(request.auth), pk=allocation_id)
    if not scope_of(request.auth, SIGN_INSTALLATION).contains_school(allocation.school):
        raise HttpError(403, "Vous ne validez pas les installations de cette école.")
    data = _checked(
        DecisionForm(
            data={
                **_signature_data(payload),
                "decision": "accept" if payload.decision == SignoffDecision.ACCEPTED else "refuse",
            },
            consent_text=services.DECISION_CONSENT,
        )
    )
    try:
        return services.decide_installation(
            allocation_id=allocation.pk,
            actor=request.auth,
            accept=data["decision"] == "accept",
            typed_name=data["typed_name"],
            remarks=data["remarks"],
            request=request,
            source=AuditSource.API,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    except DjangoValidationError as error:
        raise _refusal(error) from error


def _cosign(request, ids: list[int], payload: CosignIn) -> list[Signoff]:
    ids = sorted(set(ids))
    allocations = list(_readable(request.auth).filter(pk__in=ids))
    if len(allocations) != len(ids):
        raise HttpError(
            404,
            "Introuvable\u00a0: une des installations n'existe pas ou n'est pas dans votre "
            "périmètre.",
        )
    scope = scope_of(request.auth, COSIGN_INSTALLATION)
    if not all(scope.contains_school(a.school) for a in allocations):
        raise HttpError(
            403,
            "Seule la collectivité propriétaire du bâtiment contresigne ses installations\u00a0: "
            "une des installations n'est pas dans un bâtiment de votre collectivité.",
        )
    data = _checked(CosignForm(data=_signature_data(payload), consent_text=services.COSIGN_CONSENT))
    try:
        return services.cosign_installations(
            allocation_ids=ids,
            actor=request.auth,
            typed_name=data["typed_name"],
            remarks=data["remarks"],
            request=request,
            source=AuditSource.API,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    except DjangoValidationError as error:
        raise _refusal(error) from error


@router.post(
    "/equipment/allocations/{allocation_id}/cosignature",
    response=ERRORS,
    tags=TAGS,
    summary="Contresigner une installation (collectivité propriétaire)",
    description=(
        "La collectivité propriétaire du bâtiment contresigne une installation validée par "
        "l'école, en saisissant son nom et en acceptant la phrase de consentement. 404 pour "
        "une installation hors de votre périmètre, 403 si elle n'est pas dans un bâtiment de "
        "votre collectivité, 409 si elle n'est pas à contresigner (pas encore validée par "
        "l'école, ou déjà contresignée)."
    ),
)
def cosign_installation(request, allocation_id: AllocationId, payload: CosignIn):
    (signoff,) = _cosign(request, [allocation_id], payload)
    return signoff


@router.post(
    "/equipment/cosignatures",
    response=LIST_ERRORS,
    tags=TAGS,
    summary="Contresigner plusieurs installations à la fois",
    description=(
        f"Jusqu'à {services.MAX_BULK} installations contresignées d'une seule signature, sur un "
        "procès-verbal qui les liste. Tout ou rien\u00a0: une installation hors de votre "
        "périmètre (404), hors des bâtiments de votre collectivité (403) ou qui n'est pas à "
        "contresigner (409) fait refuser l'ensemble."
    ),
)
def cosign_installations(request, payload: CosignListIn):
    return _cosign(request, payload.allocation_ids, payload)


# --- Reading ---------------------------------------------------------------------------------


@router.get(
    "/equipment/signoffs",
    response=list[SignoffOut],
    tags=TAGS,
    summary="Lister les validations d'installation",
    description="Les décisions des écoles et les contresignatures des collectivités sur les "
    "installations des écoles que vous consultez.",
)
@paginate(KeysetPagination, ordering=("pk",))
def list_signoffs(request, filters: Query[SignoffFilters]):
    rows = Signoff.objects.filter(
        allocation__in=Allocation.objects.visible_to(request.auth, VIEW)
    ).select_related("allocation__school", "signature")
    return filters.filter(rows)
