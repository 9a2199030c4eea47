"""Importing a Snipe-IT asset export or a GLPI computer list: recognised by header, models by
reference or name (unknown ones are errors unless a category is chosen), states mapped, a UAI in
the location places the device at its school, else in stock; all or nothing."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from tests.equipment.factories import DeviceModelFactory, category
from tests.factories import Role, SchoolFactory, UserFactory, grant
from tne.core.cells import CellError
from tne.core.filekinds import kind_for_header
from tne.core.models import AuditEvent
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of
from tne.core.tabular import CsvTable
from tne.equipment.enums import AssetSource, AssetState
from tne.equipment.models import Asset, AssetEvent, DeviceModel
from tne.equipment.perms import MANAGE_ASSETS
from tne.equipment.services.inventory import (
    STATES,
    check_inventory,
    import_inventory,
    parse_state,
)

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
SNIPEIT = FILES / "snipeit_assets.csv"
GLPI = FILES / "glpi_computers.csv"


@pytest.fixture
def school(tree):
    return SchoolFactory(uai="0020001A", commune=tree.laon)


def test_the_two_exports_are_recognised_by_their_header():
    assert kind_for_header(CsvTable(SNIPEIT).header).kind == "equipment.snipeit"
    assert kind_for_header(CsvTable(GLPI).header).kind == "equipment.glpi"


def test_a_snipeit_export_with_unknown_models_is_refused_by_line_and_column(tree, school):
    with pytest.raises(ImportFileError) as caught:
        import_inventory(table_or_path=SNIPEIT, stock_node=tree.aisne)

    errors = [(e.line, e.column) for e in caught.value.errors]
    assert errors == [(2, "Model No."), (4, "Model")]
    assert "(et 1\xa0autre ligne)" in caught.value.errors[0].message
    assert Asset.objects.count() == 0


def test_a_snipeit_export_enters_its_devices_at_school_or_in_stock(tree, school):
    DeviceModelFactory(reference="SNIPE-L14", category=category("laptop"))
    projector = DeviceModelFactory(
        reference="EB-725W", name="Epson EB-725W", category=category("projector")
    )
    actor = UserFactory()

    result = import_inventory(table_or_path=SNIPEIT, stock_node=tree.aisne, actor=actor)

    assert result.created == 3 and result.at_schools == 1 and result.tags_generated == 1
    deployed = Asset.objects.get(serial_number="PF-3A1B2C")
    assert (deployed.state, deployed.school, deployed.stock_node) == (
        AssetState.INSTALLED,
        school,
        None,
    )
    assert deployed.asset_tag == "LAON-0001" and deployed.source == AssetSource.SNIPEIT
    ready = Asset.objects.get(serial_number="PF-3A1B2D")
    assert (ready.state, ready.stock_node) == (AssetState.IN_STOCK, tree.aisne)
    repair = Asset.objects.get(serial_number="X5YZ001122")
    assert repair.state == AssetState.IN_REPAIR and repair.model == projector  # by its name
    assert repair.asset_tag.startswith("TNE")
    assert AssetEvent.objects.filter(actor=actor).count() == 3
    assert AuditEvent.objects.filter(object_id=str(tree.aisne.pk)).count() == 1


def test_a_chosen_category_adds_the_unknown_models_to_the_catalogue(tree, school):
    check = check_inventory(table_or_path=GLPI, category=category("laptop"))
    assert check.new_models == ["Latitude 3540"]

    result = import_inventory(
        table_or_path=GLPI, stock_node=tree.aisne, category=category("laptop")
    )

    assert result.new_models == 1
    model = DeviceModel.objects.get(reference="Latitude 3540")
    assert model.category == category("laptop")
    director = Asset.objects.get(serial_number="7XKQ2M3")
    assert director.school == school and director.state == AssetState.INSTALLED
    assert director.asset_tag == "GLPI-000101" and director.source == AssetSource.GLPI
    assert Asset.objects.get(serial_number="8XKQ2M4").stock_node == tree.aisne


def test_a_school_outside_the_scope_and_serials_already_registered_are_errors(tree, tmp_path):
    SchoolFactory(uai="0020001A", commune=tree.laon)
    DeviceModelFactory(reference="Latitude 3540")
    Asset.objects.create(serial_number="8XKQ2M4", asset_tag="X-1", model=DeviceModel.objects.get())
    technician = UserFactory()
    grant(technician, Role.TECHNICIAN, tree.vdo)

    with pytest.raises(ImportFileError) as caught:
        check_inventory(table_or_path=GLPI, scope=scope_of(technician, MANAGE_ASSETS))

    assert [(e.line, e.column, e.message) for e in caught.value.errors] == [
        (2, "Lieu", "établissement 0020001A hors de votre périmètre."),
        (3, "Numéro de série", "le numéro de série 8XKQ2M4 est déjà au registre."),
    ]


def test_an_unknown_status_is_an_error_of_its_column(tree, tmp_path):
    DeviceModelFactory(reference="SNIPE-L14")
    path = tmp_path / "snipe.csv"
    path.write_text(
        "Asset Tag,Serial,Model,Model No.,Status\nT-1,S-1,L14,SNIPE-L14,Confisqué\n",
        encoding="utf-8",
    )

    with pytest.raises(ImportFileError) as caught:
        check_inventory(table_or_path=path)

    error = caught.value.errors[0]
    assert (error.line, error.column) == (2, "Status") and "« Confisqué » inconnu" in error.message


def test_the_cli_recognises_a_glpi_export_and_refuses_it_with_its_errors(tree, tmp_path):
    path = tmp_path / "glpi.csv"
    shutil.copy(GLPI, path)
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import", str(path), stdout=StringIO(), stderr=err, verbosity=0)

    assert err.getvalue().startswith("glpi.csv:2:Modèle: modèle « Latitude 3540 » inconnu")
    assert Asset.objects.count() == 0


@given(st.sampled_from([word for word, _ in STATES]), st.text(max_size=5))
def test_every_known_status_word_maps_whatever_surrounds_it(word, noise):
    state = dict(STATES)[word]
    # The first word of the table found in the text wins: the word alone gives its state.
    assert parse_state(word.upper()) == state
    try:
        parse_state(noise + " " + word)
    except CellError:  # pragma: no cover - a word is always found
        pytest.fail("a known word was not recognised")


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _post_inventory(client, path, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    return client.post(reverse("equipment:inventory_import"), {"file": upload, **data})


def test_the_page_refuses_unknown_models_then_imports_with_a_category(
    client, tree, school, media_root, django_capture_on_commit_callbacks
):
    import re

    from django.urls import reverse

    from tests.factories import user_with_role
    from tne.core.models import Job, JobStatus

    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    refused = _post_inventory(client, GLPI, stock_node=tree.aisne.pk)
    assert (
        "Latitude 3540" in refused.content.decode()
        and "inconnu du catalogue" in refused.content.decode()
    )
    assert not list((media_root / "imports").iterdir())

    preview = _post_inventory(
        client, GLPI, stock_node=tree.aisne.pk, category=category("laptop").pk
    )
    assert "aucune erreur" in preview.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("equipment:inventory_import"), {"token": token})

    job = Job.objects.get(kind="equipment.inventory_import")
    assert done.url == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert Asset.objects.filter(source=AssetSource.GLPI).count() == 2


def test_the_page_offers_only_stocks_of_the_users_scope(client, tree, media_root):
    from tests.factories import user_with_role

    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    response = _post_inventory(client, GLPI, stock_node=tree.vdo.pk)

    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_inventory_page_is_refused_to_roles_without_manage_assets(client, tree):
    from django.urls import reverse

    from tests.factories import user_with_role

    client.force_login(user_with_role(Role.LOCAL_AUTHORITY, tree.laon))

    assert client.get(reverse("equipment:inventory_import")).status_code == 403
