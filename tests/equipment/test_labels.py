"""Sheets of QR-coded asset labels: standard layouts that fit A4, a sheet made as a job from
the devices checked in the list or from the list's filter, with the right number of pages and
every tag in clear (read back with ``pdftotext``); only the devices the user manages; only
the person who asked downloads it."""

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.core.models import Document, Job, JobStatus
from tne.equipment import labels
from tne.equipment.enums import AssetState

from .asset_factories import at_school, in_stock, school_in

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_text(document: Document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize("layout", list(labels.LAYOUTS.values()), ids=list(labels.LAYOUTS))
def test_every_layout_fits_on_a4(layout):
    top, left = layout.slots()[-1]
    assert left + layout.width <= 210 and top + layout.height <= 297
    assert len(layout.slots()) == layout.per_sheet
    assert layout.qr_size + 6 <= layout.height


def test_the_standard_layouts_are_offered():
    assert (labels.LAYOUTS["3x8"].per_sheet, labels.LAYOUTS["3x8"].width) == (24, 70)
    assert (labels.LAYOUTS["3x8"].height, labels.LAYOUTS["3x7"].per_sheet) == (37, 21)


@pytest.fixture
def aisne_devices(tree):
    school = school_in(tree.laon, name="École Jean Macé", uai="0021001A")
    return [at_school(school, asset_tag=f"TNE-L{n:04d}") for n in range(50)]


def start(client, user, data):
    client.force_login(user)
    return client.post(reverse("equipment:labels"), data)


def test_a_sheet_of_checked_devices_has_its_pages_and_every_tag(
    client, tree, aisne_devices, django_capture_on_commit_callbacks
):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    foreign = at_school(school_in(tree.cergy), asset_tag="TNE-VDO-1")
    ids = [a.pk for a in aisne_devices] + [foreign.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, tech, {"asset": ids, "layout": "3x8"})

    job = Job.objects.get(kind=labels.LABELS_KIND)
    assert response.url == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    document = Document.objects.get(pk=job.result["document_id"])
    assert document.pages == 3 and document.created_by == tech  # 50 labels, 24 a sheet
    text = pdf_text(document)
    for asset in aisne_devices:
        assert asset.asset_tag in text
    assert "TNE-VDO-1" not in text
    assert "École Jean Macé" in text and "0021001A" in text
    page = client.get(response.url).content.decode()
    download = reverse("equipment:labels_download", args=[document.pk])
    assert download in page
    answer = client.get(download)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"

    other = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(other)
    assert client.get(download).status_code == 404


def test_a_sheet_of_the_filtered_list_on_3_x_7(
    client, tree, aisne_devices, django_capture_on_commit_callbacks
):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    stock = [in_stock(tree.aisne, asset_tag=f"TNE-S{n:03d}") for n in range(22)]
    client.force_login(tech)
    page = client.get(reverse("equipment:labels"), {"etat": AssetState.IN_STOCK}).content.decode()
    assert "22 étiquettes à imprimer" in page

    with django_capture_on_commit_callbacks(execute=True):
        start(client, tech, {"filtre": f"etat={AssetState.IN_STOCK}", "layout": "3x7"})

    document = Document.objects.get(kind=labels.LABELS_KIND)
    assert document.pages == 2  # 22 labels, 21 a sheet
    text = pdf_text(document)
    assert all(a.asset_tag in text for a in stock)
    assert "TNE-L0000" not in text and "Stock" in text


def test_a_foreign_selection_fails_the_job_in_french(
    client, tree, django_capture_on_commit_callbacks
):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    foreign = at_school(school_in(tree.cergy))
    job = None
    with django_capture_on_commit_callbacks(execute=True):
        job = labels.start_labels(user=tech, asset_ids=[foreign.pk], layout_code="3x8")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Aucun des matériels choisis" in job.message
    assert not Document.objects.exists()


def test_a_sheet_is_refused_beyond_its_limit_or_empty(tree):
    tech = user_with_role(Role.TECHNICIAN, tree.aisne)
    with pytest.raises(ValidationError, match="au plus"):
        labels.start_labels(user=tech, asset_ids=list(range(1, 5003)), layout_code="3x8")
    with pytest.raises(ValidationError, match="au moins un"):
        labels.start_labels(user=tech, asset_ids=[], layout_code="3x8")


def test_labels_are_for_who_manages_the_register(client, tree):
    head = user_with_role(Role.SCHOOL_HEAD, school_in(tree.laon))
    client.force_login(head)
    assert client.get(reverse("equipment:labels")).status_code == 403
