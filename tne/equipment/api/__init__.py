"""The equipment API: one router per area, joined into ``router``."""

from ninja import Router

router = Router(tags=["Équipement"])
