"""The IPS bounds of the school list: written the French way or with a point; a pair of bounds
upside down is shown as an error on both and filters nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, user_with_role

LIST_URL = reverse("territory:school_list")


@pytest.fixture
def schools(tree):
    return {
        ips: SchoolFactory(commune=tree.laon, ips=Decimal(ips)).uai
        for ips in ("80.0", "85.5", "90.0", "120.0")
    }


def listed(client, tree, **params):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return response, {s.uai for s in response.context["page_obj"].object_list}


@pytest.mark.parametrize("bound", ["85,5", "85.5", " 85,5 "])
def test_a_decimal_comma_or_point_is_accepted(client, tree, schools, bound):
    response, uais = listed(client, tree, ips_min=bound)

    assert uais == {schools["85.5"], schools["90.0"], schools["120.0"]}
    assert response.context["form"].errors == {}
    assert response.context["form"].cleaned_data["ips_min"] == Decimal("85.5")


def test_both_bounds_with_commas_filter_a_range(client, tree, schools):
    _, uais = listed(client, tree, ips_min="85,5", ips_max="100,0")

    assert uais == {schools["85.5"], schools["90.0"]}


def test_bounds_upside_down_filter_nothing_and_mark_both_fields(client, tree, schools):
    response, uais = listed(client, tree, ips_min="100", ips_max="85,5")

    assert uais == set(schools.values())
    errors = response.context["form"].errors
    assert set(errors) == {"ips_min", "ips_max"}
    html = response.content.decode()
    assert "L&#x27;IPS minimum doit être inférieur ou égal au maximum." in html
    assert "L&#x27;IPS maximum doit être supérieur ou égal au minimum." in html


def test_a_bound_that_is_not_a_number_filters_nothing_but_the_other_bound_applies(
    client, tree, schools
):
    response, uais = listed(client, tree, ips_min="abc", ips_max="90")

    assert uais == {schools["80.0"], schools["85.5"], schools["90.0"]}
    assert set(response.context["form"].errors) == {"ips_min"}


def test_the_ips_fields_are_text_inputs_with_a_decimal_keypad(client, tree, schools):
    response, _ = listed(client, tree)

    html = response.content.decode()
    assert 'name="ips_min"' in html and 'inputmode="decimal"' in html
    assert 'type="number"' not in html
