"""Every write of the Django admin lands in the audit trail: for each ModelAdmin of the project's
models, an addition, a change, a deletion and a bulk deletion made through the admin views by a
superuser each write an audit event. An admin that refuses every write (reference data, the
audit trail itself) is exempt, once checked that it really refuses. A new admin fails here until
it is given a recipe below (how to fill its forms) and writes through audited services."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.forms import CheckboxInput
from django.urls import reverse

from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    StaffFactory,
    UserFactory,
    grant,
)
from tne.accounts.models import RoleAssignment, User
from tne.core.models import AuditAction, AuditEvent
from tne.core.roles import Role
from tne.equipment.models import Category, DeviceModel, Supplier
from tne.programme.enums import PeriodKind
from tne.programme.models import Period
from tne.territory.enums import StaffRole, Stage
from tne.territory.models import SchoolClass, SchoolYear, Staff

pytestmark = pytest.mark.django_db

PROJECT_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("tne.")
    ),
    key=lambda item: item[0]._meta.label,
)


YEARS = itertools.count(2040)


@dataclass
class Recipe:
    make: Callable  # (tree) → an existing object, to change and delete
    add: Callable  # (tree) → the fields of a new object, as posted
    change: Callable  # (obj) → the fields to change


RECIPES = {
    SchoolYear: Recipe(
        make=lambda tree: SchoolYearFactory(label=f"{(y := next(YEARS))}-{y + 1}"),
        add=lambda tree: {"label": "2031-2032", "starts_on": "2031-09-01", "ends_on": "2032-08-31"},
        change=lambda obj: {"ends_on": f"{obj.starts_on.year + 1}-08-31"},
    ),
    SchoolClass: Recipe(
        make=lambda tree: SchoolClassFactory(school=SchoolFactory(commune=tree.laon)),
        add=lambda tree: {
            "school": SchoolFactory(commune=tree.laon).pk,
            "year": SchoolYearFactory().pk,
            "name": "CP A",
            "levels": '["CP"]',
            "stage": Stage.ELEMENTARY,
            "headcount": 21,
        },
        change=lambda obj: {"headcount": 22},
    ),
    Staff: Recipe(
        make=lambda tree: StaffFactory(school=SchoolFactory(commune=tree.laon)),
        add=lambda tree: {
            "school": SchoolFactory(commune=tree.laon).pk,
            "role": StaffRole.TEACHER,
            "first_name": "Adélaïde",
            "last_name": "Zorglub",
        },
        change=lambda obj: {"last_name": "Zorglubienne"},
    ),
    User: Recipe(
        make=lambda tree: UserFactory(),
        add=lambda tree: {
            "email": "nouvelle.personne@example.org",
            "usable_password": "true",
            "password1": "un-mot-de-passe-assez-long-42",
            "password2": "un-mot-de-passe-assez-long-42",
        },
        change=lambda obj: {"first_name": "Hortense"},
    ),
    Period: Recipe(
        make=lambda tree: Period.objects.create(
            label=f"Phase {next(YEARS)}", kind=PeriodKind.PHASE, starts_on="2020-09-01"
        ),
        add=lambda tree: {
            "label": "Généralisation",
            "kind": PeriodKind.PHASE,
            "starts_on": "2023-09-01",
        },
        change=lambda obj: {"ends_on": "2030-08-31"},
    ),
    DeviceModel: Recipe(
        make=lambda tree: DeviceModel.objects.create(
            category=Category.objects.get(code="laptop"),
            maker="Fabricant",
            reference=f"ADM-{next(YEARS)}",
            name="Portable",
            unit_price=Decimal("749.00"),
        ),
        add=lambda tree: {
            "category": Category.objects.get(code="webcam").pk,
            "maker": "Logitech",
            "reference": "960-001055",
            "name": "C925e",
            "unit_price": "89.90",
            "warranty_months": 24,
            "is_active": "on",
        },
        change=lambda obj: {"unit_price": "79.90"},
    ),
    Supplier: Recipe(
        make=lambda tree: Supplier.objects.create(name=f"Fournisseur {next(YEARS)}"),
        add=lambda tree: {"name": "UGAP", "siret": "18004203800017"},
        change=lambda obj: {"siret": "18004203800025"},
    ),
    RoleAssignment: Recipe(
        make=lambda tree: grant(UserFactory(), Role.COORDINATOR, tree.aisne),
        add=lambda tree: {"user": UserFactory().pk, "role": Role.COORDINATOR, "node": tree.vdo.pk},
        change=lambda obj: {"node": obj.node.parent_id},
    ),
}


def _value(field, value):
    value = field.prepare_value(value)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[form.add_prefix(name)] = "on"
        else:
            data[form.add_prefix(name)] = _value(field, value)
    return data


def posted(response, fields: dict) -> dict:
    """What the admin page of ``response`` would post, its inline forms as they are, with
    ``fields`` typed in the main form."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            data.update(_form_data(form))
    for name, value in fields.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = str(value) if not isinstance(value, list) else value
    return data


