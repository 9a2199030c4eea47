"""The map of a département's schools, drawn on the server: the commune outlines (IGN Admin
Express, ``DATA_DIR/geo``) and the schools as points coloured by kind, built as a Vega-Lite chart
with altair and rendered to an accessible SVG by :mod:`tne.core.charts`. The page inlines the
SVG: no JavaScript, no map tiles from a third-party host. Each point is a link to its school's
page (an ``<a>`` of the SVG, reached with the keyboard, named by its French description); a
kind is told by its shape and its colour (a palette safe for colour-blind readers), and the
legend is HTML under the map, so that it reflows on a phone.

Rendering takes about a second for Aisne's 800 communes, so the SVG is cached under a hash of
everything it is drawn from (département, outline file, the visible schools), not of the spec
(building it means loading the outlines): two users with the same scope share it, and any change
of the data gives a new key."""

import functools
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tne.core.charts import accessible_chart
from tne.core.data import missing_file_message, os_error_reason, unreadable_file_message
from tne.core.formats import fr_decimal

from .enums import SchoolKind
from .models import TerritoryNode

# Part of the cache key of a drawn map: change it when the spec-building code changes, so that
# the cache (shared, and kept across restarts) never serves a map drawn by older code.
DRAWING_VERSION = 3
WIDTH, HEIGHT = 640, 560
# Colour of each school kind: the Okabe-Ito palette, told apart with the common colour-vision
# deficiencies (no yellow: too pale on the outlines); and a shape per kind, so that colour is
# never the only cue. The shapes are SVG paths in a unit square (Vega scales them), drawn the
# same in the HTML legend.
KIND_COLOURS = {
    SchoolKind.MATERNELLE: "#CC79A7",
    SchoolKind.ELEMENTAIRE: "#0072B2",
    SchoolKind.PRIMAIRE: "#009E73",
    SchoolKind.COLLEGE: "#D55E00",
    SchoolKind.LYCEE_GT: "#000000",
    SchoolKind.LYCEE_PRO: "#E69F00",
    SchoolKind.LYCEE_POLY: "#56B4E9",
}
KIND_SHAPES = {
    SchoolKind.MATERNELLE: "M0,-1A1,1,0,1,1,0,1A1,1,0,1,1,0,-1Z",  # circle
    SchoolKind.ELEMENTAIRE: "M-0.9,-0.9H0.9V0.9H-0.9Z",  # square
    SchoolKind.PRIMAIRE: "M0,-1L1,0L0,1L-1,0Z",  # diamond
    SchoolKind.COLLEGE: "M0,-1L1,0.8H-1Z",  # triangle pointing up
    SchoolKind.LYCEE_GT: "M-0.35,-1H0.35V-0.35H1V0.35H0.35V1H-0.35V0.35H-1V-0.35H-0.35Z",  # cross
    SchoolKind.LYCEE_PRO: "M0,1L1,-0.8H-1Z",  # triangle pointing down
    SchoolKind.LYCEE_POLY: "M1,0L-0.8,1V-1Z",  # triangle pointing right
}
# vl-convert resolves the links against its own base URL: the links of the SVG are put back to
# the site's own paths.
_VEGA_LINK = re.compile(
    r'<a xlink:href="(?:https?://[^/"]+/vega-datasets/)?(/[^"]*)">'
    r'<path aria-label="([^"]*)" role="graphics-symbol"'
)
OUTLINE_FILL, OUTLINE_STROKE = "#f5f5fe", "#7b7b7b"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MapSchool:
    uai: str
    name: str
    kind: str
    ips: object
    url: str


@dataclass(frozen=True)
class CommuneSchools:
    name: str
    schools: list[MapSchool]


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    shape: str


@dataclass(frozen=True)
class SchoolMap:
    svg: SafeString | None
    has_outlines: bool
    school_count: int
    unlocated_count: int
    # The text alternative: the schools of each commune, with links.
    communes: list[CommuneSchools]
    legend: list[LegendEntry]
    shows_ips: bool

    def table_rows(self) -> SafeString:
        """The rows of the text alternative, in one pass: for the 800 schools of a
        département a template loop cost more than the rest of the page."""
        rows = []
        for commune in self.communes:
            for index, school in enumerate(commune.schools):
                head = ""
                if index == 0:
                    head = format_html(
                        '<th scope="rowgroup" rowspan="{}">{}</th>',
                        len(commune.schools),
                        commune.name,
                    )
                ips = ""
                if self.shows_ips:
                    shown = fr_decimal(school.ips) if school.ips is not None else "—"
                    ips = format_html('<td class="tne-num">{}</td>', shown)
                rows.append(
                    format_html(
                        '<tr>{}<td><a href="{}">{}</a></td><td>{}</td>{}</tr>',
                        head,
                        school.url,
                        school.name,
                        school.kind,
                        ips,
                    )
                )
        return mark_safe("".join(rows))


