import shutil

import pytest

from tne.core.data import DataFileError
from tne.demo.calibration import load_calibration
from tne.demo.loader import demo_data_dir
from tne.territory.enums import EducationNetwork, SchoolKind


def test_it_reads_the_real_2025_sample(calibration):
    assert len(calibration.ecoles) == 183
    jean_moulin = calibration.ecoles["0020813Y"]
    assert (jean_moulin.elementary, jean_moulin.classes, jean_moulin.teacher_fte) == (187, 8, 8.3)
    assert jean_moulin.kind == SchoolKind.ELEMENTAIRE
    assert calibration.ecoles["0020872M"].network == EducationNetwork.REP


def test_the_network_shares_are_those_of_the_sample(calibration):
    assert calibration.network_shares("02") == pytest.approx((15 / 93, 5 / 93))
    assert calibration.network_shares("95") == pytest.approx((8 / 90, 4 / 90))


def test_an_ecole_of_the_sample_keeps_its_real_figures(calibration):
    figures = calibration.figures_for(
        uai="0020813Y", departement="02", kind=SchoolKind.ELEMENTAIRE, seed=1
    )

    assert figures.is_real
    assert figures == calibration.ecoles["0020813Y"]


def test_an_ecole_outside_the_sample_draws_from_its_departement_and_type(calibration):
    pool = calibration.pool("95", SchoolKind.PRIMAIRE)
    assert {(e.departement, e.kind) for e in pool} == {("95", SchoolKind.PRIMAIRE)}

    drawn = calibration.figures_for(uai="0951234X", departement="95", kind="PRIMAIRE", seed=3)

    assert not drawn.is_real
    assert drawn == calibration.figures_for(
        uai="0951234X", departement="95", kind="PRIMAIRE", seed=3
    )
    biggest = max(e.pre_elementary + e.elementary for e in pool)
    assert 0 < drawn.pre_elementary + drawn.elementary <= biggest * 1.1 + 1
    assert drawn.classes >= 1


def test_a_missing_sample_is_one_sentence_naming_the_file_and_the_setting(tmp_path):
    with pytest.raises(DataFileError) as caught:
        load_calibration(tmp_path)

    assert str(caught.value) == (
        f"Fichier de données introuvable : {tmp_path / 'ecoles_1d_rentree2025_dep02_extrait.csv'} "
        "; vérifiez TNE_DATA_DIR (dossier des données ouvertes)."
    )


def test_a_sample_with_an_unreadable_value_names_the_file_and_the_line(tmp_path, calibration):
    source = demo_data_dir() / "ecoles_1d_rentree2025_dep02_extrait.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    cells = lines[1].split(";")
    cells[header.index("nombre_total_classes")] = "beaucoup"
    (tmp_path / source.name).write_text("\n".join([lines[0], ";".join(cells)]), encoding="utf-8")
    shutil.copy(demo_data_dir() / "ecoles_1d_rentree2025_dep95_extrait.csv", tmp_path)

    with pytest.raises(DataFileError, match=r"dep02_extrait\.csv \(ligne 2, valeur illisible"):
        load_calibration(tmp_path)
