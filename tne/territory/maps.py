"""The map of a département's schools, drawn on the server: the commune outlines (IGN Admin
Express, ``DATA_DIR/geo``) and the schools as points coloured by kind, built as a Vega-Lite chart
with altair and rendered to an accessible SVG by :mod:`tne.core.charts`. The page inlines the
SVG: no JavaScript, no map tiles from a third-party host.

Rendering takes about a second for Aisne's 800 communes, so the SVG is cached under a hash of
everything it is drawn from (département, outline file, the visible schools), not of the spec
(building it means loading the outlines): two users with the same scope share it, and any change
of the data gives a new key."""

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString

from tne.core.charts import accessible_chart
from tne.core.data import missing_file_message, os_error_reason, unreadable_file_message
from tne.core.formats import fr_decimal

from .enums import SchoolKind
from .models import TerritoryNode

# Part of the cache key of a drawn map: change it when the spec-building code changes, so that
# the cache (shared, and kept across restarts) never serves a map drawn by older code.
DRAWING_VERSION = 2
WIDTH, HEIGHT = 640, 560
# Colour of each school kind: DSFR illustrative colours, dark enough against the outlines.
KIND_COLOURS = {
    SchoolKind.MATERNELLE: "#a558a0",
    SchoolKind.ELEMENTAIRE: "#000091",
    SchoolKind.PRIMAIRE: "#00795f",
    SchoolKind.COLLEGE: "#b34000",
    SchoolKind.LYCEE_GT: "#ce0500",
    SchoolKind.LYCEE_PRO: "#465f9d",
    SchoolKind.LYCEE_POLY: "#66673d",
}
OUTLINE_FILL, OUTLINE_STROKE = "#f5f5fe", "#7b7b7b"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommuneCount:
    name: str
    schools: int


@dataclass(frozen=True)
class SchoolMap:
    svg: SafeString | None
    has_outlines: bool
    school_count: int
    unlocated_count: int
    communes: list[CommuneCount]


def outline_file(code: str) -> Path | None:
    """The commune outlines of département ``code`` (``geo_communes-02-aisne.geojson``). Only
    some départements have one; a missing ``geo`` folder is a wrong setting, and is logged."""
    folder = Path(settings.DATA_DIR) / "geo"
    if not folder.is_dir():
        logger.error(missing_file_message(folder / f"geo_communes-{code}-*.geojson"))
        return None
    matches = sorted(folder.glob(f"geo_communes-{code}-*.geojson"))
    return matches[0] if matches else None


def _outlines(path: Path) -> tuple[tuple[dict, ...], float] | None:
    """(features, modification time) of an outline file; None, logged, when it cannot be read:
    the page then shows the schools without outlines instead of failing."""
    try:
        mtime = path.stat().st_mtime
        return _load_features(str(path), mtime), mtime
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = os_error_reason(exc) if isinstance(exc, OSError) else "GeoJSON illisible"
        logger.error(unreadable_file_message(path, reason))
        return None


@functools.lru_cache(maxsize=8)
def _load_features(path: str, mtime: float) -> tuple[dict, ...]:
    with open(path, encoding="utf-8") as stream:
        return tuple(json.load(stream)["features"])


def _points(rows) -> list[dict]:
    kinds = dict(SchoolKind.choices)
    points = []
    for uai, name, kind, ips, latitude, longitude, commune, commune_lat, commune_lon in rows:
        # Open data locates collèges only: the others stand at the centre of their commune.
        where = ""
        if latitude is None or longitude is None:
            latitude, longitude, where = commune_lat, commune_lon, " (centre de la commune)"
        if latitude is None or longitude is None:
            continue
        ips_text = f"IPS {fr_decimal(ips)}" if ips is not None else "IPS non connu"
        points.append(
            {
                "lat": latitude,
                "lon": longitude,
                "kind": str(kinds.get(kind, kind)),
                "description": f"{name} ({uai}), {commune}{where} — {kinds.get(kind, kind)}"
                f" — {ips_text}",
            }
        )
    return points


def _spec(features, points: list[dict]) -> dict:
    """The Vega-Lite spec. The data goes in as named datasets after altair built the chart:
    altair walks and copies inline values, which takes seconds for 800 commune outlines."""
    import altair as alt

    layers = []
    if features:
        layers.append(
            alt.Chart(alt.Data(name="communes"), name="communes").mark_geoshape(
                fill=OUTLINE_FILL, stroke=OUTLINE_STROKE, strokeWidth=0.4, aria=False
            )
        )
    if points:
        present = {p["kind"] for p in points}
        domain = [str(k.label) for k in KIND_COLOURS if str(k.label) in present]
        colours = [KIND_COLOURS[k] for k in KIND_COLOURS if str(k.label) in present]
        layers.append(
            alt.Chart(alt.Data(name="schools"), name="schools")
            .mark_circle(size=28, opacity=0.85, stroke="#ffffff", strokeWidth=0.5)
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                color=alt.Color(
                    "kind:N",
                    title="Type d'établissement",
                    scale=alt.Scale(domain=domain, range=colours),
                    legend=alt.Legend(
                        orient="bottom",
                        columns=3,
                        labelLimit=300,
                        labelFontSize=13,
                        titleFontSize=14,
                        symbolSize=120,
                        # Vega describes legends in English; the figure's own French title and
                        # description say what the map shows.
                        aria=False,
                    ),
                ),
                description="description:N",
            )
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT).project(type="mercator")
    spec = chart.configure_view(stroke=None).to_dict()
    spec["datasets"] = {"communes": list(features), "schools": points}
    return spec


def departement_school_map(*, departement: TerritoryNode, schools) -> SchoolMap:
    """The map of ``schools`` (already narrowed to what the user may see) in ``departement``."""
    rows = list(
        schools.order_by("commune__search_name", "search_name").values_list(
            "uai",
            "name",
            "kind",
            "ips",
            "latitude",
            "longitude",
            "commune__name",
            "commune__latitude",
            "commune__longitude",
        )
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[6]] = counts.get(row[6], 0) + 1
    points = _points(rows)
    path = outline_file(departement.code)
    outlines = _outlines(path) if path else None
    if outlines is None:
        path = None
    features, mtime = outlines or ((), 0.0)
    svg = None
    if path or points:
        title = f"Carte des établissements — {departement}"
        description = (
            f"{len(points)} établissements représentés par des points colorés selon leur type"
            + (", sur le contour des communes." if path else " (pas de contour des communes).")
            + " Le tableau qui suit la carte donne le nombre d'établissements par commune."
        )
        chart = accessible_chart(
            lambda: _spec(features, points),
            title=title,
            description=description,
            columns=["Commune", "Établissements"],
            rows=list(counts.items()),
            figure_id="tne-map",
            cache_key=json.dumps([departement.code, str(path), mtime, points]),
            drawing_version=DRAWING_VERSION,
        )
        svg = chart.svg
    return SchoolMap(
        svg=svg,
        has_outlines=path is not None,
        school_count=len(rows),
        unlocated_count=len(rows) - len(points),
        communes=[CommuneCount(name=name, schools=n) for name, n in counts.items()],
    )
