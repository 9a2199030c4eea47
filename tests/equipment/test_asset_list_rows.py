"""The rows of the asset list, written in Python for speed (``views.assets._rows_html``): the
same cells as the template wrote (tag and its page, serial, model and category, state badge,
place: school and class, or stock), a check box only for who manages, every value escaped."""

from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.equipment.enums import AssetState

from .asset_factories import at_school, class_of, in_stock, school_in
from .factories import DeviceModelFactory


def _row(html: str, pk: int) -> str:
    start = html.index(f'<tr id="asset-{pk}">')
    return html[start : html.index("</tr>", start)]


def _list(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("equipment:asset_list"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_writes_the_place_the_model_and_the_state_of_each_device(client, tree):
    school = school_in(tree.laon, uai="0021001A", name="École Jean Macé")
    klass = class_of(school, name="CM1 A")
    model = DeviceModelFactory(maker="Logitech", name="Webcam C920")
    placed = at_school(school, school_class=klass, model=model, asset_tag="TNE-02-0001")
    stocked = in_stock(tree.aisne, asset_tag="TNE-02-0002")
    html = _list(client, user_with_role(Role.TECHNICIAN, tree.aisne))

    row = _row(html, placed.pk)
    detail = reverse("equipment:asset_detail", args=[placed.pk])
    assert f'<th scope="row"><a class="fr-link" href="{detail}">TNE-02-0001</a></th>' in row
    assert f"<td>{placed.serial_number}</td>" in row
    assert "<td>Logitech Webcam C920<br>" in row
    assert 'class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--success">Installé' in row
    school_url = reverse("territory:school_detail", args=["0021001A"])
    assert f'<a class="fr-link" href="{school_url}">École Jean Macé</a>' in row
    assert '<span class="fr-text--xs">(0021001A)</span> — CM1 A</td>' in row
    assert f'id="select-{placed.pk}"' in row  # a technician manages
    assert f"Stock — {tree.aisne.name}</td>" in _row(html, stocked.pk)


def test_a_reader_who_does_not_manage_gets_no_check_box(client, tree):
    school = school_in(tree.laon, uai="0021001A")
    device = at_school(school, state=AssetState.IN_REPAIR)
    html = _list(client, user_with_role(Role.SCHOOL_HEAD, school))
    row = _row(html, device.pk)
    assert 'type="checkbox"' not in row and "fr-badge--warning" in row


def test_it_escapes_what_it_writes(client, tree):
    school = school_in(tree.laon, uai="0021001A", name='École <b>"&')
    device = at_school(school, model=DeviceModelFactory(maker="<script>", name="x&y"))
    row = _row(_list(client, user_with_role(Role.TECHNICIAN, tree.aisne)), device.pk)
    assert "<script>" not in row and "<b>" not in row
    assert "&lt;script&gt; x&amp;y" in row and "École &lt;b&gt;&quot;&amp;" in row
