"""What the apps add to the shell of the site without core naming them: the entries of the main
navigation, the cards of the dashboard, the counters of the measures, the links of a school's
page and of a device's page, and the pages open to a parent. Each app registers its own in its
``AppConfig.ready()`` (a ``registrations`` module), with the permission that shows them::

    nav_entry("Imports", "territory:import_upload", order=40,
              permission_check=can_import_reference_data)
    dashboard_card("territory/dashboard.html", context=dashboard_context, order=10)
    school_link("Équipement de l'école", url=equipment_url, order=10)
    asset_link("Voir le prêt de ce matériel", url=loan_url, order=10)
    parent_page("loans:family", "loans:family_agreement")

The kinds of background job register their result labels with their handler
(:func:`tne.core.jobs.job_handler`)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

UserCheck = Callable[[object], bool]
CardContext = Callable[[object], dict | None]


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int
    permission_check: UserCheck | None = None
    # The views (``namespace:name``, shell-style patterns) where this entry is the current one.
    active_for: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class DashboardCard:
    template_name: str
    order: int
    # The context of the card for a request, or None when the card is not for this user.
    context: CardContext | None = None


_NAV: dict[str, NavEntry] = {}
_CARDS: dict[str, DashboardCard] = {}


def nav_entry(
    label: str,
    url_name: str,
    *,
    order: int,
    permission_check: UserCheck | None = None,
    active_for: Iterable[str] = (),
) -> NavEntry:
    """Adds an entry to the main navigation, shown to the users ``permission_check(user)`` lets
    through (everyone logged in without one), marked current on the views ``active_for``
    (by default the view ``url_name`` alone). Registering a URL name again replaces its entry."""
    entry = NavEntry(
        label=label,
        url_name=url_name,
        order=order,
        permission_check=permission_check,
        active_for=tuple(active_for) or (url_name,),
    )
    _NAV[url_name] = entry
    return entry


def dashboard_card(
    template_name: str, *, order: int, context: CardContext | None = None
) -> DashboardCard:
    """Adds a card to the dashboard: ``template_name`` rendered with ``context(request)``; a
    card whose context is None is not shown. Registering a template again replaces its card."""
    card = DashboardCard(template_name=template_name, order=order, context=context)
    _CARDS[template_name] = card
    return card


def unregister(
    *,
    nav: str | None = None,
    card: str | None = None,
    school: str | None = None,
    asset: str | None = None,
) -> None:
    """Removes an entry (by URL name), a card (by template name), a school page's or a device
    page's link (by label); for tests."""
    if nav is not None:
        _NAV.pop(nav, None)
    if card is not None:
        _CARDS.pop(card, None)
    if school is not None:
        _SCHOOL_LINKS.remove(school)
    if asset is not None:
        _ASSET_LINKS.remove(asset)


def _is_current(entry: NavEntry, request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return any(fnmatchcase(match.view_name, pattern) for pattern in entry.active_for)


def nav_for(request) -> list[dict]:
    """The navigation of the request's user, in order: ``label``, ``url``, ``current``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        {
            "label": entry.label,
            "url": reverse(entry.url_name),
            "current": _is_current(entry, request),
        }
        for entry in sorted(_NAV.values(), key=lambda e: (e.order, e.label))
        if entry.permission_check is None or entry.permission_check(user)
    ]


def cards_for(request) -> list[SafeString]:
    """The dashboard cards of the request's user, in order, rendered."""
    rendered = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.template_name)):
        context = card.context(request) if card.context is not None else {}
        if context is not None:
            rendered.append(render_to_string(card.template_name, context, request=request))
    return rendered


# --- Measure counters -------------------------------------------------------------------------

MeasureCount = Callable[[object, object], int]
_COUNTERS: dict[str, MeasureCount] = {}


def measure_counter(code: str, count: MeasureCount) -> MeasureCount:
    """Says how a measure (« M5 ») is achieved: ``count(user, node)`` returns what is done in the
    part of ``node`` the user reads (``node`` None: the user's whole territory), for the
    programme's dashboard, which reads it without importing the app that counts. Registering a
    code again replaces its counter."""
    _COUNTERS[code] = count
    return count


def measure_counters() -> dict[str, MeasureCount]:
    """The registered counters, by measure code."""
    return dict(_COUNTERS)


