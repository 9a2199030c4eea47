"""The life of a loan after the offer, one function per step: the family accepts or declines the
offer, the school hands the device out against the « convention de prêt » the guardian signs,
postpones the return date, takes the device back against a signed receipt, or records a loss, a
theft or a device that came back unusable.

Each function is atomic, locks the loan's row (``select_for_update``) before reading its status,
checks ``loans.hand_out`` on the loan's school (on its own grants), writes an audit event at the
school and a step of the loan's timeline (``LoanEvent``), and recounts the school's tally of
the dashboards when the step changes a figure (``tallies.recount``). The device changes only
through equipment's services (``set_state``, ``move``, ``report_incident``, ``send_to_repair``),
which lock it, check the table of transitions and write its history.

Two rules are the database's (partial unique indexes of ``Loan``): a device is named by at most
one open loan (offered, accepted — its convention prepared — or active), a pupil in at most one
open loan per kind of device. The services check them first to say why in French, and turn the
``IntegrityError`` of a write that raced past the check into the same sentence (« Ce matériel
(TAG) est déjà réservé pour le prêt n° 12. », « … est déjà prêté (prêt n° 12). »).

The guardian signs on the device of the person who hands out (typed name and consent, an
optional drawing): the signature's ``signer`` stays empty (the guardian is not the logged-in
user), its capacity says « Responsable légal de l'élève », the typed name is sealed
(``sign(..., seal_name=True)``: never in clear in the database, forgotten with the contacts).
The documents name the pupil by their code only, never by a name, and no signer: the convention
is rendered once at the scan (:func:`prepare_agreement`), shown, then its hash signed at the
confirmation (:func:`hand_out`, no rendering in that request)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from tne.core.audit import AuditAction, AuditSource, record
from tne.core.documents import render_pdf
from tne.core.signing import sign
from tne.core.validators import single_line_text
from tne.equipment.enums import AssetEventKind, AssetState, IncidentKind
from tne.equipment.models import Asset, Incident
from tne.equipment.services import assets as asset_services
from tne.territory.models import SchoolYear, school_year_start

from ..enums import OPEN_STATUSES, LoanOutcome, LoanStatus, ReturnCondition
from ..models import Loan, LoanEvent, LoanEventKind
from ..perms import can_hand_out
from . import tallies

CAPACITY = "Responsable légal de l'élève"
AGREEMENT_TEMPLATE = "loans/pdf/agreement.html"
RECEIPT_TEMPLATE = "loans/pdf/return_receipt.html"
AGREEMENT_KIND = "loans.agreement"
RECEIPT_KIND = "loans.return_receipt"
# The longest loan: a date of return past this many days is a typing mistake.
MAX_LOAN_DAYS = 2 * 366
NOTE_MAX = 255

AGREEMENT_CONSENT = (
    "En saisissant mon nom, je reconnais avoir reçu le matériel décrit dans cette convention, "
    "en état de fonctionnement, et je m'engage à respecter les engagements ci-dessus et à le "
    "rendre à l'école au plus tard à la date indiquée."
)
RETURN_CONSENT = (
    "En saisissant mon nom, je reconnais avoir rendu à l'école le matériel décrit dans ce reçu, "
    "dans l'état indiqué."
)


def commitments(due_on: datetime.date) -> list[str]:
    """What the guardian commits to, in plain French (the convention and its preview)."""
    due = date_format(due_on, "j F Y")
    return [
        "Le matériel est prêté gratuitement, pour le travail scolaire de l'enfant. Il reste la "
        "propriété du programme «\u00a0Territoires numériques éducatifs\u00a0».",
        "J'en prends soin. Je ne le prête pas, je ne le vends pas, je ne l'ouvre pas et je "
        "n'enlève pas son étiquette.",
        "S'il tombe en panne, s'il est cassé, perdu ou volé, je préviens l'école tout de suite. "
        "En cas de vol, je porte plainte et je donne à l'école une copie du récépissé.",
        f"Je rends le matériel à l'école, avec ses accessoires, au plus tard le {due}, ou plus "
        "tôt si l'école me le demande ou si l'enfant quitte l'école.",
        "L'école peut me rappeler la date de retour par courriel ou par SMS, aux coordonnées que "
        "je lui ai données. Elles sont effacées quand le prêt est terminé, après le délai de "
        "conservation.",
    ]


@dataclass(frozen=True)
class SignatureData:
    """What the guardian gives to sign: their typed name, their consent to the sentence shown
    (the service keeps its own text of it), and an optional drawing (strokes of
    ``tne.core.signing``)."""

    typed_name: str
    consent: bool
    drawing: list | None = None


# --- Helpers ---------------------------------------------------------------------------------


def _lock(loan: Loan) -> Loan:
    """The current row of ``loan``, locked until the end of the transaction. Its device is not
    joined: on PostgreSQL a row re-read after waiting for the lock keeps the joined rows of the
    first read (a device handed out meanwhile would read as none)."""
    return (
        Loan.objects.select_for_update(of=("self",))
        .select_related(
            "pupil",
            "category",
            "school__commune",
            "school__circonscription",
            "school__departement",
        )
        .get(pk=loan.pk)
    )


def _check(actor, loan: Loan) -> None:
    if not can_hand_out(actor, loan.school):
        raise PermissionDenied(
            "Vous ne remettez ni ne reprenez les matériels prêtés de cette école."
        )


def _note(note: str, *, field: str = "note", required: str = "") -> str:
    note = " ".join((note or "").split())
    if not note and required:
        raise ValidationError({field: required})
    if len(note) > NOTE_MAX:
        raise ValidationError({field: f"{NOTE_MAX} caractères au plus ({len(note)} saisis)."})
    try:
        single_line_text(note)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    return note


def _name_of(actor) -> str:
    return actor.get_full_name() if hasattr(actor, "get_full_name") else ""


def _fr_date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def _event(loan: Loan, kind: str, *, actor, note: str = "") -> LoanEvent:
    return LoanEvent.objects.create(
        loan=loan,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note[:NOTE_MAX],
    )


def _audit(loan: Loan, *, actor, source: str, changes: dict) -> None:
    record(loan, AuditAction.UPDATE, actor=actor, source=source, changes=changes)


def status_sentence(loan: Loan) -> str:
    """Where a loan stands, as the refusals say it."""
    if loan.status == LoanStatus.ACTIVE:
        since = timezone.localdate(loan.handed_out_at) if loan.handed_out_at else None
        tag = loan.asset.asset_tag if loan.asset_id else ""
        return (
            f"Le prêt n°\u00a0{loan.pk} est déjà en cours (matériel {tag}"
            + (f", remis le {_fr_date(since)}" if since else "")
            + ")."
        )
    return f"Le prêt n°\u00a0{loan.pk} est «\u00a0{loan.get_status_display()}\u00a0»."


def _check_signature(data: SignatureData) -> str:
    name = " ".join((data.typed_name or "").split())
    errors = {}
    if len(name) < 2:
        errors["typed_name"] = "Le responsable légal saisit son nom et son prénom pour signer."
    elif len(name) > 200:
        errors["typed_name"] = "200 caractères au plus."
    else:
        try:
            single_line_text(name)
        except ValidationError as error:
            errors["typed_name"] = error.messages
    if data.consent is not True:
        errors["consent"] = "Le responsable légal coche la case d'accord pour signer."
    if errors:
        raise ValidationError(errors)
    return name


# --- Due dates -------------------------------------------------------------------------------


def default_due_on(today: datetime.date | None = None) -> datetime.date:
    """The end of the current school year (``SchoolYear.objects.current()``), or, when it has
    no row or has already ended, the 31 August that closes the school year of ``today`` (or the
    next one)."""
    today = today or timezone.localdate()
    year = SchoolYear.objects.current(today=today)
    if year is not None and year.ends_on > today:
        return year.ends_on
    end = datetime.date(school_year_start(today) + 1, 8, 31)
    return end if end > today else datetime.date(end.year + 1, 8, 31)


def check_due_on(due_on, *, today: datetime.date | None = None, field: str = "due_on"):
    today = today or timezone.localdate()
    if not isinstance(due_on, datetime.date):
        raise ValidationError({field: "Indiquez la date de retour (jj/mm/aaaa)."})
    if due_on <= today:
        raise ValidationError(
            {field: f"La date de retour doit être après aujourd'hui ({_fr_date(today)})."}
        )
    if (due_on - today).days > MAX_LOAN_DAYS:
        raise ValidationError(
            {field: "La date de retour est à plus de deux ans\u00a0: vérifiez l'année saisie."}
        )
    return due_on


# --- The offer -------------------------------------------------------------------------------


@transaction.atomic
def accept_offer(*, actor, loan: Loan, source: str = AuditSource.UI) -> Loan:
    """The family agreed to the offer: the loan is « accepté », ready to be handed out. (The
    guardian's contact is entered on the pupil's page, by those who hold it.)"""
    loan = _lock(loan)
    _check(actor, loan)
    if loan.status != LoanStatus.OFFERED:
        raise ValidationError(
            f"Seule une proposition se fait accepter\u00a0: {status_sentence(loan)}"
        )
    loan.status = LoanStatus.ACCEPTED
    loan.accepted_at = timezone.now()
    loan.save(update_fields=["status", "accepted_at", "updated_at"])
    _audit(
        loan,
        actor=actor,
        source=source,
        changes={"status": [LoanStatus.OFFERED, LoanStatus.ACCEPTED]},
    )
    _event(loan, LoanEventKind.ACCEPTED, actor=actor)
    return loan


@transaction.atomic
def decline_offer(*, actor, loan: Loan, reason: str, source: str = AuditSource.UI) -> Loan:
    """The family declined the offer (or no longer needs it): the loan is closed without a
    device and the pupil's place is free for the next family of the school."""
    loan = _lock(loan)
    _check(actor, loan)
    reason = _note(reason, field="reason", required="Dites pourquoi la proposition est déclinée.")
    if loan.status not in (LoanStatus.OFFERED, LoanStatus.ACCEPTED):
        raise ValidationError(
            f"Seule une proposition en attente se décline\u00a0: {status_sentence(loan)}"
        )
    before = loan.status
    loan.status = LoanStatus.DECLINED
    loan.closed_at = timezone.now()
    fields = ["status", "closed_at", "updated_at"]
    if loan.asset_id is not None:  # a device reserved by a convention prepared, not signed
        loan.asset = None
        fields.append("asset")
    loan.save(update_fields=fields)
    _audit(loan, actor=actor, source=source, changes={"status": [before, LoanStatus.DECLINED]})
    _event(loan, LoanEventKind.DECLINED, actor=actor, note=reason)
    tallies.recount([loan.school_id])
    return loan


