"""What the focused benchmarks share, without the national files: the territory's nodes (all of
them), a synthetic territory of départements, communes and elementary schools under one région
and one académie (``deployment_progress.py``, ``loans_dashboard.py``), rows written with
PostgreSQL ``COPY``, and the median of a timed call. Import it after ``django.setup()``."""

import statistics
import time

from django.db import connection

from tne.territory.enums import NodeKind, SchoolKind, Sector
from tne.territory.models import School, TerritoryNode


def node(kind, code, name, parent=None):
    """The node of ``kind`` and ``code``, created under ``parent`` the first time."""
    return TerritoryNode.objects.get_or_create(
        kind=kind,
        code=code,
        defaults={
            "name": name,
            "search_name": name.upper(),
            "parent": parent,
            "path": TerritoryNode.path_for(kind, code, parent),
            "depth": parent.depth + 1 if parent else 0,
        },
    )[0]


def territory(
    prefix: str, *, departements: int, communes: int, schools: int, label: str = "de banc"
) -> tuple[TerritoryNode, list[tuple[TerritoryNode, list[School]]]]:
    """The country, and ``departements`` départements (codes ``<prefix>00``…) of ``communes``
    communes and ``schools`` elementary schools each (UAI ``<prefix>DDSSSSX``, spread over the
    communes, each owned by its commune), under the région and the académie ``<prefix>1``.
    Returns the country and, per département, its schools."""
    country = node(NodeKind.COUNTRY, "FR", "France", None)
    region = node(NodeKind.REGION, f"{prefix}1", f"Région {label}", country)
    academie = node(NodeKind.ACADEMIE, f"{prefix}1", f"Académie {label}", region)
    made = []
    for d in range(departements):
        dep = node(NodeKind.DEPARTEMENT, f"{prefix}{d:02d}", f"Département {d}", academie)
        in_dep = TerritoryNode.objects.bulk_create(
            TerritoryNode(
                kind=NodeKind.COMMUNE,
                code=f"{prefix}{d:02d}{c:03d}",
                name=f"Commune {d}-{c}",
                search_name=f"COMMUNE {d} {c:03d}",
                parent=dep,
                path=TerritoryNode.path_for(NodeKind.COMMUNE, f"{prefix}{d:02d}{c:03d}", dep),
                depth=dep.depth + 1,
            )
            for c in range(communes)
        )
        made.append(
            (
                dep,
                School.objects.bulk_create(
                    School(
                        uai=f"{prefix}{d:02d}{s:04d}X",
                        name=f"École {d}-{s}",
                        search_name=f"ECOLE {d} {s}",
                        kind=SchoolKind.ELEMENTAIRE,
                        sector=Sector.PUBLIC,
                        region=region,
                        academie=academie,
                        departement=dep,
                        commune=in_dep[s % communes],
                        owner=in_dep[s % communes],
                    )
                    for s in range(schools)
                ),
            )
        )
    return country, made


def copy_rows(table: str, columns: list[str], rows) -> None:
    """``rows`` into ``table`` by PostgreSQL ``COPY``."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def median_ms(func, runs: int = 21) -> float:
    """The median duration of ``func()`` in milliseconds over ``runs`` calls, after one."""
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
