"""The loans API: one router per area, joined into ``router``."""

from ninja import Router

router = Router(tags=["Prêts (M6)"])
# One add_router line per area (needs, runs, loans, dashboards).
router.add_router("", "tne.loans.api.needs.router")
