"""What core adds to the shell of the site: the dashboard's navigation entry (imported by
``CoreConfig.ready()``)."""

from .registry import nav_entry

nav_entry("Tableau de bord", "home", order=10)
