"""What core adds to the shell of the site: the dashboard's navigation entry and that of
« Messages envoyés » (imported by ``CoreConfig.ready()``)."""

from .perms import can_view_messages
from .registry import nav_entry

nav_entry("Tableau de bord", "home", order=10)
nav_entry("Messages", "core:messages", order=47, permission_check=can_view_messages)
