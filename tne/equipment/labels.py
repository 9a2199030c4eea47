"""Sheets of asset labels: an A4 PDF of QR-coded asset tags on a standard layout of adhesive
labels, each with the QR code of the tag, the tag in clear, the model and the school (or the
stock that keeps the device). Rendered by :func:`tne.core.documents.render_pdf` inside a job
(``equipment.labels``), for the devices the job's creator manages when it runs."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from tne.core.documents import render_pdf
from tne.core.jobs import JobFailed, JobOrigin, job_handler, start_job
from tne.core.models import Document

from .models import Asset
from .perms import MANAGE_ASSETS

LABELS_KIND = "equipment.labels"
MAX_LABELS = 5000
TEMPLATE = "equipment/assets/labels_pdf.html"


@dataclass(frozen=True)
class Layout:
    """A sheet of ``columns`` × ``rows`` labels of ``width`` × ``height`` mm on A4, the first
    one ``top`` and ``left`` mm from the corner, with gaps between them."""

    code: str
    label: str
    columns: int
    rows: int
    width: float
    height: float
    top: float = 0.0
    left: float = 0.0
    column_gap: float = 0.0
    row_gap: float = 0.0

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def slots(self) -> list[tuple[float, float]]:
        """The (top, left) corner of each label of a sheet, in mm, row by row."""
        return [
            (
                round(self.top + row * (self.height + self.row_gap), 2),
                round(self.left + column * (self.width + self.column_gap), 2),
            )
            for row in range(self.rows)
            for column in range(self.columns)
        ]

    @property
    def qr_size(self) -> float:
        """The side of the QR code, in mm: the label's height less its padding."""
        return round(min(self.height - 7, self.width * 0.36), 1)


LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout("3x8", "3 × 8 étiquettes de 70 × 37 mm (24 par planche)", 3, 8, 70, 37, top=0.5),
        Layout(
            "3x7", "3 × 7 étiquettes de 70 × 42,3 mm (21 par planche)", 3, 7, 70, 42.3, top=0.45
        ),
        Layout(
            "3x7-63",
            "3 × 7 étiquettes de 63,5 × 38,1 mm à coins arrondis (21 par planche)",
            3,
            7,
            63.5,
            38.1,
            top=15.15,
            left=7.25,
            column_gap=2.5,
        ),
        Layout(
            "2x8",
            "2 × 8 étiquettes de 99,1 × 33,9 mm (16 par planche)",
            2,
            8,
            99.1,
            33.9,
            top=12.9,
            left=4.65,
            column_gap=2.5,
        ),
    )
}
DEFAULT_LAYOUT = "3x8"


def qr_png(text: str) -> str:
    """The QR code of ``text`` as a data URI of a PNG of one pixel per module, which the sheet
    scales without smoothing (``image-rendering: pixelated``). An inline SVG of the same code
    costs WeasyPrint two and a half times more to draw, and a sheet of 1,000 tags must take
    under 10 s. The mask is fixed (the choice of the best one is most of segno's time; any mask
    reads)."""
    import segno

    return segno.make(text, error="m", micro=False, mask=0).png_data_uri(scale=1, border=0)


def place_of(asset: Asset) -> tuple[str, str]:
    """The two lines of a label that say where the device is: its school and UAI, or its
    stock."""
    if asset.school_id is not None:
        return asset.school.name, asset.school.uai
    if asset.stock_node_id is not None:
        return "Stock", asset.stock_node.name
    return "", ""


def sheets(assets: list[Asset], layout: Layout) -> list[list[dict]]:
    labels = [
        {
            "tag": asset.asset_tag,
            "model": asset.model.name,
            "place": place_of(asset),
            "qr": qr_png(asset.asset_tag),
        }
        for asset in assets
    ]
    size = layout.per_sheet
    return [labels[i : i + size] for i in range(0, len(labels), size)]


