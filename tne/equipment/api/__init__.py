"""The equipment API: one router per area, joined into ``router``."""

from ninja import Router

from .assets import router as assets_router

router = Router(tags=["Équipement"])
router.add_router("", assets_router)
