"""What equipment adds to the shell of the site: its navigation entry (and later its dashboard
card), imported by ``EquipmentConfig.ready()``."""

from tne.core.registry import nav_entry

from .perms import can_view_equipment, can_view_progress


def _sees_equipment(user) -> bool:
    return can_view_equipment(user) or can_view_progress(user)


nav_entry(
    "Équipement",
    "equipment:index",
    order=37,
    permission_check=_sees_equipment,
    active_for=("equipment:*",),
)

# --- asset register: the job of label sheets ---------------------------------------------------
from . import labels as _labels  # noqa: E402, F401  (registers the ``equipment.labels`` job)
