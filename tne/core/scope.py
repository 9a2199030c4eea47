"""The one scoping mechanism: what part of the territory a user may read or write.

``accounts`` computes a :class:`Scope` from a user's role grants; every QuerySet that lists data
narrows itself with ``.visible_to(user)``, which turns the scope into a filter on the school (or on
the territory node) through :meth:`Scope.school_q` / :meth:`Scope.node_q`. A user with no grant
sees nothing; a grant on the country sees everything.
"""

from dataclasses import dataclass, field

from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    # (lookup on School, value): ("departement_id", 3), ("pk", 12), ("owner_id", 40)…
    school_grants: tuple[tuple[str, object], ...] = ()
    # Materialised paths of the territory nodes the user may browse (and their descendants): the
    # département of a grant below it, so an IEN browses « Aisne → communes → their schools ».
    # Nodes are public geography; the schools listed under them still follow ``school_grants``.
    node_paths: tuple[str, ...] = ()
    # Whether the user may read data about individual people (staff lists, later pupils).
    people: bool = field(default=False)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.school_grants

    def school_q(self, prefix: str = "") -> Q:
        """A filter on School, or on a model reaching School through ``prefix`` ("school__")."""
        if self.everything:
            return Q()
        if not self.school_grants:
            return Q(pk__in=[])
        query = Q()
        for lookup, value in self.school_grants:
            query |= Q(**{f"{prefix}{lookup}": value})
        return query

    def allows_school(self, fields: dict) -> bool:
        """Whether a school with these column values (``{"departement_id": 3, "pk": 12…}``) is in
        the scope: the same test as :meth:`school_q`, on values not yet in the database."""
        if self.everything:
            return True
        return any(fields.get(lookup) == value for lookup, value in self.school_grants)

    def can_browse(self, node) -> bool:
        """Whether ``node`` is in the part of the tree the user browses (what ``node_q`` keeps)."""
        return self.everything or any(node.path.startswith(path) for path in self.node_paths)

    def node_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        if not self.node_paths:
            return Q(pk__in=[])
        query = Q()
        for path in self.node_paths:
            query |= Q(**{f"{prefix}path__startswith": path})
        return query


NOTHING = Scope()
EVERYTHING = Scope(everything=True, people=True)


def scope_of(user) -> Scope:
    """The scope of a user, computed once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_tne_scope", None)
    if cached is None:
        cached = user.compute_scope()
        user._tne_scope = cached
    return cached
