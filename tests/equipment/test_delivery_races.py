"""Two delivery imports at once on PostgreSQL: the order lines are locked from their check to the
commit, so two files against one order line cannot deliver more than it ordered; the asset tags
come from a sequence, so two imports on two orders never give the same tag."""

import threading

import pytest
from django.db import connection

from tests.equipment.delivery_helpers import committed_order, write
from tne.core.rowerrors import ImportFileError
from tne.equipment.models import Asset, OrderLine
from tne.equipment.services.deliveries import import_deliveries

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The in-memory SQLite test database (shared cache) raises « table is locked » "
        "instead of waiting.",
    ),
    pytest.mark.django_db(transaction=True),
]


def _at_once(calls) -> list[object]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


def _rows(prefix, count, order="CMD-2026-001"):
    return [f"{prefix}-{i};ASUS-BR1100;{order};20/11/2026" for i in range(count)]


def test_two_files_racing_for_the_last_units_of_an_order_line_deliver_it_once(tree, tmp_path):
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 10),))
    first = write(tmp_path, _rows("A", 6), name="a.csv")
    second = write(tmp_path, _rows("B", 6), name="b.csv")

    outcomes = _at_once(
        [
            lambda: import_deliveries(table_or_path=first),
            lambda: import_deliveries(table_or_path=second),
        ]
    )

    refused = [o for o in outcomes if isinstance(o, ImportFileError)]
    assert len(refused) == 1, outcomes
    assert "serait dépassée" in refused[0].errors[0].message
    assert OrderLine.objects.get().delivered == 6
    assert Asset.objects.count() == 6


def test_two_imports_on_two_orders_at_once_get_distinct_tags(tree, tmp_path):
    committed_order(tree.aisne, number="CMD-A", lines=(("ASUS-BR1100", 300),))
    committed_order(tree.aisne, number="CMD-B", lines=(("ASUS-BR1100", 300),))
    first = write(tmp_path, _rows("A", 300, "CMD-A"), name="a.csv")
    second = write(tmp_path, _rows("B", 300, "CMD-B"), name="b.csv")

    outcomes = _at_once(
        [
            lambda: import_deliveries(table_or_path=first),
            lambda: import_deliveries(table_or_path=second),
        ]
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    tags = list(Asset.objects.values_list("asset_tag", flat=True))
    assert len(tags) == len(set(tags)) == 600
