"""Files of declarations, ``code;niveau;classe;equipement;partage_avec;internet``: the page of a
school (or of one class) shows a preview of every line or every error by line and column, then
imports all or nothing on confirmation; ``tne import`` reads the same files with a ``uai``
column."""

import html as html_lib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tne.core.rowerrors import ImportFileError
from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import NeedDeclaration, Pupil
from tne.loans.services import pupils as services

from .needs_helpers import Needs

pytestmark = pytest.mark.django_db
HEADER = "code;niveau;classe;equipement;partage_avec;internet"


@pytest.fixture
def place(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Needs(tree)


def plain(text: str) -> str:
    """``text`` with ordinary spaces for the French no-break ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def write(tmp_path, text, name="besoins.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_reads_the_words_people_write(place, tmp_path):
    place.pupil(code="E-1", declared=False)
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "E-1;ce1;CE1 A;Aucun;;Pas d'accès à internet\n"
        "E-2;CM2;cm1-cm2;partagé;2;mobile\n"
        "E-3;CM1;CM1-CM2;PERSONNEL;;Fixe\n"
        ";;;;;\n",
    )

    check = services.check_needs_file(path, label="besoins.csv", school=place.school)

    items = {item.entry.code: item for item in check.planned}
    assert items["E-1"].outcome == "unchanged" and items["E-1"].need_outcome == "declare"
    assert items["E-2"].entry.school_class == place.cm
    assert items["E-2"].entry.devices_at_home == HomeDevices.SHARED
    assert items["E-2"].entry.shared_with == 2
    assert items["E-3"].entry.internet_at_home == HomeInternet.FIXED
    assert check.counts() == {
        "lines": 3,
        "create": 2,
        "update": 0,
        "declare": 3,
        "change": 0,
        "unchanged": 0,
    }
    assert not NeedDeclaration.objects.exists()  # a check writes nothing


def test_every_error_has_its_line_and_column(place, tmp_path):
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "E-1;CE1;CE1 Z;aucun;;mobile\n"
        "E-2;CE1;CE1 A;télé;;mobile\n"
        "E-3;CE1;CE1 A;partagé;deux;mobile\n"
        "E-4;CE1;CE1 A;partagé;;mobile\n"
        "E-5;CE1;CE1 A;aucun;;\n"
        "E-5;GS;CE1 A;aucun;;fixe\n",
    )

    with pytest.raises(ImportFileError) as error:
        services.check_needs_file(path, label="besoins.csv", school=place.school)

    found = {(e.line, e.column): plain(e.message) for e in error.value.errors}
    assert "« CE1 Z » n'est pas une classe élémentaire" in found[2, "classe"]
    assert found[3, "equipement"] == (
        "« télé » n'est pas un équipement prévu (aucun, partagé ou personnel)."
    )
    assert "« deux » n'est pas un nombre d'enfants" in found[4, "partage_avec"]
    assert "avec combien" in found[5, "partage_avec"]
    assert "indiquez l'accès à internet" in found[6, "internet"]
    assert found[7, "code"] == "même code qu'à la ligne 6."
    assert "« GS » n'est pas un niveau" in found[7, "niveau"]
    assert not Pupil.objects.exists()


def test_a_missing_column_is_an_error_of_the_header(place, tmp_path):
    path = write(tmp_path, "code;niveau;classe\nE-1;CE1;CE1 A\n")

    with pytest.raises(ImportFileError) as error:
        services.check_needs_file(path, label="besoins.csv", school=place.school)

    assert {(e.line, e.column) for e in error.value.errors} == {
        (1, "equipement"),
        (1, "partage_avec"),
        (1, "internet"),
    }


def upload(text, name="besoins.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_page_previews_then_imports_on_confirmation(client, place):
    client.force_login(place.head)
    url = reverse("loans:needs_import", args=[place.school.pk])

    response = client.post(
        url,
        {"file": upload(f"{HEADER}\nE-1;CE1;CE1 A;aucun;;mobile\nE-2;CM1;CM1-CM2;aucun;;fixe\n")},
    )

    body = html_lib.unescape(response.content.decode())
    assert "Aperçu de «\u00a0besoins.csv\u00a0»\u00a0: aucune erreur" in body
    assert "2\u00a0élèves à ajouter" in body and "Aucun équipement" in body
    assert not Pupil.objects.exists()
    token = response.context["token"]

    response = client.post(url, {"token": token})

    assert response.status_code == 302
    assert response.url == reverse("loans:pupils", args=[place.school.pk])
    assert set(NeedDeclaration.objects.values_list("pupil__code", flat=True)) == {"E-1", "E-2"}


def test_the_page_of_a_class_imports_into_that_class_only(client, place):
    client.force_login(place.head)
    url = reverse("loans:needs_import", args=[place.school.pk]) + f"?classe={place.ce1.pk}"

    response = client.post(
        url, {"file": upload(f"{HEADER}\nE-1;CE1;;aucun;;mobile\nE-2;CM1;CM1-CM2;aucun;;fixe\n")}
    )

    found = {(e.line, e.column): e.message for e in response.context["errors"]}
    assert found == {(3, "classe"): "ce fichier est celui de la classe CE1 A."}
    assert "Fichier «\u00a0besoins.csv\u00a0» refusé" in html_lib.unescape(
        response.content.decode()
    )


def test_a_forged_or_foreign_preview_imports_nothing(client, place):
    client.force_login(place.other_head)
    url = reverse("loans:needs_import", args=[place.other_school.pk])
    response = client.post(url, {"file": upload(f"{HEADER}\nE-1;CP;CP;aucun;;mobile\n")})
    token = response.context["token"]
    client.force_login(place.head)

    own = reverse("loans:needs_import", args=[place.school.pk])
    assert client.post(own, {"token": token}).status_code == 403
    assert client.post(own, {"token": "forged"}).status_code == 403
    assert not Pupil.objects.exists()


def test_the_template_file_has_the_columns(client, place):
    client.force_login(place.head)

    response = client.get(reverse("loans:needs_template"))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER and len(lines) == 4
    client.force_login(place.coordinator)
    assert client.get(reverse("loans:needs_template")).status_code == 403


def test_tne_import_reads_a_file_with_its_uai_column(place, tmp_path, capsys):
    path = write(
        tmp_path,
        f"uai;{HEADER}\n"
        f"{place.school.uai};E-1;CE1;CE1 A;aucun;;mobile\n"
        f"{place.other_school.uai.lower()};E-1;CP;CP;partagé;1;fixe\n",
    )

    call_command("import", str(path))

    assert Pupil.objects.filter(code="E-1").count() == 2
    assert NeedDeclaration.objects.get(pupil__school=place.other_school).shared_with == 1
    out = capsys.readouterr().out
    assert "Déclarations de besoins (prêts M6)" in out and "2\u00a0élèves ajoutés" in out


def test_tne_import_refuses_an_unknown_school_with_its_line(place, tmp_path, capsys):
    path = write(
        tmp_path,
        f"uai;{HEADER}\n0029999Z;E-1;CE1;CE1 A;aucun;;mobile\n"
        f"{place.school.uai};E-2;CE1;CE1 A;;;\n",
    )

    with pytest.raises(CommandError):
        call_command("import", str(path))

    err = capsys.readouterr().err
    assert "besoins.csv:2:uai: aucune école élémentaire ou primaire n'a l'UAI « 0029999Z »." in err
    assert "besoins.csv:3:equipement:" in err
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "１２"])
def test_a_class_parameter_that_is_no_id_is_a_404_or_ignored(client, place, value):
    client.force_login(place.head)

    response = client.get(reverse("loans:needs_import", args=[place.school.pk]), {"classe": value})
    assert response.status_code == 404
    response = client.get(reverse("loans:pupil_create", args=[place.school.pk]), {"classe": value})
    assert response.status_code == 200 and response.context["form"].initial == {}
