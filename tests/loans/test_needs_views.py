"""The pages of pupils and needs: a school's list (filters, priority breakdown, query budget),
a pupil's page and its forms, per grant (the head, a two-role person, the coordinator who reads
but does not declare, an outsider who gets a 404)."""

import html as html_lib

import pytest
from django.urls import reverse

from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import NeedDeclaration, PriorityWeights, Pupil

from .factories import GuardianContactFactory, NeedDeclarationFactory, PupilFactory
from .needs_helpers import Needs

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return Needs(tree)


def page(response) -> str:
    """The page as read: its entities decoded (« &nbsp; », « &#x27; »)."""
    return html_lib.unescape(response.content.decode())


def pupils_url(school):
    return reverse("loans:pupils", args=[school.pk])


def test_the_head_lists_the_pupils_of_the_school_with_their_priority(client, place):
    declared = place.pupil(code="E-001")
    bare = place.pupil(code="E-002", declared=False)
    elsewhere = PupilFactory(school=place.other_school, code="AILLEURS", level="CP")
    client.force_login(place.head)

    html = page(client.get(pupils_url(place.school)))

    assert f'id="pupil-{declared.pk}"' in html and f'id="pupil-{bare.pk}"' in html
    assert "AILLEURS" not in html and f'id="pupil-{elsewhere.pk}"' not in html
    # No device (+40), mobile internet only (+15), REP+ (+20), IPS 85 under 90 (+10).
    assert "<strong>85</strong>" in html
    assert "Aucun équipement à la maison\u00a0: +40" in html
    assert "École en REP+\u00a0: +20" in html and "IPS de l'école sous 90\u00a0: +10" in html
    assert "Pas de déclaration" in html
    assert "2\u00a0élèves inscrits, 1\u00a0besoin déclaré" in html
    assert reverse("loans:class_needs", args=[place.ce1.pk]) in html


def test_the_list_uses_the_weights_of_the_schools_territory(client, place):
    place.pupil(code="E-001")
    PriorityWeights.objects.create(node=place.tree.aisne, no_device=70)
    client.force_login(place.head)

    html = page(client.get(pupils_url(place.school)))

    assert "Aucun équipement à la maison\u00a0: +70" in html and "<strong>115</strong>" in html
    assert "fixés pour le territoire «\u00a0Aisne\u00a0»" in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"classe": "cm"}, ["CM-1"], ["CE-1", "CE-2"]),
        ({"niveau": "CE1"}, ["CE-1", "CE-2"], ["CM-1"]),
        ({"declaration": "oui"}, ["CE-1", "CM-1"], ["CE-2"]),
        ({"declaration": "non"}, ["CE-2"], ["CE-1", "CM-1"]),
    ],
)
def test_the_list_filters(client, place, params, shown, hidden):
    place.pupil(code="CE-1")
    place.pupil(code="CE-2", declared=False)
    place.pupil(place.cm, code="CM-1", level="CM2")
    client.force_login(place.head)
    if "classe" in params:
        params = {"classe": place.cm.pk}

    html = page(client.get(pupils_url(place.school), params))

    assert all(f">{code}</a>" in html for code in shown)
    assert not any(f">{code}</a>" in html for code in hidden)


def test_the_list_makes_the_same_queries_for_3_or_30_pupils(
    client, place, django_assert_num_queries
):
    client.force_login(place.head)
    for i in range(3):
        place.pupil(code=f"A-{i}")
    GuardianContactFactory(pupil=Pupil.objects.first())
    client.get(pupils_url(place.school))  # the session, the caches
    with django_assert_num_queries(10) as small:
        client.get(pupils_url(place.school))
    for i in range(27):
        pupil = place.pupil(place.cm, code=f"B-{i}", level="CM1")
        GuardianContactFactory(pupil=pupil)

    with django_assert_num_queries(len(small)):
        response = client.get(pupils_url(place.school))

    assert response.content.decode().count('<tr id="pupil-') == 25  # one page


def test_who_reads_the_pupils_of_a_school(client, place):
    place.pupil(code="E-001")
    url = pupils_url(place.school)
    for reader in (place.head, place.coordinator, place.ien, place.two_roles):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader
    # Outside the reach: 404; no permission on pupils anywhere: 403.
    for outsider in (place.other_head, place.vdo_coordinator, place.cergy_head):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for stranger in (place.teacher, place.evaluator):
        client.force_login(stranger)
        assert client.get(url).status_code == 403


