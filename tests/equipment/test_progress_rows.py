"""The rows of the progress table, written in Python for speed (``views.progress._rows_html``):
the same cells as the template wrote, every value escaped."""

from django.urls import reverse

from tests.equipment.test_progress import p, set_status  # noqa: F401 — the fixture
from tne.equipment.enums import AllocationStatus
from tne.equipment.models import Allocation


def _row(html: str, node_pk: int) -> str:
    start = html.index(f'node={node_pk}"')
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_it_writes_one_row_per_commune_with_its_steps_and_share(client, p):  # noqa: F811
    client.force_login(p.coordinator)
    html = client.get(
        reverse("equipment:progress"), {"measure": "M5", "node": p.tree.aisne.pk}
    ).content.decode()
    laon = _row(html, p.tree.laon.pk)
    assert f'<th scope="row"><a href="?measure=M5&amp;node={p.tree.laon.pk}">' in laon
    # Laon: 3 planned, 1 installed, 2 in service of 6, no target: 33 % in service.
    assert laon.count('<td class="tne-num">') == 6
    assert '<td class="tne-num">3</td>' in laon and '<td class="tne-num">—</td>' in laon
    assert 'value="33" aria-label="Part en service, ' in laon and "33&nbsp;%</progress>" in laon


def test_it_escapes_the_names_it_writes(client, p):  # noqa: F811
    p.tree.laon.name = 'Laon <script>"&'
    p.tree.laon.save(update_fields=["name"])
    client.force_login(p.coordinator)
    html = client.get(
        reverse("equipment:progress"), {"measure": "M5", "node": p.tree.aisne.pk}
    ).content.decode()
    row = _row(html, p.tree.laon.pk)
    assert "<script>" not in row
    assert "Laon &lt;script&gt;&quot;&amp;" in row


def test_a_commune_without_allocation_in_service_shows_its_share_as_zero(client, p):  # noqa: F811
    set_status(
        list(Allocation.objects.filter(school__commune=p.tree.soissons)), AllocationStatus.PLANNED
    )
    client.force_login(p.coordinator)
    html = client.get(
        reverse("equipment:progress"), {"measure": "M5", "node": p.tree.aisne.pk}
    ).content.decode()
    assert 'value="0" aria-label="Part en service, ' in _row(html, p.tree.soissons.pk)
