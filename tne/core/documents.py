"""The one PDF service: an HTML template rendered by WeasyPrint with the print stylesheet of TNE,
stored once as a :class:`~tne.core.models.Document` with its SHA-256 (what a signature proves).

Used by the label sheets, hand-over receipts and installation reports of equipment, and later by
loan agreements and certificates. A document of many pages is rendered inside a job (the caller
registers a handler with :func:`tne.core.jobs.job_handler` that calls :func:`render_pdf` with
``job=``); a one-page receipt is rendered in the request. Who may download a document is decided
by the app that made it: its view checks access to its own object, then returns
:func:`file_response`."""

import functools
import hashlib
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

from .models import Document

STYLESHEET = Path(__file__).parent / "static" / "core" / "print.css"

# The faces of Marianne that django-dsfr ships in its static files (weight, style, file).
MARIANNE_FACES = (
    (400, "normal", "Marianne-Regular.woff"),
    (400, "italic", "Marianne-Regular_Italic.woff"),
    (500, "normal", "Marianne-Medium.woff"),
    (700, "normal", "Marianne-Bold.woff"),
    (700, "italic", "Marianne-Bold_Italic.woff"),
)


@functools.cache
def font_faces_css() -> str:
    """The ``@font-face`` rules of Marianne, loaded from django-dsfr's static files by their path
    on disk (never over the network); empty when they are missing, and the print stylesheet
    falls back to DejaVu Sans."""
    rules = []
    for weight, style, filename in MARIANNE_FACES:
        found = finders.find(f"dsfr/dist/fonts/{filename}")
        if not found:
            continue
        rules.append(
            "@font-face { font-family: 'Marianne'; "
            f"src: url('{Path(found).resolve().as_uri()}') format('woff'); "
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def _local_fetcher():
    """WeasyPrint's URL fetcher restricted to files on disk and data URLs: a document never
    reaches out to the network (a template naming a remote image or font gets nothing)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"})


def pdf_bytes(template_name: str, context: dict) -> tuple[bytes, int]:
    """The PDF of ``template_name`` rendered with ``context``, and its number of pages."""
    from weasyprint import CSS, HTML  # imported here: loading Pango takes a while
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, context)
    fonts, fetcher = FontConfiguration(), _local_fetcher()
    stylesheets = [CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher)]
    if faces := font_faces_css():
        stylesheets.insert(0, CSS(string=faces, font_config=fonts, url_fetcher=fetcher))
    rendered = HTML(string=html, base_url=str(STYLESHEET.parent), url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=fonts
    )
    return rendered.write_pdf(), len(rendered.pages)


def render_pdf(
    template_name: str, context: dict, *, kind: str, title: str, user=None, job=None
) -> Document:
    """Render, hash and store the document; returns the saved :class:`Document`."""
    data, pages = pdf_bytes(template_name, {**context, "document_title": title})
    digest = hashlib.sha256(data).hexdigest()
    document = Document(
        kind=kind,
        title=title[:255],
        sha256=digest,
        size=len(data),
        pages=pages,
        created_by=user if user is not None and user.is_authenticated else None,
        job=job,
    )
    name = f"{slugify(title)[:80] or kind}-{digest[:12]}.pdf"
    document.file.save(name, ContentFile(data), save=False)
    document.save()
    return document


def verify(document: Document) -> bool:
    """Whether the stored file is still the one whose hash was recorded."""
    digest = hashlib.sha256()
    with document.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest() == document.sha256


def file_response(document: Document, *, inline: bool = False) -> FileResponse:
    """The PDF as a download (the caller has checked access)."""
    filename = f"{slugify(document.title)[:80] or document.kind}.pdf"
    return FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=filename,
        content_type="application/pdf",
    )
