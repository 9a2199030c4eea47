"""The importers on small files made of real lines of the open data of data/."""

from decimal import Decimal

import pytest

from tests.factories import UserFactory
from tests.territory.helpers_importers import copy_with, fixture, table_counts
from tne.core.models import AuditAction, AuditEvent, AuditSource
from tne.core.rowerrors import ImportFileError
from tne.core.scope import Scope
from tne.territory.enums import EducationNetwork, NodeKind, SchoolKind, Sector
from tne.territory.importers import KINDS, detect_kind, import_file
from tne.territory.models import School, TerritoryNode

pytestmark = pytest.mark.django_db

FIXTURES = {
    "communes": "communes.csv",
    "ecoles_ips": "ips_ecoles.csv",
    "colleges_geoloc": "geoloc_colleges.csv",
    "colleges_effectifs": "dnb_colleges.csv",
    "colleges_ips": "ips_colleges.csv",
    "lycees_ips": "ips_lycees.csv",
}


def node(kind, code):
    return TerritoryNode.objects.get(kind=kind, code=code)


def import_all():
    for kind, name in FIXTURES.items():
        import_file(fixture(name), kind)


@pytest.mark.parametrize(("kind", "name"), FIXTURES.items())
def test_the_kind_of_a_file_is_recognised_from_its_header(kind, name):
    assert detect_kind(fixture(name)) == kind


def test_the_national_dnb_file_with_quoted_header_is_recognised():
    assert detect_kind(fixture("dnb_colleges_national.csv")) == "colleges_effectifs"


