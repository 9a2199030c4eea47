"""The « Programme » pages for each role: national steering sets everything, a coordinator of
Aisne sets Aisne's (never Val-d'Oise's, never the national ones), the other agents read, parents
get 403; the list makes a fixed number of queries; a double submit creates one row."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, user_with_role
from tests.programme.factories import EnvelopeFactory, PeriodFactory, TargetFactory, measure
from tne.core.models import AuditAction, AuditEvent
from tne.programme.models import Envelope, Target


@pytest.fixture
def figures(tree, period):
    """National, Aisne and Val-d'Oise figures of M4."""
    national = EnvelopeFactory(node=tree.country, amount=Decimal("9000000"), note="note-nationale")
    return {
        "national_target": TargetFactory(node=tree.country, period=period, note="cible-nationale"),
        "aisne_target": TargetFactory(node=tree.aisne, period=period, count=600, note="cible-02"),
        "vdo_target": TargetFactory(node=tree.vdo, period=period, count=2_100, note="cible-95"),
        "national_envelope": national,
        "aisne_envelope": EnvelopeFactory(
            node=tree.aisne, parent=national, amount=Decimal("2000000"), note="env-02"
        ),
        "vdo_envelope": EnvelopeFactory(
            node=tree.vdo, parent=national, amount=Decimal("7000000"), note="env-95"
        ),
    }


def page(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status
    return response


def test_national_steering_reads_and_sets_everything(client, tree, figures):
    national = user_with_role(Role.NATIONAL, tree.country)

    html = page(client, national, reverse("programme:index")).content.decode()

    for note in ("cible-nationale", "cible-02", "cible-95", "env-02", "env-95"):
        assert note in html
    assert "9\u202f000\u202f000\u00a0€" in html
    assert reverse("programme:target_update", args=[figures["vdo_target"].pk]) in html
    for key in ("national_target", "vdo_target"):
        page(client, national, reverse("programme:target_update", args=[figures[key].pk]))


def test_a_coordinator_reads_the_national_and_their_own_figures_only(client, tree, figures):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)

    html = page(client, coordinator, reverse("programme:index")).content.decode()

    assert "cible-nationale" in html and "cible-02" in html and "env-02" in html
    assert "cible-95" not in html and "env-95" not in html
    # The national target is shown, not offered to change.
    assert reverse("programme:target_update", args=[figures["national_target"].pk]) not in html
    assert reverse("programme:target_update", args=[figures["aisne_target"].pk]) in html


def test_a_coordinator_edits_aisne_but_not_val_d_oise_nor_the_national_figures(
    client, tree, figures
):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(coordinator)

    for name, key in (("target", "aisne_target"), ("envelope", "aisne_envelope")):
        assert (
            client.get(reverse(f"programme:{name}_update", args=[figures[key].pk])).status_code
            == 200
        )
    for name, key, status in (
        ("target", "vdo_target", 404),
        ("envelope", "vdo_envelope", 404),
        ("target", "national_target", 403),
        ("envelope", "national_envelope", 403),
    ):
        for view in ("update", "delete"):
            url = reverse(f"programme:{name}_{view}", args=[figures[key].pk])
            assert client.get(url).status_code == status
            assert client.post(url, {"count": 1, "amount": "1"}).status_code == status
    assert Target.objects.count() == 3 and Envelope.objects.count() == 3


@pytest.mark.parametrize(
    "role", [Role.IEN_ERUN, Role.EVALUATOR, Role.TRAINER, Role.SCHOOL_HEAD, Role.LOCAL_AUTHORITY]
)
def test_other_agents_read_the_figures_and_set_nothing(client, tree, figures, role):
    if role == Role.IEN_ERUN:
        place = tree.circ_laon
    elif role == Role.SCHOOL_HEAD:
        place = SchoolFactory(commune=tree.laon)
    elif role == Role.LOCAL_AUTHORITY:
        place = tree.laon
    else:
        place = tree.aisne
    user = user_with_role(role, place)

    html = page(client, user, reverse("programme:index")).content.decode()

    assert "cible-02" in html and "cible-nationale" in html
    assert "cible-95" not in html
    assert reverse("programme:target_create") not in html
    page(client, user, reverse("programme:target_create"), 403)
    page(client, user, reverse("programme:envelope_create"), 403)
    page(client, user, reverse("programme:target_update", args=[figures["aisne_target"].pk]), 403)


