"""The loans API: one router per area, joined into ``router``."""

from ninja import Router

from .loans import router as loans_router  # lifecycle

router = Router(tags=["Prêts (M6)"])
# One add_router line per area (needs, runs, loans, dashboards).
router.add_router("", loans_router)  # lifecycle
