"""The real open-data files of the two pilot départements (data/opendata/dep02_dep95)."""

import pytest
from django.conf import settings

from tests.territory.helpers_importers import table_counts
from tne.core.models import AuditEvent
from tne.demo.loader import DEMO_FILES as PILOT_FILES
from tne.territory.enums import EducationNetwork, NodeKind, SchoolKind, Sector
from tne.territory.importers import import_file
from tne.territory.models import School, TerritoryNode

pytestmark = pytest.mark.django_db


def pilot(name):
    return settings.DATA_DIR / "opendata" / "dep02_dep95" / name


def test_the_pilot_files_give_825_ecoles_227_colleges_and_100_lycees():
    reports = {name: import_file(pilot(name)) for name in PILOT_FILES}

    assert School.objects.first_degree().count() == 825
    assert School.objects.filter(kind=SchoolKind.COLLEGE).count() == 227
    assert School.objects.filter(kind__in=SchoolKind.lycees()).count() == 100
    assert School.objects.count() == 825 + 227 + 100
    assert {r.kind for r in reports.values()} == {
        "communes",
        "ecoles_ips",
        "colleges_geoloc",
        "colleges_effectifs",
        "colleges_ips",
        "lycees_ips",
    }
    # The two collèges of the brevet and IPS files missing from the collèges file are skipped.
    assert reports["dnb_effectifs_ips_rep_colleges_2021_dep02_dep95.csv"].skipped == [
        "0020479K",
        "0952010U",
    ]
    assert sorted(reports["ips_colleges_2023_dep02_dep95.csv"].skipped) == [
        "0020479K",
        "0952010U",
    ]
    assert TerritoryNode.objects.filter(kind=NodeKind.COMMUNE).count() == 988
    assert TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT).count() == 2
    assert School.objects.filter(education_network=EducationNetwork.REP_PLUS).count() == 11
    # 18 private collèges of 02/95 are « hors contrat » (contract type 10), outside the programme.
    assert School.objects.filter(sector=Sector.PRIVATE_NO_CONTRACT).count() == 18
    # Every school's links follow its commune up the tree.
    for school in School.objects.select_related("commune__parent__parent"):
        assert school.departement_id == school.commune.parent_id
        assert school.academie_id == school.commune.parent.parent_id
        assert school.region_id == school.commune.parent.parent.parent_id
    assert not any(r.warnings for r in reports.values())


def test_reimporting_the_pilot_files_changes_nothing():
    for name in PILOT_FILES:
        import_file(pilot(name))
    counts = table_counts()
    events = AuditEvent.objects.count()

    reports = [import_file(pilot(name)) for name in PILOT_FILES]

    assert [(r.created, r.updated) for r in reports] == [(0, 0)] * len(PILOT_FILES)
    assert table_counts() == counts
    assert AuditEvent.objects.count() == events


def test_an_imported_school_is_found_by_its_name_and_its_towns_name():
    for name in PILOT_FILES:
        import_file(pilot(name))

    berny = School.objects.get(uai="0020098W")  # ECOLE PRIMAIRE, Berny-Rivière

    assert berny.search_name == "ECOLE PRIMAIRE BERNY RIVIERE"
    assert School.objects.filter(search_name__contains="BERNY RIVIERE").count() >= 1