@transaction.atomic
def release_device(*, actor, loan: Loan, source: str = AuditSource.UI) -> Loan:
    """An accepted loan gives back the device its convention, prepared and not signed, reserved
    (the family did not come, another family needs that device): the device is free for another
    loan, the unsigned convention stays on the timeline, the loan stays accepted and waits for a
    device to be scanned again."""
    loan = _lock(loan)
    _check(actor, loan)
    if not is_prepared(loan):
        raise ValidationError(
            "Aucun matériel n'est réservé par une convention non signée sur ce prêt\u00a0: "
            f"{status_sentence(loan)}"
        )
    tag = Asset.objects.filter(pk=loan.asset_id).values_list("asset_tag", flat=True).first()
    before = loan.asset_id
    loan.asset = None
    loan.save(update_fields=["asset", "updated_at"])
    _audit(loan, actor=actor, source=source, changes={"asset_id": [before, None]})
    _event(loan, LoanEventKind.RELEASED, actor=actor, note=f"Matériel {tag}")
    return loan


# --- Hand-out --------------------------------------------------------------------------------


def reserved_by(asset: Asset, *, loan: Loan | None = None) -> Loan | None:
    """The open loan (offered, accepted or active) other than ``loan`` that names ``asset``:
    at most one, by the partial unique index ``loans_one_open_loan_per_device``."""
    rows = Loan.objects.filter(asset_id=asset.pk, status__in=OPEN_STATUSES)
    if loan is not None:
        rows = rows.exclude(pk=loan.pk)
    return rows.only("pk", "status").first()


