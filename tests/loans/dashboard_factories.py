"""The loans of a small pilot, figures known by hand, for the dashboards, exports, family page
and API tests.

Aisne: « Laon A » (Laon, circonscription of Laon) has four pupils with a need: A1 holds a tablet
overdue (bought on an order line at 300 €), A2 a tablet due later (entered without order: the
tablet's reference price, 329 €), A3 an offer, A4 waits. « Laon B » (Laon): B1 lost their
laptop (order line, 250 €), B2 declined an offer. Soissons: S1 returned a tablet (order line,
200 €), then the same device went to S2; S3 waits. Val-d'Oise: Cergy's C1 holds a tablet, C2
waits. In stock: two tablets at Laon A, a laptop in Aisne's store, a webcam at Laon A (not a
kind lent), a tablet at Cergy. The M6 target is 15,000 pupils nationally and 500 in Aisne; the
M6 envelope of Aisne is 1,000,000 €, of which 100,000 € split to Laon. A guardian's contact is
sealed for A1 (Camille Martin)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from tests.equipment.factories import (
    AssetFactory,
    DeviceModelFactory,
    OrderFactory,
    OrderLineFactory,
    category,
)
from tests.factories import Role, SchoolFactory, user_with_role
from tests.programme.factories import EnvelopeFactory, PeriodFactory, TargetFactory, measure
from tne.equipment.enums import AssetState
from tne.loans.enums import LoanOutcome, LoanStatus
from tne.programme.enums import Unit
from tne.programme.models import Envelope

from .factories import GuardianContactFactory, LoanFactory, NeedDeclarationFactory, PupilFactory

CONTACT = {"name": "Camille Martin", "phone": "+33612345678", "email": "camille.martin@example.org"}


@dataclass
class Pilot:
    tree: object
    laon_a: object
    laon_b: object
    soissons: object
    cergy: object
    pupils: dict = field(default_factory=dict)
    loans: dict = field(default_factory=dict)
    coordinator: object = None
    vdo_coordinator: object = None
    national: object = None


def _pupil(pilot, code, school, *, need=True, level="CM1"):
    pupil = PupilFactory(school=school, code=code, level=level)
    if need:
        NeedDeclarationFactory(pupil=pupil)
    pilot.pupils[code] = pupil
    return pupil


def _device(school, code="tablet", *, state=AssetState.LENT, price=None, tag=None):
    model = DeviceModelFactory(category=category(code))
    line = None
    if price is not None:
        envelope, _ = Envelope.objects.get_or_create(
            measure=measure("M5"),
            node=school.departement,
            period=None,
            defaults={"amount": Decimal("50000.00")},
        )
        line = OrderLineFactory(
            order=OrderFactory(envelope=envelope), model=model, unit_price=price
        )
    extra = {"asset_tag": tag} if tag else {}
    return AssetFactory(model=model, state=state, school=school, order_line=line, **extra)


def _loan(pilot, key, pupil, *, status, asset=None, due=None, outcome="", code="tablet", at=None):
    now = timezone.now()
    loan = LoanFactory(
        pupil=pupil,
        status=status,
        asset=asset,
        category=category(code),
        due_on=due,
        outcome=outcome,
        handed_out_at=now if status in (LoanStatus.ACTIVE, LoanStatus.CLOSED) else None,
        closed_at=now if status == LoanStatus.CLOSED else None,
        returned_at=now if outcome == LoanOutcome.RETURNED else None,
    )
    pilot.loans[key] = loan
    return loan


def reference_prices():
    """The tablet's reference model at 329 € (the price of a device entered without order)."""
    tablet = category("tablet")
    if tablet.reference_model_id is None:
        tablet.reference_model = DeviceModelFactory(
            category=tablet, reference="STD-tablet", unit_price=Decimal("329.00")
        )
        tablet.save(update_fields=["reference_model"])


def pilot(tree) -> Pilot:
    reference_prices()
    today = timezone.localdate()
    laon_a = SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon, name="ECOLE LAON A")
    laon_b = SchoolFactory(commune=tree.laon, name="ECOLE LAON B")
    soissons = SchoolFactory(commune=tree.soissons, name="ECOLE SOISSONS")
    cergy = SchoolFactory(commune=tree.cergy, circonscription=tree.circ_cergy, name="ECOLE CERGY")
    p = Pilot(tree=tree, laon_a=laon_a, laon_b=laon_b, soissons=soissons, cergy=cergy)
    a1, a2, a3 = (_pupil(p, code, laon_a) for code in ("A1", "A2", "A3"))
    _pupil(p, "A4", laon_a)
    b1, b2 = _pupil(p, "B1", laon_b), _pupil(p, "B2", laon_b)
    s1, s2 = _pupil(p, "S1", soissons), _pupil(p, "S2", soissons)
    _pupil(p, "S3", soissons)
    c1 = _pupil(p, "C1", cergy)
    _pupil(p, "C2", cergy)
    GuardianContactFactory(pupil=a1, **CONTACT)

    late = today - datetime.timedelta(days=3)
    later = today + datetime.timedelta(days=90)
    _loan(
        p,
        "a1",
        a1,
        status=LoanStatus.ACTIVE,
        due=late,
        asset=_device(laon_a, price=Decimal("300.00"), tag="TNE-PRET-A1"),
    )
    _loan(p, "a2", a2, status=LoanStatus.ACTIVE, due=later, asset=_device(laon_a))
    _loan(p, "a3", a3, status=LoanStatus.OFFERED)
    _loan(
        p,
        "b1",
        b1,
        status=LoanStatus.CLOSED,
        outcome=LoanOutcome.LOST,
        code="laptop",
        asset=_device(laon_b, "laptop", state=AssetState.LOST, price=Decimal("250.00")),
    )
    _loan(p, "b2", b2, status=LoanStatus.DECLINED)
    again = _device(soissons, price=Decimal("200.00"))
    _loan(p, "s1", s1, status=LoanStatus.CLOSED, outcome=LoanOutcome.RETURNED, asset=again)
    _loan(p, "s2", s2, status=LoanStatus.ACTIVE, due=later, asset=again)
    _loan(
        p,
        "c1",
        c1,
        status=LoanStatus.ACTIVE,
        due=later,
        asset=_device(cergy, price=Decimal("310.00")),
    )

    _device(laon_a, state=AssetState.IN_STOCK)
    _device(laon_a, state=AssetState.IN_STOCK)
    AssetFactory(model=DeviceModelFactory(category=category("laptop")), stock_node=tree.aisne)
    AssetFactory(model=DeviceModelFactory(category=category("webcam")), school=laon_a)
    _device(cergy, state=AssetState.IN_STOCK)

    period = PeriodFactory()
    m6 = measure("M6")
    TargetFactory(node=tree.country, period=period, measure=m6, count=15_000, unit=Unit.PUPILS)
    TargetFactory(node=tree.aisne, period=period, measure=m6, count=500, unit=Unit.PUPILS)
    aisne_envelope = EnvelopeFactory(node=tree.aisne, measure=m6, amount=Decimal("1000000.00"))
    EnvelopeFactory(node=tree.laon, measure=m6, amount=Decimal("100000.00"), parent=aisne_envelope)

    p.coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    p.vdo_coordinator = user_with_role(Role.COORDINATOR, tree.vdo)
    p.national = user_with_role(Role.NATIONAL, tree.country)
    return p