def test_a_head_and_parent_elsewhere_never_reads_the_other_schools_pupils(client, place):
    PupilFactory(school=place.other_school, code="B-1", level="CP")
    client.force_login(place.two_roles)

    assert client.get(pupils_url(place.other_school)).status_code == 404
    pupil = Pupil.objects.get(code="B-1")
    assert client.get(reverse("loans:pupil", args=[pupil.pk])).status_code == 404


def test_the_coordinator_reads_but_does_not_declare(client, place):
    pupil = place.pupil()
    client.force_login(place.coordinator)

    html = page(client.get(pupils_url(place.school)))
    assert "Ajouter un élève" not in html
    for name, args in (
        ("loans:pupil_create", [place.school.pk]),
        ("loans:class_needs", [place.ce1.pk]),
        ("loans:pupil_edit", [pupil.pk]),
        ("loans:needs_import", [place.school.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name
        assert client.post(reverse(name, args=args)).status_code == 403, name


def test_the_pupil_page_shows_the_declaration_and_the_breakdown(client, place):
    pupil = place.pupil(code="E-001")
    NeedDeclaration.objects.filter(pupil=pupil).update(
        devices_at_home=HomeDevices.SHARED, shared_with=3, internet_at_home=HomeInternet.NONE
    )
    client.force_login(place.head)

    html = page(client.get(reverse("loans:pupil", args=[pupil.pk])))

    assert "Élève E-001" in html
    assert "Équipement partagé, avec 3\u00a0autres enfants" in html
    assert "Partagé avec 3 enfants\u00a0: +15" in html
    assert 'id="priority-score">95\u00a0points' in html  # 20 + 15 + 30 + 20 + 10
    assert reverse("loans:pupil_edit", args=[pupil.pk]) in html


def test_the_head_adds_a_pupil_with_its_declaration(client, place):
    client.force_login(place.head)
    url = reverse("loans:pupil_create", args=[place.school.pk])

    response = client.post(
        url,
        {
            "code": "E-100",
            "school_class": place.cm.pk,
            "level": "CM2",
            "devices_at_home": HomeDevices.NONE,
            "internet_at_home": HomeInternet.FIXED,
        },
    )

    pupil = Pupil.objects.get(code="E-100")
    assert response.status_code == 302 and response.url == reverse("loans:pupil", args=[pupil.pk])
    assert pupil.need.internet_at_home == HomeInternet.FIXED


def test_the_form_says_what_is_wrong_on_each_field(client, place):
    place.pupil(code="E-100")
    client.force_login(place.head)

    response = client.post(
        reverse("loans:pupil_create", args=[place.school.pk]),
        {
            "code": "E-100",
            "school_class": place.ce1.pk,
            "level": "CM2",
            "devices_at_home": HomeDevices.SHARED,
            "internet_at_home": "",
        },
    )

    errors = response.context["form"].errors
    assert "déjà le code d'un élève" in errors["code"][0]
    assert "n'a pas le niveau CM2" in errors["level"][0]
    assert "avec combien" in errors["shared_with"][0]
    assert "Indiquez l'accès à internet" in errors["internet_at_home"][0]
    assert Pupil.objects.count() == 1


def test_the_head_edits_a_pupil_and_withdraws_its_declaration(client, place):
    pupil = place.pupil(code="E-1")
    client.force_login(place.head)
    url = reverse("loans:pupil_edit", args=[pupil.pk])
    assert client.get(url).context["form"].initial["devices_at_home"] == HomeDevices.NONE

    response = client.post(url, {"code": "E-1bis", "school_class": place.cm.pk, "level": "CM1"})

    assert response.status_code == 302
    pupil.refresh_from_db()
    assert (pupil.code, pupil.school_class, pupil.level) == ("E-1bis", place.cm, "CM1")
    assert not NeedDeclaration.objects.filter(pupil=pupil).exists()


def test_a_pupil_of_another_school_is_a_404_for_the_edit_too(client, place):
    pupil = PupilFactory(school=place.other_school, code="B-1", level="CP")
    NeedDeclarationFactory(pupil=pupil)
    client.force_login(place.head)

    assert client.get(reverse("loans:pupil_edit", args=[pupil.pk])).status_code == 404
    assert client.post(reverse("loans:pupil_edit", args=[pupil.pk]), {}).status_code == 404