def already_reserved(asset: Asset, other: Loan | None) -> str:
    """Why ``asset`` cannot be reserved: lent (« Ce matériel (TAG) est déjà prêté (prêt n° 12).
    ») or reserved by the convention of another loan (« … est déjà réservé pour le prêt n° 12.
    »)."""
    if other is None or other.status == LoanStatus.ACTIVE:
        return already_lent(asset)
    return f"Ce matériel ({asset.asset_tag}) est déjà réservé pour le prêt n°\u00a0{other.pk}."


def check_not_reserved(asset: Asset, *, loan: Loan | None = None) -> None:
    """A ValidationError (on ``asset_tag``) when another open loan than ``loan`` names
    ``asset``: a device is reserved by one loan at a time, from the convention prepared to
    its return."""
    other = reserved_by(asset, loan=loan)
    if other is not None:
        raise ValidationError({"asset_tag": already_reserved(asset, other)})


def find_reservable(*, school, asset_tag: str, loan: Loan | None = None, category=None) -> Asset:
    """:func:`find_lendable`, and not reserved by another open loan than ``loan``: what the
    scan at the counter may show (and prepare) for ``loan``."""
    asset = find_lendable(school=school, category=category, asset_tag=asset_tag)
    check_not_reserved(asset, loan=loan)
    return asset


