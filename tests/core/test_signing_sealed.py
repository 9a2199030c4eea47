"""A signature whose name is sealed (``sign(..., seal_name=True)``, the loans' guardians): the
typed name is never in clear in the database, it opens with the data keys, and
``forget_name`` blanks it — the one change a signature allows; every other stays refused."""

import pytest
from django.db import connection

from tests.factories import UserFactory
from tne.core.crypto import unseal
from tne.core.documents import render_pdf
from tne.core.models import Signature
from tne.core.signing import forget_name, forget_names, sign

pytestmark = pytest.mark.django_db
NAME = "Camille Martin-Sceau"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def document(db):
    return render_pdf("core/documents/text.html", {}, kind="test", title="Convention")


def raw_row(signature) -> str:
    """The signature's row as a raw dump would show it (every column as text)."""
    table = Signature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [signature.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def sealed(document, name=NAME):
    return sign(
        document, signer=None, capacity="Responsable légal", typed_name=name, seal_name=True
    )


def test_a_sealed_name_is_not_in_clear_and_opens_with_the_keys(document):
    signature = sealed(document, "  Camille   Martin-Sceau ")

    stored = Signature.objects.get(pk=signature.pk)
    assert stored.typed_name == "" and stored.sealed_name
    assert unseal(stored.sealed_name) == NAME
    assert "Camille" not in raw_row(signature) and "Sceau" not in raw_row(signature)
    assert stored.document_sha256 == document.sha256
    assert "Nom protégé" in str(stored)


def test_without_sealing_the_name_is_kept_as_before(document):
    signature = sign(
        document, signer=UserFactory(), capacity="Direction de l'école", typed_name=NAME
    )
    assert signature.typed_name == NAME and signature.sealed_name == ""
    assert NAME in raw_row(signature)


def test_forgetting_blanks_the_sealed_name_and_keeps_the_rest(document):
    signature = sealed(document)
    before = Signature.objects.filter(pk=signature.pk).values().get()

    forget_name(signature)

    after = Signature.objects.filter(pk=signature.pk).values().get()
    assert signature.sealed_name == "" and after["sealed_name"] == ""
    assert {k: v for k, v in after.items() if k != "sealed_name"} == {
        k: v for k, v in before.items() if k != "sealed_name"
    }


def test_forgetting_in_bulk_counts_the_names_blanked(document):
    first, second = sealed(document), sealed(document, "Luc Petit")
    clear = sign(document, signer=None, capacity="Agent", typed_name="Agent Public")

    assert forget_names(Signature.objects.filter(pk__in=[first.pk, second.pk, clear.pk])) == 2
    assert forget_names(Signature.objects.all()) == 0
    assert Signature.objects.get(pk=clear.pk).typed_name == "Agent Public"


def test_every_other_change_stays_refused(document):
    signature = sealed(document)
    with pytest.raises(ValueError, match="ne se modifie pas"):
        Signature.objects.filter(pk=signature.pk).update(sealed_name="")
    with pytest.raises(ValueError, match="ne se modifie pas"):
        Signature.objects.filter(pk=signature.pk).update(capacity="Autre")
    signature.sealed_name = ""
    with pytest.raises(ValueError, match="ne se modifie pas"):
        signature.save()
    with pytest.raises(ValueError, match="ne se supprime pas"):
        signature.delete()
    assert Signature.objects.get(pk=signature.pk).sealed_name
