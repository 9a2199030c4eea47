"""The sign-offs of installations: the school head accepts (remarks and a photo optional) or
refuses with its reason an allocation at step « installée », then the local authority owning the
building co-signs the accepted installation, one at a time or a selection at once.

Every decision is signed with core's mechanism (:func:`tne.core.signing.sign`) over a PDF
rendered and stored by :func:`tne.core.documents.render_pdf`:

- the school's decision signs the **installation report** (« procès-verbal d'installation »):
  the school, the class or teacher, the kit, each device (model, serial, tag), the dates, the
  decision and its remarks;
- the authority signs a **co-signature report** (« procès-verbal de contresignature ») listing
  every installation it co-signs with the date and the SHA-256 of the school's report, so that
  one signature over one document covers a bulk co-signature (``Signoff.signature`` is a
  ForeignKey: each installation has its own sign-off pointing at that signature).

Each service locks the allocation rows (``select_for_update``, by primary key order) before it
reads their step: a double submit or two requests at once find the step already moved and are
refused, and a unique constraint (one acceptance per party) is the database's word on it."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tne.core.audit import AuditAction, AuditSource, record
from tne.core.documents import render_pdf
from tne.core.signing import sign

from ..enums import AllocationStatus, AssetEventKind, AssetState, SignoffDecision, SignoffParty
from ..models import Allocation, Asset, Signoff
from ..perms import can_cosign_installation, can_sign_installation
from .history import log_events
from .tallies import recount_schools

REPORT_KIND = "equipment.installation_report"
COSIGN_KIND = "equipment.cosignature_report"
REPORT_TEMPLATE = "equipment/documents/installation_report.html"
COSIGN_TEMPLATE = "equipment/documents/cosignature_report.html"

SCHOOL_CAPACITY = "Direction de l'école"
AUTHORITY_CAPACITY = "Collectivité propriétaire du bâtiment"

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_BULK = 200

DECISION_CONSENT = (
    "En saisissant mon nom, je signe ma décision sur l'installation décrite dans ce "
    "procès-verbal\u202f; ma signature, sa date et l'empreinte du document sont conservées."
)
COSIGN_CONSENT = (
    "En saisissant mon nom, je contresigne au nom de la collectivité propriétaire les "
    "installations listées dans ce procès-verbal\u202f; ma signature, sa date et l'empreinte du "
    "document sont conservées."
)

RELATED = ("school__commune", "school__owner", "school_class", "staff", "kit", "measure")


def allocation_label(allocation: Allocation) -> str:
    """« Kit d'enseignement hybride — CM1 A — École Jean-Macé (0021234X) »."""
    who = allocation.school_class or allocation.staff or "toute l'école"
    return f"{allocation.kit.name} — {who} — {allocation.school.name} ({allocation.school.uai})"


def devices_of(allocation_ids: Iterable[int]) -> dict[int, list[Asset]]:
    """The devices of each allocation (one query), by asset tag."""
    by_allocation: dict[int, list[Asset]] = {}
    assets = (
        Asset.objects.filter(allocation_id__in=list(allocation_ids))
        .select_related("model__category")
        .order_by("allocation_id", "model__category__name", "asset_tag")
    )
    for asset in assets:
        by_allocation.setdefault(asset.allocation_id, []).append(asset)
    return by_allocation


def report_context(allocation: Allocation, *, devices: list[Asset] | None = None) -> dict:
    """What the installation report shows (also the HTML preview of the sign-off page)."""
    if devices is None:
        devices = devices_of([allocation.pk]).get(allocation.pk, [])
    return {"allocation": allocation, "school": allocation.school, "devices": devices}


def _locked(allocation_ids: Sequence[int]) -> list[Allocation]:
    allocations = list(
        Allocation.objects.select_for_update(of=("self",))
        .filter(pk__in=list(allocation_ids))
        .select_related(*RELATED)
        .order_by("pk")
    )
    if len(allocations) != len(set(allocation_ids)):
        raise ValidationError("Une des installations demandées n'existe pas.")
    return allocations


def check_photo(photo) -> str:
    """The extension of an uploaded photo of the installation, or a ``ValidationError``: a
    JPEG, PNG or WebP image (its content, not its name) of at most 5 Mo."""
    from PIL import Image, UnidentifiedImageError

    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "photo": "La photo dépasse 5 Mo\u00a0: réduisez-la ou prenez-la en plus basse "
                "définition."
            }
        )
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            {"photo": "Le fichier joint n'est pas une image lisible (JPEG, PNG ou WebP)."}
        ) from error
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError({"photo": "La photo doit être une image JPEG, PNG ou WebP."})
    return PHOTO_FORMATS[kind]