def test_parents_do_not_get_the_programme_pages(client, tree, figures):
    parent = user_with_role(Role.PARENT, SchoolFactory(commune=tree.laon))

    page(client, parent, reverse("programme:index"), 403)
    page(client, parent, reverse("programme:target_export", args=["csv"]), 403)
    # Loans (M6): the home page sends a parent to « Mon prêt », their only page.
    home = client.get(reverse("home"), follow=True)
    assert home.redirect_chain == [(reverse("loans:family"), 302)]
    assert "/programme/" not in home.content.decode()


def test_the_nav_has_a_programme_entry_for_agents(client, tree):
    html = page(client, user_with_role(Role.TRAINER, tree.aisne), reverse("home")).content.decode()

    assert f'href="{reverse("programme:index")}">Programme</a>' in html


def test_the_page_says_when_nothing_is_set(client, tree):
    html = page(client, user_with_role(Role.COORDINATOR, tree.aisne), reverse("programme:index"))

    text = html.content.decode()
    assert 'id="programme-empty"' in text
    assert "Aucun objectif ni aucune enveloppe n'est encore fixé pour votre territoire" in text
    assert text.count('<section class="fr-mb-6w" id="measure-M') == 8


def test_the_filters_narrow_the_list(client, tree, figures):
    national = user_with_role(Role.NATIONAL, tree.country)
    url = reverse("programme:index")

    by_node = page(client, national, f"{url}?node={tree.aisne.pk}").content.decode()
    assert "cible-02" in by_node and "cible-95" not in by_node and "cible-nationale" not in by_node
    by_measure = page(client, national, f"{url}?measure={measure('M6').pk}").content.decode()
    assert 'id="measure-M6"' in by_measure and 'id="measure-M4"' not in by_measure
    assert "Aucun objectif ni aucune enveloppe ne correspond à ces critères" in by_measure


def test_a_coordinator_cannot_filter_on_val_d_oise(client, tree, figures):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)

    html = page(client, coordinator, f"{reverse('programme:index')}?node={tree.vdo.pk}")

    assert "cible-95" not in html.content.decode()


def _target_post(tree, period, **extra):
    return {
        "measure": measure("M4").pk,
        "node": tree.circ_laon.pk,
        "period": period.pk,
        "count": "150",
        "unit": "CLASSES",
        "note": "",
        **extra,
    }


def test_a_coordinator_creates_a_target_once_even_when_submitting_twice(client, tree, period):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(coordinator)
    url = reverse("programme:target_create")

    first = client.post(url, _target_post(tree, period))
    second = client.post(url, _target_post(tree, period))

    assert first.status_code == 302
    assert second.status_code == 200
    assert "existe déjà" in second.content.decode()
    target = Target.objects.get()
    assert (target.node, target.count) == (tree.circ_laon, 150)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(target.pk)).count()


def test_the_node_choice_is_limited_to_the_users_authority(client, tree, period):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(coordinator)

    form = client.get(reverse("programme:target_create")).context["form"]
    response = client.post(
        reverse("programme:target_create"), _target_post(tree, period, node=tree.vdo.pk)
    )

    assert list(form.fields["node"].queryset) == [tree.aisne, tree.circ_laon]
    assert response.status_code == 200
    assert not Target.objects.exists()


def test_national_steering_is_offered_the_steering_levels_in_tree_order(client, tree):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    form = client.get(reverse("programme:envelope_create")).context["form"]

    assert list(form.fields["node"].queryset) == [
        tree.country,
        tree.idf,
        tree.versailles,
        tree.vdo,
        tree.hdf,
        tree.amiens,
        tree.aisne,
    ]


