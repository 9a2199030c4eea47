"""The dashboards of the loans API: a node's figures and its rows, a school's, per grant (a
token of a coordinator, of an evaluator, a school head's session), 403 without the dashboard,
404 out of reach, never a pupil code nor a contact, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.clients import SessionClient, TokenClient
from tests.factories import Role, user_with_role

from .dashboard_factories import pilot
from .factories import LoanFactory, NeedDeclarationFactory, PupilFactory


@pytest.fixture
def p(tree):
    return pilot(tree)


def test_a_coordinator_reads_their_departement_and_its_communes(client, p):
    api = TokenClient(client, p.coordinator)
    response = api.get("/loans/dashboard/DEPARTEMENT/02")
    assert response.status_code == 200
    data = response.json()
    total = data["total"]
    assert total["place"] == {"kind": "DEPARTEMENT", "code": "02", "name": "Aisne"}
    assert (total["needs"], total["served"], total["waiting"], total["equipped"]) == (9, 6, 3, 5)
    assert (total["active"], total["overdue"], total["lost_or_stolen"], total["in_stock"]) == (
        3,
        1,
        1,
        3,
    )
    assert total["share_covered"] == 0.6667 and total["target"] == 500
    assert total["envelope"] == "1000000.00" and data["envelope_split"] == "100000.00"
    assert data["cost"] == {
        "total": "1079.00",
        "devices": 4,
        "from_order_lines": 3,
        "from_reference": 1,
        "unpriced": 0,
    }
    assert [(r["place"]["name"], r["served"]) for r in data["rows"]] == [
        ("Laon", 4),
        ("Soissons", 2),
    ]
    by_circ = api.get("/loans/dashboard/DEPARTEMENT/02", by="CIRCONSCRIPTION").json()
    assert [r["place"]["kind"] for r in by_circ["rows"]] == ["CIRCONSCRIPTION"]


def test_under_a_commune_a_row_per_school_for_who_reads_them(client, p):
    data = TokenClient(client, p.coordinator).get("/loans/dashboard/COMMUNE/02408").json()
    assert [(r["place"]["kind"], r["place"]["code"]) for r in data["rows"]] == [
        ("SCHOOL", p.laon_a.uai),
        ("SCHOOL", p.laon_b.uai),
    ]
    evaluator = user_with_role(Role.EVALUATOR, p.tree.aisne)
    response = TokenClient(client, evaluator).get("/loans/dashboard/COMMUNE/02408")
    assert response.json()["rows"] == [] and response.json()["total"]["needs"] == 6
    for code in ("A1", "A2", "B1"):
        assert f'"{code}"' not in response.content.decode()


def test_out_of_reach_is_a_404_and_without_the_dashboard_a_403(client, p):
    api = TokenClient(client, p.coordinator)
    assert api.get("/loans/dashboard/DEPARTEMENT/95").status_code == 404
    assert api.get("/loans/dashboard/COMMUNE/95127").status_code == 404
    assert api.get("/loans/dashboard/COUNTRY/FR").status_code == 404
    assert api.get(f"/loans/schools/{p.cergy.uai}/dashboard").status_code == 404
    assert api.get("/loans/dashboard/PLANETE/02").status_code == 422
    technician = user_with_role(Role.TECHNICIAN, p.tree.aisne)
    assert TokenClient(client, technician).get("/loans/dashboard/DEPARTEMENT/02").status_code == 403


def test_a_school_head_reads_their_school_from_the_browser(client, p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    api = SessionClient(client, head)
    data = api.get(f"/loans/schools/{p.laon_a.uai}/dashboard").json()
    assert data["total"]["place"] == {
        "kind": "SCHOOL",
        "code": p.laon_a.uai,
        "name": "ECOLE LAON A",
    }
    assert data["total"]["needs"] == 4 and data["cost"]["total"] == "629.00"
    assert data["rows"] == [] and data["total"]["envelope"] is None
    assert api.get(f"/loans/schools/{p.laon_b.uai}/dashboard").status_code == 404


def test_national_steering_reads_the_country(client, p):
    data = TokenClient(client, p.national).get("/loans/dashboard/COUNTRY/FR").json()
    assert data["total"]["target"] == 15_000 and data["total"]["equipped"] == 6
    assert [r["place"]["code"] for r in data["rows"]] == ["02", "95"]


def test_the_api_makes_a_fixed_number_of_queries(client, p):
    api = TokenClient(client, p.national)
    api.get("/loans/dashboard/DEPARTEMENT/02")
    with CaptureQueriesContext(connection) as small:
        api.get("/loans/dashboard/DEPARTEMENT/02")
    for n in range(6):
        pupil = PupilFactory(school=p.laon_b, code=f"N{n}")
        NeedDeclarationFactory(pupil=pupil)
        LoanFactory(pupil=pupil)
    with CaptureQueriesContext(connection) as big:
        assert api.get("/loans/dashboard/DEPARTEMENT/02").json()["total"]["needs"] == 15
    assert len(big) == len(small)