def _signer_block(*, typed_name: str, capacity: str, when, consent: str) -> dict:
    return {
        "typed_name": " ".join(typed_name.split()),
        "capacity": capacity,
        "at": when,
        "consent": consent,
    }


def _audit(allocation: Allocation, signoff: Signoff, *, actor, source, changes: dict) -> None:
    record(
        signoff,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        changes={"party": [None, signoff.party], "decision": [None, signoff.decision]},
        place=allocation.school,
    )
    record(
        allocation,
        AuditAction.UPDATE,
        actor=actor,
        source=source,
        changes=changes,
        place=allocation.school,
    )


@transaction.atomic
def decide_installation(
    *,
    allocation_id: int,
    actor,
    accept: bool,
    typed_name: str,
    remarks: str = "",
    photo=None,
    drawing: list | None = None,
    request=None,
    source: str = AuditSource.UI,
) -> Signoff:
    """The school head's decision on an installation at step « installée »: accepted, the
    allocation goes into service and its devices are « installés »; refused (``remarks`` is
    the reason, required), it goes back to « livrée » for the installer. Signed in both cases."""
    (allocation,) = _locked([allocation_id])
    if not can_sign_installation(actor, allocation.school):
        raise PermissionDenied("Vous ne validez pas les installations de cette école.")
    if allocation.status != AllocationStatus.INSTALLED:
        raise ValidationError(
            f"L'installation «\u00a0{allocation_label(allocation)}\u00a0» n'est pas à "
            f"valider\u00a0: elle est à l'étape «\u00a0{allocation.get_status_display()}\u00a0»."
        )
    remarks = (remarks or "").strip()
    if not accept and not remarks:
        raise ValidationError({"remarks": "Dites pourquoi vous refusez l'installation."})
    extension = check_photo(photo) if photo else None
    now = timezone.now()
    consent = DECISION_CONSENT
    decision = SignoffDecision.ACCEPTED if accept else SignoffDecision.REFUSED
    context = {
        **report_context(allocation),
        "decision": decision,
        "decision_label": SignoffDecision(decision).label,
        "remarks": remarks,
        "has_photo": photo is not None,
        "signer": _signer_block(
            typed_name=typed_name, capacity=SCHOOL_CAPACITY, when=now, consent=consent
        ),
    }
    title = f"Procès-verbal d'installation n° {allocation.pk}"
    document = render_pdf(REPORT_TEMPLATE, context, kind=REPORT_KIND, title=title, user=actor)
    signature = sign(
        document,
        signer=actor,
        capacity=SCHOOL_CAPACITY,
        typed_name=typed_name,
        consent=consent,
        drawing=drawing,
        request=request,
    )
    signoff = Signoff(
        allocation=allocation,
        party=SignoffParty.SCHOOL,
        decision=decision,
        remarks=remarks,
        report=document,
        signature=signature,
    )
    signoff.full_clean(exclude=["photo"])
    if photo is not None:
        signoff.photo.save(f"installation-{allocation.pk}.{extension}", photo, save=False)
    try:
        _conclude_decision(allocation, signoff, accept=accept, now=now, actor=actor, source=source)
    except Exception:
        if signoff.photo:  # written before the transaction ends: not left behind on a failure
            signoff.photo.delete(save=False)
        raise
    return signoff


def _conclude_decision(allocation, signoff, *, accept, now, actor, source) -> None:
    """The writes a decision concludes: the sign-off, the allocation's step, its devices, the
    trail and the tallies."""
    signoff.save()
    old_status = allocation.status
    if accept:
        allocation.status = AllocationStatus.IN_SERVICE
        allocation.in_service_on = timezone.localdate(now)
        allocation.school_signed_at = now
        fields = ["status", "in_service_on", "school_signed_at", "updated_at"]
        _install_devices(allocation, actor=actor)
    else:
        allocation.status = AllocationStatus.DELIVERED
        fields = ["status", "updated_at"]
    allocation.save(update_fields=fields)
    _audit(
        allocation,
        signoff,
        actor=actor,
        source=source,
        changes={"status": [old_status, allocation.status]},
    )
    recount_schools([allocation.school_id])


def _install_devices(allocation: Allocation, *, actor) -> None:
    devices = list(
        Asset.objects.select_for_update()
        .filter(allocation=allocation)
        .exclude(
            state__in=[
                AssetState.INSTALLED,
                AssetState.LOST,
                AssetState.STOLEN,
                AssetState.RETIRED,
                AssetState.IN_REPAIR,
            ]
        )
        .order_by("pk")
    )
    if not devices:
        return
    before = {device.pk: device.state for device in devices}
    Asset.objects.filter(pk__in=list(before)).update(
        state=AssetState.INSTALLED,
        school_id=allocation.school_id,
        school_class_id=allocation.school_class_id,
        stock_node_id=None,
        updated_at=timezone.now(),
    )
    for device in devices:
        device.state = AssetState.INSTALLED
        device.school_id = allocation.school_id
    log_events(
        devices,
        AssetEventKind.STATE,
        actor=actor,
        note=f"Installation validée par l'école (affectation n° {allocation.pk})",
        from_states=before,
    )


