"""The French documentation of the API in a real browser: inside the DSFR shell, every
operation in an accordion with its parameters and answers, accessible (axe-core: WCAG 2.1 A/AA
and best practices) open and closed, at 1280 and 375 pixels wide; the tokens page leads to it."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _axe, format_violations, save_screenshot
from tests.e2e.pages import ApiDocumentationPage, LoginPage
from tests.factories import Role, UserFactory, grant, territory_tree

pytestmark = pytest.mark.e2e

PASSWORD = "motdepasse-de-test"


def assert_best_practices(page):
    """axe-core's best practices too (skip links, landmarks, headings…), beyond WCAG."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["best-practice"]},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    assert not violations, format_violations(page.url, violations)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_documentation_lists_the_operations_accessibly(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    documentation = ApiDocumentationPage.open(page)
    assert_best_practices(page)
    expect(documentation.heading).to_have_text("Documentation de l'API")

    schools = documentation.expand("Lister les établissements")

    expect(schools.get_by_role("table").first).to_contain_text("ips_min")
    expect(schools.get_by_role("table").last).to_contain_text("422")
    ApiDocumentationPage(page)  # axe again, with the accordion open
    assert_best_practices(page)
    save_screenshot(page, f"api-documentation-{width}")
    openapi = documentation.main.get_by_role("link", name=re.compile("description OpenAPI"))
    expect(openapi.first).to_have_attribute("href", "/api/v1/openapi.json")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_coordinator_reaches_the_documentation_from_the_tokens_page(page):
    tree = territory_tree()
    user = UserFactory(email="coordination.aisne@example.org", password=PASSWORD)
    grant(user, Role.COORDINATOR, tree.aisne)
    LoginPage.open(page).log_in(email=user.email, password=PASSWORD)

    page.goto("/comptes/jetons/")
    page.get_by_role("main").get_by_role("link", name="API de TNE").click()

    documentation = ApiDocumentationPage(page)
    assert_best_practices(page)
    expect(documentation.main.get_by_role("link", name="Mes jetons d'API")).to_be_visible()
