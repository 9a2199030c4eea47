"""Pupils and their need declarations in the API: the pupils of a school (``loans.view`` or
``loans.declare_needs`` there) with their declaration and priority breakdown, keyset-paginated;
one pupil; adding a pupil and declaring (or declaring again) a pupil's need, for the school head
(``loans.declare_needs``: 403 without it anywhere, 404 for a school or a pupil outside its
reach). Through the same services as the pages. Never a guardian's contact."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from tne.core.api.pagination import KeysetPagination, keyset_page
from tne.core.api.params import Uai, text
from tne.core.api.schemas import ChoiceOut, ErrorOut, choice
from tne.core.models import AuditSource
from tne.core.scope import holds
from tne.territory.enums import Level
from tne.territory.models import SchoolClass

from .. import priority
from ..enums import ELEMENTARY_LEVELS, HomeDevices, HomeInternet
from ..models import Pupil
from ..perms import DECLARE_NEEDS, VIEW
from ..selectors.pupils import breakdown_of, need_of, readable_pupils, readable_schools
from ..selectors.rules import weights_for_school
from ..services import pupils as services
from ..services.pupils import FIELD_LABELS, Entry, EntryErrors

router = Router()
TAGS = ["Prêts (M6) — élèves et besoins"]
UaiPath = Annotated[Uai, Path(description="Code UAI de l'école, « 0020001A ».")]
PupilId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Identifiant de l'élève.")]
LevelCode = Literal[tuple(level.value for level in ELEMENTARY_LEVELS)]
DevicesCode = Literal[tuple(HomeDevices.values)]
InternetCode = Literal[tuple(HomeInternet.values)]
PupilCode = text(services.CODE_MAX_LENGTH)


# --- Schemas -----------------------------------------------------------------------------------


class LineOut(Schema):
    """Un critère de la priorité et ses points."""

    label: str
    points: int


class NeedOut(Schema):
    """Ce qui manque à la famille, déclaré par l'école avec elle."""

    devices_at_home: ChoiceOut
    shared_with: int | None = Field(description="Autres enfants qui partagent l'équipement.")
    internet_at_home: ChoiceOut
    declared_on: datetime.date


class PupilOut(Schema):
    """Un élève, pseudonyme (le code que lui donne l'école, jamais son nom), sa déclaration et
    sa priorité avec son détail."""

    id: int
    code: str
    school_uai: str
    class_id: int | None
    class_name: str | None
    level: ChoiceOut
    need: NeedOut | None = Field(description="`null` sans déclaration.")
    priority: int | None = Field(description="Somme des points ; `null` sans déclaration.")
    breakdown: list[LineOut] | None = Field(description="Le détail de la priorité.")


def _pupil_out(pupil: Pupil, weights: priority.Weights) -> dict:
    need = need_of(pupil)
    lines = breakdown_of(need, pupil.school, weights)
    return {
        "id": pupil.pk,
        "code": pupil.code,
        "school_uai": pupil.school.uai,
        "class_id": pupil.school_class_id,
        "class_name": pupil.school_class.name if pupil.school_class_id else None,
        "level": choice(Level, pupil.level) or {"code": "", "label": ""},
        "need": (
            None
            if need is None
            else {
                "devices_at_home": choice(HomeDevices, need.devices_at_home),
                "shared_with": need.shared_with,
                "internet_at_home": choice(HomeInternet, need.internet_at_home),
                "declared_on": need.declared_on,
            }
        ),
        "priority": None if lines is None else priority.score(lines),
        "breakdown": None if lines is None else [vars(line) for line in lines],
    }


class NeedIn(Schema):
    """Une déclaration : l'équipement à la maison (et, partagé, avec combien d'autres enfants),
    l'accès à internet."""

    model_config = ConfigDict(extra="forbid")

    devices_at_home: DevicesCode = Field(description="NONE (aucun), SHARED (partagé), OWN.")
    shared_with: int | None = Field(
        None, ge=1, le=services.MAX_SHARED_WITH, description="Pour SHARED seulement."
    )
    internet_at_home: InternetCode = Field(description="NONE (aucun), MOBILE, FIXED.")


class PupilIn(Schema):
    """Un nouvel élève de l'école, et sa déclaration s'il y en a une."""

    model_config = ConfigDict(extra="forbid")

    code: PupilCode = Field(description="Le code que l'école donne à l'élève (jamais son nom).")
    level: LevelCode = Field(description="Son niveau (CP, CE1, CE2, CM1, CM2, ULIS_ECOLE).")
    class_id: int = Field(ge=1, le=2**63 - 1, description="Sa classe cette année.")
    need: NeedIn | None = None


class PupilFilters(Schema):
    class_id: int | None = Field(None, ge=1, le=2**63 - 1, description="Une classe de l'école.")
    level: LevelCode | None = Field(None, description="Un niveau.")
    declared: bool | None = Field(
        None, description="`true` : avec une déclaration ; `false` : sans."
    )


class PupilPagination(KeysetPagination):
    """A keyset page of one school's pupils, with their priority under that school's weights
    (computed once for the page)."""

    def paginate_queryset(self, queryset, pagination, **params: Any) -> dict:
        items, next_cursor = keyset_page(
            queryset, ordering=self.ordering, cursor=pagination.cursor, limit=pagination.limit
        )
        weights = weights_for_school(items[0].school).weights if items else None
        return {"items": [_pupil_out(p, weights) for p in items], "next_cursor": next_cursor}


