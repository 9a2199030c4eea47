"""The equipment API: one router per area, joined into ``router``."""

from ninja import Router

from .assets import router as assets_router
from .audits import router as audits_router
from .catalogue import router as catalogue_router
from .deployments import router as deployments_router
from .orders import router as orders_router
from .signoffs import router as signoffs_router

router = Router(tags=["Équipement"])
router.add_router("", assets_router)
router.add_router("", audits_router)
router.add_router("", catalogue_router)
router.add_router("", deployments_router)
router.add_router("", orders_router)
router.add_router("", signoffs_router)