def cosignable(allocation: Allocation) -> bool:
    """Whether an installation waits for the authority's co-signature: accepted by the school
    (in service, signed by it) and not yet co-signed."""
    return (
        allocation.status == AllocationStatus.IN_SERVICE
        and allocation.school_signed_at is not None
        and allocation.authority_signed_at is None
    )


@transaction.atomic
def cosign_installations(
    *,
    allocation_ids: Sequence[int],
    actor,
    typed_name: str,
    remarks: str = "",
    drawing: list | None = None,
    request=None,
    source: str = AuditSource.UI,
) -> list[Signoff]:
    """The local authority co-signs the accepted installations ``allocation_ids`` (one or a
    selection of at most 200) with one signature over one co-signature report listing them.
    All or nothing: one that is outside its buildings or not waiting for it refuses the lot."""
    ids = sorted(set(allocation_ids))
    if not ids:
        raise ValidationError("Choisissez au moins une installation à contresigner.")
    if len(ids) > MAX_BULK:
        raise ValidationError(f"Contresignez au plus {MAX_BULK} installations à la fois.")
    allocations = _locked(ids)
    foreign = [a for a in allocations if not can_cosign_installation(actor, a.school)]
    if foreign:
        raise PermissionDenied(
            "Une des installations n'est pas dans un bâtiment de votre collectivité."
        )
    waiting = [a for a in allocations if not cosignable(a)]
    if waiting:
        raise ValidationError(
            "Ces installations ne sont pas à contresigner (pas encore validées par l'école, ou "
            "déjà contresignées)\u00a0: "
            + "\u202f; ".join(allocation_label(a) for a in waiting)
            + "."
        )
    school_reports = {
        signoff.allocation_id: signoff
        for signoff in Signoff.objects.filter(
            allocation_id__in=ids, party=SignoffParty.SCHOOL, decision=SignoffDecision.ACCEPTED
        ).select_related("report", "signature")
    }
    now = timezone.now()
    remarks = (remarks or "").strip()
    rows = [{"allocation": a, "school_signoff": school_reports.get(a.pk)} for a in allocations]
    owners = sorted({str(a.school.owner) for a in allocations if a.school.owner_id})
    context = {
        "rows": rows,
        "owners": owners,
        "remarks": remarks,
        "signer": _signer_block(
            typed_name=typed_name, capacity=AUTHORITY_CAPACITY, when=now, consent=COSIGN_CONSENT
        ),
    }
    title = (
        f"Procès-verbal de contresignature n° {ids[0]}"
        if len(ids) == 1
        else f"Procès-verbal de contresignature de {len(ids)} installations"
    )
    document = render_pdf(COSIGN_TEMPLATE, context, kind=COSIGN_KIND, title=title, user=actor)
    signature = sign(
        document,
        signer=actor,
        capacity=AUTHORITY_CAPACITY,
        typed_name=typed_name,
        consent=COSIGN_CONSENT,
        drawing=drawing,
        request=request,
    )
    signoffs = []
    for allocation in allocations:
        signoff = Signoff(
            allocation=allocation,
            party=SignoffParty.AUTHORITY,
            decision=SignoffDecision.ACCEPTED,
            remarks=remarks,
            report=document,
            signature=signature,
        )
        signoff.full_clean(exclude=["photo"])
        signoff.save()
        allocation.authority_signed_at = now
        allocation.save(update_fields=["authority_signed_at", "updated_at"])
        _audit(
            allocation,
            signoff,
            actor=actor,
            source=source,
            changes={"authority_signed_at": [None, now.isoformat()]},
        )
        signoffs.append(signoff)
    recount_schools({a.school_id for a in allocations})
    return signoffs


def cosign_installation(*, allocation_id: int, **kwargs) -> Signoff:
    """One installation co-signed (see :func:`cosign_installations`)."""
    (signoff,) = cosign_installations(allocation_ids=[allocation_id], **kwargs)
    return signoff


__all__ = [
    "COSIGN_CONSENT",
    "DECISION_CONSENT",
    "check_photo",
    "cosign_installation",
    "cosign_installations",
    "cosignable",
    "decide_installation",
    "devices_of",
    "report_context",
]