def test_a_coordinator_splitting_too_much_is_told_what_is_left(client, tree, figures):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(coordinator)
    EnvelopeFactory(node=tree.laon, parent=figures["aisne_envelope"], amount=Decimal("1234.50"))

    response = client.post(
        reverse("programme:envelope_create"),
        {
            "measure": measure("M4").pk,
            "node": tree.circ_laon.pk,
            "amount": "2 000 000,00",
            "parent": figures["aisne_envelope"].pk,
        },
    )

    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert (
        "Le total des sous-enveloppes (2\u202f001\u202f234,50\u00a0€) dépasserait l'enveloppe de "
        "Aisne (2\u202f000\u202f000\u00a0€) : il reste 1\u202f998\u202f765,50\u00a0€ à répartir."
    ) in html
    assert not Envelope.objects.filter(node=tree.circ_laon).exists()


def test_an_envelope_is_created_from_a_french_amount(client, tree, figures):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    response = client.post(
        reverse("programme:envelope_create"),
        {
            "measure": measure("M4").pk,
            "node": tree.circ_laon.pk,
            "amount": "150 000,50",
            "parent": figures["aisne_envelope"].pk,
            "note": "hypothèse de démonstration",
        },
    )

    assert response.status_code == 302
    assert Envelope.objects.get(node=tree.circ_laon).amount == Decimal("150000.50")


def test_an_envelope_form_shows_the_amount_the_french_way(client, tree, figures):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    url = reverse("programme:envelope_update", args=[figures["national_envelope"].pk])
    html = client.get(url).content.decode()

    assert 'value="9\u202f000\u202f000"' in html


def test_deleting_asks_for_confirmation_then_deletes(client, tree, figures):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    url = reverse("programme:target_delete", args=[figures["aisne_target"].pk])

    assert "sera supprimé" in client.get(url).content.decode()
    assert Target.objects.filter(pk=figures["aisne_target"].pk).exists()
    assert client.post(url).status_code == 302
    assert not Target.objects.filter(pk=figures["aisne_target"].pk).exists()


def test_an_envelope_split_into_parts_is_not_deleted(client, tree, figures):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    url = reverse("programme:envelope_delete", args=[figures["national_envelope"].pk])

    response = client.post(url)

    assert response.status_code == 200
    assert "répartie en 2 sous-enveloppes" in response.content.decode()
    assert Envelope.objects.count() == 3


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("role", [Role.NATIONAL, Role.COORDINATOR])
def test_the_programme_page_makes_a_fixed_number_of_queries(
    client, tree, count, role, django_assert_max_num_queries
):
    for i in range(count):
        period = PeriodFactory(label=f"Période {i}")
        TargetFactory(node=tree.aisne, period=period)
        EnvelopeFactory(node=tree.aisne, period=period)
    user = user_with_role(role, tree.country if role == Role.NATIONAL else tree.aisne)
    client.force_login(user)

    # Session, user, grants; measures, targets, envelopes; the three filter lists.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("programme:index"))

    assert len(response.context["sections"][3]["targets"]) == count


def test_a_part_left_without_period_takes_the_period_of_the_envelope_it_splits(
    client, tree, period
):
    whole = EnvelopeFactory(node=tree.aisne, period=period, amount=Decimal("1000"))
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    html = client.get(reverse("programme:index")).content.decode()
    assert f"?measure={whole.measure_id}&amp;parent={whole.pk}" in html

    response = client.post(
        reverse("programme:envelope_create"),
        {
            "measure": whole.measure_id,
            "node": tree.circ_laon.pk,
            "amount": "10",
            "parent": whole.pk,
        },
    )

    assert response.status_code == 302
    assert Envelope.objects.get(node=tree.circ_laon).period == period


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PARENT])
def test_teachers_and_parents_do_not_get_the_programme_pages(client, tree, figures, role):
    user = user_with_role(role, SchoolFactory(commune=tree.laon))

    page(client, user, reverse("programme:index"), 403)
