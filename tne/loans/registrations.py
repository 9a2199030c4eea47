"""What loans add to the shell: the kinds of its messages and jobs, nav entries and dashboard
cards."""

from tne.core.notify import message_kind

# --- runs: the jobs of the allocation runs and of large « what if » simulations ----------------
from . import jobs  # noqa: F401

# --- lifecycle: the kind of the reminders in « Messages envoyés » ---------------------------
from .services.reminders import KIND as REMINDER_KIND

message_kind(REMINDER_KIND, "Relance d'un prêt de matériel")