def test_a_file_of_another_kind_is_refused_with_its_name(tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")

    with pytest.raises(ImportFileError, match=r"autre.csv, ligne 1 : type de fichier non reconnu"):
        import_file(path)


def test_the_communes_file_builds_the_tree_with_materialised_paths():
    report = import_file(fixture("communes.csv"))

    assert (report.kind, report.rows, report.created, report.updated) == ("communes", 3, 3, 0)
    laon = node(NodeKind.COMMUNE, "02408")
    assert (laon.name, laon.latitude, laon.longitude) == ("Laon", 49.567892, 3.621172)
    assert laon.path == "/FR/R32/A20/D02/C02408/"
    assert laon.depth == 4
    chain = [laon.parent.parent.parent.parent, laon.parent.parent.parent, laon.parent.parent]
    assert [n.name for n in [*chain, laon.parent]] == [
        "France",
        "Hauts-de-France",
        "Amiens",
        "Aisne",
    ]
    assert laon.browse_path == "/FR/R32/A20/D02/"
    assert node(NodeKind.COMMUNE, "95127").path == "/FR/R11/A25/D95/C95127/"
    assert node(NodeKind.REGION, "11").name == "Île-de-France"
    assert not node(NodeKind.DEPARTEMENT, "02").is_pilot
    assert TerritoryNode.objects.count() == 1 + 2 + 2 + 2 + 3


def test_reimporting_communes_updates_their_name_and_centre(tmp_path):
    import_file(fixture("communes.csv"))
    changed = copy_with(tmp_path, "communes.csv", {"Laon;02;49.567892": "Laon-Ville;02;49.5"})

    report = import_file(changed)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert node(NodeKind.COMMUNE, "02408").name == "Laon-Ville"
    assert node(NodeKind.COMMUNE, "02408").latitude == 49.5


def test_ecoles_are_created_with_kind_sector_ips_and_their_territory():
    report = import_file(fixture("ips_ecoles.csv"))

    assert (report.kind, report.rows, report.created) == ("ecoles_ips", 6, 6)
    kinds = dict(School.objects.values_list("uai", "kind"))
    assert kinds == {
        "0021602F": SchoolKind.PRIMAIRE,
        "0950957Z": SchoolKind.ELEMENTAIRE,
        "0020981F": SchoolKind.PRIMAIRE,
        "0022029V": SchoolKind.PRIMAIRE,
        "0022061E": SchoolKind.ELEMENTAIRE,
        "0011022F": SchoolKind.MATERNELLE,
    }
    school = School.objects.get(uai="0020981F")
    assert school.name == "ECOLE PRIMAIRE LOUISE MACAULT 2"
    assert (school.sector, school.ips, school.ips_year) == (
        Sector.PUBLIC,
        Decimal("87.8"),
        "2021-2022",
    )
    assert school.commune.code == "02408"
    assert school.owner == school.commune
    assert (school.departement.code, school.academie.code, school.region.code) == ("02", "20", "32")
    assert School.objects.get(uai="0021602F").sector == Sector.PRIVATE


def test_without_the_communes_file_communes_come_from_the_school_file():
    import_file(fixture("ips_ecoles.csv"))

    laon = node(NodeKind.COMMUNE, "02408")
    assert laon.name == "LAON"
    assert laon.parent == node(NodeKind.DEPARTEMENT, "02")
    assert node(NodeKind.COMMUNE, "01364").path == "/FR/R84/A10/D01/C01364/"
    assert node(NodeKind.ACADEMIE, "10").name == "Lyon"


def test_schools_use_the_communes_already_imported_and_keep_their_names():
    import_file(fixture("communes.csv"))
    import_file(fixture("ips_ecoles.csv"))

    assert School.objects.get(uai="0020981F").commune.name == "Laon"
    assert TerritoryNode.objects.filter(kind=NodeKind.COMMUNE, code="02408").count() == 1


def test_an_existing_tree_is_reused_and_its_pilot_flags_kept(tree):
    nodes_before = TerritoryNode.objects.count()

    report = import_file(fixture("ips_ecoles.csv"))

    school = School.objects.get(uai="0020981F")
    assert school.commune == tree.laon
    assert (school.departement, school.academie, school.region) == (
        tree.aisne,
        tree.amiens,
        tree.hdf,
    )
    tree.aisne.refresh_from_db()
    assert tree.aisne.is_pilot
    # Charmes and Crouy in Aisne; the Ain and its académie, région and commune.
    assert report.nodes_created == TerritoryNode.objects.count() - nodes_before == 2 + 4


def test_colleges_come_from_the_geoloc_file_with_bom_address_and_coordinates():
    report = import_file(fixture("geoloc_colleges.csv"))

    assert (report.kind, report.created) == ("colleges_geoloc", 4)
    college = School.objects.get(uai="0020090M")
    assert college.name == "Collège Charlemagne"
    assert college.kind == SchoolKind.COLLEGE
    assert (college.address, college.postcode) == ("171 rue Léon Blum", "02012")
    assert college.latitude == pytest.approx(49.56229507810586)
    assert college.longitude == pytest.approx(3.6408502326688725)
    assert college.owner == college.departement == node(NodeKind.DEPARTEMENT, "02")
    assert college.commune.name == "Laon"
    assert School.objects.get(uai="0020471B").sector == Sector.PRIVATE


def test_dnb_file_sets_rep_flags_pupils_per_level_and_ips_where_missing():
    import_file(fixture("geoloc_colleges.csv"))

    report = import_file(fixture("dnb_colleges.csv"))

    assert (report.kind, report.rows, report.created, report.updated) == (
        "colleges_effectifs",
        4,
        0,
        3,
    )
    assert report.skipped == ["0021598B"]
    charlemagne = School.objects.get(uai="0020090M")
    assert charlemagne.education_network == EducationNetwork.REP_PLUS
    assert charlemagne.pupils_by_level == {
        "6E": 160,
        "5E": 163,
        "4E": 185,
        "3E": 150,
        "SEGPA": 59,
        "ULIS_COLLEGE": 13,
    }
    assert (charlemagne.ips, charlemagne.ips_std, charlemagne.ips_year) == (
        Decimal("77.4"),
        Decimal("28.4"),
        "2020-2021",
    )
    assert School.objects.get(uai="0020471B").education_network == EducationNetwork.NONE
    assert not School.objects.filter(uai="0021598B").exists()


def test_the_national_dnb_file_with_quotes_and_decimal_commas_is_read():
    import_file(fixture("geoloc_colleges.csv"))

    report = import_file(fixture("dnb_colleges_national.csv"))

    assert report.updated == 2
    assert School.objects.get(uai="0020471B").ips == Decimal("114.1")


def test_dnb_file_does_not_overwrite_a_more_recent_ips():
    import_file(fixture("geoloc_colleges.csv"))
    import_file(fixture("ips_colleges.csv"))

    import_file(fixture("dnb_colleges.csv"))

    charlemagne = School.objects.get(uai="0020090M")
    assert (charlemagne.ips, charlemagne.ips_std, charlemagne.ips_year) == (
        Decimal("75.0"),
        Decimal("25.3"),
        "2023-2024",
    )
    assert charlemagne.education_network == EducationNetwork.REP_PLUS


def test_college_ips_updates_known_colleges_and_reports_the_unknown_ones():
    import_file(fixture("geoloc_colleges.csv"))

    report = import_file(fixture("ips_colleges.csv"))

    assert (report.rows, report.created, report.updated, report.unchanged) == (5, 0, 4, 0)
    assert report.skipped == ["0952010U"]
    assert report.as_dict()["skipped"] == 1
    college = School.objects.get(uai="0951617S")
    assert (college.ips, college.ips_std, college.ips_year) == (
        Decimal("88.0"),
        Decimal("28.1"),
        "2023-2024",
    )
    assert not School.objects.filter(uai="0952010U").exists()


def test_a_file_never_changes_a_school_of_another_kind(tmp_path):
    import_file(fixture("ips_ecoles.csv"))
    path = copy_with(tmp_path, "ips_colleges.csv", {"2023;0021685W;": "2023;0020981F;"})

    report = import_file(path)

    assert "0020981F" in report.skipped
    assert School.objects.get(uai="0020981F").ips == Decimal("87.8")


def test_lycees_are_created_with_their_type_and_owned_by_the_region():
    report = import_file(fixture("ips_lycees.csv"))

    assert report.created == 4
    kinds = dict(School.objects.values_list("uai", "kind"))
    assert kinds == {
        "0020078Z": SchoolKind.LYCEE_PRO,
        "0951637N": SchoolKind.LYCEE_GT,
        "0021872Z": SchoolKind.LYCEE_GT,
        "0020034B": SchoolKind.LYCEE_POLY,
    }
    lycee = School.objects.get(uai="0020034B")
    assert lycee.ips == Decimal("100.1")
    assert lycee.owner == lycee.region == node(NodeKind.REGION, "32")
    assert School.objects.get(uai="0021872Z").sector == Sector.PRIVATE


def test_importing_every_file_twice_changes_nothing_and_writes_no_second_audit_event():
    import_all()
    counts = table_counts()
    stamps = dict(School.objects.values_list("uai", "updated_at"))

    reports = [import_file(fixture(name), kind) for kind, name in FIXTURES.items()]

    assert [(r.created, r.updated) for r in reports] == [(0, 0)] * len(FIXTURES)
    assert [r.unchanged for r in reports] == [3, 6, 4, 3, 4, 4]
    assert sum(r.nodes_created for r in reports) == 0
    assert table_counts() == counts
    assert dict(School.objects.values_list("uai", "updated_at")) == stamps


def test_each_created_or_changed_school_gets_one_audit_event_with_its_changes(tmp_path):
    user = UserFactory()
    import_file(fixture("ips_ecoles.csv"), actor=user)

    created = AuditEvent.objects.get(object_id=str(School.objects.get(uai="0020981F").pk))
    assert (created.action, created.source, created.actor) == (
        AuditAction.CREATE,
        AuditSource.CLI,
        user,
    )
    assert created.changes["ips"] == [None, "87.8"]
    assert created.changes["name"] == ["", "ECOLE PRIMAIRE LOUISE MACAULT 2"]
    assert created.changes["commune_id"] == [None, School.objects.get(uai="0020981F").commune_id]
    assert AuditEvent.objects.count() == 6

    changed = copy_with(
        tmp_path,
        "ips_ecoles.csv",
        {"LOUISE MACAULT 2;02408;LAON;public;87.8": "LOUISE MACAULT 2;02408;LAON;public;90,0"},
    )
    report = import_file(changed, source=AuditSource.IMPORT)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    update = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert update.changes == {"ips": ["87.8", "90.0"]}
    assert update.source == AuditSource.IMPORT
    assert AuditEvent.objects.count() == 7


def test_a_bad_line_fails_naming_file_line_and_column_and_writes_nothing(tmp_path):
    import_file(fixture("communes.csv"))
    import_file(fixture("geoloc_colleges.csv"))
    bad = copy_with(
        tmp_path,
        "ips_ecoles.csv",
        {
            "LOUISE MACAULT 2;02408;LAON;public;87.8": "LOUISE MACAULT 2;02408;LAON;public;n.c.",
            "0022029V": "0022029W",
        },
        rename="ips_ecoles_mauvais.csv",
    )
    counts = table_counts()

    with pytest.raises(ImportFileError) as caught:
        import_file(bad)

    errors = [(e.file, e.line, e.column) for e in caught.value.errors]
    assert errors == [
        ("ips_ecoles_mauvais.csv", 4, "IPS"),
        ("ips_ecoles_mauvais.csv", 5, "UAI"),
    ]
    message = str(caught.value)
    assert "rien n'a été enregistré" in message
    assert "ips_ecoles_mauvais.csv, ligne 4, colonne « IPS » : « n.c. » n'est pas un nombre" in (
        message
    )
    assert "ligne 5, colonne « UAI »" in message and "lettre de contrôle" in message
    assert table_counts() == counts


@pytest.mark.parametrize(
    ("replace", "line", "column", "message"),
    [
        ({"AISNE;0022029V": "AISNE;0022029V;extra"}, 5, "n° 11", "11 colonnes au lieu de 10"),
        ({";02243;CROUY;": ";99243;CROUY;"}, 5, "Code INSEE de la commune", "« 99 »"),
        ({"002;AISNE;0022029V": "099;AISNE;0022029V"}, 5, "Code du département", "inconnu"),
        ({"0022029V": "0020981F"}, 5, "UAI", "figure déjà ligne 4"),
        ({"CROUY;public": "CROUY;associatif"}, 5, "Secteur", "secteur « associatif »"),
        ({"GROUPE SCOLAIRE DE CROUY": ""}, 5, "Nom de l'établissment", "valeur manquante"),
        ({"CROUY;public;91.4": "CROUY;public;"}, 5, "IPS", "IPS manquant"),
    ],
)
def test_each_bad_value_is_an_error_with_its_line_and_column(
    tmp_path, replace, line, column, message
):
    bad = copy_with(tmp_path, "ips_ecoles.csv", replace)

    with pytest.raises(ImportFileError) as caught:
        import_file(bad)

    (error,) = caught.value.errors
    assert (error.file, error.line, error.column) == ("ips_ecoles.csv", line, column)
    assert message in error.message
    assert School.objects.count() == 0
    assert TerritoryNode.objects.count() == 0


def test_a_missing_column_is_an_error_before_any_line_is_read(tmp_path):
    bad = copy_with(tmp_path, "ips_lycees.csv", {"type_de_lycee": "type"})

    with pytest.raises(ImportFileError) as caught:
        import_file(bad, "lycees_ips")

    assert [(e.line, e.column) for e in caught.value.errors] == [(1, "type_de_lycee")]


def test_reading_stops_after_fifty_errors(tmp_path):
    lines = fixture("ips_colleges.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "ips.csv"
    path.write_text("\n".join([lines[0]] + ["2023;0021685W;abc;1.0"] * 80) + "\n", "utf-8")

    with pytest.raises(ImportFileError) as caught:
        import_file(path)

    assert len(caught.value.errors) == 50
    assert "au moins 50 erreurs" in str(caught.value)
    assert str(caught.value).count("\n- ") == 11  # ten errors and the rest counted


def test_a_commune_placed_in_another_departement_is_imported_with_a_warning(tmp_path):
    path = copy_with(
        tmp_path,
        "ips_ecoles.csv",
        {
            "2021-2022;LYON;001;AIN;0011022F;ECOLE MATERNELLE;01364;SAINT JEAN SUR REYSSOUZE;"
            "public;108.0": "2021-2022;GUADELOUPE;971;GUADELOUPE;9710341U;ECOLE PRIMAIRE "
            "GUSTAVIA;97701;SAINT BARTHELEMY;public;109.5"
        },
    )

    report = import_file(path)

    school = School.objects.get(uai="9710341U")
    assert school.departement.code == "977"
    assert school.academie.name == "Guadeloupe"
    assert report.warnings == [
        "ips_ecoles.csv, ligne 7, colonne « Code du département » : la commune 97701 est du "
        "département 977, non 971 : l'établissement est rattaché au 977."
    ]


def test_a_dry_run_counts_everything_and_writes_nothing():
    counts = table_counts()

    report = import_file(fixture("ips_ecoles.csv"), dry_run=True)

    assert (report.created, report.dry_run) == (6, True)
    assert report.nodes_created > 0
    assert table_counts() == counts


def test_an_unknown_kind_is_refused():
    with pytest.raises(ImportFileError, match="type « ecoles » inconnu"):
        import_file(fixture("ips_ecoles.csv"), "ecoles")


def test_a_file_of_the_wrong_kind_names_the_missing_columns():
    with pytest.raises(ImportFileError) as caught:
        import_file(fixture("ips_colleges.csv"), "lycees_ips")

    assert ("ips_colleges.csv", 1, "uai") in [
        (e.file, e.line, e.column) for e in caught.value.errors
    ]


def test_every_kind_has_a_fixture_and_a_french_label():
    assert set(KINDS) == set(FIXTURES)
    assert all(importer.label for importer in KINDS.values())


def test_a_school_that_moves_to_another_commune_leaves_its_circonscription(tmp_path):
    import_file(fixture("ips_ecoles.csv"))
    laon = node(NodeKind.COMMUNE, "02408")
    circonscription = TerritoryNode.objects.create(
        kind=NodeKind.CIRCONSCRIPTION,
        code="0201",
        name="Circonscription de Laon",
        parent=laon.parent,
        path=TerritoryNode.path_for(NodeKind.CIRCONSCRIPTION, "0201", laon.parent),
        depth=4,
    )
    School.objects.filter(uai="0020981F").update(circonscription=circonscription)
    moved = copy_with(
        tmp_path,
        "ips_ecoles.csv",
        {"MACAULT 2;02408;LAON": "MACAULT 2;02165;CHARMES"},
    )

    import_file(moved)

    school = School.objects.get(uai="0020981F")
    assert school.commune.code == "02165"
    assert school.circonscription is None


def test_the_communes_file_is_for_national_steering_only():
    with pytest.raises(ImportFileError, match="réservés au pilotage national"):
        import_file(fixture("communes.csv"), scope=Scope(school_grants=(("departement_id", 1),)))
    assert not TerritoryNode.objects.exists()
