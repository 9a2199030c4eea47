"""The delivery import at scale: a supplier file of 100,000 devices, checked and written in one
go (issue 7: under 10 s). Creates what it needs (a node, a committed order on an envelope of the
M5 measure with one line per model, the models), writes the file, times
``import_deliveries`` three times (each run on a fresh order, whose devices are removed after
it unless ``--keep``) and prints the median::

    DEBUG=1 DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_bench \\
        .venv/bin/python bench/equipment_delivery.py
    DEBUG=1 DATABASE_URL=sqlite:///var/bench-delivery.sqlite3 \\
        .venv/bin/python bench/equipment_delivery.py

``--rows N`` changes the size of the file, ``--runs N`` the number of runs. The database is
migrated first."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")

MODELS = 8


def _setup(run: int, rows: int):
    from tne.equipment.enums import OrderStatus
    from tne.equipment.models import Category, DeviceModel, Order, OrderLine, Supplier
    from tne.programme.models import Envelope, Measure
    from tne.territory.enums import NodeKind
    from tne.territory.models import TerritoryNode

    node = TerritoryNode.objects.filter(kind=NodeKind.COUNTRY).first()
    if node is None:
        node = TerritoryNode.objects.create(
            kind=NodeKind.COUNTRY,
            code="FR",
            name="France",
            path=TerritoryNode.path_for(NodeKind.COUNTRY, "FR", None),
        )
    measure = Measure.objects.get(code="M5")
    envelope = Envelope.objects.filter(node=node, measure=measure, period=None).first()
    if envelope is None:
        envelope = Envelope.objects.create(node=node, measure=measure, amount=Decimal("1e11"))
    laptop = Category.objects.get(code="laptop")
    models = [
        DeviceModel.objects.get_or_create(
            reference=f"BENCH-{i}",
            defaults={
                "category": laptop,
                "maker": "Bench",
                "name": f"Portable {i}",
                "unit_price": Decimal("749.00"),
                "warranty_months": 36,
            },
        )[0]
        for i in range(MODELS)
    ]
    supplier, _ = Supplier.objects.get_or_create(name="UGAP")
    order = Order.objects.create(
        number=f"BENCH-{run}-{time.time_ns()}",
        supplier=supplier,
        envelope=envelope,
        status=OrderStatus.COMMITTED,
    )
    for model in models:
        OrderLine.objects.create(
            order=order, model=model, quantity=rows // MODELS + 1, unit_price=model.unit_price
        )
    return order, models


def _write_file(folder: Path, order, models, rows: int) -> Path:
    path = folder / f"livraison-{order.pk}.csv"
    lines = ["numero_serie;reference_modele;numero_commande;date_livraison"]
    lines += [
        f"B{order.pk}-{i:07d};{models[i % MODELS].reference};{order.number};20/11/2026"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _remove(order) -> None:
    """What a run wrote (its devices, their history, its order), by SQL: the national bench
    keeps its register at 1,000,002 devices from one run to the next."""
    from django.db import connection, transaction

    from tne.equipment.models import Asset, AssetEvent, Order, OrderLine

    lines = f"SELECT id FROM {OrderLine._meta.db_table} WHERE order_id = %s"
    assets = f"SELECT id FROM {Asset._meta.db_table} WHERE order_line_id IN ({lines})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {AssetEvent._meta.db_table} WHERE asset_id IN ({assets})", [order.pk]
        )
        cursor.execute(
            f"DELETE FROM {Asset._meta.db_table} WHERE order_line_id IN ({lines})", [order.pk]
        )
        cursor.execute(f"DELETE FROM {OrderLine._meta.db_table} WHERE order_id = %s", [order.pk])
        cursor.execute(f"DELETE FROM {Order._meta.db_table} WHERE id = %s", [order.pk])


def run(*, rows: int = 100_000, runs: int = 3, keep: bool = False, say=print) -> dict:
    """Times ``runs`` imports of a file of ``rows`` lines (Django set up, database migrated);
    ``keep``: the devices stay in the register (else each run's are removed after it).
    Returns ``label``, ``seconds`` (the median) and the detail of the runs."""
    from django.db import connection

    from tne.equipment.services.deliveries import import_deliveries

    seconds, cpus = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run_number in range(runs):
            order, models = _setup(run_number, rows)
            path = _write_file(Path(folder), order, models, rows)
            started, cpu = time.perf_counter(), time.process_time()
            result = import_deliveries(table_or_path=path)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert result.created == rows, (result.created, rows)
            seconds.append(elapsed)
            cpus.append(cpu)
            # The CPU time of this process (on SQLite, all the work; on PostgreSQL, without the
            # server's): what the import costs when the machine is shared.
            say(f"run {run_number + 1}: {rows} lines in {elapsed:.2f} s ({cpu:.2f} s of CPU here)")
            if not keep:
                _remove(order)
    if not keep and connection.vendor == "postgresql":
        # The dead rows would otherwise sit at the start of the tag index (generated tags sort
        # before the others) and slow the first page of the register until autovacuum passes.
        from tne.equipment.models import Asset, AssetEvent

        with connection.cursor() as cursor:
            for model in (Asset, AssetEvent):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return {
        "label": f"Import d'un fichier de livraison de {rows:,} lignes".replace(",", "\u202f"),
        "seconds": statistics.median(seconds),
        "cpu_seconds": statistics.median(cpus),
        "runs": [round(s, 2) for s in seconds],
        "load": round(os.getloadavg()[0], 1),
        "vendor": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--keep", action="store_true", help="garde les matériels importés dans le registre"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = run(rows=args.rows, runs=args.runs, keep=args.keep)
    print(
        f"(load average {result['load']:.1f} on {os.cpu_count()} cores) "
        f"{result['vendor']}: delivery import of {args.rows} lines, median of {args.runs} runs: "
        f"{result['seconds']:.2f} s"
    )


if __name__ == "__main__":
    main()
