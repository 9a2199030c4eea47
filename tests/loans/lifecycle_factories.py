"""The people and loans of the lifecycle tests: a school of Laon with its head, a technician of
Aisne, an IEN of Laon's circonscription (reads, does not hand out), a person who heads a school
of Soissons and is a parent at the Laon school (their head grant must give nothing at Laon), and
the head of a school of Cergy (an outsider)."""

import datetime
import subprocess

from django.utils import timezone

from tests.factories import Role, SchoolFactory, grant, user_with_role
from tne.loans.enums import LoanStatus
from tne.loans.services.lifecycle import SignatureData

from .factories import LoanFactory, PupilFactory, lendable_asset

__all__ = [
    "HTMX",
    "Counter",
    "accepted_loan",
    "active_loan",
    "lendable_asset",
    "pdf_text",
    "prepare",
    "signed",
]


HTMX = {"HX-Request": "true", "HX-Target": "counter-zone", "HX-Current-URL": "http://testserver/"}


class Counter:
    def __init__(self, tree):
        self.tree = tree
        self.school = SchoolFactory(
            commune=tree.laon, circonscription=tree.circ_laon, name="École Jean-Macé"
        )
        self.soissons_school = SchoolFactory(commune=tree.soissons, name="École de Soissons")
        self.cergy_school = SchoolFactory(
            commune=tree.cergy, circonscription=tree.circ_cergy, name="École de Cergy"
        )
        self.head = user_with_role(Role.SCHOOL_HEAD, self.school)
        self.technician = user_with_role(Role.TECHNICIAN, tree.aisne)
        self.ien = user_with_role(Role.IEN_ERUN, tree.circ_laon)
        self.coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
        # Head at Soissons, parent at Jean-Macé (Laon).
        self.two_roles = user_with_role(Role.SCHOOL_HEAD, self.soissons_school)
        grant(self.two_roles, Role.PARENT, self.school)
        self.outsider = user_with_role(Role.SCHOOL_HEAD, self.cergy_school)


def accepted_loan(school, *, code: str = "tablet", pupil=None, **extra):
    """An offer of a device of kind ``code`` the family of a new pupil of ``school`` accepted."""
    from tests.equipment.factories import category

    values = {"status": LoanStatus.ACCEPTED, "accepted_at": timezone.now(), **extra}
    return LoanFactory(
        pupil=pupil or PupilFactory(school=school), category=category(code), **values
    )


def signed(name: str = "Camille Martin", drawing=None) -> SignatureData:
    return SignatureData(typed_name=name, consent=True, drawing=drawing)


def active_loan(counter, *, actor=None, due_on=None, tag=None, school=None):
    """A loan handed out through the service (its convention signed)."""
    from tne.loans.services import lifecycle

    school = school or counter.school
    loan = accepted_loan(school)
    asset = lendable_asset(school, **({"asset_tag": tag} if tag else {}))
    prepared = prepare(counter, loan, asset.asset_tag, actor=actor, due_on=due_on)
    return lifecycle.hand_out(
        actor=actor or counter.head,
        loan=prepared,
        asset_tag=asset.asset_tag,
        signature_data=signed(),
    )


def prepare(counter, loan, tag, *, actor=None, due_on=None):
    """The scan step: the convention of device ``tag`` rendered and kept on ``loan``."""
    from tne.loans.services import lifecycle

    return lifecycle.prepare_agreement(
        actor=actor or counter.head,
        loan=loan,
        asset_tag=tag,
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=60),
    )


def pdf_text(document) -> str:
    """The text of a stored PDF (poppler's ``pdftotext``), its spaces collapsed."""
    with document.file.open("rb") as handle:
        data = handle.read()
    result = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True)
    return " ".join(result.stdout.decode().split())