def layout_context(layout: Layout, pages: list[list[dict]]) -> dict:
    return {
        "layout": layout,
        "slots": list(enumerate(layout.slots())),
        "qr_top": round((layout.height - layout.qr_size) / 2, 2),
        "text_top": round(layout.height / 2 - 6.5, 2),
        "text_left": round(layout.qr_size + 5.5, 2),
        "chars": int((layout.width - layout.qr_size - 7.5) / 1.25),
        "pages": pages,
    }


def label_rows(user, asset_ids: list[int]):
    """The devices of ``asset_ids`` the user manages, ordered by tag, with what a label shows."""
    return (
        Asset.objects.visible_to(user, MANAGE_ASSETS)
        .filter(pk__in=asset_ids)
        .select_related("model", "school", "stock_node")
        .only(
            "asset_tag",
            "model__name",
            "school__name",
            "school__uai",
            "stock_node__name",
            "school_id",
            "stock_node_id",
        )
        .order_by("asset_tag")
    )


def render_labels(*, user, asset_ids: list[int], layout_code: str, job=None, progress=None):
    layout = LAYOUTS[layout_code]
    assets = list(label_rows(user, asset_ids))
    if not assets:
        raise JobFailed(
            "Aucun des matériels choisis n'est dans votre périmètre : aucune étiquette."
        )
    if progress is not None:
        progress.start(len(assets) + 1, "Mise en page des étiquettes")
    pages = sheets(assets, layout)
    if progress is not None:
        progress.advance(len(assets))
    count = len(assets)
    document = render_pdf(
        TEMPLATE,
        layout_context(layout, pages),
        kind=LABELS_KIND,
        title=f"Étiquettes — {count} matériel{'s' if count > 1 else ''}",
        user=user,
        job=job,
    )
    if progress is not None:
        progress.advance()
        progress.close()
    return document


LABELS_ORIGIN = JobOrigin(
    url_name="equipment:labels", title="Étiquettes des matériels", again="Faire une autre planche"
)


@job_handler(
    LABELS_KIND,
    origin=LABELS_ORIGIN,
    result_template="equipment/assets/labels_result.html",
)
def run_labels(job, progress) -> dict:
    """``params``: ``{"asset_ids": [...], "layout": "3x8"}``; the devices are those the job's
    creator manages when it runs."""
    layout = job.params.get("layout", DEFAULT_LAYOUT)
    if layout not in LAYOUTS:
        raise JobFailed("Planche d'étiquettes inconnue.")
    document = render_labels(
        user=job.created_by,
        asset_ids=list(job.params.get("asset_ids", [])),
        layout_code=layout,
        job=job,
        progress=progress,
    )
    return {"document_id": document.pk, "pages": document.pages, "layout": layout}


def start_labels(*, user, asset_ids: list[int], layout_code: str):
    """Starts the job of a sheet for these devices (at most :data:`MAX_LABELS`)."""
    if not asset_ids:
        raise ValidationError("Choisissez au moins un matériel.")
    if len(asset_ids) > MAX_LABELS:
        raise ValidationError(
            f"Une planche compte au plus {MAX_LABELS:,} étiquettes".replace(",", "\u202f")
            + f" ; vous en demandez {len(asset_ids):,}.".replace(",", "\u202f")
            + " Affinez la sélection."
        )
    if layout_code not in LAYOUTS:
        raise ValidationError("Planche d'étiquettes inconnue.")
    count = len(asset_ids)
    return start_job(
        kind=LABELS_KIND,
        label=f"Étiquettes de {count} matériel{'s' if count > 1 else ''}",
        params={"asset_ids": list(asset_ids), "layout": layout_code},
        user=user,
    )


def labels_document(user, document_id: int) -> Document | None:
    """The sheet ``document_id`` if ``user`` asked for it (no one else reads it)."""
    if user is None or not user.is_authenticated:
        return None
    return Document.objects.of_kind(LABELS_KIND).filter(pk=document_id, created_by=user).first()
