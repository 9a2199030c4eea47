"""The equipment API: one router per area, joined into ``router``."""

from ninja import Router

from .signoffs import router as signoffs_router

router = Router(tags=["Équipement"])
router.add_router("", signoffs_router)
