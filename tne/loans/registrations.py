"""What loans add to the shell: nav entries and dashboard cards (registered by the pages)."""
