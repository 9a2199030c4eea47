"""The asset list at national scale (issue 7: under 50 ms at 1,000,000 devices): on a register
loaded by ``bench/equipment_register_data.sql`` (100 départements, 50,000 schools, 1,000,000
devices), the page ``equipment:asset_list`` through Django's test client (middleware, scope,
view, template), for national steering, a technician of one département, and a school head,
unfiltered, filtered by state and school, and searched by the beginning of a serial number or a
tag; and the API list. Prints each median (wall clock, and this process's CPU), its queries, and
the plan of the page's main query.

    PGPASSWORD=tne psql -h 127.0.0.1 -U tne tne_reg -f bench/equipment_register_data.sql
    DEBUG=1 DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_reg \\
        .venv/bin/python bench/equipment_register.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tne.accounts.models import User  # noqa: E402
from tne.accounts.roles import grant_role  # noqa: E402
from tne.core.roles import Role  # noqa: E402
from tne.equipment.models import Asset  # noqa: E402
from tne.territory.models import School, TerritoryNode  # noqa: E402

RUNS = 15
HOST = "127.0.0.1"


def person(email, role, target):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
        grant_role(user=user, role=role, target=target)
    return user


def main() -> None:
    total = Asset.objects.count()
    if total < 900_000:
        raise SystemExit(f"{total} matériels : chargez d'abord bench/equipment_register_data.sql.")
    country = TerritoryNode.objects.get(path="/FR/")
    departement = TerritoryNode.objects.get(kind="DEPARTEMENT", code="B07")
    school = School.objects.filter(departement=departement).order_by("uai").first()
    sample = Asset.objects.filter(school=school).order_by("pk").first()
    serial, state = sample.serial_number, sample.state
    people = {
        "national": person("banc-national@example.org", Role.NATIONAL, country),
        "technicien B07": person("banc-technicien@example.org", Role.TECHNICIAN, departement),
        "direction": person("banc-direction@example.org", Role.SCHOOL_HEAD, school),
    }
    scenarios = [
        ("national", "", {}),
        ("national", "état + école (UAI)", {"etat": state, "ecole": school.uai}),
        ("national", "état seul", {"etat": "IN_REPAIR"}),
        ("national", "n° de série (préfixe)", {"q": serial[:8].lower()}),
        ("national", "n° d'inventaire (préfixe)", {"q": "tne-00012"}),
        ("national", "page suivante", {"etat": "INSTALLED", "apres": "TNE-0500000"}),
        ("technicien B07", "", {}),
        ("technicien B07", "état + école (id)", {"etat": state, "ecole": str(school.pk)}),
        ("technicien B07", "n° de série (préfixe)", {"q": serial[:8]}),
        ("direction", "", {}),
    ]
    print(
        f"{total:,} matériels ; {len(os.sched_getaffinity(0))} cœurs ; {RUNS} essais".replace(
            ",", "\u202f"
        )
    )
    for who, label, params in scenarios:
        client = Client(HTTP_HOST=HOST)
        client.force_login(people[who])
        client.get("/equipement/materiels/", params)  # warm-up
        walls, cpus = [], []
        for _ in range(RUNS):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get("/equipement/materiels/", params)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as captured:
            client.get("/equipement/materiels/", params)
        rows = response.content.decode().count('<tr id="asset-')
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(
            f"- {who:15} {label or 'sans filtre':28} médiane {statistics.median(walls):6.1f} ms "
            f"(CPU {statistics.median(cpus):5.1f} ms), {len(captured)} requêtes SQL "
            f"({sql_ms:.1f} ms), {rows} lignes"
        )
        if os.environ.get("EXPLAIN"):
            main_query = max(captured.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + main_query["sql"])
                print("    " + "\n    ".join(row[0] for row in cursor.fetchall()))
    client = Client(HTTP_HOST=HOST)
    client.force_login(people["technicien B07"])
    walls = []
    for _ in range(RUNS):
        wall = time.perf_counter()
        assert client.get("/api/v1/equipment/assets", {"state": "INSTALLED"}).status_code == 200
        walls.append((time.perf_counter() - wall) * 1000)
    print(f"- API technicien B07 state=INSTALLED : médiane {statistics.median(walls):.1f} ms")


if __name__ == "__main__":
    main()
