"""Permissions, and the roles that carry them: the one table of who may do what.

Each app declares its own permissions in its own ``perms.py``, next to the ``can_<verb>_<thing>``
functions that use them::

    VIEW_PEOPLE = declare("territory.view_people", "Lire les données nominatives",
                          roles={Role.NATIONAL, Role.COORDINATOR, …})

A permission reaches only the places of the grants whose role carries it:
``scope_of(user, VIEW_PEOPLE)`` is computed from those grants alone, so a person who is a parent
at one school and a teacher at another reads the staff of the second only. Declaring a
permission never edits the role enum; the table of every permission is
:func:`permission_table` (shown in ``docs/architecture.md``, checked by a test).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .roles import Role


@dataclass(frozen=True)
class Permission:
    code: str
    label: str
    roles: frozenset[str]

    def __str__(self) -> str:
        return self.code

    def carried_by(self, role: str) -> bool:
        return role in self.roles


_declared: dict[str, Permission] = {}


def declare(code: str, label: str, *, roles: Iterable[str]) -> Permission:
    """Declare the permission ``code`` (``"<app>.<verb>_<thing>"``) and the roles carrying it."""
    roles = frozenset(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValueError(f"{code}: unknown roles {sorted(unknown)}")
    permission = Permission(code=code, label=label, roles=roles)
    existing = _declared.get(code)
    if existing is not None and existing != permission:
        raise ValueError(f"{code} is declared twice, differently")
    _declared[code] = permission
    return permission


def declared() -> list[Permission]:
    """Every declared permission, by code (the apps' ``perms`` modules are imported at start-up)."""
    return sorted(_declared.values(), key=lambda p: p.code)


def permissions_of(role: str) -> list[Permission]:
    return [p for p in declared() if role in p.roles]


def permission_table() -> list[tuple[Permission, list[bool]]]:
    """Each permission with, for each role in the enum's order, whether the role carries it."""
    return [(p, [role in p.roles for role in Role.values]) for p in declared()]


def markdown_table() -> str:
    """The table of :func:`permission_table` as Markdown, as ``docs/architecture.md`` shows it."""
    header = "| permission | " + " | ".join(Role.values) + " |"
    lines = [header, "|---|" + "---|" * len(Role.values)]
    for permission, row in permission_table():
        cells = " | ".join("✓" if carried else "" for carried in row)
        lines.append(f"| `{permission.code}` {permission.label} | {cells} |")
    return "\n".join(lines)
