import json

import pytest

from tne.accounts.enums import SCHOOL_ROLES
from tne.accounts.models import ALLOWED_NODE_KINDS, RoleAssignment, User
from tne.core.roles import Role
from tne.demo.accounts import ACCOUNTS, ensure_demo_accounts, logins_path
from tne.demo.synthesis import synthesise
from tne.territory.enums import NodeKind, StaffRole
from tne.territory.models import Staff


@pytest.fixture
def demo_territory(small_territory, calibration, fast_passwords):
    synthesise(calibration=calibration, seed=1)
    return small_territory


def test_each_demo_account_gets_exactly_one_role_with_the_right_scope(demo_territory):
    tree = demo_territory
    ensure_demo_accounts()

    expected = {
        "pilotage": (Role.NATIONAL, tree.country),
        "coordination": (Role.COORDINATOR, tree.aisne),
        "technicien": (Role.TECHNICIAN, tree.vdo),
        "formation": (Role.TRAINER, tree.aisne),
        "evaluation": (Role.EVALUATOR, tree.country),
        "collectivite": (Role.LOCAL_AUTHORITY, tree.laon),
    }
    for account in ACCOUNTS:
        user = User.objects.get(email=account.email)
        grants = list(user.role_assignments.all())
        if account.role is None:
            assert user.is_superuser and grants == []
            continue
        assert [g.role for g in grants] == [account.role]
        grant = grants[0]
        grant.full_clean()
        if account.role in SCHOOL_ROLES:
            assert grant.school.commune == tree.laon
            assert grant.school.departement == tree.aisne
        else:
            assert grant.node.kind in ALLOWED_NODE_KINDS[account.role]
        if account.local_part in expected:
            assert (grant.role, grant.node) == expected[account.local_part]
    ien = RoleAssignment.objects.get(role=Role.IEN_ERUN)
    ecole = RoleAssignment.objects.get(role=Role.TEACHER).school
    assert ien.node.kind == NodeKind.CIRCONSCRIPTION
    assert ien.node == ecole.circonscription


def test_the_teacher_and_the_head_are_staff_of_the_demo_ecole(demo_territory):
    ensure_demo_accounts()

    teacher = User.objects.get(email="enseignant@demo.tne.invalid")
    head = User.objects.get(email="direction@demo.tne.invalid")
    ecole = teacher.role_assignments.get().school
    assert teacher.staff_profile.school == ecole
    assert teacher.staff_profile.role == StaffRole.TEACHER
    assert teacher.get_full_name() == str(teacher.staff_profile)
    assert head.staff_profile.school == ecole
    assert head.staff_profile.role == StaffRole.HEAD


def test_passwords_are_random_kept_in_var_and_reused(demo_territory, fast_passwords):
    logins = ensure_demo_accounts()

    stored = json.loads(logins_path().read_text())
    assert logins_path().parent == fast_passwords
    assert oct(logins_path().stat().st_mode & 0o777) == "0o600"
    assert {x.email: x.password for x in logins} == stored
    assert len(set(stored.values())) == len(ACCOUNTS)
    for login in logins:
        assert User.objects.get(email=login.email).check_password(login.password)

    again = ensure_demo_accounts()

    assert again == logins
    assert RoleAssignment.objects.count() == len(ACCOUNTS) - 1
    assert Staff.objects.filter(user__isnull=False).count() == 2


def test_a_lost_logins_file_gives_new_passwords_that_work(demo_territory):
    first = ensure_demo_accounts()
    logins_path().unlink()

    second = ensure_demo_accounts()

    assert all(a.password != b.password for a, b in zip(first, second, strict=True))
    for login in second:
        assert User.objects.get(email=login.email).check_password(login.password)
