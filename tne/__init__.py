"""TNE — Territoires numériques éducatifs."""
