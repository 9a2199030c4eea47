"""The page helpers every view uses: the DSFR breadcrumb and the pages of a list."""

import pytest
from django.test import RequestFactory

from tne.core.pages import breadcrumb, paginate


def test_the_breadcrumb_lists_its_links_then_the_current_page():
    assert breadcrumb("Carte", ("Territoire", "/territoire/"), ("Aisne", "/territoire/02/")) == {
        "links": [
            {"title": "Territoire", "url": "/territoire/"},
            {"title": "Aisne", "url": "/territoire/02/"},
        ],
        "current": "Carte",
    }
    assert breadcrumb("Accès") == {"links": [], "current": "Accès"}


@pytest.mark.parametrize(("asked", "number"), [("", 1), ("3", 3), ("99", 40), ("x", 1)])
def test_paginate_gives_the_page_asked_with_elided_page_numbers(asked, number):
    request = RequestFactory().get("/", {"page": asked})

    page = paginate(request, list(range(1000)), per_page=25)

    assert page.number == number
    assert page.paginator.num_pages == 40
    assert page.pages_list[0] == 1 and page.pages_list[-1] == 40
    assert page.paginator.ELLIPSIS in page.pages_list


def test_paginate_uses_the_page_size_of_the_settings(settings):
    settings.TNE_PAGE_SIZE = 7

    page = paginate(RequestFactory().get("/"), list(range(20)))

    assert list(page) == list(range(7)) and page.pages_list == [1, 2, 3]
