"""The loans API: one router per area, joined into ``router``."""

from ninja import Router

from .runs import router as runs_router

router = Router(tags=["Prêts (M6)"])
# One add_router line per area (needs, runs, loans, dashboards).
router.add_router("", runs_router)
