"""French typography of the pages of pupils, needs, contacts and rules, their error messages
included (``tests.typography``: the rules the e2e page checks apply)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.typography import typography_problems, visible_text_of_html

from .factories import GuardianContactFactory
from .needs_helpers import Needs

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Needs(tree)


def problems(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return typography_problems(visible_text_of_html(response.content.decode()))


def test_the_pages_of_the_head_read_in_french(client, place):
    pupil = place.pupil(code="E-1")
    GuardianContactFactory(pupil=pupil)
    client.force_login(place.head)
    responses = [
        client.get(reverse("loans:pupils", args=[place.school.pk])),
        client.get(reverse("loans:pupil", args=[pupil.pk])),
        client.post(reverse("loans:pupil_contact", args=[pupil.pk])),
        client.get(reverse("loans:pupil_contact_edit", args=[pupil.pk])),
        client.post(
            reverse("loans:pupil_contact_edit", args=[pupil.pk]),
            {"name": "", "phone": "12", "email": "x", "action": "save"},
        ),
        client.get(reverse("loans:pupil_create", args=[place.school.pk])),
        client.post(
            reverse("loans:pupil_create", args=[place.school.pk]),
            {
                "code": "E-1",
                "level": "CM2",
                "school_class": place.ce1.pk,
                "devices_at_home": "SHARED",
            },
        ),
        client.get(reverse("loans:pupil_edit", args=[pupil.pk])),
        client.get(reverse("loans:class_needs", args=[place.ce1.pk])),
        client.post(
            reverse("loans:class_needs", args=[place.ce1.pk]),
            {
                "form-TOTAL_FORMS": "2",
                "form-INITIAL_FORMS": "0",
                "form-0-code": "E-1",
                "form-0-level": "CM2",
                "form-0-devices_at_home": "SHARED",
                "form-1-code": "",
                "form-1-internet_at_home": "NONE",
                "action": "save",
            },
        ),
        client.get(reverse("loans:needs_import", args=[place.school.pk])),
        client.post(
            reverse("loans:needs_import", args=[place.school.pk]),
            {
                "file": SimpleUploadedFile(
                    "b.csv", b"code;niveau;classe;equipement;partage_avec;internet\nE;GS;X;tv;;\n"
                )
            },
        ),
        client.post(
            reverse("loans:needs_import", args=[place.school.pk]),
            {
                "file": SimpleUploadedFile(
                    "b.csv",
                    b"code;niveau;classe;equipement;partage_avec;internet\n"
                    b"E-9;CE1;CE1 A;aucun;;fixe\n",
                )
            },
        ),
    ]
    found = [p for response in responses for p in problems(response)]
    assert found == [], "\n".join(found)


def test_the_pages_of_the_coordinator_read_in_french(client, place):
    client.force_login(place.coordinator)
    aisne = place.tree.aisne
    responses = [
        client.get(reverse("loans:rules"), {"q": "laon"}),
        client.get(reverse("loans:weights", args=[aisne.pk])),
        client.post(reverse("loans:weights", args=[aisne.pk]), {"action": "save", "rep": "x"}),
        client.get(reverse("loans:quotas", args=[aisne.pk])),
        client.get(reverse("loans:quotas", args=[aisne.pk]), {"uai": "0000000A"}),
        client.post(
            reverse("loans:quotas", args=[aisne.pk]),
            {"file": SimpleUploadedFile("q.csv", b"uai;minimum;maximum\nX;-1;a\n")},
        ),
        client.get(reverse("loans:quota", args=[place.school.pk])),
        client.post(
            reverse("loans:quota", args=[place.school.pk]), {"minimum": "3", "maximum": "1"}
        ),
    ]
    found = [p for response in responses for p in problems(response)]
    assert found == [], "\n".join(found)
