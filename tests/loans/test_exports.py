"""The exports of the loans (declarations, a run's decisions, loans, dashboard rows), CSV and
XLSX: their columns and rows, per grant (a coordinator's département, a school head's school, an
IEN's circonscription, the evaluator's figures only), and never a guardian's contact: every file
is searched for the sealed contact's name, phone and e-mail."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import Role, grant, user_with_role
from tne.loans.enums import UnservedReason
from tne.loans.models import AllocationRun, PriorityWeights, RunDecision
from tne.territory.enums import EducationNetwork

from .dashboard_factories import CONTACT, pilot

FORMATS = ("csv", "xlsx")


@pytest.fixture
def p(tree):
    return pilot(tree)


@pytest.fixture
def run(p):
    from tests.equipment.factories import category

    run = AllocationRun.objects.create(
        node=p.tree.aisne, category=category("tablet"), stock=2, created_by=p.coordinator
    )
    for rank, (code, served, reason) in enumerate(
        [("A1", True, ""), ("S1", True, ""), ("A4", False, UnservedReason.STOCK)], start=1
    ):
        pupil = p.pupils[code]
        RunDecision.objects.create(
            run=run,
            pupil=pupil,
            school=pupil.school,
            priority=55,
            breakdown=[
                {"label": "Aucun équipement à la maison", "points": 40},
                {"label": "Internet mobile seulement", "points": 15},
            ],
            rank=rank,
            served=served,
            reason=reason,
        )
    return run


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _rows(response, fmt) -> list[list[str]]:
    data = _body(response)
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _all_text(response, fmt) -> str:
    data = _body(response)
    if fmt == "csv":
        return data.decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def _get(client, user, name, fmt, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=[*args, fmt]), params)


@pytest.mark.parametrize("fmt", FORMATS)
def test_declarations_have_code_class_level_needs_and_priority(client, p, fmt):
    PriorityWeights.objects.create(node=p.tree.laon, no_device=50)
    p.laon_a.education_network = EducationNetwork.REP_PLUS
    p.laon_a.save(update_fields=["education_network"])
    response = _get(client, p.coordinator, "loans:declarations_export", fmt)
    assert response.status_code == 200
    rows = _rows(response, fmt)
    assert rows[0][:3] == ["UAI", "École", "Code élève"]
    assert rows[0][-2:] == ["Priorité", "Détail de la priorité"]
    by_code = {row[2]: row for row in rows[1:]}
    assert set(by_code) == {"A1", "A2", "A3", "A4", "B1", "B2", "S1", "S2", "S3"}
    a1 = by_code["A1"]
    assert a1[0] == p.laon_a.uai and a1[4] == "CM1" and a1[5] == "Aucun équipement"
    assert a1[7] == "Internet mobile seulement"
    # The weights of Laon (50 for no device), REP+ of the school.
    assert a1[9] == "85"
    assert a1[10] == (
        "Aucun équipement à la maison\u00a0: +50 · Internet mobile seulement\u00a0: +15 · "
        "École en REP+\u00a0: +20"
    )
    assert by_code["S1"][9] == "55"  # Soissons: the defaults


@pytest.mark.parametrize("fmt", FORMATS)
def test_loans_have_device_dates_status_and_outcome(client, p, fmt):
    response = _get(client, p.coordinator, "loans:loans_export", fmt)
    rows = _rows(response, fmt)
    header = rows[0]
    assert header[3:7] == ["Type de matériel", "Numéro d'inventaire", "Modèle", "État"]
    by_code = {(row[2], row[6]): row for row in rows[1:]}
    assert len(rows) == 1 + 7  # the loans of Aisne
    a1 = by_code[("A1", "En cours")]
    assert a1[3] == "Tablette" and a1[4] == "TNE-PRET-A1" and a1[10]  # due date
    b1 = by_code[("B1", "Clos")]
    assert b1[header.index("Issue")] == "Perdu"
    assert ("S1", "Clos") in by_code and ("S2", "En cours") in by_code
    assert ("B2", "Décliné ou retiré") in by_code


def test_loans_filtered_by_school_and_status(client, p):
    response = _get(client, p.coordinator, "loans:loans_export", "csv", school=p.laon_a.pk)
    assert {row[2] for row in _rows(response, "csv")[1:]} == {"A1", "A2", "A3"}
    response = _get(client, p.coordinator, "loans:loans_export", "csv", status="ACTIVE")
    assert {row[2] for row in _rows(response, "csv")[1:]} == {"A1", "A2", "S2"}
    assert _get(client, p.coordinator, "loans:loans_export", "csv", status="X").status_code == 404
    assert _get(client, p.coordinator, "loans:loans_export", "csv", school="x").status_code == 404
    # Another département's school: nothing of it.
    response = _get(client, p.coordinator, "loans:loans_export", "csv", school=p.cergy.pk)
    assert _rows(response, "csv")[1:] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_runs_decisions(client, p, run, fmt):
    response = _get(client, p.coordinator, "loans:run_export", fmt, run.pk)
    assert response.status_code == 200
    rows = _rows(response, fmt)
    assert rows[0] == [
        "Rang",
        "UAI",
        "École",
        "Code élève",
        "Niveau",
        "Priorité",
        "Détail de la priorité",
        "Servi",
        "Motif",
    ]
    assert [(r[0], r[3], r[7], r[8]) for r in rows[1:]] == [
        ("1", "A1", "oui", ""),
        ("2", "S1", "oui", ""),
        ("3", "A4", "non", "Stock épuisé"),
    ]
    assert (
        rows[1][6]
        == "Aucun équipement à la maison\u00a0: +40 · Internet mobile seulement\u00a0: +15"
    )


def test_a_run_of_another_place_is_a_404_and_without_allocate_a_403(client, p, run):
    assert _get(client, p.vdo_coordinator, "loans:run_export", "csv", run.pk).status_code == 404
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    assert _get(client, head, "loans:run_export", "csv", run.pk).status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_dashboard_rows(client, p, fmt):
    response = _get(client, p.coordinator, "loans:dashboard_export", fmt, node=p.tree.aisne.pk)
    assert response.status_code == 200
    rows = _rows(response, fmt)
    assert rows[0][:5] == [
        "Territoire ou école",
        "Code",
        "Besoins déclarés",
        "Élèves servis",
        "En attente",
    ]
    assert [row[0] for row in rows[1:]] == ["Total — Aisne (02)", "Laon", "Soissons"]
    total = rows[1]
    assert total[2:5] == ["9", "6", "3"] and total[11] == "500"
    assert Decimal(total[12].replace(",", ".")) == Decimal("1000000")


def test_the_school_head_exports_their_school_only(client, p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    rows = _rows(_get(client, head, "loans:declarations_export", "csv"), "csv")
    assert {row[2] for row in rows[1:]} == {"A1", "A2", "A3", "A4"}
    rows = _rows(_get(client, head, "loans:dashboard_export", "csv"), "csv")
    assert [row[0] for row in rows[1:]] == [f"Total — ECOLE LAON A ({p.laon_a.uai})"]


def test_per_grant_a_head_and_a_parent_elsewhere_exports_the_head_school(client, p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    grant(head, Role.PARENT, p.cergy)
    rows = _rows(_get(client, head, "loans:loans_export", "csv"), "csv")
    assert {row[0] for row in rows[1:]} == {p.laon_a.uai}


def test_an_evaluator_exports_the_figures_not_the_pupils(client, p):
    evaluator = user_with_role(Role.EVALUATOR, p.tree.aisne)
    assert _get(client, evaluator, "loans:declarations_export", "csv").status_code == 403
    assert _get(client, evaluator, "loans:loans_export", "xlsx").status_code == 403
    response = _get(client, evaluator, "loans:dashboard_export", "csv", node=p.tree.laon.pk)
    rows = _rows(response, "csv")
    assert [row[0] for row in rows[1:]] == ["Total — Laon"]  # no school row for an evaluator


def test_an_unknown_format_is_a_404(client, p):
    for name in ("loans:declarations_export", "loans:loans_export", "loans:dashboard_export"):
        assert _get(client, p.coordinator, name, "pdf").status_code == 404


def test_no_export_ever_holds_a_guardians_contact(client, p, run):
    assert p.pupils["A1"].guardian.sealed  # the contact is there, sealed
    secrets = [
        CONTACT["name"],
        "Camille",
        "Martin",
        CONTACT["phone"],
        "612345678",
        CONTACT["email"],
    ]
    for fmt in FORMATS:
        for name, args, params in (
            ("loans:declarations_export", [], {}),
            ("loans:loans_export", [], {}),
            ("loans:run_export", [run.pk], {}),
            ("loans:dashboard_export", [], {"node": p.tree.laon.pk}),
        ):
            response = _get(client, p.national, name, fmt, *args, **params)
            assert response.status_code == 200
            text = _all_text(response, fmt)
            assert "A1" in text or name == "loans:dashboard_export"
            for secret in secrets:
                assert secret.lower() not in text.lower(), (name, fmt, secret)


def test_the_csv_is_streamed(client, p):
    response = _get(client, p.coordinator, "loans:loans_export", "csv")
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="prets-')


@pytest.mark.parametrize("name", ["loans:declarations_export", "loans:loans_export"])
def test_an_export_makes_a_fixed_number_of_queries(client, p, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import LoanFactory, NeedDeclarationFactory, PupilFactory

    client.force_login(p.coordinator)
    url = reverse(name, args=["csv"])
    with CaptureQueriesContext(connection) as small:
        _body(client.get(url))
    for n in range(10):
        pupil = PupilFactory(school=p.soissons if n % 2 else p.laon_b, code=f"N{n}")
        NeedDeclarationFactory(pupil=pupil)
        LoanFactory(pupil=pupil)
    with CaptureQueriesContext(connection) as big:
        rows = _rows(client.get(url), "csv")
    assert len(rows) > 10
    assert len(big) == len(small)
