"""The scoping mechanism, role by role: ``visible_to`` returns exactly the user's scope."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    UserFactory,
    grant,
    user_with_role,
)
from tne.accounts.models import RoleAssignment
from tne.accounts.roles import withdraw_role
from tne.core.models import AuditAction, AuditEvent
from tne.core.roles import Role
from tne.territory.enums import SchoolKind
from tne.territory.models import School, SchoolClass, Staff, TerritoryNode


@pytest.fixture
def schools(tree):
    """Écoles in Laon (circonscription of Laon), Soissons, Cergy; a collège and a lycée in
    each département."""
    return {
        "laon": SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon),
        "soissons": SchoolFactory(commune=tree.soissons),
        "college_laon": SchoolFactory(commune=tree.laon, kind=SchoolKind.COLLEGE),
        "lycee_laon": SchoolFactory(commune=tree.laon, kind=SchoolKind.LYCEE_GT),
        "cergy": SchoolFactory(commune=tree.cergy, circonscription=tree.circ_cergy),
        "college_cergy": SchoolFactory(commune=tree.cergy, kind=SchoolKind.COLLEGE),
    }


def visible(user, schools):
    names = {s.pk: name for name, s in schools.items()}
    return {names[pk] for pk in School.objects.visible_to(user).values_list("pk", flat=True)}


ALL = {"laon", "soissons", "college_laon", "lycee_laon", "cergy", "college_cergy"}
AISNE = {"laon", "soissons", "college_laon", "lycee_laon"}


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        (Role.NATIONAL, "country", ALL),
        (Role.EVALUATOR, "country", ALL),
        (Role.COORDINATOR, "aisne", AISNE),
        (Role.COORDINATOR, "amiens", AISNE),
        (Role.COORDINATOR, "vdo", {"cergy", "college_cergy"}),
        (Role.IEN_ERUN, "circ_laon", {"laon"}),
        (Role.TECHNICIAN, "aisne", AISNE),
        (Role.TRAINER, "circ_cergy", {"cergy"}),
        (Role.EVALUATOR, "aisne", AISNE),
        # Local authorities see the buildings they own: écoles for a commune, collèges for a
        # département, lycées for a région.
        (Role.LOCAL_AUTHORITY, "laon", {"laon"}),
        (Role.LOCAL_AUTHORITY, "aisne", {"college_laon"}),
        (Role.LOCAL_AUTHORITY, "hdf", {"lycee_laon"}),
        (Role.SCHOOL_HEAD, "school:laon", {"laon"}),
        (Role.TEACHER, "school:cergy", {"cergy"}),
        (Role.PARENT, "school:soissons", {"soissons"}),
    ],
)
def test_each_role_sees_exactly_its_scope(tree, schools, role, target, expected):
    if target.startswith("school:"):
        target_obj = schools[target.removeprefix("school:")]
    else:
        target_obj = getattr(tree, target)
    user = user_with_role(role, target_obj)

    assert visible(user, schools) == expected


def test_a_user_without_role_sees_nothing(schools):
    assert visible(UserFactory(), schools) == set()


def test_an_anonymous_user_sees_nothing(schools):
    from django.contrib.auth.models import AnonymousUser

    assert not School.objects.visible_to(AnonymousUser()).exists()


def test_an_inactive_user_sees_nothing(tree, schools):
    user = user_with_role(Role.NATIONAL, tree.country)
    user.is_active = False
    assert visible(user, schools) == set()


def test_grants_add_up(tree, schools):
    user = user_with_role(Role.IEN_ERUN, tree.circ_laon)
    grant(user, Role.SCHOOL_HEAD, schools["cergy"])

    assert visible(user, schools) == {"laon", "cergy"}


def test_the_superuser_sees_everything(schools):
    admin = UserFactory(is_superuser=True)
    assert visible(admin, schools) == ALL


def test_classes_follow_the_scope_of_their_school(tree, schools):
    inside = SchoolClassFactory(school=schools["laon"])
    SchoolClassFactory(school=schools["cergy"])
    user = user_with_role(Role.COORDINATOR, tree.aisne)

    assert list(SchoolClass.objects.visible_to(user)) == [inside]


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.LOCAL_AUTHORITY])
def test_roles_without_access_to_people_see_no_staff(tree, schools, role):
    StaffFactory(school=schools["laon"])
    target = tree.aisne
    user = user_with_role(role, target)

    assert not Staff.objects.visible_to(user).exists()


def test_a_parent_sees_no_staff_of_the_school(schools):
    StaffFactory(school=schools["laon"])
    parent = user_with_role(Role.PARENT, schools["laon"])

    assert not Staff.objects.visible_to(parent).exists()


def test_a_coordinator_sees_staff_of_the_scope_only(tree, schools):
    inside = StaffFactory(school=schools["laon"])
    StaffFactory(school=schools["cergy"])
    user = user_with_role(Role.COORDINATOR, tree.aisne)

    assert list(Staff.objects.visible_to(user)) == [inside]


def test_nodes_visible_are_the_subtree_of_the_grant(tree):
    user = user_with_role(Role.COORDINATOR, tree.aisne)

    codes = set(TerritoryNode.objects.visible_to(user).values_list("code", flat=True))
    assert codes == {"02", "02408", "02722", "0201"}


def test_the_scope_costs_one_query_per_request(tree, schools, django_assert_num_queries):
    user = user_with_role(Role.COORDINATOR, tree.aisne)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(2):  # the grants, then the list
        list(School.objects.visible_to(user))
    with django_assert_num_queries(1):
        list(SchoolClass.objects.visible_to(user))


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.COORDINATOR, "laon"),  # a coordinator works on an académie or a département
        (Role.NATIONAL, "aisne"),
        (Role.IEN_ERUN, "aisne"),
        (Role.LOCAL_AUTHORITY, "amiens"),
    ],
)
def test_a_role_is_refused_on_the_wrong_kind_of_node(tree, role, target):
    with pytest.raises(ValidationError):
        grant(UserFactory(), role, getattr(tree, target))


def test_a_school_role_is_refused_on_a_node(tree):
    with pytest.raises(ValidationError):
        grant(UserFactory(), Role.TEACHER, tree.aisne)


def test_granting_and_withdrawing_a_role_is_in_the_audit_trail(tree):
    user = UserFactory()
    assignment = grant(user, Role.COORDINATOR, tree.aisne)
    assert grant(user, Role.COORDINATOR, tree.aisne) == assignment  # idempotent

    assignment_id = str(assignment.pk)

    withdraw_role(assignment=assignment)

    actions = list(
        AuditEvent.objects.filter(object_id=assignment_id).values_list("action", flat=True)
    )
    assert sorted(actions) == [AuditAction.CREATE, AuditAction.DELETE]
    assert not RoleAssignment.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.IEN_ERUN, "circ_laon"),
        (Role.TECHNICIAN, "laon"),
        (Role.LOCAL_AUTHORITY, "laon"),
        (Role.SCHOOL_HEAD, "school:laon"),
    ],
)
def test_roles_below_the_departement_browse_from_their_departement(tree, schools, role, target):
    on = schools["laon"] if target == "school:laon" else getattr(tree, target)
    user = user_with_role(role, on)

    codes = set(TerritoryNode.objects.visible_to(user).values_list("code", flat=True))

    assert {"02", "02408", "02722"} <= codes
    assert "95" not in codes and "95127" not in codes
    # Browsing the département does not widen the schools they see: those of Laon at most.
    assert visible(user, schools) <= {"laon", "college_laon", "lycee_laon"}


def test_only_superusers_manage_accounts_and_roles_in_the_admin(client, tree):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_user"))
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_roleassignment"))
    client.force_login(staff)

    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/accounts/roleassignment/add/").status_code == 403

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/accounts/user/").status_code == 200