def already_lent(asset: Asset) -> str:
    """« Ce matériel est déjà prêté (prêt n° 12). », naming the active loan when there is one."""
    active = Loan.objects.filter(asset_id=asset.pk, status=LoanStatus.ACTIVE).first()
    if active is None:
        return f"Ce matériel ({asset.asset_tag}) est déjà prêté."
    return f"Ce matériel ({asset.asset_tag}) est déjà prêté (prêt n°\u00a0{active.pk})."


def _covers(node, school) -> bool:
    """Whether the stock of ``node`` is at or above ``school`` in the territory."""
    paths = [school.commune.path]
    if school.circonscription_id:
        paths.append(school.circonscription.path)
    return any(path.startswith(node.path) for path in paths)


def find_lendable(*, school, asset_tag: str, category=None, lock: bool = False) -> Asset:
    """The device of tag (or serial number) ``asset_tag`` if it may be lent at ``school``: in
    stock there or in the stock of a node above it, and of kind ``category`` when one is given;
    else a ValidationError saying why (on ``asset_tag``)."""
    code = asset_services.normalise_code(asset_tag)[:80]
    if not code:
        raise ValidationError(
            {"asset_tag": "Scannez ou saisissez le numéro d'inventaire du matériel."}
        )
    rows = Asset.objects.select_related("model__category", "stock_node", "school")
    if lock:
        rows = rows.select_for_update(of=("self",))
    asset = rows.filter(asset_tag=code).first() or rows.filter(serial_number=code).first()
    if asset is None:
        raise ValidationError(
            {"asset_tag": f"Aucun matériel n'a le numéro d'inventaire ni de série {code}."}
        )
    tag = asset.asset_tag
    if category is not None and asset.model.category_id != category.pk:
        raise ValidationError(
            {
                "asset_tag": f"Le matériel {tag} est du type «\u00a0{asset.model.category.name}"
                f"\u00a0»\u00a0; ce prêt est d'un matériel du type «\u00a0{category.name}"
                "\u00a0»."
            }
        )
    if asset.state == AssetState.LENT:
        raise ValidationError({"asset_tag": already_lent(asset)})
    if asset.state != AssetState.IN_STOCK:
        raise ValidationError(
            {
                "asset_tag": f"Le matériel {tag} n'est pas en stock (état «\u00a0"
                f"{asset.get_state_display()}\u00a0»)."
            }
        )
    if asset.school_id is not None and asset.school_id != school.pk:
        raise ValidationError(
            {"asset_tag": f"Le matériel {tag} est en stock dans une autre école."}
        )
    if asset.school_id is None and (
        asset.stock_node_id is None or not _covers(asset.stock_node, school)
    ):
        raise ValidationError(
            {"asset_tag": f"Le matériel {tag} est dans le stock d'un autre territoire."}
        )
    return asset


def agreement_context(
    loan: Loan, asset: Asset, *, due_on: datetime.date, signer: dict | None, actor=None, at=None
) -> dict:
    """What the « convention de prêt » says (the PDF and its preview on the hand-out screen)."""
    start = timezone.localdate(at) if at else timezone.localdate()
    return {
        "loan": loan,
        "pupil": loan.pupil,
        "school": loan.school,
        "asset": asset,
        "due_on": due_on,
        "start": start,
        "days": (due_on - start).days,
        "commitments": commitments(due_on),
        "consent": AGREEMENT_CONSENT,
        "handed_by": actor.get_full_name()
        if actor is not None and hasattr(actor, "get_full_name")
        else "",
        "signer": signer,
    }


def _save_checked(loan: Loan, fields: list[str], asset: Asset) -> None:
    """Saves ``loan`` inside a savepoint: the unique index refusing a second active loan of
    the device becomes the French sentence (the savepoint lets the answer name the loan)."""
    try:
        with transaction.atomic():
            loan.save(update_fields=fields)
    except IntegrityError as error:
        raise ValidationError({"asset_tag": already_lent(asset)}) from error


