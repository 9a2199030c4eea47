"""What loans add to the shell: nav entries and dashboard cards (registered by the pages)."""

# --- lifecycle: the kind of the reminders in « Messages envoyés » ---------------------------
from tne.core.notify import message_kind

from .services.reminders import KIND as REMINDER_KIND

message_kind(REMINDER_KIND, "Relance d'un prêt de matériel")
