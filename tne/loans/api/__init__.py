"""The loans API: one router per area, joined into ``router``."""

from ninja import Router

router = Router(tags=["Prêts (M6)"])
# One add_router line per area (needs, runs, loans, dashboards).

from .dashboards import router as dashboards_router  # noqa: E402

router.add_router("", dashboards_router)