def _save_reserved(loan: Loan, fields: list[str], asset: Asset) -> None:
    """Saves the reservation of ``asset`` by ``loan`` inside a savepoint: the unique index of
    open loans refusing it (another loan reserved the device meanwhile, past the check)
    becomes the French sentence naming that loan."""
    try:
        with transaction.atomic():
            loan.save(update_fields=fields)
    except IntegrityError as error:
        raise ValidationError(
            {"asset_tag": already_reserved(asset, reserved_by(asset, loan=loan))}
        ) from error


class NotShown(ValidationError):
    """The confirming POST names another device or another date than the convention prepared
    (and shown) at the scan: it must be shown again before the guardian signs."""


NOT_SHOWN = (
    "Le matériel ou la date de retour ne sont plus ceux de la convention montrée au responsable "
    "légal\u00a0: montrez-lui de nouveau la convention avant qu'il signe."
)
NOT_PREPARED = (
    "La convention n'a pas été préparée\u00a0: scannez le matériel pour la montrer au "
    "responsable légal avant qu'il signe."
)


def _check_accepted(loan: Loan) -> None:
    if loan.status != LoanStatus.ACCEPTED:
        if loan.status == LoanStatus.OFFERED:
            raise ValidationError(
                "La famille n'a pas encore accepté la proposition du prêt "
                f"n°\u00a0{loan.pk}\u00a0: enregistrez d'abord son accord."
            )
        raise ValidationError(status_sentence(loan))


def is_prepared(loan: Loan) -> bool:
    """Whether an accepted loan holds a convention prepared (shown) and not yet signed."""
    return bool(loan.agreement_id and loan.agreement_signature_id is None and loan.asset_id)


def _prepare(*, actor, loan: Loan, asset_tag: str, due_on, source: str) -> Loan:
    """:func:`prepare_agreement` on a loan already locked and checked."""
    today = timezone.localdate()
    asset = find_reservable(
        school=loan.school, category=loan.category, asset_tag=asset_tag, loan=loan
    )
    same_device = is_prepared(loan) and loan.asset_id == asset.pk
    if same_device and due_on is None:
        return loan  # the device shown scanned again: its convention and its date
    due_on = check_due_on(due_on or default_due_on(today), today=today)
    if same_device and loan.due_on == due_on:
        return loan
    replaced = ""
    if is_prepared(loan):
        before = Asset.objects.filter(pk=loan.asset_id).values_list("asset_tag", flat=True).first()
        replaced = (
            f"\u00a0; remplace la convention non signée du matériel {before} à rendre le "
            f"{_fr_date(loan.due_on)}"
            if loan.due_on
            else f"\u00a0; remplace la convention non signée du matériel {before}"
        )
    document = render_pdf(
        AGREEMENT_TEMPLATE,
        {
            **agreement_context(loan, asset, due_on=due_on, signer=None, actor=actor),
            "prepared": True,
        },
        kind=AGREEMENT_KIND,
        title=f"Convention de prêt n° {loan.pk}",
        user=actor,
    )
    before_asset, before_due = loan.asset_id, loan.due_on
    loan.asset = asset
    loan.due_on = due_on
    loan.agreement = document
    _save_reserved(loan, ["asset", "due_on", "agreement", "updated_at"], asset)
    _audit(
        loan,
        actor=actor,
        source=source,
        changes={
            "asset_id": [before_asset, asset.pk],
            "due_on": [before_due.isoformat() if before_due else None, due_on.isoformat()],
            "agreement_id": "préparée",
        },
    )
    _event(
        loan,
        LoanEventKind.PREPARED,
        actor=actor,
        note=f"{asset.model.name}, n° d'inventaire {asset.asset_tag}\u00a0; à rendre le "
        f"{_fr_date(due_on)}{replaced}",
    )
    return loan


@transaction.atomic
def prepare_agreement(
    *,
    actor,
    loan: Loan,
    asset_tag: str,
    due_on: datetime.date | None = None,
    source: str = AuditSource.UI,
) -> Loan:
    """The scan step of the hand-out: the « convention de prêt » of the device ``asset_tag``
    (of the loan's kind, lendable at its school) until ``due_on`` (by default the end of the
    school year) is rendered once and stored as the loan's ``agreement``, the device and the
    date are kept on the (still accepted) loan: the guardian reads that very document, and
    :func:`hand_out` signs its SHA-256 without rendering anything. The convention names no
    signer (the pupil by their code only). Preparing again with the same device keeps the
    document (and its date, unless another ``due_on`` is given); with another device or date a
    new document replaces it (the old one stays, unsigned, and the timeline says so) and the
    device first named is free again. The convention reserves the device: another open loan
    naming it is refused (« Ce matériel (TAG) est déjà réservé pour le prêt n° 12. »), by the
    check and, for two scans at once, by the unique index of open loans."""
    loan = _lock(loan)
    _check(actor, loan)
    _check_accepted(loan)
    return _prepare(actor=actor, loan=loan, asset_tag=asset_tag, due_on=due_on, source=source)


