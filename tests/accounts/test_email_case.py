"""E-mail addresses ignore case: stored in lowercase, logging in with capitals works, and two
accounts cannot differ by case only (form error, model validation, database constraint)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import UserFactory
from tne.accounts.admin import UserCreationForm
from tne.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-de-test"


def test_logging_in_with_capitals_in_the_email_works(client):
    user = UserFactory(email="coordination@demo.tne.invalid")

    response = client.post(
        "/comptes/connexion/",
        {"username": " COORDINATION@Demo.TNE.invalid", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_natural_key_ignores_case():
    user = UserFactory(email="coordination@example.org")

    assert User.objects.get_by_natural_key("Coordination@EXAMPLE.org") == user


def test_creating_a_user_stores_the_email_in_lowercase():
    user = User.objects.create_user(email=" Jeanne.Martin@Example.ORG ", password=PASSWORD)

    user.refresh_from_db()
    assert user.email == "jeanne.martin@example.org"


def test_creating_a_user_differing_only_by_case_fails_cleanly():
    User.objects.create_user(email="a@x.org")

    with pytest.raises(ValidationError) as error:
        User.objects.create_user(email="A@x.org")

    assert error.value.message_dict == {
        "email": ["Un compte existe déjà avec cette adresse électronique."]
    }
    assert User.objects.count() == 1


def test_model_validation_names_the_case_insensitive_duplicate():
    UserFactory(email="a@x.org")
    user = User(email="A@X.org")
    user.set_unusable_password()

    with pytest.raises(ValidationError) as error:
        user.full_clean()

    assert user.email == "a@x.org"
    messages = [m for ms in error.value.message_dict.values() for m in ms]
    assert "Un compte existe déjà avec cette adresse électronique." in messages


def test_the_admin_creation_form_refuses_a_duplicate_in_other_case():
    UserFactory(email="a@x.org")

    form = UserCreationForm(
        data={"email": "A@x.org", "usable_password": "false", "password1": "", "password2": ""}
    )

    assert not form.is_valid()
    assert "Un compte existe déjà avec cette adresse électronique." in str(form.errors)


def test_the_database_refuses_a_duplicate_in_other_case_written_around_validation():
    UserFactory(email="a@x.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="A@x.org", password="!")])


def test_the_migration_lowercases_existing_addresses():
    User.objects.bulk_create([User(email="Ancien.Compte@Example.org", password="!")])
    migration = importlib.import_module(
        "tne.accounts.migrations.0003_user_email_unique_ignoring_case"
    )

    migration.lowercase_emails(apps, None)

    assert list(User.objects.values_list("email", flat=True)) == ["ancien.compte@example.org"]
