"""For the outsider walk (``tests/test_outsider_routes.py``): the loans of the marked Aisne
school as route values, with their markers: a pupil with a need, a sealed guardian contact, an
active loan of a tagged device with its signed agreement, an allocation run of Aisne with its
decision, a parent's account linked to the pupil."""

from django.core.files.base import ContentFile

from tests.equipment.factories import category, ensure_catalogue
from tests.factories import Role, user_with_role
from tne.core.models import Document
from tne.loans.enums import LoanStatus
from tne.loans.models import AllocationRun, RunDecision
from tne.loans.services.families import link_parent

from .factories import (
    GuardianContactFactory,
    LoanFactory,
    NeedDeclarationFactory,
    PupilFactory,
    lendable_asset,
)

MARKERS = [
    "ELEVE-MARQUEUR-FAMILLE",
    "PRET-MARQUEUR-FAMILLE",
    "attribution-marqueur-famille",
    "parent-marqueur",
    "Tuteurmarqueur",
]


def aisne_loan_ids(tree, school, markers: list[str]) -> dict[str, list[str]]:
    ensure_catalogue()
    markers += MARKERS
    pupil = PupilFactory(school=school, code="ELEVE-MARQUEUR-FAMILLE")
    NeedDeclarationFactory(pupil=pupil)
    GuardianContactFactory(pupil=pupil, name="Tuteurmarqueur", email="tuteur@example.org")
    agreement = Document.objects.create(
        kind="loans.agreement",
        title="Convention marqueur",
        file=ContentFile(b"%PDF-1.7", name="convention-marqueur.pdf"),
        sha256="0" * 64,
    )
    loan = LoanFactory(
        pupil=pupil,
        status=LoanStatus.ACTIVE,
        asset=lendable_asset(school, asset_tag="PRET-MARQUEUR-FAMILLE"),
        agreement=agreement,
    )
    run = AllocationRun.objects.create(
        node=tree.aisne, category=category("tablet"), label="attribution-marqueur-famille", stock=1
    )
    RunDecision.objects.create(
        run=run, pupil=pupil, school=school, priority=40, rank=1, served=True
    )
    head = user_with_role(Role.SCHOOL_HEAD, school)
    link = link_parent(actor=head, pupil=pupil, email="parent-marqueur@example.org").link
    return {
        "pupil_id": [str(pupil.pk)],
        "loan_id": [str(loan.pk)],
        "run_id": [str(run.pk)],
        "link_id": [str(link.pk)],
    }