@transaction.atomic
def hand_out(
    *,
    actor,
    loan: Loan,
    asset_tag: str,
    due_on: datetime.date | None = None,
    signature_data: SignatureData,
    request=None,
    prepare: bool = False,
    source: str = AuditSource.UI,
) -> Loan:
    """The device ``asset_tag`` goes home with the pupil of ``loan`` (an accepted offer whose
    convention :func:`prepare_agreement` prepared for that device and that date, ``due_on``
    defaulting to the prepared one): the guardian signs that very document (its SHA-256 is kept
    with the signature, the typed name sealed); the loan becomes « en cours » and the device
    « prêté » (moved to the school first when it was in the stock of a node above). Another
    device or date than the prepared ones is refused with :class:`NotShown` (the convention is
    to be shown again). ``prepare=True`` (the API) prepares inside when no convention names
    that device and date: the request then renders the PDF and is slower."""
    loan = _lock(loan)
    _check(actor, loan)
    _check_accepted(loan)
    typed_name = _check_signature(signature_data)
    if due_on is not None:
        check_due_on(due_on)
    if prepare:
        shown = is_prepared(loan) and (due_on is None or due_on == loan.due_on)
        if not shown or asset_services.normalise_code(asset_tag)[:80] not in _codes(loan):
            _prepare(actor=actor, loan=loan, asset_tag=asset_tag, due_on=due_on, source=source)
    if not is_prepared(loan):
        raise NotShown({"asset_tag": NOT_PREPARED})
    if due_on is not None and due_on != loan.due_on:
        raise NotShown({"asset_tag": NOT_SHOWN})
    due_on = loan.due_on
    code_scanned = asset_services.normalise_code(asset_tag)[:80]
    try:
        asset = find_lendable(
            school=loan.school, category=loan.category, asset_tag=code_scanned, lock=True
        )
    except ValidationError:
        if code_scanned not in _codes(loan):  # not the device shown, whatever it is
            raise NotShown({"asset_tag": NOT_SHOWN}) from None
        raise
    if asset.pk != loan.asset_id:
        raise NotShown({"asset_tag": NOT_SHOWN})
    code = loan.pupil.code
    if asset.school_id is None:
        asset_services.move(
            actor=actor,
            asset=asset,
            school=loan.school,
            state=AssetState.IN_STOCK,
            note=f"Vers l'école pour le prêt n°\u00a0{loan.pk}",
            source=source,
        )
    now = timezone.now()
    document = loan.agreement
    signature = sign(
        document,
        signer=None,
        capacity=CAPACITY,
        typed_name=typed_name,
        consent=AGREEMENT_CONSENT,
        drawing=signature_data.drawing,
        request=request,
        seal_name=True,
    )
    loan.status = LoanStatus.ACTIVE
    loan.asset = asset
    loan.handed_out_at = now
    loan.agreement_signature = signature
    _save_checked(
        loan, ["status", "asset", "handed_out_at", "agreement_signature", "updated_at"], asset
    )
    device_model = asset.model  # with its category: set_state refreshes the asset's relations
    asset_services.set_state(
        actor=actor,
        asset=asset,
        state=AssetState.LENT,
        kind=AssetEventKind.HANDED_OVER,
        loan_lifecycle=True,
        note=f"Prêté à l'élève {code} (prêt n°\u00a0{loan.pk}), à rendre le {_fr_date(due_on)}",
        source=source,
    )
    asset.model = device_model
    _audit(
        loan,
        actor=actor,
        source=source,
        changes={
            "status": [LoanStatus.ACCEPTED, LoanStatus.ACTIVE],
            "asset_id": [None, asset.pk],
            "due_on": [None, due_on.isoformat()],
        },
    )
    _event(
        loan,
        LoanEventKind.HANDED_OUT,
        actor=actor,
        note=f"{asset.model.name}, n° d'inventaire {asset.asset_tag}\u00a0; à rendre le "
        f"{_fr_date(due_on)}",
    )
    tallies.recount([loan.school_id])
    return loan


def _codes(loan: Loan) -> tuple[str, ...]:
    """The tag and serial number of the device the prepared convention names."""
    row = Asset.objects.filter(pk=loan.asset_id).values_list("asset_tag", "serial_number").first()
    return tuple(code for code in (row or ()) if code)


