"""The one signing mechanism: a person signs a stored document (its SHA-256 is copied into the
signature, so a later change of the file is detectable), in a capacity, by typing their name and
accepting a sentence; where the device allows it they may also draw their signature, never
required (signing stays accessible from a keyboard or a screen reader).

Used by the installation sign-offs and the hand-over receipts of equipment, and later by loan
agreements (hand-out and return) and training. A signature is immutable, but for one change: a
sealed name may be forgotten (:func:`forget_name`)."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from dsfr.forms import DsfrBaseForm

from .crypto import seal
from .models import Document, Signature, SignatureMethod
from .validators import single_line_text

# The box the drawing pad records its points in, and the bounds of a drawing kept.
DRAWING_WIDTH, DRAWING_HEIGHT = 300, 100
MAX_STROKES, MAX_POINTS = 50, 2000
# A pad's JSON of MAX_POINTS points is about 30 kB; anything much longer is not a drawing.
MAX_DRAWING_CHARS = 100_000
UNREADABLE = "Le tracé de la signature est illisible."

DEFAULT_CONSENT = (
    "En saisissant mon nom, je signe ce document et j'en accepte le contenu\u202f; ma signature, "
    "sa date et l'empreinte du document sont conservées."
)


def _coordinate(value, upper: int) -> float:
    """One coordinate of a point: a number (not a boolean) inside ``[0, upper]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(UNREADABLE)
    # Compared before any conversion: an integer of 400 digits does not fit a float.
    if not (0 <= value <= upper):  # NaN compares false: refused too
        raise ValidationError("Le tracé de la signature sort de son cadre.")
    return round(float(value), 1)


def parse_drawing(raw: str) -> list[list[list[float]]]:
    """The strokes of a drawn signature sent by the pad (JSON: a list of strokes, each a list of
    ``[x, y]`` points inside the box), or a ``ValidationError`` in French, whatever ``raw`` is."""
    if not raw or not raw.strip():
        return []
    if len(raw) > MAX_DRAWING_CHARS:
        raise ValidationError("Le tracé de la signature est trop long.")
    try:
        strokes = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ValidationError(UNREADABLE) from error
    if not isinstance(strokes, list):
        raise ValidationError(UNREADABLE)
    if len(strokes) > MAX_STROKES:
        raise ValidationError("Le tracé de la signature a trop de traits.")
    points = 0
    clean = []
    for stroke in strokes:
        if not isinstance(stroke, list):
            raise ValidationError(UNREADABLE)
        points += len(stroke)
        if points > MAX_POINTS:
            raise ValidationError("Le tracé de la signature est trop long.")
        line = []
        for point in stroke:
            if not isinstance(point, list) or len(point) != 2:
                raise ValidationError(UNREADABLE)
            x, y = point
            line.append([_coordinate(x, DRAWING_WIDTH), _coordinate(y, DRAWING_HEIGHT)])
        if line:
            clean.append(line)
    return clean


def drawing_svg(strokes: list) -> str:
    """An inline SVG of a drawn signature, built from its points only: whatever the stored JSON
    holds, only numbers inside the box are written (safe to show, nothing else comes through)."""
    lines = []
    for stroke in strokes or []:
        try:
            points = parse_drawing(json.dumps([stroke]))
        except (ValidationError, TypeError, ValueError):
            continue
        lines.extend(points)
    if not lines:
        return ""
    paths = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="#000091" stroke-width="2" />',
        ((" ".join(f"{x:g},{y:g}" for x, y in line),) for line in lines),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="Signature tracée">{}</svg>',
        DRAWING_WIDTH,
        DRAWING_HEIGHT,
        DRAWING_WIDTH,
        DRAWING_HEIGHT,
        paths,
    )


class SignatureForm(DsfrBaseForm):
    """The fields of a signature, to put in any form that signs (``{{ form }}``, then
    ``core/includes/signature_pad.html`` for the optional drawing pad)."""

    typed_name = forms.CharField(
        label="Votre nom et prénom",
        max_length=200,
        validators=[single_line_text],
        help_text="Saisir votre nom vaut signature.",
    )
    consent = forms.BooleanField(label=DEFAULT_CONSENT, required=True)
    drawing = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args, consent_text: str = DEFAULT_CONSENT, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_consent(consent_text)

    def relabel(self, name: str, label: str, help_text: str | None = None) -> None:
        """Change a field's label (and help text) after ``__init__``: django-dsfr's form builds
        the bound fields in its ``__init__``, which copy the label; both are set here."""
        for target in (self.fields[name], self[name]):
            target.label = label
            if help_text is not None:
                target.help_text = help_text

    def set_consent(self, text: str) -> None:
        """The sentence the signer accepts: shown on the form, and what ``sign()`` must keep
        (pass ``form.consent_text`` to it)."""
        self.consent_text = text
        self.relabel("consent", text)

    def clean_typed_name(self):
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2:
            raise ValidationError("Saisissez votre nom pour signer.")
        return name

    def clean_drawing(self):
        return parse_drawing(self.cleaned_data.get("drawing", ""))


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    address = request.META.get("REMOTE_ADDR") or None
    return address, request.META.get("HTTP_USER_AGENT", "")[:255]


def sign(
    document: Document,
    *,
    signer,
    capacity: str,
    typed_name: str,
    consent: str = DEFAULT_CONSENT,
    drawing: list | None = None,
    request=None,
    seal_name: bool = False,
) -> Signature:
    """Record that ``signer`` signed ``document`` (call inside the caller's transaction, with
    the change the signature concludes). ``typed_name`` must be non-empty: consent is the typed
    name plus the sentence the form showed. With ``seal_name`` the name is kept sealed
    (``tne.core.crypto.seal``) in ``sealed_name`` and ``typed_name`` stays empty: a private
    person's name (a pupil's guardian) is never readable in a raw dump; :func:`forget_name`
    blanks it when their data is purged."""
    typed_name = " ".join((typed_name or "").split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Saisissez votre nom pour signer."})
    single_line_text(typed_name)
    strokes = parse_drawing(json.dumps(drawing)) if drawing else []
    address, agent = _client(request)
    signature = Signature(
        document=document,
        document_sha256=document.sha256,
        signer=signer if signer is not None and signer.is_authenticated else None,
        capacity=capacity[:120],
        typed_name="" if seal_name else typed_name[:200],
        sealed_name=seal(typed_name[:200]) if seal_name else "",
        consent=consent,
        method=SignatureMethod.DRAWN if strokes else SignatureMethod.TYPED,
        drawing=strokes,
        ip_address=address,
        user_agent=agent,
    )
    signature.save(force_insert=True)
    return signature


def forget_name(signature: Signature) -> None:
    """Blank the sealed name of ``signature`` (the one change a signature allows: its document,
    hash, capacity, consent and date stay)."""
    Signature.objects.filter(pk=signature.pk).forget_names()
    signature.sealed_name = ""


def forget_names(signatures) -> int:
    """:func:`forget_name` for a queryset of signatures, in one query; how many were blanked."""
    return signatures.forget_names()
