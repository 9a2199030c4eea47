"""core's PDF service: a real PDF rendered by WeasyPrint, stored with its SHA-256, verified, in
Marianne from django-dsfr's static files, never reaching out to the network."""

import hashlib
import subprocess

import pytest
from django.core.files.base import ContentFile

from tests.factories import UserFactory
from tne.core import documents
from tne.core.documents import file_response, font_faces_css, render_pdf, verify


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()


def read(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_it_renders_stores_and_hashes_a_real_pdf(tmp_path):
    user = UserFactory()
    document = render_pdf(
        "core/documents/text.html",
        {"paragraphs": ["L'école Jean-Macé a reçu son kit.", "Fait à Laon."], "meta": "Aisne"},
        kind="test",
        title="Attestation de réception",
        user=user,
    )
    data = read(document)
    assert data.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.pages == 1
    assert document.created_by == user
    assert document.file.name.endswith(".pdf") and document.sha256[:12] in document.file.name
    text = pdf_text(data)
    assert "Attestation de réception" in text
    assert "L'école Jean-Macé a reçu son kit." in text
    assert "Page 1 sur 1" in text
    assert "RÉPUBLIQUE" in text
    assert verify(document)


@pytest.mark.django_db
def test_it_counts_the_pages_of_a_long_document():
    document = render_pdf(
        "core/documents/text.html",
        {"paragraphs": [f"Ligne {n} du document." for n in range(300)]},
        kind="test",
        title="Long document",
    )
    data = read(document)
    assert document.pages > 3
    assert f"Page {document.pages} sur {document.pages}" in pdf_text(data)
    assert document.created_by is None


@pytest.mark.django_db
def test_it_detects_a_file_changed_after_its_hash_was_recorded():
    document = render_pdf("core/documents/text.html", {}, kind="test", title="Procès-verbal")
    assert verify(document)
    document.file.storage.delete(document.file.name)
    document.file.storage.save(document.file.name, ContentFile(b"%PDF-1.7 falsified"))
    assert not verify(document)


@pytest.mark.django_db
def test_it_sets_the_text_in_marianne_from_the_dsfr_static_files(tmp_path):
    css = font_faces_css()
    assert "font-family: 'Marianne'" in css and "file://" in css and "http" not in css
    data, pages = documents.pdf_bytes("core/documents/text.html", {"document_title": "Essai"})
    assert pages == 1
    assert "Marianne" in pdf_fonts(data, tmp_path)


def test_it_falls_back_when_marianne_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(documents.finders, "find", lambda path: None)
    font_faces_css.cache_clear()
    try:
        assert font_faces_css() == ""
        data, _ = documents.pdf_bytes("core/documents/text.html", {"document_title": "Essai"})
        assert data.startswith(b"%PDF")
        assert "DejaVu" in pdf_fonts(data, tmp_path)
    finally:
        monkeypatch.undo()
        font_faces_css.cache_clear()


def test_it_never_fetches_a_remote_resource():
    fetcher = documents._local_fetcher()
    with pytest.raises(ValueError):
        fetcher("https://example.org/logo.png")


@pytest.mark.django_db
def test_the_file_response_is_a_named_pdf():
    document = render_pdf("core/documents/text.html", {}, kind="test", title="Reçu de remise")
    response = file_response(document)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="recu-de-remise.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "inline" in file_response(document, inline=True)["Content-Disposition"]
