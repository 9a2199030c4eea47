"""What loans add to the shell: nav entries and dashboard cards (registered by the pages)."""

# --- runs: the jobs of the allocation runs and of large « what if » simulations ----------------
from . import jobs  # noqa: F401
