"""What loans add to the shell: nav entries and dashboard cards (registered by the pages)."""

# --- needs and rules: the kinds of file ``tne import`` recognises --------------------------------
from tne.core.filekinds import FileKind, file_kind

from .services import pupils as _pupils
from .services import rules as _rules

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
