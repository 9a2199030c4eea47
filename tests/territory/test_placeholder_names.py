"""The rule telling an open-data placeholder from a school name, applied by the importers and by
the data migration to the schools already imported."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings

from tests.factories import SchoolFactory
from tne.territory.importers import import_file
from tne.territory.models import School
from tne.territory.placeholders import name_needs_review


@pytest.mark.parametrize(
    "name",
    [
        "A COMPLETER",
        "A COMPLETER (JEAN ZAY)",
        "à compléter",
        "A Compléter ",
        "À-COMPLÉTER",
        "17 RUE DE LA MAIRIE",
        "1 bis rue Charles de Gaulle",
        "3 AVENUE DE PARIS",
        "12 place du Marché",
        "5 chemin des Vignes",
        "2 BD GAMBETTA",
        "40 boulevard Victor Hugo",
        "8 route de Laon",
        "6 allée des Tilleuls",
        "",
    ],
)
def test_a_placeholder_or_an_address_needs_review(name):
    assert name_needs_review(name)


@pytest.mark.parametrize(
    "name",
    [
        "ECOLE ELEMENTAIRE JEAN MOULIN",
        "École de la rue Haute",
        "Collège du 8 mai 1945",
        "ECOLE PRIMAIRE 2",
        "Groupe scolaire 17 rues",
        "Compléter",
    ],
)
def test_a_real_name_does_not_need_review(name):
    assert not name_needs_review(name)


@pytest.mark.django_db
def test_the_pilot_file_of_ecoles_flags_its_ten_placeholder_names():
    path = settings.DATA_DIR / "opendata" / "dep02_dep95"
    import_file(path / "communes_dep02_dep95_2018_centroides.csv")
    import_file(path / "ips_ecoles_2021-2022_dep02_dep95.csv")

    flagged = dict(School.objects.filter(name_needs_review=True).values_list("uai", "name"))

    assert sorted(flagged.values()) == [
        "17 RUE DE LA MAIRIE",
        *["A COMPLETER"] * 7,
        "A COMPLETER (JEAN MACE)",
        "A COMPLETER (JEAN ZAY)",
    ]
    assert School.objects.filter(name_needs_review=False).count() > 700


@pytest.mark.django_db
def test_a_corrected_name_is_no_longer_flagged_on_the_next_import(tmp_path, tree):
    path = settings.DATA_DIR / "opendata" / "dep02_dep95"
    import_file(path / "communes_dep02_dep95_2018_centroides.csv")
    source = (path / "ips_ecoles_2021-2022_dep02_dep95.csv").read_text(encoding="utf-8")
    import_file(path / "ips_ecoles_2021-2022_dep02_dep95.csv")
    corrected = tmp_path / "ips_ecoles_2021-2022_dep02_dep95.csv"
    corrected.write_text(
        source.replace("0022074U;A COMPLETER", "0022074U;ECOLE PRIMAIRE DU CENTRE"),
        encoding="utf-8",
    )

    import_file(corrected)

    assert not School.objects.get(uai="0022074U").name_needs_review
    assert School.objects.filter(name_needs_review=True).count() == 9


@pytest.mark.django_db
def test_the_data_migration_flags_the_schools_already_imported(tree):
    placeholder = SchoolFactory(commune=tree.laon, name="A COMPLETER")
    address = SchoolFactory(commune=tree.laon, name="17 RUE DE LA MAIRIE")
    named = SchoolFactory(commune=tree.laon, name="École Jean Macé")
    migration = importlib.import_module("tne.territory.migrations.0007_school_name_needs_review")

    migration.flag_placeholder_names(apps, None)

    flagged = set(School.objects.filter(name_needs_review=True).values_list("pk", flat=True))
    assert flagged == {placeholder.pk, address.pk}
    assert named.pk not in flagged
