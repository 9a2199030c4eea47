"""The map of the progress of a measure in a département: its communes (IGN outlines, as the
school map of the territory) coloured by the share of their allocations in service, drawn on the
server as an accessible SVG (:mod:`tne.core.charts`) with the same figures as a table. Cached
under the figures it is drawn from."""

import json

from tne.core.charts import Chart, accessible_chart
from tne.territory.maps import HEIGHT, WIDTH, _outlines, outline_file

DRAWING_VERSION = 1
NO_DATA = "#e5e5e5"


def _spec(features, shares: dict[str, float | None]) -> dict:
    import altair as alt

    data = []
    for feature in features:
        share = shares.get(feature["properties"].get("code"))
        data.append(
            {
                **feature,
                "properties": {
                    **feature["properties"],
                    "share": None if share is None else round(share * 100),
                },
            }
        )
    chart = (
        alt.Chart(alt.Data(name="communes"), name="communes")
        .mark_geoshape(stroke="#7b7b7b", strokeWidth=0.4)
        .encode(
            color=alt.condition(
                "datum.properties.share !== null",
                alt.Color(
                    "properties.share:Q",
                    scale=alt.Scale(domain=[0, 100], scheme="blues"),
                    legend=alt.Legend(title="% en service"),
                ),
                alt.value(NO_DATA),
            )
        )
        .properties(width=WIDTH, height=HEIGHT)
        .project(type="mercator")
    )
    spec = chart.configure_view(stroke=None).to_dict()
    spec["datasets"] = {"communes": data}
    return spec


def progress_map(departement, rows, *, measure) -> Chart | None:
    """The map of ``rows`` (the communes' :class:`ProgressRow`), or None without outlines."""
    path = outline_file(departement.code)
    outlines = _outlines(path) if path else None
    if outlines is None:
        return None
    features, mtime = outlines
    shares = {row.node.code: row.share for row in rows if row.total}
    title = f"Part en service, {measure.code} — {departement}"
    description = (
        f"Les communes de {departement} colorées selon la part de leurs affectations "
        f"{measure.code} en service (plus foncé, plus avancé ; en gris, aucune affectation). "
        "Le tableau qui suit donne les mêmes chiffres."
    )
    table = [
        (
            row.label,
            row.total,
            row.in_service,
            f"{row.percent} %" if row.percent is not None else "—",
        )
        for row in rows
        if row.total
    ]
    return accessible_chart(
        lambda: _spec(features, shares),
        title=title,
        description=description,
        columns=["Commune", "Affectations", "En service", "Part en service"],
        rows=table,
        figure_id="progress-map",
        cache_key=json.dumps([departement.code, str(path), mtime, sorted(shares.items())]),
        drawing_version=DRAWING_VERSION,
    )
