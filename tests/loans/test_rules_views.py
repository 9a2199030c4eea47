"""The pages of the coordinator's rules: the weights of a node (formula, where they come from,
a preview on example families, saving and resetting), the quotas of a territory (one school, a
file with its preview), per grant: 403 without ``loans.set_rules``, 404 outside one's
territory."""

import html as html_lib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tne.loans.models import PriorityWeights, SchoolQuota

from .needs_helpers import Needs

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Needs(tree)


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


def form_data(**changes):
    data = {
        "no_device": 40,
        "shared_device": 20,
        "per_sharing_child": 5,
        "no_internet": 30,
        "mobile_internet": 15,
        "rep_plus": 20,
        "rep": 10,
        "low_ips": 10,
        "ips_threshold": "90,0",
        "action": "save",
    }
    return {**data, **changes}


def test_the_weights_page_shows_the_formula_the_source_and_the_examples(client, place):
    PriorityWeights.objects.create(node=place.tree.aisne, no_device=50)
    client.force_login(place.coordinator)

    body = page(client.get(reverse("loans:weights", args=[place.tree.laon.pk])))

    assert (
        "Laon n'a pas ses propres poids\u00a0: ses écoles utilisent ceux de «\u00a0Aisne\u00a0»"
        in body
    )
    assert "aucun (+50) ou partagé (+20, et +5 par autre enfant qui le partage)" in body
    assert "IPS de l'école sous 90 (+10)" in body
    assert 'name="ips_threshold" value="90,0"' in body
    # No device 50, no internet 30, REP+ 20, IPS 82 < 90: 10.
    assert (
        "Aucun équipement à la maison\u00a0: +50" in body and '<td class="tne-num">110</td>' in body
    )


def test_the_preview_follows_the_typed_weights_and_saves_nothing(client, place):
    client.force_login(place.coordinator)
    url = reverse("loans:weights", args=[place.tree.aisne.pk])

    response = client.post(
        url, form_data(no_device=100, action="preview"), headers={"HX-Request": "true"}
    )

    body = page(response)
    assert body.lstrip().startswith('<section class="fr-my-4w" aria-labelledby="preview-title"')
    assert "Aucun équipement à la maison\u00a0: +100" in body
    assert not PriorityWeights.objects.exists()


def test_the_coordinator_saves_then_resets_the_weights(client, place):
    client.force_login(place.coordinator)
    url = reverse("loans:weights", args=[place.tree.aisne.pk])

    response = client.post(url, form_data(rep_plus=33, ips_threshold="92,5"))

    assert response.status_code == 302
    row = PriorityWeights.objects.get(node=place.tree.aisne)
    assert (row.rep_plus, str(row.ips_threshold)) == (33, "92.5")
    assert "Aisne a ses propres poids" in page(client.get(url))

    client.post(url, {"action": "reset"})
    assert not PriorityWeights.objects.exists()


def test_a_bad_weight_is_said_on_its_field(client, place):
    client.force_login(place.coordinator)

    response = client.post(
        reverse("loans:weights", args=[place.tree.aisne.pk]), form_data(no_device=5000)
    )

    assert response.status_code == 200 and "no_device" in response.context["form"].errors
    assert "Corrigez les poids pour voir l'aperçu." in page(response)
    assert not PriorityWeights.objects.exists()


def test_who_may_set_the_rules_where(client, place):
    aisne = reverse("loans:weights", args=[place.tree.aisne.pk])
    client.force_login(place.coordinator)
    assert client.get(reverse("loans:weights", args=[place.tree.country.pk])).status_code == 404
    assert client.get(reverse("loans:weights", args=[place.tree.laon.pk])).status_code == 200
    client.force_login(place.vdo_coordinator)
    assert client.get(aisne).status_code == 404
    assert client.post(aisne, form_data()).status_code == 404
    for stranger in (place.head, place.ien, place.evaluator):
        client.force_login(stranger)
        assert client.get(aisne).status_code == 403
        assert client.get(reverse("loans:rules")).status_code == 403
        assert client.get(reverse("loans:quota", args=[place.school.pk])).status_code == 403
    assert not PriorityWeights.objects.exists()


