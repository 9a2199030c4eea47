"""A focused benchmark of the loans dashboard (``loans:dashboard``, M6) on PostgreSQL at national
scale, without the national files: 100 départements of 350 communes and 450 schools each (45,000
schools), 600,000 pupils with a declared need and 500,000 loans at every stage (offered,
accepted, active — some overdue —, closed after a return, a loss or a theft, declined), the
devices lent (attached to order lines) and some in stock. One département, « L00 », holds a
fifth of the loans (100,000: the case of a département that lends far more than the others);
the 99 others about 4,000 each. Times the selector and the page, national and per département,
the warm chart cached (the first drawing of a chart costs about a second, once).

    DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_dash DEBUG=1 PYTHONPATH=. \\
        python bench/loans_dashboard.py

The database must be migrated; the synthetic rows (codes starting with « L ») are written once
with ``COPY`` and kept."""

import datetime
import os
import random
import sys
import time

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.synthetic import copy_rows, median_ms, territory  # noqa: E402
from tne.accounts.roles import grant_role  # noqa: E402
from tne.core.roles import Role  # noqa: E402
from tne.equipment.models import Category, DeviceModel, Order, OrderLine, Supplier  # noqa: E402
from tne.loans.selectors.dashboards import equipped_pupils, node_dashboard  # noqa: E402
from tne.loans.services import tallies  # noqa: E402
from tne.programme.models import Envelope, Measure  # noqa: E402
from tne.territory.enums import NodeKind  # noqa: E402
from tne.territory.models import School, TerritoryNode  # noqa: E402

DEPARTEMENTS, COMMUNES, SCHOOLS = 100, 350, 450
PUPILS, LOANS, HEAVY_LOANS = 600_000, 500_000, 100_000
STOCK_PER_DEPARTEMENT = 300


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0]


