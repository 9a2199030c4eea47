"""The page of the loans dashboard: what each reader sees (a coordinator's communes, an
evaluator's figures without any pupil code or school name, a school head's school), what is
refused (another département, a school out of reach, bad parameters, a parent, a teacher),
the chart and its table, and a number of queries that does not grow with the loans."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import Role, user_with_role
from tests.factories import node as make_node
from tests.typography import typography_problems, visible_text_of_html
from tne.territory.enums import NodeKind

from .dashboard_factories import pilot
from .factories import LoanFactory, NeedDeclarationFactory, PupilFactory

URL = reverse("loans:dashboard")
CODES = ("A1", "A2", "A3", "A4", "B1", "B2", "S1", "S2", "S3", "C1", "C2")


@pytest.fixture
def p(tree):
    return pilot(tree)


def _page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    return response, unescape(response.content.decode())


def _figure(html, name):
    start = html.index(f'id="figure-{name}"')
    value = html.index('class="tne-figure__value">', start) + len('class="tne-figure__value">')
    return html[value : html.index("</p>", value)]


def test_a_coordinator_opens_their_departement_with_a_row_per_commune(client, p):
    response, html = _page(client, p.coordinator)
    assert response.status_code == 200
    assert "Aisne" in html and "Val-d'Oise" not in html
    assert (_figure(html, "needs"), _figure(html, "served"), _figure(html, "waiting")) == (
        "9",
        "6",
        "3",
    )
    assert _figure(html, "share") == "67\u00a0%"
    assert (_figure(html, "overdue"), _figure(html, "lost"), _figure(html, "stock")) == (
        "1",
        "1",
        "3",
    )
    assert "1\u202f079\u00a0€" in html  # the cost
    assert "3 au prix de leur ligne de commande" in html
    assert "1 au prix de référence de sa catégorie (entré au registre" in html
    assert "1\u202f000\u202f000\u00a0€" in html and "100\u202f000\u00a0€ répartis" in html
    assert "5 sur 500" in html
    table = html[html.index('id="dashboard-table"') :]
    assert f'href="?node={p.tree.laon.pk}">Laon</a>' in table
    assert 'id="loans-needs-chart"' in html  # the chart and its table
    assert f"{reverse('loans:dashboard_export', args=['csv'])}?node={p.tree.aisne.pk}" in html


def test_the_rows_with_nothing_are_left_out_until_asked(client, p):
    # A commune of Aisne with no school lending anything: not a row of the table by default.
    make_node(NodeKind.COMMUNE, "02173", "Chauny", p.tree.aisne)
    _response, html = _page(client, p.coordinator, node=p.tree.aisne.pk)
    table = html[html.index('id="dashboard-table"') : html.index("</table>")]
    assert "Laon</a>" in table and "Chauny" not in table
    note = html[html.index('id="dashboard-empty-rows"') :]
    assert note.startswith('id="dashboard-empty-rows">1 ligne sans besoin, prêt ni stock')
    assert f'href="?node={p.tree.aisne.pk}&by=COMMUNE&vides=1"' in note

    _response, html = _page(client, p.coordinator, node=p.tree.aisne.pk, vides="1")
    table = html[html.index('id="dashboard-table"') : html.index("</table>")]
    assert "Laon</a>" in table and "Chauny</a>" in table
    assert "Masquer les lignes sans besoin, prêt ni stock" in html


def test_the_rows_by_circonscription(client, p):
    response, html = _page(client, p.coordinator, node=p.tree.aisne.pk, by="CIRCONSCRIPTION")
    assert response.status_code == 200
    assert f'href="?node={p.tree.circ_laon.pk}">Laon</a>' in html
    assert "selected>Circonscriptions" in html


def test_an_evaluator_reads_figures_and_no_pupil_nor_school(client, p):
    evaluator = user_with_role(Role.EVALUATOR, p.tree.aisne)
    for node in (p.tree.aisne, p.tree.laon):
        response, html = _page(client, evaluator, node=node.pk)
        assert response.status_code == 200
        for code in CODES:
            assert f">{code}<" not in html and f" {code} " not in html
        for school in (p.laon_a, p.laon_b, p.soissons):
            assert school.name not in html and school.uai not in html
        assert "Camille" not in html and "camille" not in html
    assert "Le détail par école n'est pas affiché pour votre rôle" in html


def test_a_coordinator_under_a_commune_reads_a_row_per_school(client, p):
    response, html = _page(client, p.coordinator, node=p.tree.laon.pk)
    assert response.status_code == 200
    assert f'href="?school={p.laon_a.pk}">ECOLE LAON A ({p.laon_a.uai})</a>' in html
    assert f'href="?node={p.tree.aisne.pk}" id="dashboard-up">Remonter à Aisne' in html
    for code in CODES:
        assert f">{code}<" not in html


def test_a_school_head_opens_their_school(client, p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    response, html = _page(client, head)
    assert response.status_code == 200
    assert "ECOLE LAON A" in html and _figure(html, "needs") == "4"
    assert "Les enveloppes M6 se fixent par territoire" in html
    assert 'id="dashboard-table"' not in html
    assert client.get(URL, {"school": p.laon_b.pk}).status_code == 404
    assert client.get(URL, {"school": p.laon_a.pk}).status_code == 200


def test_what_is_out_of_reach_or_unknown_is_a_404(client, p):
    client.force_login(p.coordinator)
    for params in (
        {"node": p.tree.vdo.pk},
        {"node": p.tree.cergy.pk},
        {"school": p.cergy.pk},
        {"node": "abc"},
        {"node": "99999999"},
        {"school": "-1"},
        # Above their département: the national dashboard is national steering's.
        {"node": p.tree.country.pk},
        {"node": p.tree.amiens.pk},
    ):
        assert client.get(URL, params).status_code == 404, params


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PARENT, Role.TECHNICIAN, Role.TRAINER])
def test_roles_without_the_dashboard_get_a_403(client, p, role):
    user = user_with_role(role, p.laon_a if role in (Role.TEACHER, Role.PARENT) else p.tree.aisne)
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_the_page_reads_in_french(client, p):
    for node in (p.tree.aisne, p.tree.laon):
        response, _ = _page(client, p.coordinator, node=node.pk)
        problems = typography_problems(visible_text_of_html(response.content.decode()))
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("node", ["aisne", "laon", "country"])
def test_the_page_makes_a_fixed_number_of_queries(client, p, node):
    client.force_login(p.national)
    params = {"node": getattr(p.tree, node).pk}
    client.get(URL, params)  # the chart is drawn and cached once
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, params).status_code == 200
    for n in range(8):
        pupil = PupilFactory(school=p.laon_b if n % 2 else p.soissons, code=f"N{n}")
        NeedDeclarationFactory(pupil=pupil)
        LoanFactory(pupil=pupil)
    client.get(URL, params)  # the new figures' chart
    with CaptureQueriesContext(connection) as big:
        assert client.get(URL, params).status_code == 200
    assert len(big) == len(small), [q["sql"] for q in big.captured_queries]
