"""The chart of a loans dashboard: for the child rows that declare the most needs, the pupils
served and those waiting, as stacked bars drawn on the server (:mod:`tne.core.charts`), with
the same figures as a table. Cached under the figures it is drawn from."""

import json

from tne.core.charts import Chart, accessible_chart

DRAWING_VERSION = 1
# More bars than this make a chart nobody reads: the rows with the most needs are drawn, the
# table of the page has every row.
MOST_ROWS = 15
SERVED, WAITING = "Servis", "En attente"
COLOURS = {SERVED: "#000091", WAITING: "#ce614a"}
FRENCH_NUMBERS = {
    "locale": {"number": {"decimal": ",", "thousands": "\u202f", "grouping": [3]}},
}


def _spec(points: list[dict]) -> dict:
    return {
        "data": {"values": points},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "row", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "pupils", "type": "quantitative", "title": "Élèves", "stack": "zero"},
            "color": {
                "field": "state",
                "type": "nominal",
                "scale": {"domain": list(COLOURS), "range": list(COLOURS.values())},
                "legend": {"title": None, "orient": "bottom"},
            },
            "order": {"field": "order", "type": "quantitative"},
            "description": {"field": "text", "type": "nominal"},
        },
        "width": 560,
        "config": {**FRENCH_NUMBERS, "view": {"stroke": None}},
    }


def needs_chart(rows, *, place: str, kind_label: str) -> Chart | None:
    """The chart of ``rows`` (the dashboard's :class:`Row`), or None when no row has a need;
    ``kind_label`` says whose rows they are (« des communes »)."""
    shown = sorted(
        (row for row in rows if row.figures.needs or row.figures.served),
        key=lambda row: (-row.figures.needs, row.label),
    )[:MOST_ROWS]
    if not shown:
        return None
    points = []
    for row in shown:
        served, waiting = row.figures.served, row.figures.waiting
        text = f"{row.label}\u00a0: {served} servis, {waiting} en attente"
        points.append(
            {"row": row.label, "state": SERVED, "pupils": served, "order": 0, "text": text}
        )
        points.append(
            {"row": row.label, "state": WAITING, "pupils": waiting, "order": 1, "text": text}
        )
    title = f"Besoins servis et en attente — {place}"
    description = (
        f"Diagramme en barres empilées\u00a0: les élèves servis (en bleu) et ceux en attente (en "
        f"rouge) {kind_label} qui déclarent le plus de besoins (au plus {MOST_ROWS}). Le tableau "
        "qui suit donne les mêmes chiffres."
    )
    table = [
        (row.label, row.figures.needs, row.figures.served, row.figures.waiting) for row in shown
    ]
    return accessible_chart(
        lambda: _spec(points),
        title=title,
        description=description,
        columns=["Territoire", "Besoins déclarés", "Servis", "En attente"],
        rows=table,
        caption=f"Données\u00a0: {title}",
        figure_id="loans-needs-chart",
        cache_key=json.dumps(points),
        drawing_version=DRAWING_VERSION,
    )
