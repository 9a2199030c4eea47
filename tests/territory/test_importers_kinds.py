"""Finding or checking the kind of a file, and the names and labels its errors give a person."""

import pytest

from tests.territory.helpers_importers import copy_with, fixture
from tne.core.rowerrors import ImportFileError
from tne.core.scope import Scope
from tne.territory.importers import KINDS, KindError, detect_kind, import_file

pytestmark = pytest.mark.django_db


def test_an_unknown_header_lists_the_accepted_files_by_their_labels(tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as caught:
        detect_kind(path)

    message = caught.value.errors[0].message
    assert not isinstance(caught.value, KindError)
    assert message.startswith("type de fichier non reconnu d'après son en-tête, qui n'est celui")
    assert "« Écoles et IPS »" in message and "« Lycées et IPS »" in message
    assert "« Communes (centres) »" in message
    assert not any(kind in message for kind in KINDS)


def test_the_accepted_files_listed_are_those_the_scope_may_import(tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as caught:
        detect_kind(path, scope=Scope(school_grants=(("departement_id", 1),)))

    assert "Communes" not in caught.value.message
    assert "« Écoles et IPS »" in caught.value.message


def test_a_header_of_two_kinds_asks_to_choose_one(tmp_path):
    header = fixture("ips_ecoles.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "mixte.csv"
    path.write_text(f"{header};Ecart-type de l'IPS\n", encoding="utf-8")

    with pytest.raises(KindError) as caught:
        detect_kind(path)

    assert caught.value.errors[0].message == (
        "en-tête ambigu, celui de « Écoles et IPS », « Collèges : IPS » : préciser le type de "
        "fichier."
    )


def test_a_chosen_kind_is_checked_against_the_header():
    assert detect_kind(fixture("ips_lycees.csv"), "lycees_ips") == "lycees_ips"

    with pytest.raises(KindError) as caught:
        detect_kind(fixture("ips_colleges.csv"), "lycees_ips", label="ips.csv")

    error = caught.value.errors[0]
    assert (error.file, error.line) == ("ips.csv", 1)
    assert error.message.startswith("ce n'est pas un fichier « Lycées et IPS » : il y manque")
    assert "uai, nom_de_l_etablissment" in error.message


def test_a_kind_reserved_to_national_steering_is_refused_to_a_smaller_scope():
    with pytest.raises(
        ImportFileError, match="les fichiers « Communes \\(centres\\) » sont réservés au pilotage"
    ):
        detect_kind(fixture("communes.csv"), scope=Scope(school_grants=(("departement_id", 1),)))


def test_the_errors_name_the_file_by_its_label(tmp_path):
    stored = copy_with(
        tmp_path, "ips_lycees.csv", {";73.0;73.0": ";73.0;soixante"}, rename="20261128-1-bad3.csv"
    )

    with pytest.raises(ImportFileError) as caught:
        import_file(stored, label="bad3.csv")

    assert "- bad3.csv, ligne 2, colonne « ips_ensemble_gt_pro » :" in caught.value.message
    assert "20261128" not in caught.value.message


def test_an_error_reads_as_a_sentence_on_its_own(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("a;b\nÉcole;1\n".encode("latin-1"))

    with pytest.raises(ImportFileError) as caught:
        detect_kind(path, label="bad3.csv")

    error = caught.value.errors[0]
    assert str(error) == "bad3.csv, ligne 2 : le fichier n'est pas encodé en UTF-8."
    assert error.sentence == "Fichier « bad3.csv », ligne 2 : le fichier n'est pas encodé en UTF-8."