@transaction.atomic
def extend(*, actor, loan: Loan, due_on: datetime.date, source: str = AuditSource.UI) -> Loan:
    """A new date of return for an active loan. The reminders count again from it: the
    loan's ``reminders_sent`` restarts at 0 (the timeline keeps those already sent)."""
    loan = _lock(loan)
    _check(actor, loan)
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError(f"Seul un prêt en cours se prolonge\u00a0: {status_sentence(loan)}")
    due_on = check_due_on(due_on)
    if due_on == loan.due_on:
        raise ValidationError({"due_on": f"Le prêt est déjà à rendre le {_fr_date(due_on)}."})
    before = loan.due_on
    loan.due_on = due_on
    loan.reminders_sent = 0
    loan.last_reminder_at = None
    loan.save(update_fields=["due_on", "reminders_sent", "last_reminder_at", "updated_at"])
    _audit(
        loan,
        actor=actor,
        source=source,
        changes={"due_on": [before.isoformat() if before else None, due_on.isoformat()]},
    )
    _event(
        loan,
        LoanEventKind.EXTENDED,
        actor=actor,
        note=(f"Du {_fr_date(before)} au " if before else "Au ") + _fr_date(due_on),
    )
    return loan


# --- Return, loss, theft, damage ---------------------------------------------------------------

DAMAGING = {
    ReturnCondition.DAMAGED: "Rendu endommagé",
    ReturnCondition.INCOMPLETE: "Rendu incomplet",
}


def _lock_asset(loan: Loan) -> Asset:
    return (
        Asset.objects.select_for_update(of=("self",))
        .select_related("model__category", "school__commune", "stock_node")
        .get(pk=loan.asset_id)
    )


def _back_in_stock(asset: Asset, *, actor, loan: Loan, note: str, source: str) -> None:
    if asset.state != AssetState.IN_STOCK:
        asset_services.set_state(
            actor=actor,
            asset=asset,
            state=AssetState.IN_STOCK,
            kind=AssetEventKind.RETURNED,
            note=f"{note} (prêt n°\u00a0{loan.pk})",
            source=source,
            loan_lifecycle=True,
        )


def _to_repair(asset: Asset, *, actor, description: str, source: str) -> None:
    """The device goes to repair through an equipment incident (« Casse »), as the register
    does it: the technician finds it in the incidents, and « réparé » brings it back in stock."""
    incident = Incident.objects.open().filter(asset=asset, kind=IncidentKind.DAMAGE).first()
    if incident is None:
        incident = asset_services.report_incident(
            actor=actor,
            asset=asset,
            kind=IncidentKind.DAMAGE,
            description=description,
            source=source,
        )
    if incident.status == "OPEN":
        asset_services.send_to_repair(
            actor=actor, incident=incident, note=description[:NOTE_MAX], source=source
        )


def receipt_context(loan: Loan, asset: Asset, *, condition: str, note: str, signer: dict, actor):
    return {
        "loan": loan,
        "pupil": loan.pupil,
        "school": loan.school,
        "asset": asset,
        "condition": ReturnCondition(condition).label,
        "note": note,
        "handed_out_on": timezone.localdate(loan.handed_out_at) if loan.handed_out_at else None,
        "due_on": loan.due_on,
        "received_by": _name_of(actor),
        "signer": signer,
    }


