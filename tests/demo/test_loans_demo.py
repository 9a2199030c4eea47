"""The demo's loans (tne.demo.loans) on a small demo load: its invariants."""

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from tests.demo.conftest import build_small_territory
from tests.equipment.factories import ensure_catalogue
from tests.factories import territory_tree
from tests.programme.factories import ensure_measures
from tne.core import crypto
from tne.core.documents import verify
from tne.core.models import AuditEvent, Message
from tne.demo import equipment as demo_equipment
from tne.demo import loan_story
from tne.demo import loans as demo_loans
from tne.demo.accounts import DOMAIN, ensure_demo_accounts
from tne.demo.calibration import load_calibration
from tne.demo.equipment import load_equipment
from tne.demo.loader import demo_data_dir
from tne.demo.loans import load_loans
from tne.demo.programme import load_programme_figures
from tne.demo.summary import loans_line
from tne.demo.synthesis import synthesise
from tne.equipment.enums import AssetEventKind, AssetState
from tne.equipment.models import Asset, AssetEvent, Order, OrderLine
from tne.loans.enums import LoanOutcome, LoanStatus
from tne.loans.models import (
    AllocationRun,
    FamilyLink,
    GuardianContact,
    Loan,
    LoanEvent,
    NeedDeclaration,
    PriorityWeights,
    Pupil,
    RunDecision,
    SchoolQuota,
)
from tne.loans.models.events import LoanEventKind
from tne.loans.priority import Weights
from tne.loans.selectors import runs as run_selectors
from tne.programme.models import Envelope
from tne.territory.enums import Stage
from tne.territory.models import SchoolClass, SchoolYear

