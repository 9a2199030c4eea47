"""Exports of the targets and envelopes a user reads: French headers, the same rows as the page,
amounts exact (decimal comma in CSV, numbers in euros in XLSX)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import Role, user_with_role
from tests.programme.factories import EnvelopeFactory, TargetFactory


@pytest.fixture
def figures(tree, period):
    national = EnvelopeFactory(node=tree.country, amount=Decimal("9000000"))
    EnvelopeFactory(node=tree.aisne, parent=national, amount=Decimal("1234.50"), note="=SUM(A1)")
    EnvelopeFactory(node=tree.vdo, parent=national, amount=Decimal("7000000"), note="env-95")
    TargetFactory(node=tree.country, period=period, note="cible-nationale")
    TargetFactory(node=tree.aisne, period=period, count=600, note="hypothèse de démonstration")
    TargetFactory(node=tree.vdo, period=period, count=2_100, note="cible-95")


def _csv(client, name) -> list[list[str]]:
    response = client.get(reverse(f"programme:{name}_export", args=["csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return [line.split(";") for line in text.lstrip("\ufeff").splitlines()]


def test_the_targets_csv_has_french_headers_and_the_coordinators_rows(client, tree, figures):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    rows = _csv(client, "target")

    assert rows[0] == [
        "Mesure",
        "Intitulé de la mesure",
        "Type de territoire",
        "Code du territoire",
        "Territoire",
        "Période",
        "Objectif",
        "Unité",
        "Note",
    ]
    assert [row[3] for row in rows[1:]] == ["FR", "02"]
    assert rows[2][6:] == ["600", "classes", "hypothèse de démonstration"]


def test_the_envelopes_csv_keeps_the_cents_and_neutralises_formulas(client, tree, figures):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    rows = _csv(client, "envelope")

    assert rows[0][6] == "Montant (€)"
    aisne = next(row for row in rows if row[3] == "02")
    assert aisne[6] == "1234,50"
    assert aisne[7] == "France"
    assert aisne[8] == "'=SUM(A1)"
    assert not any(row[3] == "95" for row in rows)


def test_the_envelopes_xlsx_has_amounts_as_numbers(client, tree, figures):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    response = client.get(reverse("programme:envelope_export", args=["xlsx"]))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Enveloppes"
    assert rows[0][6] == "Montant (€)"
    assert sorted(row[6] for row in rows[1:]) == [1234.5, 7_000_000, 9_000_000]
    assert response["Content-Disposition"].startswith('attachment; filename="enveloppes-')


def test_the_exports_follow_the_filters(client, tree, figures):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    url = reverse("programme:target_export", args=["csv"])
    response = client.get(f"{url}?node={tree.vdo.pk}")

    rows = [line for line in b"".join(response.streaming_content).decode().splitlines()[1:]]
    assert len(rows) == 1 and "cible-95" in rows[0]


def test_an_unknown_format_is_a_404(client, tree):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    assert client.get(reverse("programme:target_export", args=["pdf"])).status_code == 404