@functools.lru_cache(maxsize=16)
def _links(svg: str) -> str:
    """Each point's link as the site's path, named by the point's description (the path inside
    is then decorative), reachable with the keyboard; the root a group of links, not an image
    (an image hides what it holds from assistive technologies). Once per drawn map and process:
    the SVG weighs hundreds of kilobytes."""
    svg = _VEGA_LINK.sub(
        r'<a href="\1" aria-label="\2" class="tne-map-point"><path aria-hidden="true"', svg
    )
    return svg.replace('<svg role="img" ', '<svg role="group" ', 1)


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


def _points(rows, *, with_ips: bool, school_url: str) -> list[dict]:
    kinds = dict(SchoolKind.choices)
    points = []
    for uai, name, kind, ips, latitude, longitude, commune, commune_lat, commune_lon in rows:
        # Open data locates collèges only: the others stand at the centre of their commune.
        where = ""
        if latitude is None or longitude is None:
            latitude, longitude, where = commune_lat, commune_lon, " (centre de la commune)"
        if latitude is None or longitude is None:
            continue
        ips_text = ""
        if with_ips:
            ips_text = f" — IPS {fr_decimal(ips)}" if ips is not None else " — IPS non connu"
        points.append(
            {
                "lat": latitude,
                "lon": longitude,
                "kind": str(kinds.get(kind, kind)),
                "url": school_url.format(uai),
                "description": f"{name} ({uai}), {commune}{where} — {kinds.get(kind, kind)}"
                f"{ips_text}",
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
        kinds = [k for k in KIND_COLOURS if str(k.label) in present]
        domain = [str(k.label) for k in kinds]
        layers.append(
            alt.Chart(alt.Data(name="schools"), name="schools")
            .mark_point(size=40, filled=True, opacity=0.9, stroke="#ffffff", strokeWidth=0.6)
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                # The legend is HTML under the map (``legend_for``): none in the SVG.
                color=alt.Color(
                    "kind:N",
                    scale=alt.Scale(domain=domain, range=[KIND_COLOURS[k] for k in kinds]),
                    legend=None,
                ),
                shape=alt.Shape(
                    "kind:N",
                    scale=alt.Scale(domain=domain, range=[KIND_SHAPES[k] for k in kinds]),
                    legend=None,
                ),
                href="url:N",
                description="description:N",
            )
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT).project(type="mercator")
    spec = chart.configure_view(stroke=None).to_dict()
    spec["datasets"] = {"communes": list(features), "schools": points}
    return spec


def legend_for(kinds) -> list[LegendEntry]:
    """The HTML legend of the kinds shown: label, colour and shape."""
    return [
        LegendEntry(label=str(k.label), colour=KIND_COLOURS[k], shape=KIND_SHAPES[k])
        for k in KIND_COLOURS
        if k in kinds
    ]


def departement_school_map(
    *, departement: TerritoryNode, schools, with_ips: bool = True
) -> SchoolMap:
    """The map of ``schools`` (already narrowed to what the user may see) in ``departement``;
    their IPS in the points' descriptions and the list only ``with_ips``."""
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
    kinds = dict(SchoolKind.choices)
    # One reverse() for the page, not one per school (800 in Aisne).
    school_url = reverse("territory:school_detail", args=["UAI"]).replace("UAI", "{}")
    by_commune: dict[str, list[MapSchool]] = {}
    for uai, name, kind, ips, *_, commune, _lat, _lon in rows:
        by_commune.setdefault(commune, []).append(
            MapSchool(
                uai=uai,
                name=name,
                kind=str(kinds.get(kind, kind)),
                ips=ips if with_ips else None,
                url=school_url.format(uai),
            )
        )
    points = _points(rows, with_ips=with_ips, school_url=school_url)
    path = outline_file(departement.code)
    outlines = _outlines(path) if path else None
    if outlines is None:
        path = None
    features, mtime = outlines or ((), 0.0)
    svg = None
    if path or points:
        title = f"Carte des établissements — {departement}"
        description = (
            f"{len(points)} établissements représentés par des points dont la forme et la "
            "couleur disent le type"
            + (", sur le contour des communes." if path else " (pas de contour des communes).")
            + " Chaque point est un lien vers la fiche de l'établissement. La liste qui suit la"
            " carte donne les mêmes établissements, par commune."
        )
        chart = accessible_chart(
            lambda: _spec(features, points),
            title=title,
            description=description,
            columns=["Commune", "Établissements"],
            rows=[(name, len(found)) for name, found in by_commune.items()],
            figure_id="tne-map",
            cache_key=json.dumps([departement.code, str(path), mtime, points]),
            drawing_version=DRAWING_VERSION,
        )
        svg = mark_safe(_links(chart.svg))
    return SchoolMap(
        svg=svg,
        has_outlines=path is not None,
        school_count=len(rows),
        unlocated_count=len(rows) - len(points),
        communes=[CommuneSchools(name=name, schools=found) for name, found in by_commune.items()],
        legend=legend_for({row[2] for row in rows}),
        shows_ips=with_ips,
    )
