"""Every skip link of a page targets an id that exists on that page (RGAA 12.7), signed in or
not, including the pages without the main navigation."""

import re

import pytest

from tests.factories import user_with_role

SKIP_LINKS = re.compile(r'<div class="fr-skiplinks".*?</div>', re.S)


def _targets_missing(html: str) -> list[str]:
    block = SKIP_LINKS.search(html)
    assert block, "pas de liens d'évitement"
    targets = re.findall(r'href="#([^"]+)"', block.group(0))
    assert targets
    return [t for t in targets if not re.search(rf'\sid="{re.escape(t)}"', html)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/comptes/connexion/", "/mentions-legales/", "/accessibilite/", "/nulle-part/"]
)
def test_it_targets_existing_ids_for_an_anonymous_visitor(client, path):
    from django.urls import reverse

    path = {
        "/mentions-legales/": reverse("core:legal"),
        "/accessibilite/": reverse("core:accessibility"),
    }.get(path, path)
    response = client.get(path)
    assert _targets_missing(response.content.decode()) == []


def test_it_targets_existing_ids_for_a_signed_in_person(client, tree):
    client.force_login(user_with_role("COORDINATOR", tree.aisne))
    response = client.get("/")
    html = response.content.decode()
    assert 'href="#navigation"' in html
    assert _targets_missing(html) == []
