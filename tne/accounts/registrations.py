"""What the accounts add to the shell of the site: the « Accès » entry of the navigation, for
access managers (imported by ``AccountsConfig.ready()``)."""

from tne.core.registry import nav_entry

from .access import can_manage_access

nav_entry(
    "Accès",
    "accounts:access_list",
    order=50,
    permission_check=can_manage_access,
    active_for=("accounts:access_*",),
)
