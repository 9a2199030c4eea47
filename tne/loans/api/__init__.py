"""The loans API: one router per area, joined into ``router``."""

from ninja import Router

from .dashboards import router as dashboards_router  # dashboards, family
from .loans import router as loans_router  # lifecycle
from .runs import router as runs_router  # runs, offers, waiting lists

router = Router(tags=["Prêts (M6)"])
# One add_router line per area (needs, runs, loans, dashboards).
router.add_router("", loans_router)  # lifecycle
router.add_router("", runs_router)  # runs
router.add_router("", "tne.loans.api.needs.router")  # needs
router.add_router("", dashboards_router)  # dashboards, family
