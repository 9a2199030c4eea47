"""The label sheet of 1,000 asset tags (issue 7: under 10 s): 1,000 devices of a school, the
sheet rendered by the job's own function (``render_labels``: the query of the devices, the QR
codes, WeasyPrint, the Document stored with its hash) on the 3 × 8 layout, five times after a
warm-up; prints the median wall-clock and CPU time, and the pages. Everything is written in a
transaction rolled back at the end, the PDF files in a temporary directory.

    DEBUG=1 DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_reg \\
        .venv/bin/python bench/equipment_labels.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.synthetic import node  # noqa: E402
from tne.accounts.models import User  # noqa: E402
from tne.accounts.roles import grant_role  # noqa: E402
from tne.core.roles import Role  # noqa: E402
from tne.equipment.labels import LAYOUTS, render_labels  # noqa: E402
from tne.equipment.models import Asset, Category, DeviceModel  # noqa: E402
from tne.territory.enums import NodeKind, SchoolKind, Sector  # noqa: E402
from tne.territory.models import School  # noqa: E402

COUNT = 1000
RUNS = 5
LAYOUT = "3x8"


class Rollback(Exception):
    pass


def fixtures():
    country = node(NodeKind.COUNTRY, "FR", "France")
    region = node(NodeKind.REGION, "LB", "Région des étiquettes", country)
    academie = node(NodeKind.ACADEMIE, "LB", "Académie des étiquettes", region)
    departement = node(NodeKind.DEPARTEMENT, "LB", "Département des étiquettes", academie)
    commune = node(NodeKind.COMMUNE, "LB001", "Commune des étiquettes", departement)
    school = School.objects.create(
        uai="9990001L",
        name="École élémentaire Jean Jaurès",
        search_name="ECOLE ELEMENTAIRE JEAN JAURES",
        kind=SchoolKind.ELEMENTAIRE,
        sector=Sector.PUBLIC,
        region=region,
        academie=academie,
        departement=departement,
        commune=commune,
        owner=commune,
    )
    model = DeviceModel.objects.create(
        category=Category.objects.get(code="laptop"),
        maker="Fabricant",
        reference="LBL-BENCH-1",
        name="Ordinateur portable 14 pouces",
        unit_price=749,
    )
    Asset.objects.bulk_create(
        Asset(
            serial_number=f"LBLSN{n:07d}",
            asset_tag=f"LBL-{n:07d}",
            model=model,
            state="INSTALLED",
            school=school,
        )
        for n in range(COUNT)
    )
    user = User.objects.create_user(email="banc-etiquettes@example.org", password=None)
    grant_role(user=user, role=Role.NATIONAL, target=country)
    ids = list(Asset.objects.filter(asset_tag__startswith="LBL-").values_list("pk", flat=True))
    return user, ids


def run(*, runs: int = RUNS) -> dict:
    """Times ``runs`` renderings of the sheet after a warm-up, everything rolled back. Returns
    ``label``, ``seconds`` (the median wall clock), ``cpu_seconds`` and ``pages``."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    walls, cpus, pages = [], [], 0
    media_root = settings.MEDIA_ROOT
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        try:
            with transaction.atomic():
                user, ids = fixtures()
                assert len(ids) == COUNT, len(ids)
                render_labels(user=user, asset_ids=ids, layout_code=LAYOUT)  # warm-up
                for _ in range(runs):
                    wall, cpu = time.perf_counter(), time.process_time()
                    document = render_labels(user=user, asset_ids=ids, layout_code=LAYOUT)
                    walls.append(time.perf_counter() - wall)
                    cpus.append(time.process_time() - cpu)
                    pages = document.pages
                raise Rollback
        except Rollback:
            pass
        finally:
            settings.MEDIA_ROOT = media_root
    return {
        "label": f"Planche de 1\u202f000 étiquettes ({LAYOUTS[LAYOUT].label}, {pages} pages)",
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "runs": [round(w, 2) for w in walls],
        "pages": pages,
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    result = run()
    walls = result["runs"]
    layout = LAYOUTS[LAYOUT].label
    print(f"Planche de {COUNT} étiquettes, {layout}, {result['pages']} pages, {RUNS} essais")
    print(f"base : {connection.vendor} ; cœurs : {len(os.sched_getaffinity(0))}")
    print(
        f"médiane : {result['seconds']:.2f} s (horloge), "
        f"{result['cpu_seconds']:.2f} s (CPU du processus) ; "
        f"min {min(walls):.2f} s, max {max(walls):.2f} s"
    )


if __name__ == "__main__":
    main()
