"""An import within a scope (a coordinator's, from the UI): the rows about schools outside it are
left out and reported, a row that moves a school across its edge is refused."""

import pytest

from tests.factories import SchoolFactory
from tests.territory.helpers_importers import copy_with, fixture, table_counts
from tne.core.models import AuditEvent
from tne.core.rowerrors import ImportFileError
from tne.core.scope import Scope
from tne.territory.enums import NodeKind, SchoolKind
from tne.territory.importers import import_file
from tne.territory.models import School, TerritoryNode

pytestmark = pytest.mark.django_db


def only(node) -> Scope:
    return Scope(school_grants=(("departement_id", node.pk),))


def test_the_rows_outside_the_scope_are_reported_and_not_written(tree):
    report = import_file(fixture("ips_ecoles.csv"), scope=only(tree.aisne))

    # Line 3 is a Val-d'Oise école, line 7 one of the Ain: the four others are of the Aisne.
    assert report.out_of_scope == [(3, "0950957Z"), (7, "0011022F")]
    assert (report.rows, report.created, report.skipped) == (6, 4, [])
    assert set(School.objects.values_list("departement__code", flat=True)) == {"02"}
    assert AuditEvent.objects.count() == 4
    # Only the communes of the rows written are created: Charmes and Crouy, not the Ain.
    assert report.nodes_created == 2
    assert not TerritoryNode.objects.filter(code__in=["01", "01364"]).exists()
    assert report.as_dict()["out_of_scope"] == 2
    assert report.as_dict()["out_of_scope_first"] == "0950957Z (ligne 3), 0011022F (ligne 7)"


def test_a_scoped_import_twice_changes_nothing_and_reports_the_same_rows(tree):
    import_file(fixture("ips_ecoles.csv"), scope=only(tree.aisne))
    before, events = table_counts(), AuditEvent.objects.count()

    again = import_file(fixture("ips_ecoles.csv"), scope=only(tree.aisne))

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert len(again.out_of_scope) == 2
    assert table_counts() == before and AuditEvent.objects.count() == events


def test_a_row_changing_a_school_outside_the_scope_is_not_written(tree, tmp_path):
    import_file(fixture("ips_ecoles.csv"))  # national
    changed = copy_with(
        tmp_path, "ips_ecoles.csv", {"ECOLE ELEMENTAIRE LE VILLAGE": "ECOLE ELEMENTAIRE RENOMMEE"}
    )

    report = import_file(changed, scope=only(tree.aisne))

    assert (report.updated, report.unchanged) == (0, 4)
    assert report.out_of_scope == [(3, "0950957Z"), (7, "0011022F")]
    assert School.objects.get(uai="0950957Z").name == "ECOLE ELEMENTAIRE LE VILLAGE"


def test_a_file_with_no_row_in_the_scope_is_refused_whole(tree):
    before = table_counts()

    with pytest.raises(ImportFileError) as caught:
        import_file(fixture("ips_ecoles.csv"), scope=Scope(school_grants=(("pk", -1),)))

    assert [str(error) for error in caught.value.errors] == [
        "ips_ecoles.csv : Aucune ligne de ce fichier ne concerne votre périmètre : 6\xa0lignes sur "
        "des établissements qui en sont hors (la première : 0021602F, ligne 2)."
    ]
    assert table_counts() == before


def test_a_row_moving_a_school_of_the_scope_out_of_it_is_an_error(tree, tmp_path):
    laon = SchoolFactory(uai="0020981F", commune=tree.laon)
    moved = copy_with(
        tmp_path, "ips_ecoles.csv", {"MACAULT 2;02408;LAON": "MACAULT 2;95500;PONTOISE"}
    )
    before = table_counts()

    with pytest.raises(ImportFileError) as caught:
        import_file(moved, scope=only(tree.aisne))

    assert [(e.file, e.line, e.column) for e in caught.value.errors] == [
        ("ips_ecoles.csv", 4, "Code INSEE de la commune")
    ]
    assert caught.value.errors[0].message == (
        "cette ligne déplacerait l'établissement 0020981F hors de votre périmètre : seul un "
        "compte dont le périmètre couvre les deux communes peut importer ce changement."
    )
    assert table_counts() == before
    laon.refresh_from_db()
    assert laon.commune == tree.laon


def test_a_row_bringing_a_school_into_the_scope_is_an_error(tree, tmp_path):
    SchoolFactory(uai="0950957Z", commune=tree.cergy)
    moved = copy_with(
        tmp_path, "ips_ecoles.csv", {"LE VILLAGE;95127;CERGY": "LE VILLAGE;02408;LAON"}
    )

    with pytest.raises(ImportFileError) as caught:
        import_file(moved, scope=only(tree.aisne))

    error = caught.value.errors[0]
    assert (error.line, error.column) == (3, "Code INSEE de la commune")
    assert "ferait entrer dans votre périmètre l'établissement 0950957Z, qui en est hors" in str(
        error
    )
    assert not School.objects.filter(departement=tree.aisne).exists()


def test_a_move_within_the_scope_is_imported(tree, tmp_path):
    SchoolFactory(uai="0020981F", commune=tree.laon)
    moved = copy_with(
        tmp_path, "ips_ecoles.csv", {"MACAULT 2;02408;LAON": "MACAULT 2;02722;SOISSONS"}
    )

    report = import_file(moved, scope=only(tree.aisne))

    assert report.updated == 1
    assert School.objects.get(uai="0020981F").commune == tree.soissons


def test_an_enriching_file_reports_known_colleges_outside_the_scope(tree):
    SchoolFactory(uai="0021685W", commune=tree.laon, kind=SchoolKind.COLLEGE, ips=None)
    SchoolFactory(uai="0951617S", commune=tree.cergy, kind=SchoolKind.COLLEGE, ips=None)

    report = import_file(fixture("ips_colleges.csv"), scope=only(tree.aisne))

    assert report.updated == 1
    assert report.out_of_scope == [(5, "0951617S")]
    # The collèges unknown here are skipped, in the scope or not: nothing tells where they are.
    assert sorted(report.skipped) == ["0020090M", "0020471B", "0952010U"]
    assert School.objects.get(uai="0951617S").ips is None


def test_a_coordinator_of_the_aisne_imports_the_real_two_departement_ips_file(settings):
    pilot = settings.DATA_DIR / "opendata" / "dep02_dep95"
    import_file(pilot / "geoloc_colleges_dep02_dep95.csv")  # national: the collèges of 02 and 95
    aisne = TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="02")
    in_file = [line.split(";")[1] for line in (pilot / "ips_colleges_2023_dep02_dep95.csv").open()]

    report = import_file(pilot / "ips_colleges_2023_dep02_dep95.csv", scope=only(aisne))

    known_vdo = set(School.objects.filter(departement__code="95").values_list("uai", flat=True))
    assert sorted(uai for _, uai in report.out_of_scope) == sorted(known_vdo & set(in_file))
    assert len(report.out_of_scope) > 100
    assert report.updated == School.objects.filter(departement=aisne, uai__in=in_file).count() > 50
    assert report.rows == report.updated + len(report.out_of_scope) + len(report.skipped)
    assert not School.objects.filter(departement__code="95", ips__isnull=False).exists()
