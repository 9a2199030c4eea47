"""The equipment API: one router per area, joined into ``router``."""

from ninja import Router

from .deployments import router as deployments_router

router = Router(tags=["Équipement"])
router.add_router("", deployments_router)
