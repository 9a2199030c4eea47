"""The equipment API: one router per area, joined into ``router``."""

from ninja import Router

from .audits import router as audits_router

router = Router(tags=["Équipement"])
router.add_router("", audits_router)