# --- Endpoints ---------------------------------------------------------------------------------


def _require_reader(user) -> None:
    if not (holds(user, VIEW) or holds(user, DECLARE_NEEDS)):
        raise HttpError(
            403, "Les besoins des élèves sont réservés aux écoles et à leurs autorités."
        )


def _school(user, uai: str):
    _require_reader(user)
    schools = readable_schools(user).select_related("commune", "circonscription")
    return get_object_or_404(schools, uai=uai.upper())


def _pupil(user, pupil_id: int) -> Pupil:
    _require_reader(user)
    pupils = readable_pupils(user).select_related(
        "school__commune", "school__circonscription", "school_class", "need"
    )
    return get_object_or_404(pupils, pk=pupil_id)


def _require_declarer(user) -> None:
    if not holds(user, DECLARE_NEEDS):
        raise HttpError(403, "Seule la direction de l'école déclare les besoins de ses élèves.")


def _errors_text(exc: EntryErrors) -> str:
    return " ".join(
        f"{FIELD_LABELS.get(name, name)}\u00a0: {message[:1].upper()}{message[1:]}"
        for fields in exc.errors.values()
        for name, messages in fields.items()
        for message in messages
    )


def _save(user, school, entry: Entry) -> Pupil:
    try:
        result = services.save_entries(
            school=school, entries=[entry], actor=user, source=AuditSource.API
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except EntryErrors as exc:
        raise HttpError(400, _errors_text(exc)) from exc
    return _pupil(user, result.planned[0].pupil.pk)


@router.get(
    "/loans/schools/{uai}/pupils",
    response={200: list[PupilOut], 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lister les élèves et les besoins d'une école",
    description="Les élèves d'une école de votre périmètre, par identifiant, avec leur "
    "déclaration et leur priorité détaillée ; jamais les coordonnées des responsables légaux. "
    "403 sans le droit de lire les besoins, 404 pour une école hors de votre périmètre.",
)
@paginate(PupilPagination, ordering=("pk",))
def list_pupils(request, uai: UaiPath, filters: Query[PupilFilters]):
    school = _school(request.auth, uai)
    rows = Pupil.objects.filter(school=school).select_related(
        "school__commune", "school__circonscription", "school_class", "need"
    )
    if filters.class_id is not None:
        rows = rows.filter(school_class_id=filters.class_id)
    if filters.level is not None:
        rows = rows.filter(level=filters.level)
    if filters.declared is not None:
        rows = rows.filter(need__isnull=not filters.declared)
    return rows


@router.get(
    "/loans/pupils/{pupil_id}",
    response={200: PupilOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Lire un élève et son besoin",
    description="Un élève d'une école de votre périmètre, sa déclaration et sa priorité "
    "détaillée ; 404 hors de votre périmètre.",
)
def get_pupil(request, pupil_id: PupilId):
    pupil = _pupil(request.auth, pupil_id)
    return _pupil_out(pupil, weights_for_school(pupil.school).weights)


@router.post(
    "/loans/schools/{uai}/pupils",
    response={201: PupilOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Ajouter un élève et sa déclaration",
    description="Ajoute un élève à une école (un code unique dans l'école, un niveau, une "
    "classe élémentaire de l'école cette année) et, donnée, sa déclaration. Réservé à la "
    "direction de l'école : 403 sans ce droit, 404 pour une école hors de votre périmètre, "
    "400 pour une valeur refusée (le message dit laquelle).",
)
def create_pupil(request, uai: UaiPath, payload: PupilIn):
    _require_declarer(request.auth)
    school = _school(request.auth, uai)
    school_class = SchoolClass.objects.filter(school=school, pk=payload.class_id).first()
    if school_class is None:
        raise HttpError(
            400, f"Classe\u00a0: la classe n° {payload.class_id} n'est pas une classe de l'école."
        )
    need = payload.need
    entry = Entry(
        row=1,
        code=payload.code,
        level=payload.level,
        school_class=school_class,
        devices_at_home=need.devices_at_home if need else "",
        shared_with=need.shared_with if need else None,
        internet_at_home=need.internet_at_home if need else "",
    )
    pupil = _save(request.auth, school, entry)
    return Status(201, _pupil_out(pupil, weights_for_school(pupil.school).weights))


@router.put(
    "/loans/pupils/{pupil_id}/need",
    response={200: PupilOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=TAGS,
    summary="Déclarer le besoin d'un élève",
    description="Crée ou remplace la déclaration d'un élève (des valeurs inchangées n'écrivent "
    "rien). Réservé à la direction de l'école : 403 sans ce droit, 404 pour un élève hors de "
    "votre périmètre, 400 pour une déclaration incohérente (le message dit pourquoi).",
)
def put_need(request, pupil_id: PupilId, payload: NeedIn):
    _require_declarer(request.auth)
    pupil = _pupil(request.auth, pupil_id)
    try:
        services.declare_need(
            pupil=pupil, **payload.model_dump(), actor=request.auth, source=AuditSource.API
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        raise HttpError(400, " ".join(_labelled(exc))) from exc
    pupil = _pupil(request.auth, pupil.pk)
    return _pupil_out(pupil, weights_for_school(pupil.school).weights)


def _labelled(exc: ValidationError) -> list[str]:
    return [
        f"{FIELD_LABELS.get(name, name)}\u00a0: {message}"
        for name, messages in exc.message_dict.items()
        for message in messages
    ]
