"""Installations ready to sign off, for the tests of sign-offs and hand-overs (the shared
factories stay as they are)."""

import datetime

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    grant,
    user_with_role,
)
from tne.equipment.enums import AllocationStatus, AssetState
from tne.territory.enums import SchoolKind

from .factories import AllocationFactory, AssetFactory, CampaignFactory, category, kit, price_kits

PHOTO_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def installed(school, *, devices=2, status=AllocationStatus.INSTALLED, campaign=None, **extra):
    """An allocation of the hybrid kit to a new class of ``school`` at ``status``, with
    ``devices`` devices of the register attached to it."""
    campaign = campaign or CampaignFactory(node=school.departement, kit=kit("kit-hybride"))
    allocation = AllocationFactory(
        campaign=campaign,
        school=school,
        school_class=SchoolClassFactory(school=school),
        status=status,
        ordered_on=datetime.date(2026, 10, 1),
        delivered_on=datetime.date(2026, 10, 15),
        installed_on=datetime.date(2026, 10, 20),
        **extra,
    )
    models = price_kits()
    for n in range(devices):
        code = ("webcam", "microphone", "speakers")[n % 3]
        AssetFactory(
            model=models[code],
            allocation=allocation,
            school=school,
            school_class=allocation.school_class,
            state=AssetState.ALLOCATED,
        )
    return allocation


class Place:
    """Two elementary schools of Laon and one of Cergy, a collège of Laon (owned by the Aisne
    département); the head of each school, the commune officers of Laon and Cergy, the Aisne
    département's officer, and a person head at school A and commune officer of Soissons."""

    def __init__(self, tree):
        self.tree = tree
        self.school = SchoolFactory(commune=tree.laon, name="École Jean-Macé")
        self.other_school = SchoolFactory(commune=tree.laon, name="École Victor-Hugo")
        self.soissons_school = SchoolFactory(commune=tree.soissons, name="École de Soissons")
        self.cergy_school = SchoolFactory(commune=tree.cergy, name="École de Cergy")
        self.college = SchoolFactory(commune=tree.laon, kind=SchoolKind.COLLEGE, name="Collège")
        self.head = user_with_role(Role.SCHOOL_HEAD, self.school)
        self.other_head = user_with_role(Role.SCHOOL_HEAD, self.other_school)
        self.college_head = user_with_role(Role.SCHOOL_HEAD, self.college)
        self.cergy_head = user_with_role(Role.SCHOOL_HEAD, self.cergy_school)
        self.laon_officer = user_with_role(Role.LOCAL_AUTHORITY, tree.laon)
        self.cergy_officer = user_with_role(Role.LOCAL_AUTHORITY, tree.cergy)
        self.aisne_officer = user_with_role(Role.LOCAL_AUTHORITY, tree.aisne)
        self.coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
        # Head at school A (Jean-Macé) and officer of the commune of Soissons.
        self.two_roles = user_with_role(Role.SCHOOL_HEAD, self.school)
        grant(self.two_roles, Role.LOCAL_AUTHORITY, tree.soissons)


__all__ = ["PHOTO_PNG", "Place", "category", "installed"]


def aisne_signoff_ids(school) -> dict[str, list[str]]:
    """For the outsider walk (``tests/test_outsider_routes.py``): an installation of ``school``
    accepted by its head, a new teacher of it with their kit handed over, as route values."""
    from tests.factories import StaffFactory
    from tne.equipment.services import handovers, signoffs

    from .factories import ensure_catalogue

    ensure_catalogue()
    head = user_with_role(Role.SCHOOL_HEAD, school)
    allocation = installed(school, devices=1)
    signoff = signoffs.decide_installation(
        allocation_id=allocation.pk,
        actor=head,
        accept=True,
        typed_name="Direction Marqueur",
        photo=_photo(),
    )
    teacher = StaffFactory(school=school, is_new_teacher=True, last_name="Marqueurnom")
    kit_allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=head)
    models = price_kits()
    tags = [
        AssetFactory(model=models[code], school=school, state=AssetState.IN_STOCK).asset_tag
        for code in ("laptop", "webcam", "microphone")
    ]
    handover = handovers.hand_over(
        allocation_id=kit_allocation.pk, actor=head, tags=tags, typed_name="Marqueurnom"
    )
    return {
        "allocation_id": [str(allocation.pk), str(kit_allocation.pk)],
        "signoff_id": [str(signoff.pk)],
        "staff_id": [str(teacher.pk)],
        "handover_id": [str(handover.pk)],
    }


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", PHOTO_PNG, content_type="image/png")