def test_the_rules_home_lists_the_territories_and_finds_one(client, place):
    PriorityWeights.objects.create(node=place.tree.laon)
    PriorityWeights.objects.create(node=place.tree.cergy)
    client.force_login(place.coordinator)

    body = page(client.get(reverse("loans:rules"), {"q": "soiss"}))

    assert reverse("loans:weights", args=[place.tree.aisne.pk]) in body
    assert reverse("loans:quotas", args=[place.tree.soissons.pk]) in body
    assert reverse("loans:weights", args=[place.tree.laon.pk]) in body
    assert reverse("loans:weights", args=[place.tree.cergy.pk]) not in body


def test_the_quota_of_a_school_is_edited_on_its_page(client, place):
    client.force_login(place.coordinator)
    url = reverse("loans:quota", args=[place.school.pk])

    response = client.post(url, {"minimum": "2", "maximum": "1"})
    assert "sous le minimum" in response.context["form"].errors["maximum"][0]
    assert client.post(url, {"minimum": "2", "maximum": "12"}).status_code == 302
    assert SchoolQuota.objects.get(school=place.school).maximum == 12
    assert "au moins 2, au plus 12" in page(client.get(url))
    client.force_login(place.vdo_coordinator)
    assert client.get(url).status_code == 404


def test_the_quotas_page_finds_a_school_by_uai(client, place):
    client.force_login(place.coordinator)
    url = reverse("loans:quotas", args=[place.tree.laon.pk])

    response = client.get(url, {"uai": place.school.uai.lower()})
    assert response.status_code == 302
    assert response.url == reverse("loans:quota", args=[place.school.pk])
    response = client.get(url, {"uai": place.cergy_school.uai})
    assert "n'a cet UAI dans votre périmètre" in response.context["lookup"].errors["uai"][0]


def test_the_quotas_page_imports_a_file_after_its_preview(client, place):
    client.force_login(place.coordinator)
    url = reverse("loans:quotas", args=[place.tree.aisne.pk])
    text = f"uai;minimum;maximum\n{place.school.uai};1;5\n{place.other_school.uai};;3\n"

    response = client.post(url, {"file": SimpleUploadedFile("q.csv", text.encode())})

    assert "2\u00a0quotas à créer" in page(response) and not SchoolQuota.objects.exists()
    response = client.post(url, {"token": response.context["token"]})
    assert response.status_code == 302
    assert set(SchoolQuota.objects.values_list("school__uai", "minimum", "maximum")) == {
        (place.school.uai, 1, 5),
        (place.other_school.uai, 0, 3),
    }
    body = page(client.get(url))
    assert "2\u00a0écoles ont un quota" in body


def test_a_quota_file_with_a_school_of_another_territory_is_refused(client, place):
    client.force_login(place.coordinator)
    url = reverse("loans:quotas", args=[place.tree.aisne.pk])
    text = f"uai;minimum;maximum\n{place.cergy_school.uai};1;5\n"

    response = client.post(url, {"file": SimpleUploadedFile("q.csv", text.encode())})

    assert [(e.line, e.column) for e in response.context["errors"]] == [(2, "uai")]
    assert not SchoolQuota.objects.exists()


def test_the_quotas_list_makes_the_same_queries_for_3_or_30_schools(
    client, place, django_assert_num_queries
):
    from tests.factories import SchoolFactory

    client.force_login(place.coordinator)
    url = reverse("loans:quotas", args=[place.tree.aisne.pk])
    for _ in range(3):
        SchoolQuota.objects.create(school=SchoolFactory(commune=place.tree.laon), minimum=1)
    client.get(url)
    with django_assert_num_queries(6) as small:
        client.get(url)
    for _ in range(27):
        SchoolQuota.objects.create(school=SchoolFactory(commune=place.tree.soissons), minimum=1)
    with django_assert_num_queries(len(small)):
        client.get(url)
