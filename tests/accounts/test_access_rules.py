"""Who may manage access, which roles they may grant on what, and the grant/withdraw services."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import Role, SchoolFactory, UserFactory, grant, user_with_role
from tne.accounts.access import (
    assignments_visible_to,
    can_grant,
    can_manage_access,
    can_withdraw,
    ensure_user,
    grant_access,
    withdraw_access,
    withdraw_refusal,
)
from tne.accounts.models import RoleAssignment, User
from tne.core.models import AuditAction, AuditEvent, AuditSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def aisne_coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


@pytest.fixture
def national(tree):
    return user_with_role(Role.NATIONAL, tree.country)


def test_national_coordinator_and_superuser_manage_access(tree, national, aisne_coordinator):
    admin = User.objects.create_superuser("admin@example.org", "x")

    assert can_manage_access(national)
    assert can_manage_access(aisne_coordinator)
    assert can_manage_access(admin)


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.IEN_ERUN, "circ_laon"),
        (Role.TECHNICIAN, "aisne"),
        (Role.TRAINER, "aisne"),
        (Role.LOCAL_AUTHORITY, "laon"),
        (Role.EVALUATOR, "country"),
    ],
)
def test_other_roles_do_not_manage_access(tree, role, target):
    user = user_with_role(role, getattr(tree, target))

    assert not can_manage_access(user)
    assert not can_grant(user, Role.TEACHER, SchoolFactory(commune=tree.laon))


def test_a_school_head_does_not_manage_access(tree, laon_school):
    assert not can_manage_access(user_with_role(Role.SCHOOL_HEAD, laon_school))


def test_anonymous_and_inactive_users_do_not_manage_access(tree, national):
    national.is_active = False

    assert not can_manage_access(AnonymousUser())
    assert not can_manage_access(national)


def test_a_coordinator_grants_inside_their_departement_only(
    tree, aisne_coordinator, laon_school, cergy_school
):
    assert can_grant(aisne_coordinator, Role.TEACHER, laon_school)
    assert can_grant(aisne_coordinator, Role.IEN_ERUN, tree.circ_laon)
    assert can_grant(aisne_coordinator, Role.TECHNICIAN, tree.aisne)
    assert can_grant(aisne_coordinator, Role.LOCAL_AUTHORITY, tree.soissons)
    assert not can_grant(aisne_coordinator, Role.TEACHER, cergy_school)
    assert not can_grant(aisne_coordinator, Role.IEN_ERUN, tree.circ_cergy)
    assert not can_grant(aisne_coordinator, Role.TRAINER, tree.amiens)  # above their node
    assert not can_grant(aisne_coordinator, Role.EVALUATOR, tree.country)


@pytest.mark.parametrize("role", [Role.NATIONAL, Role.COORDINATOR])
def test_a_coordinator_cannot_grant_the_managing_roles(tree, aisne_coordinator, role):
    assert not can_grant(aisne_coordinator, role, tree.aisne)
    assert not can_grant(aisne_coordinator, role, tree.country)


def test_an_academie_coordinator_manages_its_departements(tree, laon_school, cergy_school):
    coordinator = user_with_role(Role.COORDINATOR, tree.amiens)

    assert can_grant(coordinator, Role.TEACHER, laon_school)
    assert can_grant(coordinator, Role.TECHNICIAN, tree.aisne)
    assert not can_grant(coordinator, Role.TEACHER, cergy_school)


def test_other_grants_of_a_coordinator_do_not_widen_what_they_manage(tree, cergy_school):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    grant(coordinator, Role.TRAINER, tree.vdo)

    assert not can_grant(coordinator, Role.TEACHER, cergy_school)


def test_national_and_superuser_grant_everything(tree, national, cergy_school):
    admin = User.objects.create_superuser("admin@example.org", "x")

    for manager in (national, admin):
        assert can_grant(manager, Role.NATIONAL, tree.country)
        assert can_grant(manager, Role.COORDINATOR, tree.vdo)
        assert can_grant(manager, Role.TEACHER, cergy_school)


def test_a_coordinator_sees_the_assignments_of_their_departement_only(
    tree, aisne_coordinator, laon_school, cergy_school
):
    inside = [
        grant(UserFactory(), Role.TEACHER, laon_school),
        grant(UserFactory(), Role.IEN_ERUN, tree.circ_laon),
        grant(UserFactory(), Role.LOCAL_AUTHORITY, tree.laon),
    ]
    grant(UserFactory(), Role.TEACHER, cergy_school)
    grant(UserFactory(), Role.IEN_ERUN, tree.circ_cergy)
    grant(UserFactory(), Role.TRAINER, tree.amiens)

    visible = set(assignments_visible_to(aisne_coordinator))

    assert visible == {*inside, aisne_coordinator.role_assignments.get()}


def test_a_coordinator_cannot_withdraw_another_coordinator(tree, aisne_coordinator):
    other = grant(UserFactory(), Role.COORDINATOR, tree.aisne)

    assert not can_withdraw(aisne_coordinator, other)


def test_granting_creates_the_account_without_a_usable_password(tree, aisne_coordinator):
    outcome = grant_access(
        manager=aisne_coordinator,
        email=" Nouvelle.Personne@Example.org ",
        first_name="Zoé",
        last_name="Lefèvre",
        role=Role.IEN_ERUN,
        target=tree.circ_laon,
    )

    user = outcome.assignment.user
    assert outcome.user_created and not outcome.already_granted
    assert user.email == "nouvelle.personne@example.org"
    assert (user.first_name, user.last_name) == ("Zoé", "Lefèvre")
    assert not user.has_usable_password()
    assert outcome.assignment.granted_by == aisne_coordinator


def test_granting_an_existing_account_keeps_its_names(tree, aisne_coordinator):
    person = UserFactory(email="existe@example.org", first_name="Anne", last_name="Martin")

    outcome = grant_access(
        manager=aisne_coordinator,
        email="EXISTE@example.org",
        first_name="Autre",
        role=Role.TECHNICIAN,
        target=tree.aisne,
    )

    person.refresh_from_db()
    assert outcome.assignment.user == person and not outcome.user_created
    assert person.first_name == "Anne"
    assert person.has_usable_password()


def test_granting_twice_is_idempotent(tree, aisne_coordinator):
    kwargs = {
        "manager": aisne_coordinator,
        "email": "deux@example.org",
        "role": Role.TRAINER,
        "target": tree.aisne,
    }
    first = grant_access(**kwargs)
    second = grant_access(**kwargs)

    assert second.assignment == first.assignment
    assert second.already_granted and not second.user_created
    assert RoleAssignment.objects.filter(user__email="deux@example.org").count() == 1


def test_granting_outside_the_scope_is_refused_and_creates_no_account(
    tree, aisne_coordinator, cergy_school
):
    with pytest.raises(PermissionDenied):
        grant_access(
            manager=aisne_coordinator,
            email="dehors@example.org",
            role=Role.TEACHER,
            target=cergy_school,
        )

    assert not User.objects.filter(email="dehors@example.org").exists()


def test_a_role_on_the_wrong_kind_of_node_rolls_the_account_back(tree, aisne_coordinator):
    with pytest.raises(ValidationError):
        grant_access(
            manager=aisne_coordinator,
            email="mauvais@example.org",
            role=Role.IEN_ERUN,
            target=tree.laon,
        )

    assert not User.objects.filter(email="mauvais@example.org").exists()


def test_grant_and_withdraw_write_audit_events_with_the_actor(tree, aisne_coordinator):
    outcome = grant_access(
        manager=aisne_coordinator, email="audit@example.org", role=Role.TRAINER, target=tree.aisne
    )
    assignment = outcome.assignment
    pk = assignment.pk
    withdraw_access(manager=aisne_coordinator, assignment=assignment)

    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(RoleAssignment), object_id=str(pk)
    ).order_by("pk")
    assert [(e.action, e.actor, e.source) for e in events] == [
        (AuditAction.CREATE, aisne_coordinator, AuditSource.UI),
        (AuditAction.DELETE, aisne_coordinator, AuditSource.UI),
    ]
    created = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(outcome.assignment.user.pk),
    )
    assert created.action == AuditAction.CREATE and created.actor == aisne_coordinator
    assert not RoleAssignment.objects.filter(pk=pk).exists()


def test_a_manager_cannot_withdraw_their_last_managing_role(tree, national):
    own = national.role_assignments.get()

    assert withdraw_refusal(national, own)
    with pytest.raises(ValidationError):
        withdraw_access(manager=national, assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_a_manager_with_another_managing_role_may_withdraw_one(tree, national):
    own = national.role_assignments.get()
    grant(national, Role.COORDINATOR, tree.aisne)
    national = User.objects.get(pk=national.pk)

    assert withdraw_refusal(national, own) is None
    withdraw_access(manager=national, assignment=own)
    assert not RoleAssignment.objects.filter(pk=own.pk).exists()


def test_ensure_user_finds_an_account_whatever_the_case(tree):
    person = UserFactory(email="casse@example.org")

    found, created = ensure_user(email="Casse@Example.ORG")

    assert found == person and not created
