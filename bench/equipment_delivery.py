"""The delivery import at scale: a supplier file of 100,000 devices, checked and written in one
go (issue 7: under 10 s). Creates what it needs (a node, a committed order on an envelope of the
M5 measure with one line per model, the models), writes the file, times
``import_deliveries`` three times (each run on a fresh order; the devices
of the earlier runs stay in the register, as they would)
and prints the median::

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tne.equipment.services.deliveries import import_deliveries

    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            order, models = _setup(run, args.rows)
            path = _write_file(Path(folder), order, models, args.rows)
            started, cpu = time.perf_counter(), time.process_time()
            result = import_deliveries(table_or_path=path)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert result.created == args.rows
            seconds.append(elapsed)
            # The CPU time of this process (on SQLite, all the work; on PostgreSQL, without the
            # server's): what the import costs when the machine is shared.
            print(
                f"run {run + 1}: {args.rows} lines in {elapsed:.2f} s ({cpu:.2f} s of CPU here)",
                flush=True,
            )
    load = os.getloadavg()[0]
    print(
        f"(load average {load:.1f} on {os.cpu_count()} cores) "
        f"{connection.vendor}: delivery import of {args.rows} lines, median of {args.runs} runs: "
        f"{statistics.median(seconds):.2f} s"
    )


if __name__ == "__main__":
    main()
