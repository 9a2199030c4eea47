from decimal import Decimal

import pytest

from tests.factories import SchoolFactory, node
from tne.demo.calibration import load_calibration
from tne.demo.loader import demo_data_dir
from tne.territory.enums import NodeKind, SchoolKind, Sector
from tne.territory.validators import uai_check_letter


@pytest.fixture
def fast_passwords(settings, tmp_path):
    """A throw-away VAR_DIR for the demo logins file (tests/conftest.py sets a cheap hasher)."""
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def calibration():
    return load_calibration(demo_data_dir())


# (code, name, latitude, longitude) of the communes of the small territory, besides the tree's.
AISNE_COMMUNES = [
    ("02408", "Laon", 49.56, 3.62),
    ("02722", "Soissons", 49.38, 3.32),
    ("02691", "Saint-Quentin", 49.85, 3.29),
    ("02168", "Château-Thierry", 49.05, 3.40),
    ("02381", "Hirson", 49.92, 4.08),
    ("02810", "Villers-Cotterêts", 49.25, 3.09),
]
VDO_COMMUNES = [
    ("95127", "Cergy", 49.04, 2.06),
    ("95500", "Pontoise", 49.05, 2.10),
    ("95018", "Argenteuil", 48.95, 2.25),
    ("95585", "Sarcelles", 48.99, 2.38),
]


def free_uai(departement: str, number: int) -> str:
    """A valid UAI that no file of data/ uses (numbers 9000-9999)."""
    digits = f"0{departement}{9000 + number}"
    return digits + uai_check_letter(digits)


@pytest.fixture
def small_territory(tree):
    """The factory tree with located communes, 18 écoles in Aisne (one private), 8 in
    Val-d'Oise, three collèges (one without pupils per level) and three lycées."""
    return build_small_territory(tree)


def build_small_territory(tree):
    """What ``small_territory`` makes (callable from a fixture of a wider scope)."""
    communes = {}
    for departement, rows in ((tree.aisne, AISNE_COMMUNES), (tree.vdo, VDO_COMMUNES)):
        for code, name, lat, lon in rows:
            commune = node(NodeKind.COMMUNE, code, name, departement)
            commune.latitude, commune.longitude = lat, lon
            commune.save(update_fields=["latitude", "longitude"])
            communes[code] = commune
    aisne = [communes[row[0]] for row in AISNE_COMMUNES]
    vdo = [communes[row[0]] for row in VDO_COMMUNES]
    for i in range(18):
        SchoolFactory(
            uai=free_uai("02", i),
            commune=aisne[i % len(aisne)],
            kind=SchoolKind.PRIMAIRE if i % 2 else SchoolKind.ELEMENTAIRE,
            sector=Sector.PRIVATE if i == 17 else Sector.PUBLIC,
            ips=Decimal(70 + 3 * i),
        )
    for i in range(8):
        SchoolFactory(
            uai=free_uai("95", i),
            commune=vdo[i % len(vdo)],
            kind=SchoolKind.ELEMENTAIRE,
            ips=Decimal(80 + i),
        )
    pupils = {"6E": 130, "5E": 120, "4E": 110, "3E": 105, "SEGPA": 60, "ULIS_COLLEGE": 11}
    SchoolFactory(commune=aisne[0], kind=SchoolKind.COLLEGE, pupils_by_level=pupils)
    SchoolFactory(commune=vdo[0], kind=SchoolKind.COLLEGE, pupils_by_level={"6E": 80, "5E": 75})
    SchoolFactory(commune=vdo[1], kind=SchoolKind.COLLEGE, pupils_by_level={})
    for kind, commune in (
        (SchoolKind.LYCEE_GT, aisne[0]),
        (SchoolKind.LYCEE_PRO, aisne[1]),
        (SchoolKind.LYCEE_POLY, vdo[0]),
    ):
        SchoolFactory(commune=commune, kind=kind)
    return tree
