"""What loans add to the shell: the kinds of its messages and jobs, nav entries and dashboard
cards."""

from tne.core.filekinds import FileKind, file_kind
from tne.core.notify import message_kind
from tne.core.registry import asset_link, measure_counter, nav_entry, parent_page

# --- runs: the jobs of the allocation runs and of large « what if » simulations ----------------
from . import jobs  # noqa: F401
from .family_access import FAMILY_VIEWS, is_family_only
from .selectors.dashboards import equipped_pupils
from .selectors.families import is_parent

# --- lifecycle: the kind of the reminders in « Messages envoyés » ---------------------------
from .services import pupils as _pupils
from .services import rules as _rules
from .services.families import WELCOME_KIND  # noqa: F401  (registers its kind of message)
from .services.reminders import KIND as REMINDER_KIND
from .views.counter import device_loan_url, device_return_url
from .views.home import holds_a_loans_permission

message_kind(REMINDER_KIND, "Relance d'un prêt de matériel")

# --- needs and rules: the kinds of file ``tne import`` recognises --------------------------------

file_kind(
    FileKind(
        kind=_pupils.KIND,
        label=_pupils.LABEL,
        columns=_pupils.CLI_COLUMNS,
        run=_pupils.run_needs_file,
        suffixes=(".csv", ".txt", ".xlsx"),
    )
)
file_kind(
    FileKind(
        kind=_rules.KIND,
        label=_rules.LABEL,
        columns=_rules.COLUMNS,
        run=_rules.run_quotas_file,
        suffixes=(".csv", ".txt", ".xlsx"),
    )
)

# --- dashboards, home and family page ------------------------------------------------------------
nav_entry(
    "Prêts (M6)",
    "loans:index",
    order=38,
    permission_check=holds_a_loans_permission,
    active_for=("loans:*",),
)
nav_entry("Mon prêt", "loans:family", order=90, permission_check=is_parent)
# A parent sees « Mon prêt » only: core's « Tableau de bord » (``home``, which sends them to
# their page) is registered again without them; the same label, order and page as core's.
nav_entry(
    "Tableau de bord", "home", order=10, permission_check=lambda user: not is_family_only(user)
)
# The programme's M6 counter: pupils with an active or a closed loan (a device handed out), in
# the schools the reader follows, against the 15,000 pupils of the target.
measure_counter("M6", equipped_pupils)
parent_page(*FAMILY_VIEWS)

# --- lifecycle: from the equipment's page of a device, its open loan and the counter's return ----
asset_link("Voir le prêt de ce matériel", url=device_loan_url, order=10)
asset_link("Reprendre au guichet des prêts", url=device_return_url, order=20)
