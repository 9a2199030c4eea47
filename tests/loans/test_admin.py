"""The admin of the loans: every model registered and read only; a guardian's contact shows its
flags, never its token."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tne.accounts.models import User

from .factories import GuardianContactFactory
from .needs_helpers import Needs

pytestmark = pytest.mark.django_db
MODELS = list(apps.get_app_config("loans").get_models())


@pytest.fixture
def superuser_client(client):
    client.force_login(
        User.objects.create_superuser(email="admin@example.org", password="mot-de-passe-admin")
    )
    return client


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_every_loans_model_is_registered_read_only(model, rf):
    assert len(MODELS) >= 9
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_contact_shows_its_flags_and_never_its_token(superuser_client, tree):
    pupil = Needs(tree).pupil(code="E-1")
    contact = GuardianContactFactory(pupil=pupil, name="Octave Marqueuradmin")

    listing = superuser_client.get(reverse("admin:loans_guardiancontact_changelist"))
    detail = superuser_client.get(reverse("admin:loans_guardiancontact_change", args=[contact.pk]))

    for response in (listing, detail):
        body = response.content.decode()
        assert response.status_code == 200
        assert contact.sealed[:20] not in body and "Marqueuradmin" not in body
    assert "Téléphone renseigné" in detail.content.decode()
    assert superuser_client.post(reverse("admin:loans_pupil_add"), {}).status_code == 403