@transaction.atomic
def record_return(
    *,
    actor,
    loan: Loan,
    condition: str,
    note: str = "",
    signature_data: SignatureData,
    request=None,
    source: str = AuditSource.UI,
) -> Loan:
    """The family brings the device back: a receipt with its condition (good, worn, damaged,
    incomplete), signed by the guardian; the device is back in the school's stock (to repair,
    through an incident, when damaged or incomplete) and the loan is closed « rendu »."""
    loan = _lock(loan)
    _check(actor, loan)
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError(f"Seul un prêt en cours se rend\u00a0: {status_sentence(loan)}")
    if condition not in ReturnCondition.values:
        raise ValidationError(
            {
                "condition": "Indiquez l'état du matériel rendu\u00a0: bon état, usé, endommagé ou "
                "incomplet."
            }
        )
    note = _note(note)
    typed_name = _check_signature(signature_data)
    asset = _lock_asset(loan)
    now = timezone.now()
    # The receipt names no signer: the typed name is kept sealed with the signature only.
    signer = {"capacity": CAPACITY, "at": now, "consent": RETURN_CONSENT}
    document = render_pdf(
        RECEIPT_TEMPLATE,
        receipt_context(loan, asset, condition=condition, note=note, signer=signer, actor=actor),
        kind=RECEIPT_KIND,
        title=f"Reçu de retour du prêt n° {loan.pk}",
        user=actor,
    )
    signature = sign(
        document,
        signer=None,
        capacity=CAPACITY,
        typed_name=typed_name,
        consent=RETURN_CONSENT,
        drawing=signature_data.drawing,
        request=request,
        seal_name=True,
    )
    label = ReturnCondition(condition).label
    _back_in_stock(
        asset, actor=actor, loan=loan, note=f"Rendu par la famille, {label.lower()}", source=source
    )
    if condition in DAMAGING:
        _to_repair(
            asset,
            actor=actor,
            description=f"{DAMAGING[condition]} à la fin du prêt n°\u00a0{loan.pk}"
            + (f"\u00a0: {note}" if note else "."),
            source=source,
        )
    loan.status = LoanStatus.CLOSED
    loan.outcome = LoanOutcome.RETURNED
    loan.return_condition = condition
    loan.return_note = note
    loan.returned_at = now
    loan.closed_at = now
    loan.return_receipt = document
    loan.return_signature = signature
    loan.save(
        update_fields=[
            "status",
            "outcome",
            "return_condition",
            "return_note",
            "returned_at",
            "closed_at",
            "return_receipt",
            "return_signature",
            "updated_at",
        ]
    )
    _audit(
        loan,
        actor=actor,
        source=source,
        changes={
            "status": [LoanStatus.ACTIVE, LoanStatus.CLOSED],
            "outcome": ["", LoanOutcome.RETURNED],
            "return_condition": ["", condition],
        },
    )
    _event(
        loan,
        LoanEventKind.RETURNED,
        actor=actor,
        note=f"État\u00a0: {label.lower()}" + (f" — {note}" if note else ""),
    )
    tallies.recount([loan.school_id])
    return loan


# How a loss, a theft or a device returned unusable reaches the register.
LOSSES = {
    LoanOutcome.LOST: (IncidentKind.LOSS, LoanEventKind.LOST),
    LoanOutcome.STOLEN: (IncidentKind.THEFT, LoanEventKind.STOLEN),
    LoanOutcome.DAMAGED: (IncidentKind.DAMAGE, LoanEventKind.DAMAGED),
}


@transaction.atomic
def declare_loss(*, actor, loan: Loan, kind: str, note: str, source: str = AuditSource.UI) -> Loan:
    """An active loan ends without the device coming back in working order: lost or stolen
    (an equipment incident sets it « perdu » or « volé »), or returned unusable (back at the
    school, then to repair through an incident « Casse »; the technician decides there whether
    it is repaired or written off). The loan is closed with that outcome."""
    loan = _lock(loan)
    _check(actor, loan)
    if kind not in LOSSES:
        raise ValidationError({"kind": "Choisissez\u00a0: perdu, volé ou rendu hors d'usage."})
    note = _note(note, required="Décrivez ce qui est arrivé au matériel.")
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError(
            f"Seul un prêt en cours se déclare perdu ou volé\u00a0: {status_sentence(loan)}"
        )
    asset = _lock_asset(loan)
    incident_kind, event_kind = LOSSES[kind]
    description = f"{LoanOutcome(kind).label} pendant le prêt n°\u00a0{loan.pk}\u00a0: {note}"
    now = timezone.now()
    fields = ["status", "outcome", "return_note", "closed_at", "updated_at"]
    if kind == LoanOutcome.DAMAGED:
        _back_in_stock(asset, actor=actor, loan=loan, note="Rendu hors d'usage", source=source)
        _to_repair(asset, actor=actor, description=description, source=source)
        loan.returned_at = now
        fields.append("returned_at")
    else:
        asset_services.report_incident(
            actor=actor,
            asset=asset,
            kind=incident_kind,
            description=description,
            source=source,
            loan_lifecycle=True,
        )
    loan.status = LoanStatus.CLOSED
    loan.outcome = kind
    loan.return_note = note
    loan.closed_at = now
    loan.save(update_fields=fields)
    _audit(
        loan,
        actor=actor,
        source=source,
        changes={"status": [LoanStatus.ACTIVE, LoanStatus.CLOSED], "outcome": ["", kind]},
    )
    _event(loan, event_kind, actor=actor, note=note)
    tallies.recount([loan.school_id])
    return loan