def events(model, action) -> int:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model), action=action
    ).count()


@pytest.fixture
def superuser_client(client):
    superuser = User.objects.create_superuser(
        email="admin@example.org", password="mot-de-passe-admin"
    )
    client.force_login(superuser)
    return client, superuser


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    ("model", "model_admin"), PROJECT_ADMINS, ids=[m._meta.label for m, _ in PROJECT_ADMINS]
)
def test_every_admin_writes_an_audit_event_or_refuses_writes(
    model, model_admin, superuser_client, tree, rf
):
    client, superuser = superuser_client
    request = rf.get("/")
    request.user = superuser
    writes = (
        model_admin.has_add_permission(request),
        model_admin.has_change_permission(request),
        model_admin.has_delete_permission(request),
    )
    if not any(writes):  # Read-only: check that its views really refuse.
        assert client.post(_url(model, "add"), {}).status_code == 403
        return
    assert model in RECIPES, (
        f"{model._meta.label} : son admin écrit ; donnez-lui une recette ici et des services "
        "audités (save_model, delete_model, delete_queryset)."
    )
    recipe = RECIPES[model]

    if model_admin.has_add_permission(request):
        before = events(model, AuditAction.CREATE)
        page = client.get(_url(model, "add"))
        response = client.post(_url(model, "add"), posted(page, recipe.add(tree)))
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert events(model, AuditAction.CREATE) == before + 1

    obj = recipe.make(tree)
    if model_admin.has_change_permission(request, obj):
        before = AuditEvent.objects.count()
        page = client.get(_url(model, "change", obj.pk))
        response = client.post(_url(model, "change", obj.pk), posted(page, recipe.change(obj)))
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert AuditEvent.objects.count() > before
        obj = model._default_manager.order_by("-pk").first()  # a grant is replaced

    if model_admin.has_delete_permission(request, obj):
        before = events(model, AuditAction.DELETE)
        response = client.post(_url(model, "delete", obj.pk), {"post": "yes"})
        assert response.status_code == 302
        assert not model._default_manager.filter(pk=obj.pk).exists()
        assert events(model, AuditAction.DELETE) == before + 1

        others = [recipe.make(tree), recipe.make(tree)]
        before = events(model, AuditAction.DELETE)
        response = client.post(
            _url(model, "changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [o.pk for o in others],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert not model._default_manager.filter(pk__in=[o.pk for o in others]).exists()
        assert events(model, AuditAction.DELETE) == before + 2


def test_an_admin_password_change_is_audited_without_the_password(superuser_client):
    client, superuser = superuser_client
    user = UserFactory()
    old_hash = user.password

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {
            "usable_password": "true",
            "password1": "encore-un-mot-de-passe-99",
            "password2": "encore-un-mot-de-passe-99",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password != old_hash
    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    )
    assert (event.actor, event.changes) == (superuser, {"password": "modifié"})
    assert event.object_repr == f"Utilisateur n° {user.pk}"
