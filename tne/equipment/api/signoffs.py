"""The sign-offs of installations in the REST API: the sign-offs (school decisions and
co-signatures) of the installations the caller reads (``equipment.view`` on their school), with
the SHA-256 of the signed report. Read-only, keyset-paginated: signing stays on the pages, where
the report is read before it is signed."""

import datetime
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from tne.core.api.pagination import KeysetPagination
from tne.core.api.params import Code
from tne.core.api.schemas import ChoiceOut, choice

from ..enums import SignoffDecision, SignoffParty
from ..models import Allocation, Signoff
from ..perms import VIEW

router = Router()
TAGS = ["Équipement"]


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
