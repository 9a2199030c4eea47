"""The bulk entry of a class: one row per pupil (the class's pupils pre-filled), keyboard only
(the inputs of a row in order, Enter saves the table, « Ajouter 5 lignes »), all or nothing,
the errors by row and field, in French."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import NeedDeclaration, Pupil

from .needs_helpers import Needs

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return Needs(tree)


def url(school_class):
    return reverse("loans:class_needs", args=[school_class.pk])


def posted(rows, *, initial=0, action="save"):
    """The formset's data for ``rows`` (dicts of the row's fields)."""
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(initial),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "200",
        "action": action,
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"form-{i}-{name}"] = "" if value is None else str(value)
    return data


def blank():
    return {"code": "", "level": "CE1", "devices_at_home": "", "internet_at_home": ""}


def test_the_page_lists_the_pupils_of_the_class_then_five_empty_rows(client, place):
    pupil = place.pupil(code="E-1")
    place.pupil(place.cm, code="AUTRE-CLASSE", level="CM1")
    client.force_login(place.head)

    response = client.get(url(place.ce1))

    forms = response.context["formset"].forms
    assert len(forms) == 6
    assert forms[0].initial == {
        "pupil": pupil.pk,
        "code": "E-1",
        "level": "CE1",
        "devices_at_home": HomeDevices.NONE,
        "shared_with": None,
        "internet_at_home": HomeInternet.MOBILE,
    }
    assert forms[1].initial == {"level": "CE1"}  # the class's only level
    assert "AUTRE-CLASSE" not in response.content.decode()


def test_the_inputs_of_a_row_follow_each_other_and_enter_saves(client, place):
    client.force_login(place.head)

    body = client.get(url(place.ce1)).content.decode()

    form = body[body.index('id="entry-form"') :]
    names = re.findall(r'<(?:input|select) [^>]*name="(form-0-[a-z_]+)"', form)
    assert names == [
        "form-0-pupil",
        "form-0-code",
        "form-0-level",
        "form-0-devices_at_home",
        "form-0-shared_with",
        "form-0-internet_at_home",
    ]
    assert not re.search(r'tabindex="[1-9]', form)  # the order of the page, no jumps
    # Enter in a field submits with the form's first submit button: « Enregistrer ».
    first = re.search(r'<button type="submit"[^>]*>', form).group()
    assert 'value="save"' in first
    assert "Ajouter 5 lignes" in form
    # Every input has its label, which says its row.
    assert 'class="fr-label fr-sr-only" for="id_form-0-code">Code élève, ligne 1<' in form


def test_saving_creates_updates_and_declares_and_ignores_empty_rows(client, place):
    pupil = place.pupil(code="E-1")
    client.force_login(place.head)

    response = client.post(
        url(place.ce1),
        posted(
            [
                {
                    "pupil": pupil.pk,
                    "code": "E-1",
                    "level": "CE1",
                    "devices_at_home": HomeDevices.SHARED,
                    "shared_with": 2,
                    "internet_at_home": HomeInternet.FIXED,
                },
                {
                    "code": "E-2",
                    "level": "CE1",
                    "devices_at_home": HomeDevices.NONE,
                    "internet_at_home": HomeInternet.NONE,
                },
                {"code": "E-3", "level": "CE1", "devices_at_home": "", "internet_at_home": ""},
                blank(),
                blank(),
            ],
            initial=1,
        ),
    )

    assert response.status_code == 302 and response.url == url(place.ce1)
    assert set(Pupil.objects.filter(school_class=place.ce1).values_list("code", flat=True)) == {
        "E-1",
        "E-2",
        "E-3",
    }
    need = NeedDeclaration.objects.get(pupil=pupil)
    assert (need.devices_at_home, need.shared_with) == (HomeDevices.SHARED, 2)
    assert not NeedDeclaration.objects.filter(pupil__code="E-3").exists()
    shown = html_lib.unescape(client.get(url(place.ce1)).content.decode())
    assert "Classe CE1 A\u00a0: 2\u00a0élèves ajoutés, 1\u00a0élève modifié" in shown


def test_one_bad_row_saves_nothing_and_the_errors_say_row_and_field(client, place):
    client.force_login(place.head)

    response = client.post(
        url(place.ce1),
        posted(
            [
                {"code": "E-1", "level": "CE1", "devices_at_home": "NONE", "internet_at_home": ""},
                {"code": "E-2", "level": "CM2", "devices_at_home": "", "internet_at_home": ""},
                {"code": "E-1", "level": "CE1", "devices_at_home": "", "internet_at_home": ""},
                {"code": "", "level": "CE1", "devices_at_home": "OWN", "internet_at_home": "FIXED"},
            ]
        ),
    )

    assert response.status_code == 200
    assert not Pupil.objects.exists()
    forms = response.context["formset"].forms
    assert "Indiquez l'accès à internet" in forms[0].errors["internet_at_home"][0]
    assert "n'a pas le niveau CM2" in forms[1].errors["level"][0]
    assert forms[2].errors["code"] == ["Même code qu'à la ligne 1."]
    assert "jamais son nom" in forms[3].errors["code"][0]
    body = html_lib.unescape(response.content.decode())
    assert "4\u00a0erreurs\u00a0: rien n'a été enregistré" in body
    assert 'href="#id_form-2-code">Ligne 3, code élève\u00a0: Même code' in body
    assert 'aria-invalid="true" aria-describedby="id_form-1-level-error"' in body
    # What was typed is still there.
    assert 'name="form-2-code" id="id_form-2-code" value="E-1"' in body


def test_adding_five_rows_keeps_what_was_typed_and_saves_nothing(client, place):
    client.force_login(place.head)
    rows = [{"code": "E-1", "level": "CE1", "devices_at_home": "NONE", "internet_at_home": ""}]

    response = client.post(
        url(place.ce1), posted(rows, action="add"), headers={"HX-Request": "true"}
    )

    forms = response.context["formset"].forms
    assert len(forms) == 6
    assert forms[0].initial["code"] == "E-1" and not forms[0].is_bound
    assert not Pupil.objects.exists()
    body = response.content.decode()
    assert body.lstrip().startswith('<form method="post"')  # the form alone, for htmx
    assert (
        'id="id_form-1-code" value="" maxlength="40" autocomplete="off" spellcheck="false"'
        " autofocus" in body
    )
    assert "erreur" not in body


def test_a_class_of_another_school_or_year_is_a_404_and_a_reader_gets_403(client, place):
    client.force_login(place.head)
    assert client.get(url(place.other_class)).status_code == 404
    assert client.get(url(place.old_class)).status_code == 404
    client.force_login(place.ien)
    assert client.get(url(place.ce1)).status_code == 403
    client.force_login(place.teacher)
    assert client.get(url(place.ce1)).status_code == 403


def test_a_row_naming_a_pupil_of_another_school_is_refused(client, place):
    stranger = Pupil.objects.create(school=place.other_school, code="B-1", level="CP")
    client.force_login(place.head)

    response = client.post(
        url(place.ce1),
        posted(
            [
                {
                    "pupil": stranger.pk,
                    "code": "B-1",
                    "level": "CE1",
                    "devices_at_home": "",
                    "internet_at_home": "",
                }
            ],
            initial=1,
        ),
    )

    assert (
        "pas (ou plus) un élève de l'école"
        in response.context["formset"].forms[0].errors["pupil"][0]
    )
    assert "pas (ou plus) un élève de l'école" in html_lib.unescape(response.content.decode())
    stranger.refresh_from_db()
    assert stranger.school == place.other_school and stranger.school_class is None
