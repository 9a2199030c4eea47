"""Charts: a Vega-Lite spec drawn as an accessible SVG in French, cached, with its data table."""

import re

import altair as alt
import pytest
from django.core.cache import cache
from django.template.loader import render_to_string

from tne.core import charts

ROWS = [("Écoles", 12), ("Collèges", 3), ("Lycées", 2)]
# What Vega writes in English in an SVG it draws, left to itself.
ENGLISH = ["Vega", "vega", "mark", "container", "axis", "titled", "scale", "legend", "values"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def bar_chart():
    data = alt.Data(values=[{"kind": kind, "n": n} for kind, n in ROWS])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(x=alt.X("kind:N", title="Type"), y=alt.Y("n:Q", title="Établissements"))
    )


def draw(spec=None, **kwargs):
    return charts.accessible_chart(
        spec or bar_chart(),
        title="Établissements par type",
        description="Diagramme en barres : le nombre d'établissements de chaque type.",
        columns=["Type", "Établissements"],
        rows=ROWS,
        figure_id="par-type",
        **kwargs,
    )


def test_a_bar_chart_is_an_svg_image_named_and_described_in_french():
    svg = draw().svg

    assert svg.startswith('<svg role="img" aria-labelledby="par-type-title par-type-desc"')
    assert '<title id="par-type-title">Établissements par type</title>' in svg
    assert '<desc id="par-type-desc">Diagramme en barres : le nombre d&#x27;établissements' in svg
    assert svg.count("<path") >= 3  # one bar per row at least
    assert "Écoles" in svg and "Collèges" in svg  # the axis labels are drawn
    assert "<script" not in svg
    assert not re.search(r"https?://(?!www\.w3\.org)", svg)


def test_no_english_text_of_vega_is_left_in_the_svg():
    svg = draw().svg
    # The words drawn or read out: attribute values and texts, not the element and class names.
    said = " ".join(re.findall(r'aria-[a-z]+="([^"]*)"', svg) + re.findall(r">([^<]+)<", svg))

    for word in ENGLISH:
        assert word not in said, word
    assert "aria-roledescription" not in svg


def test_a_dict_spec_draws_the_same_chart_as_its_altair_chart():
    assert draw(bar_chart().to_dict()).svg == draw().svg


def test_the_chart_is_rendered_once_then_read_from_the_cache(monkeypatch):
    renders = []
    real = charts.render_svg
    monkeypatch.setattr(charts, "render_svg", lambda spec: renders.append(1) or real(spec))

    first = draw()
    second = draw()
    assert renders == [1]
    assert second.svg == first.svg

    draw(drawing_version=2)  # new drawing code: a new key
    draw(bar_chart().properties(width=300))  # another spec: a new key
    assert renders == [1, 1, 1]


def test_with_a_cache_key_the_spec_is_built_only_on_a_miss():
    built = []

    def spec():
        built.append(1)
        return bar_chart()

    draw(spec, cache_key="par-type:2025")
    draw(spec, cache_key="par-type:2025")

    assert built == [1]


def test_the_include_shows_the_figure_then_its_data_table():
    chart = draw()

    html = render_to_string("core/includes/chart.html", {"chart": chart, "source": "Source : test"})

    assert html.index("<svg") < html.index("<table>")
    assert '<figcaption class="fr-text--sm">Source : test</figcaption>' in html
    assert 'aria-controls="par-type-data"' in html and 'id="par-type-data"' in html
    assert "<caption>Données : Établissements par type</caption>" in html
    assert '<th scope="col">Type</th><th scope="col">Établissements</th>' in html
    assert '<tr><th scope="row">Écoles</th><td>12</td></tr>' in html


def test_the_data_tables_rows_are_written_as_the_template_wrote_them():
    from django.template import Context, Template

    from tne.core.charts import DataTable

    table = DataTable(
        caption="c",
        columns=("Commune", "Part", "Classes"),
        rows=(("Laon <b>", 0.5, 1234), ("Soissons & co", None, 0)),
    )
    loop = Template(
        "{% for row in rows %}<tr>{% for cell in row %}{% if forloop.first %}"
        '<th scope="row">{{ cell }}</th>{% else %}<td>{{ cell }}</td>{% endif %}{% endfor %}'
        "</tr>{% endfor %}"
    ).render(Context({"rows": table.rows}))

    assert table.body_html == loop
    assert "&lt;b&gt;" in table.body_html and "0,5" in table.body_html