SCALE = {
    "NEEDS": 600,
    "SERVED": 400,
    "ROUTERS": 40,
    "ECOLE_SIGNED": 2,
    "SIGNED": 4,
    "RETURNED_SIGNED": 2,
    "NEXT_SIGNED": 1,
    "REMINDERS": 3,
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small territory with its synthesis, programme figures, accounts, equipment and
    loans, at a smaller scale than the real demo (each signed document is a PDF). Loaded once
    for the module inside a transaction rolled back at its end: each test runs in a savepoint
    of it (``db``)."""
    media, var = tmp_path_factory.mktemp("media"), tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            VAR_DIR=var,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TNE_NOTIFY_EMAIL_BACKEND="outbox",
            TNE_NOTIFY_SMS_BACKEND="outbox",
        ),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        for name, value in SCALE.items():
            patch.setattr(demo_loans, name, value)
        for name in ("SIGNED", "SCHOOL_ONLY", "REFUSED"):
            patch.setattr(demo_equipment, name, 1)
        ensure_measures()
        ensure_catalogue()
        build_small_territory(territory_tree())
        synthesise(calibration=load_calibration(demo_data_dir()), seed=3)
        load_programme_figures()
        ensure_demo_accounts()
        load_equipment(seed=3)
        yield load_loans(seed=3)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _db(db):
    """Every test reads the module's load in a savepoint of its own."""


def _run():
    return AllocationRun.objects.get(category__code="tablet")


def test_pupils_have_a_code_a_class_and_a_need(demo):
    pupils = Pupil.objects.select_related("school__departement", "school_class")
    assert demo.pupils == pupils.count()
    assert SCALE["NEEDS"] * 0.95 <= demo.pupils <= SCALE["NEEDS"]
    assert NeedDeclaration.objects.count() == demo.pupils
    year = SchoolYear.objects.current()
    for pupil in pupils:
        dep = pupil.school.departement.code
        assert re.fullmatch(rf"{dep}-\d{{4}}-\d{{4}}", pupil.code), pupil.code
        assert pupil.school_class.school_id == pupil.school_id
        assert pupil.school_class.year_id == year.pk
        assert pupil.school_class.stage == Stage.ELEMENTARY
        assert pupil.level in pupil.school_class.levels
    # One school numbers its pupils once.
    assert pupils.values("school", "code").distinct().count() == demo.pupils


def test_need_is_higher_where_the_ips_is_low(demo):
    rows = (
        Pupil.objects.values("school__ips")
        .annotate(n=Count("pk"))
        .values_list("school__ips", "school_id", "n")
    )
    needs_by_school = {school: n for _, school, n in rows}
    headcounts = Counter()
    for school, headcount in (
        SchoolClass.objects.current()
        .filter(stage=Stage.ELEMENTARY, school_id__in=needs_by_school)
        .values_list("school_id", "headcount")
    ):
        headcounts[school] += headcount
    ips = {school: value for value, school, _ in rows}
    low = [s for s in needs_by_school if ips[s] is not None and ips[s] < 85]
    high = [s for s in needs_by_school if ips[s] is not None and ips[s] >= 100]
    assert low and high

    def rate(schools):
        return sum(needs_by_school[s] for s in schools) / sum(headcounts[s] for s in schools)

    assert rate(low) > 1.3 * rate(high)


def test_the_weights_and_quotas_of_the_coordinators(demo):
    aisne = PriorityWeights.objects.get(node__code="02")
    vdo = PriorityWeights.objects.get(node__code="95")
    assert Weights.of(vdo) == Weights()
    assert Weights.of(aisne) != Weights()
    assert aisne.updated_by.email == f"coordination@{DOMAIN}"
    ecole = FamilyLink.objects.get().pupil.school
    quota = SchoolQuota.objects.get(school=ecole)
    assert quota.minimum > 0 and quota.maximum is not None
    assert SchoolQuota.objects.filter(maximum__isnull=True, minimum__gt=0).exists()
    assert AuditEvent.objects.filter(object_repr__startswith="Poids de priorité").count() >= 2


def test_the_run_serves_its_target_within_the_m6_envelope(demo):
    run = _run()
    envelope = Envelope.objects.get(measure__code="M6", node__kind="COUNTRY")
    assert run.budget == envelope.amount == Decimal("6000000")
    assert run.served == demo.served == SCALE["SERVED"]
    assert run.candidates == demo.pupils
    assert run.served * run.unit_cost <= run.budget
    decisions = RunDecision.objects.filter(run=run)
    assert decisions.count() == run.candidates
    assert decisions.filter(served=True).count() == run.served
    # Every pupil not served has the constraint that stopped them.
    assert not decisions.filter(served=False, reason="").exists()
    assert not decisions.filter(served=True).exclude(reason="").exists()
    assert sum(run.unserved_by_reason.values()) == run.candidates - run.served
    assert set(run.unserved_by_reason) <= {"budget", "departement_cap", "school_max", "stock"}
    cap = run.departement_caps["02"]
    assert decisions.filter(served=True, school__departement__code="02").count() <= cap
    # The quotas held.
    for quota in SchoolQuota.objects.all():
        served = decisions.filter(served=True, school=quota.school).count()
        candidates = decisions.filter(school=quota.school).count()
        assert served >= min(quota.minimum, candidates)
        assert quota.maximum is None or served <= quota.maximum


def test_loans_at_every_stage(demo):
    run = _run()
    loans = Loan.objects.filter(run=run)
    stages = Counter(loans.values_list("status", "outcome"))
    for status in (LoanStatus.OFFERED, LoanStatus.ACCEPTED, LoanStatus.DECLINED):
        assert stages[(status, "")], status
    assert stages[(LoanStatus.ACTIVE, "")] > loans.count() / 2
    for outcome in (LoanOutcome.RETURNED, LoanOutcome.LOST, LoanOutcome.STOLEN):
        assert stages[(LoanStatus.CLOSED, outcome)], outcome
    today = timezone.localdate()
    assert demo.overdue == loans.overdue(today).count() > 0
    # Every pupil served got an offer; devices back in stock went to the next pupils.
    served = set(RunDecision.objects.filter(run=run, served=True).values_list("pupil", flat=True))
    offered = set(loans.values_list("pupil", flat=True))
    assert served <= offered
    relent = loans.exclude(pupil__in=served)
    assert relent.exists()
    assert not relent.exclude(offered_at__gt=run.applied_at).exists()
    assert demo.relent == sum(
        Loan.objects.filter(run=r).exclude(pupil__in=_served(r)).count()
        for r in AllocationRun.objects.all()
    )
    assert demo.loans == Loan.objects.count()


def _served(run):
    return RunDecision.objects.filter(run=run, served=True).values("pupil")


def test_the_dates_of_each_loan_follow_its_steps(demo):
    now = timezone.now()
    for loan in Loan.objects.all():
        steps = [loan.offered_at, loan.accepted_at, loan.handed_out_at]
        steps = [s for s in steps if s is not None]
        assert steps == sorted(steps), loan.pk
        assert steps[-1] <= now
        if loan.handed_out_at:
            assert loan.due_on > timezone.localdate(loan.handed_out_at)
        if loan.returned_at:
            assert loan.handed_out_at <= loan.returned_at <= now
        if loan.status in (LoanStatus.CLOSED, LoanStatus.DECLINED):
            assert loan.closed_at is not None
    # The timeline of a loan is in order too.
    for loan_id, kinds in _timelines().items():
        assert kinds[0] in (LoanEventKind.ACCEPTED, LoanEventKind.DECLINED), loan_id


def _timelines():
    timelines = {}
    for loan_id, kind in LoanEvent.objects.order_by("loan", "at", "pk").values_list("loan", "kind"):
        timelines.setdefault(loan_id, []).append(kind)
    return timelines


def test_devices_lent_are_in_one_active_loan_at_their_school(demo):
    active = Loan.objects.filter(status=LoanStatus.ACTIVE).select_related("asset")
    assert active.exists()
    for loan in active:
        assert loan.asset.state == AssetState.LENT
        assert loan.asset.school_id == loan.school_id
        assert loan.asset.model.category_id == loan.category_id
    lent = Asset.objects.filter(state=AssetState.LENT)
    assert lent.count() == active.count()
    # A device lost or stolen is so in the register.
    for loan in Loan.objects.filter(outcome__in=[LoanOutcome.LOST, LoanOutcome.STOLEN]):
        assert (
            loan.asset.state == {"LOST": AssetState.LOST, "STOLEN": AssetState.STOLEN}[loan.outcome]
        )
        assert loan.asset.incidents.exists()


def test_the_m6_orders_stay_within_their_envelopes(demo):
    orders = Order.objects.filter(envelope__measure__code="M6")
    assert orders.count() == demo.orders == 2
    for envelope in Envelope.objects.filter(measure__code="M6"):
        committed = Order.objects.committed().filter(envelope=envelope).aggregate(t=Sum("total"))
        assert (committed["t"] or 0) <= envelope.amount
    for line in OrderLine.objects.filter(order__in=orders).annotate(n=Count("assets")):
        assert line.delivered == line.quantity == line.n
    devices = Asset.objects.filter(order_line__order__in=orders)
    assert devices.count() == demo.devices
    assert set(devices.values_list("model__category__code", flat=True)) == {"tablet", "router-4g"}
    assert not devices.exclude(note__icontains="données synthétiques").exists()
    # Each school got a tablet per offer of the run; the spares are in the département's stock.
    offers = Counter(
        Loan.objects.filter(run=_run(), pupil__in=_served(_run())).values_list(
            "school_id", flat=True
        )
    )
    delivered = Counter(
        devices.filter(model__category__code="tablet", school__isnull=False).values_list(
            "school_id", flat=True
        )
    )
    assert delivered == offers
    assert devices.filter(school__isnull=True, stock_node__kind="DEPARTEMENT").exists()
    # Each device's history starts with its delivery; each one lent says so.
    events = AssetEvent.objects.filter(asset__in=devices)
    assert events.filter(kind=AssetEventKind.CREATED).count() == devices.count()
    lent = Loan.objects.filter(asset__isnull=False).values("asset")
    assert set(lent.values_list("asset", flat=True)) == set(
        events.filter(kind=AssetEventKind.HANDED_OVER).values_list("asset", flat=True)
    )
    assert Asset.objects.values("serial_number").distinct().count() == Asset.objects.count()


def test_signed_documents_are_real_and_the_others_on_paper(demo):
    signed = Loan.objects.filter(agreement__isnull=False).select_related(
        "agreement", "agreement_signature"
    )
    expected = SCALE["ECOLE_SIGNED"] + 1 + SCALE["SIGNED"] + SCALE["NEXT_SIGNED"]
    assert signed.count() == expected
    for loan in signed:
        assert loan.agreement_signature.document_id == loan.agreement_id
        assert loan.agreement_signature.document_sha256 == loan.agreement.sha256
        assert verify(loan.agreement)
    receipts = Loan.objects.filter(return_receipt__isnull=False).select_related("return_receipt")
    assert receipts.count() == 1 + SCALE["RETURNED_SIGNED"]
    assert all(verify(loan.return_receipt) for loan in receipts)
    assert demo.documents == expected + receipts.count()
    # Every other loan handed out says its convention was signed on paper.
    paper = Loan.objects.filter(handed_out_at__isnull=False, agreement__isnull=True)
    assert paper.exists()
    handed_notes = dict(
        LoanEvent.objects.filter(loan__in=paper, kind=LoanEventKind.HANDED_OUT).values_list(
            "loan", "note"
        )
    )
    assert set(handed_notes) == set(paper.values_list("pk", flat=True))
    assert all(loan_story.PAPER_AGREEMENT in note for note in handed_notes.values())


def test_guardians_contacts_are_sealed_for_the_pupils_offered_a_device(demo):
    with_loan = set(Loan.objects.values_list("pupil", flat=True))
    contacts = {c.pupil_id: c for c in GuardianContact.objects.all()}
    assert set(contacts) == with_loan
    assert demo.contacts == len(contacts)
    for contact in contacts.values():
        values = crypto.unseal_dict(contact.sealed)
        assert values["name"] and values["name"] not in contact.sealed
        assert contact.has_phone == bool(values["phone"])
        assert contact.has_email == bool(values["email"])
        assert values["phone"] or values["email"]
        if values["phone"]:
            assert re.fullmatch(r"\+33[67]\d{8}", values["phone"])
        if values["email"]:
            assert values["email"].rsplit("@", 1)[1] in demo_loans.EMAIL_DOMAINS
    # The names signed are the guardians' names, and no audit event holds one.
    names = {crypto.unseal_dict(c.sealed)["name"] for c in contacts.values()}
    for loan in Loan.objects.filter(agreement__isnull=False).select_related("agreement_signature"):
        assert crypto.unseal(loan.agreement_signature.sealed_name) in names
    texts = " ".join(
        f"{r} {c}" for r, c in AuditEvent.objects.values_list("object_repr", "changes")
    )
    assert not [name for name in names if name in texts]


def test_the_demo_ecole_has_work_for_its_head_and_its_parent(demo):
    link = FamilyLink.objects.select_related("pupil__school", "user").get()
    assert link.user.email == f"parent@{DOMAIN}"
    ecole = link.pupil.school
    loan = Loan.objects.get(pupil=link.pupil, category__code="tablet")
    assert loan.status == LoanStatus.ACTIVE and loan.agreement_id
    loans = Loan.objects.filter(school=ecole)
    assert loans.filter(status=LoanStatus.OFFERED).exists()
    accepted = loans.filter(status=LoanStatus.ACCEPTED).count()
    assert accepted
    assert Asset.objects.filter(school=ecole, state=AssetState.IN_STOCK).count() > accepted
    assert loans.filter(return_receipt__isnull=False).exists()
    # A device back in stock waits for the coordinator to offer it to the next pupil.
    run, waiting = run_selectors.next_in_line(ecole, loan.category)
    assert run is not None and waiting
    assert run_selectors.available_devices([ecole.pk])[(ecole.pk, loan.category_id)] > 0


def test_reminders_are_sent_for_overdue_loans(demo):
    messages = Message.objects.filter(kind="loans.reminder")
    assert messages.count() == demo.reminders == SCALE["REMINDERS"]
    reminded = Loan.objects.filter(reminders_sent__gt=0)
    assert reminded.count() == SCALE["REMINDERS"]
    assert not reminded.exclude(due_on__lt=timezone.localdate()).exists()


def test_a_second_load_writes_nothing(demo):
    assert "Prêts (synthétiques)" in loans_line(demo)
    before = (Pupil.objects.count(), Loan.objects.count(), Asset.objects.count())
    again = load_loans(seed=3)
    assert not again.written
    assert loans_line(again) == ""
    assert (Pupil.objects.count(), Loan.objects.count(), Asset.objects.count()) == before
