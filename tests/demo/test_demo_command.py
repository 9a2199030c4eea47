"""The whole demo on the real files of data/: slow (about a minute with the loans), kept in the
normal suite."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from tne.accounts.models import RoleAssignment, User
from tne.core.models import AuditEvent
from tne.demo.accounts import ACCOUNTS
from tne.demo.summary import demo_counts
from tne.loans.models import AllocationRun, GuardianContact, Loan, Pupil
from tne.programme.models import Envelope, Target
from tne.territory.enums import NodeKind
from tne.territory.models import School, SchoolClass, Staff, TerritoryNode

pytestmark = pytest.mark.real_data

MODELS = (
    School,
    SchoolClass,
    Staff,
    TerritoryNode,
    User,
    RoleAssignment,
    AuditEvent,
    Target,
    Envelope,
    Pupil,
    Loan,
    GuardianContact,
    AllocationRun,
)


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_demo_loads_the_real_territory_once(db, fast_passwords):
    output = run_demo()

    counts = demo_counts()
    assert (counts["ecoles"], counts["colleges"], counts["lycees"]) == (825, 227, 100)
    assert 13_500 <= counts["classes"] <= 16_500
    assert counts["elementary"] >= 2_700
    assert 900 <= counts["new_teachers"] <= 1_100
    assert set(
        TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, is_pilot=True).values_list(
            "code", flat=True
        )
    ) == {"02", "95"}
    circonscriptions = TerritoryNode.objects.filter(kind=NodeKind.CIRCONSCRIPTION)
    assert circonscriptions.filter(parent__code="02").count() == 20
    assert circonscriptions.filter(parent__code="95").count() == 33
    assert not School.objects.first_degree().filter(circonscription__isnull=True).exists()
    # The programme's figures: 27.3 M€ nationally, each split between the two départements.
    national = Envelope.objects.filter(node__kind=NodeKind.COUNTRY)
    assert national.aggregate(total=Sum("amount"))["total"] == Decimal("27300000")
    for whole in national:
        assert whole.children.aggregate(total=Sum("amount"))["total"] == whole.amount
    assert Target.objects.get(measure__code="M7", node__code="02").count == 225
    # The loans (M6): ~20,000 needs, a run serving the 15,000 pupils of the target in 6 M€.
    assert 19_500 <= Pupil.objects.count() <= 20_000
    run = AllocationRun.objects.get(category__code="tablet")
    assert (run.served, run.budget) == (15_000, Decimal("6000000"))
    assert "Prêts (synthétiques)" in output
    for account in ACCOUNTS:
        assert account.email in output
    assert "Démonstration uniquement" in output
    assert "http://127.0.0.1:8000/" in output

    before = {model: model.objects.count() for model in MODELS}
    second = run_demo()

    assert {model: model.objects.count() for model in MODELS} == before
    logins = [line.split() for line in output.splitlines() if "@demo.tne.invalid" in line]
    passwords = [words[words.index(a.email) + 1] for a, words in zip(ACCOUNTS, logins, strict=True)]
    assert len(set(passwords)) == len(ACCOUNTS)
    assert all(password in second for password in passwords)