def unregister_counter(code: str) -> None:
    """Removes a measure's counter; for tests."""
    _COUNTERS.pop(code, None)


# --- The schools of a scope -------------------------------------------------------------------

SchoolsOfScope = Callable[[object], object]
_SCHOOLS_OF_SCOPE: list[SchoolsOfScope] = []


def scope_schools_provider(provider: SchoolsOfScope) -> SchoolsOfScope:
    """Says how to turn a ``core.scope.Scope`` into the ids of its schools: ``provider(scope)``
    returns a subquery of school ids (the territory registers
    ``School.objects.filter(scope.school_q()).values("pk")``), so that core filters what it
    keeps by place (``place_school_id``) without knowing the school model. Registering again
    replaces the provider."""
    _SCHOOLS_OF_SCOPE[:] = [provider]
    return provider


def scope_schools(scope):
    """The ids of the schools of ``scope`` (a subquery), ``None`` for a scope over everything;
    with no provider registered, no school (what core keeps by school is then not shown: never
    more than the scope)."""
    if scope.everything:
        return None
    if not _SCHOOLS_OF_SCOPE or not scope.school_grants:
        return []
    return _SCHOOLS_OF_SCOPE[0](scope)


# --- Links of a page about an object (a school, a device) ------------------------------------

# The address of an app's page about an object for a user, or None when it is not for them.
ObjectUrl = Callable[[object, object], str | None]
SchoolUrl = ObjectUrl


@dataclass(frozen=True)
class PageLink:
    label: str
    url: ObjectUrl
    order: int


SchoolLink = PageLink


class _PageLinks:
    """The links an app adds to another app's page about an object, by label."""

    def __init__(self):
        self._links: dict[str, PageLink] = {}

    def add(self, label: str, *, url: ObjectUrl, order: int) -> PageLink:
        link = PageLink(label=label, url=url, order=order)
        self._links[label] = link
        return link

    def remove(self, label: str) -> None:
        self._links.pop(label, None)

    def links_for(self, user, obj) -> list[dict]:
        links = []
        for link in sorted(self._links.values(), key=lambda e: (e.order, e.label)):
            url = link.url(user, obj)
            if url:
                links.append({"label": link.label, "url": url})
        return links


_SCHOOL_LINKS = _PageLinks()
_ASSET_LINKS = _PageLinks()


def school_link(label: str, *, url: SchoolUrl, order: int) -> SchoolLink:
    """Adds a link to the page of a school (the territory's « fiche »), towards an app's page
    about that school: ``url(user, school)`` is its address, or None when the user may not read
    it there (the app's own permission, on that school). The school page shows the links
    without importing the apps. Registering a label again replaces its link."""
    return _SCHOOL_LINKS.add(label, url=url, order=order)


def school_links_for(user, school) -> list[dict]:
    """The links of ``school``'s page for ``user``, in order: ``label``, ``url``."""
    return _SCHOOL_LINKS.links_for(user, school)


def asset_link(label: str, *, url: ObjectUrl, order: int) -> PageLink:
    """Adds a link to the equipment's page of a device (and its scan screen), towards an app's
    page about it (the loan that names it): ``url(user, asset)`` is its address, or None (not
    for this device, or not for this user). Registering a label again replaces its link."""
    return _ASSET_LINKS.add(label, url=url, order=order)


def asset_links_for(user, asset) -> list[dict]:
    """The links of ``asset``'s page for ``user``, in order: ``label``, ``url``."""
    return _ASSET_LINKS.links_for(user, asset)


# --- The pages of a family-only account --------------------------------------------------------

_PARENT_VIEWS: set[str] = set()


def parent_page(*view_names: str) -> None:
    """Opens the views ``view_names`` (``namespace:name``) to the accounts whose only roles are
    « Parent »: every other page answers them 403 (the loans' ``FamilyOnlyMiddleware``). An app
    with pages for parents (the family's loan, a later parents' training) registers them here
    instead of editing that middleware."""
    _PARENT_VIEWS.update(view_names)


def parent_pages() -> frozenset[str]:
    """The views open to a family-only account."""
    return frozenset(_PARENT_VIEWS)


def unregister_parent_page(view_name: str) -> None:
    """Closes a view to the family-only accounts again; for tests."""
    _PARENT_VIEWS.discard(view_name)
