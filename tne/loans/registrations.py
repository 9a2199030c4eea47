"""What loans add to the shell: the kinds of its messages and jobs, nav entries and dashboard
cards."""

from tne.core.filekinds import FileKind, file_kind
from tne.core.notify import message_kind

# --- runs: the jobs of the allocation runs and of large « what if » simulations ----------------
from . import jobs  # noqa: F401

# --- lifecycle: the kind of the reminders in « Messages envoyés » ---------------------------
from .services import pupils as _pupils
from .services import rules as _rules
from .services.reminders import KIND as REMINDER_KIND

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
