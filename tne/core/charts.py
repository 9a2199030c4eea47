"""Charts drawn on the server: a Vega-Lite spec (an altair chart or a dict) rendered to SVG by
vl-convert, made accessible, cached, and shown with a data table as its alternative. No
JavaScript, nothing from a third-party host.

    chart = accessible_chart(
        alt.Chart(alt.Data(values=rows)).mark_bar().encode(x="kind:N", y="n:Q"),
        title="Établissements par type",
        description="Diagramme en barres : nombre d'établissements de chaque type.",
        columns=["Type", "Établissements"],
        rows=[("Écoles", 12), ("Collèges", 3)],
        figure_id="schools-by-kind",
    )
    {% include "core/includes/chart.html" with chart=chart %}

The SVG is one image for assistive technologies (``role="img"``) named by the French title and
described by the French description; Vega's own English texts (role descriptions such as
« group mark container », the descriptions of axes and legends) are left out. A mark that has a
description (the Vega-Lite ``description`` channel) keeps it as its tooltip.

Rendering costs up to a second for a large spec, so the SVG is cached (the default cache,
shared by the processes) under a hash of the spec, or of ``cache_key`` when the caller knows
cheaper what the spec is drawn from (``spec`` may then be a function building it on a miss), and
of the drawing versions: :data:`DRAWING_VERSION` here, ``drawing_version`` of the caller."""

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

CACHE_TIMEOUT = 24 * 60 * 60
# Part of the cache key of every chart: change it when this pipeline changes, so that the cache
# (shared, and kept across restarts) never serves an SVG drawn by older code.
DRAWING_VERSION = 1
# The guides Vega would describe in English (« X-axis titled … for a discrete scale … »).
SILENT_GUIDES = ("axis", "legend", "title")

Spec = dict[str, Any]


@dataclass(frozen=True)
class DataTable:
    """The alternative of a chart: the same figures as a table (the first cell of a row heads
    it)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    @property
    def body_html(self) -> SafeString:
        """The ``<tr>`` of the rows, written in one pass as the template would (each cell
        localised, then escaped): a map's hundreds of communes cost the template loop ≈ 10 ms."""
        out = []
        for row in self.rows:
            cells = [conditional_escape(localize(cell)) for cell in row]
            if cells:
                head, rest = cells[0], "".join(f"<td>{cell}</td>" for cell in cells[1:])
                out.append(f'<tr><th scope="row">{head}</th>{rest}</tr>')
            else:
                out.append("<tr></tr>")
        # Every cell above is escaped.
        return mark_safe("".join(out))


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    description: str
    table: DataTable
    figure_id: str


def _spec_dict(spec) -> Spec:
    if callable(spec):
        spec = spec()
    if hasattr(spec, "to_dict"):  # an altair chart
        spec = spec.to_dict()
    return dict(spec)


def _without_english_guides(spec: Spec) -> Spec:
    """``spec`` with ARIA off for the guides (unless the spec says otherwise)."""
    config = dict(spec.get("config", {}))
    for guide in SILENT_GUIDES:
        config[guide] = {"aria": False, **config.get(guide, {})}
    return {**spec, "config": config}


_LABELLED_PATH = re.compile(r'<path aria-label="([^"]*)" role="graphics-symbol"([^>]*)/>')
_LONG_DECIMAL = re.compile(r"(\.\d)\d+")


def _round(match: re.Match) -> str:
    rounded = _LONG_DECIMAL.sub(r"\1", match.group(2))
    return f'{match.group(1)}="{rounded}"'


def accessible_svg(svg: str, *, title: str, description: str, figure_id: str) -> str:
    """Give a Vega SVG an accessible name and description, a tooltip (``<title>``) on each mark
    that has a description, a fluid width, and shorter path data (one decimal is a tenth of a
    pixel); remove Vega's English role descriptions."""
    figure_id = escape(figure_id)
    svg = re.sub(r'\b(d|transform)="([^"]*)"', _round, svg)
    svg = re.sub(r' aria-roledescription="[^"]*"', "", svg)
    svg = _LABELLED_PATH.sub(
        r'<path aria-label="\1" role="graphics-symbol"\2><title>\1</title></path>', svg
    )
    head = (
        f'<svg role="img" aria-labelledby="{figure_id}-title {figure_id}-desc" focusable="false" '
        'style="max-width:100%;height:auto" '
    )
    svg = svg.replace("<svg ", head, 1)
    opening_end = svg.index(">") + 1
    return (
        svg[:opening_end]
        + f'<title id="{figure_id}-title">{escape(title)}</title>'
        + f'<desc id="{figure_id}-desc">{escape(description)}</desc>'
        + svg[opening_end:]
    )


def render_svg(spec: Spec) -> str:
    """The SVG vl-convert draws of a Vega-Lite spec, the guides silent."""
    import vl_convert

    return vl_convert.vegalite_to_svg(_without_english_guides(spec))


def accessible_chart(
    spec: Spec | Callable[[], Spec] | Any,
    *,
    title: str,
    description: str,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    caption: str = "",
    figure_id: str = "tne-chart",
    cache_key: str | None = None,
    drawing_version: int = 0,
) -> Chart:
    """The chart of ``spec`` as an accessible SVG with its data table (``columns``, ``rows``;
    ``caption``, by default « Données : <title> »), rendered once per key: the spec, or
    ``cache_key`` if given, with the drawing versions, the title, description and id."""
    if cache_key is None:
        spec = _spec_dict(spec)
        cache_key = json.dumps(spec, sort_keys=True, default=str)
    fingerprint = json.dumps(
        [DRAWING_VERSION, drawing_version, figure_id, title, description, cache_key]
    )
    key = "tne:chart:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = accessible_svg(
            render_svg(_spec_dict(spec)),
            title=title,
            description=description,
            figure_id=figure_id,
        )
        cache.set(key, svg, CACHE_TIMEOUT)
    table = DataTable(
        caption=caption or f"Données : {title}",
        columns=tuple(columns),
        rows=tuple(tuple(row) for row in rows),
    )
    return Chart(
        svg=mark_safe(svg),  # vl-convert escapes every text it draws; ours are escaped above
        title=title,
        description=description,
        table=table,
        figure_id=figure_id,
    )
