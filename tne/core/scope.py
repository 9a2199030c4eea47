"""The one scoping mechanism: where a permission lets a user read or act.

A :class:`Scope` is what the grants carrying one permission reach (``scope_of(user, permission)``,
computed by ``accounts`` from the user's grants, one query per request). It keeps apart two
things:

- **authority**: the schools (``school_grants``: filters on ``School``) and the subtrees of the
  territory (``authority_paths``: the grants' own nodes) where the permission applies: read the
  staff of a school, act, hold targets and envelopes;
- **browsing**: the public geography the user may walk through (``browse_paths``: the
  département of a grant below it, so an IEN browses « Aisne → communes → their schools »). Nodes
  are public; the schools listed under them still follow the authority.

Every QuerySet that lists data narrows itself with ``.visible_to(user, permission)``, which turns
the scope into a filter through :meth:`Scope.school_q`, :meth:`Scope.node_q` or
:meth:`Scope.browse_q`. A user with no grant carrying the permission gets nothing; a grant on the
country carrying it reaches everything.
"""

from dataclasses import dataclass

from django.db.models import Q

from .permissions import Permission


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    # (lookup on School, value): ("departement_id", 3), ("pk", 12), ("owner_id", 40)…
    school_grants: tuple[tuple[str, object], ...] = ()
    # Materialised paths of the grants' nodes: the subtrees where the permission applies.
    authority_paths: tuple[str, ...] = ()
    # Materialised paths of the part of the tree the user may browse (and its descendants).
    browse_paths: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.school_grants and not self.authority_paths

    # --- Authority over schools --------------------------------------------------------------

    def school_q(self, prefix: str = "") -> Q:
        """A filter on School, or on a model reaching School through ``prefix`` ("school__")."""
        return self._grants_q(lambda lookup: f"{prefix}{lookup}")

    def school_q_copied(self, places) -> Q:
        """:meth:`school_q` on a per-school summary that copies some of School's columns
        (``places``: "departement_id", "commune_id"…) and reaches its school by ``school``:
        a grant on a copied column filters the summary's own column (no join to the schools),
        one on a school ``school_id``, the others (a local authority's ``owner_id``) through
        the school."""

        def column(lookup: str) -> str:
            if lookup in places:
                return lookup
            return "school_id" if lookup == "pk" else f"school__{lookup}"

        return self._grants_q(column)

    def _grants_q(self, column) -> Q:
        if self.everything:
            return Q()
        if not self.school_grants:
            return Q(pk__in=[])
        query = Q()
        for lookup, value in self.school_grants:
            query |= Q(**{column(lookup): value})
        return query

    def allows_school(self, fields: dict) -> bool:
        """Whether a school with these column values (``{"departement_id": 3, "pk": 12…}``) is in
        the scope: the same test as :meth:`school_q`, on values not yet in the database."""
        if self.everything:
            return True
        return any(fields.get(lookup) == value for lookup, value in self.school_grants)

    def contains_school(self, school) -> bool:
        """:meth:`allows_school` for a School instance (no query)."""
        if self.everything:
            return True
        return any(getattr(school, lookup) == value for lookup, value in self.school_grants)

    # --- Authority over the territory tree ---------------------------------------------------

    def node_q(self, prefix: str = "") -> Q:
        """The nodes at or below the grants' nodes (where targets and envelopes are held)."""
        return _paths_q(self.everything, self.authority_paths, prefix)

    def covers_node(self, node) -> bool:
        return self.everything or any(node.path.startswith(p) for p in self.authority_paths)

    # --- Browsing the public geography -------------------------------------------------------

    def browse_q(self, prefix: str = "") -> Q:
        return _paths_q(self.everything, self.browse_paths, prefix)

    def can_browse(self, node) -> bool:
        """Whether ``node`` is in the part of the tree the user browses (what ``browse_q``
        keeps)."""
        return self.everything or any(node.path.startswith(p) for p in self.browse_paths)


def _paths_q(everything: bool, paths: tuple[str, ...], prefix: str) -> Q:
    if everything:
        return Q()
    if not paths:
        return Q(pk__in=[])
    query = Q()
    for path in paths:
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def scope_of(user, permission: Permission) -> Scope:
    """Where ``permission`` reaches for ``user``: computed from the user's grants whose role
    carries it, once per user object and permission (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cache = user.__dict__.setdefault("_tne_scopes", {})
    scope = cache.get(permission.code)
    if scope is None:
        scope = cache[permission.code] = user.compute_scope(permission)
    return scope


def holds(user, permission: Permission) -> bool:
    """Whether ``user`` holds ``permission`` somewhere."""
    return not scope_of(user, permission).is_empty
