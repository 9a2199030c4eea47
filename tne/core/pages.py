"""What the views of every domain build the same way: the DSFR breadcrumb and the pages of a
list."""

from django.conf import settings
from django.core.paginator import Page, Paginator


def breadcrumb(current: str, *links: tuple[str, str]) -> dict:
    """The ``breadcrumb_data`` of ``{% dsfr_breadcrumb %}``: ``links`` are ``(title, url)``
    pairs between « Accueil » (which the DSFR adds by itself) and the ``current`` page."""
    return {"links": [{"title": title, "url": url} for title, url in links], "current": current}


def paginate(request, rows, *, per_page: int | None = None) -> Page:
    """The page of ``rows`` the request asks (``?page=``; the last one past the end), with the
    page numbers the DSFR pagination shows (``pages_list``, elided). Two queries for a
    QuerySet: the count and the page."""
    paginator = Paginator(rows, per_page or settings.TNE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_ends=1))
    return page