def load():
    country = TerritoryNode.objects.filter(kind=NodeKind.COUNTRY, code="FR").first()
    if School.objects.filter(uai__startswith="L00").exists():
        return country
    started = time.perf_counter()
    country, made = territory(
        "L",
        departements=DEPARTEMENTS,
        communes=COMMUNES,
        schools=SCHOOLS,
        label="de banc des prêts",
    )
    schools_by_dep = [(dep, [school.pk for school in schools]) for dep, schools in made]
    rng = random.Random(6)
    now = timezone.now()
    today = timezone.localdate()
    tablet = Category.objects.get(code="tablet")
    model = DeviceModel.objects.create(
        category=tablet, maker="Banc", reference="BANC-TAB", name="Tablette de banc", unit_price=329
    )
    m6 = Measure.objects.get(code="M6")
    lines = []
    for dep, _ in schools_by_dep:
        envelope = Envelope.objects.create(measure=m6, node=dep, amount=2_000_000)
        order = Order.objects.create(
            envelope=envelope,
            number=f"BANC-{dep.code}",
            supplier=Supplier.objects.get_or_create(name="Banc")[0],
            ordered_on=today,
        )
        lines.append(
            OrderLine.objects.create(order=order, model=model, quantity=10_000, unit_price=299)
        )
    # The loans per département: a fifth in L00, the rest spread.
    per_dep = [HEAVY_LOANS] + [(LOANS - HEAVY_LOANS) // (DEPARTEMENTS - 1)] * (DEPARTEMENTS - 1)
    per_dep[-1] += LOANS - sum(per_dep)
    pupil_id, asset_id, loan_id = (
        _max_id("loans_pupil"),
        _max_id("equipment_asset"),
        _max_id("loans_loan"),
    )
    pupils, needs, assets, loans = [], [], [], []
    statuses = (
        [("OFFERED", "")] * 10
        + [("ACCEPTED", "")] * 5
        + [("ACTIVE", "")] * 60
        + [("CLOSED", "RETURNED")] * 17
        + [("CLOSED", "LOST")] * 2
        + [("CLOSED", "STOLEN")] * 1
        + [("DECLINED", "")] * 5
    )
    for (dep, school_ids), n_loans in zip(schools_by_dep, per_dep, strict=True):
        n_pupils = int(n_loans * PUPILS / LOANS)
        for i in range(n_pupils):
            pupil_id += 1
            school = school_ids[i % len(school_ids)]
            pupils.append((pupil_id, school, f"L{pupil_id:07d}", "CM1", now, now))
            needs.append((pupil_id, "NONE", None, "MOBILE", today, now))
            if i >= n_loans:
                continue
            status, outcome = rng.choice(statuses)
            asset = None
            if status in ("ACTIVE", "CLOSED"):
                asset_id += 1
                asset = asset_id
                state = {"ACTIVE": "LENT", "RETURNED": "IN_STOCK", "LOST": "LOST"}.get(
                    status if status == "ACTIVE" else outcome, "STOLEN"
                )
                assets.append(
                    (
                        asset_id,
                        f"LSN{asset_id:09d}",
                        f"L{asset_id:09d}",
                        model.pk,
                        state,
                        school,
                        lines[int(dep.code[1:])].pk,
                        "MANUAL",
                        "",
                        now,
                        now,
                    )
                )
            due = today + datetime.timedelta(days=rng.randint(-20, 200))
            loan_id += 1
            loans.append(
                (
                    loan_id,
                    pupil_id,
                    school,
                    tablet.pk,
                    asset,
                    status,
                    outcome,
                    "",
                    "",
                    0,
                    now,
                    now if status in ("ACTIVE", "CLOSED") else None,
                    due if status == "ACTIVE" else None,
                    now if status == "CLOSED" else None,
                    now,
                )
            )
        for k in range(STOCK_PER_DEPARTEMENT):
            asset_id += 1
            assets.append(
                (
                    asset_id,
                    f"LSN{asset_id:09d}",
                    f"L{asset_id:09d}",
                    model.pk,
                    "IN_STOCK",
                    school_ids[k % len(school_ids)],
                    None,
                    "MANUAL",
                    "",
                    now,
                    now,
                )
            )
    copy_rows(
        "loans_pupil", ["id", "school_id", "code", "level", "created_at", "updated_at"], pupils
    )
    copy_rows(
        "loans_needdeclaration",
        [
            "pupil_id",
            "devices_at_home",
            "shared_with",
            "internet_at_home",
            "declared_on",
            "updated_at",
        ],
        needs,
    )
    copy_rows(
        "equipment_asset",
        [
            "id",
            "serial_number",
            "asset_tag",
            "model_id",
            "state",
            "school_id",
            "order_line_id",
            "source",
            "note",
            "created_at",
            "updated_at",
        ],
        assets,
    )
    copy_rows(
        "loans_loan",
        [
            "id",
            "pupil_id",
            "school_id",
            "category_id",
            "asset_id",
            "status",
            "outcome",
            "return_condition",
            "return_note",
            "reminders_sent",
            "offered_at",
            "handed_out_at",
            "due_on",
            "closed_at",
            "updated_at",
        ],
        loans,
    )
    with connection.cursor() as cursor:
        for table in ("loans_pupil", "equipment_asset", "loans_loan"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )

    tallies.recount()  # the dashboards' per-school figures, as the services keep them
    with connection.cursor() as cursor:
        for table in (
            "loans_schoolloantally",
            "loans_pupil",
            "loans_needdeclaration",
            "equipment_asset",
            "loans_loan",
            "territory_school",
            "territory_territorynode",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"données écrites en {time.perf_counter() - started:.0f} s")
    return country


def main():
    from django.contrib.auth import get_user_model

    country = load()
    User = get_user_model()
    national = User.objects.filter(email="banc-prets-national@example.org").first()
    if national is None:
        national = User.objects.create_user(email="banc-prets-national@example.org")
        grant_role(user=national, role=Role.NATIONAL, target=country)
    from tne.loans.models import Loan

    print(
        f"{School.objects.filter(uai__startswith='L').count()} écoles, {Loan.objects.count()} prêts"
    )
    places = [
        ("national", country),
        ("département L00 (100 000 prêts)", TerritoryNode.objects.get(code="L00")),
        ("département L42 (≈ 4 000 prêts)", TerritoryNode.objects.get(code="L42")),
        ("commune L00000", TerritoryNode.objects.get(code="L00000")),
    ]
    for label, where in places:
        ms = median_ms(lambda w=where: node_dashboard(national, node=w))
        with CaptureQueriesContext(connection) as queries:
            node_dashboard(national, node=where)
        print(f"node_dashboard {label} : médiane {ms:.1f} ms, {len(queries)} requêtes")
    ms = median_ms(lambda: equipped_pupils(national))
    print(f"compteur M6 national : médiane {ms:.1f} ms")
    client = Client(SERVER_NAME="localhost")
    client.force_login(national)
    for label, where in places:
        url = f"/prets/tableau-de-bord/?node={where.pk}"
        assert client.get(url).status_code == 200
        ms = median_ms(lambda u=url: client.get(u))
        print(f"page {label} : médiane {ms:.1f} ms")
    if "--explain" in sys.argv:
        explain(national, places[1][1])


def explain(user, where):
    with CaptureQueriesContext(connection) as queries:
        node_dashboard(user, node=where)
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print("-" * 100)
            print(query["sql"][:400])
            print(plan)


if __name__ == "__main__":
    main()
