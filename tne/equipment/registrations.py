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

# --- delivery and inventory imports: the kinds of file ``tne import`` recognises -------------
from tne.core.filekinds import FileKind, file_kind  # noqa: E402

from . import jobs  # noqa: E402, F401  (the job of the delivery import)
from .services import deliveries  # noqa: E402

file_kind(
    FileKind(
        kind=deliveries.KIND,
        label=deliveries.LABEL,
        columns=deliveries.COLUMNS,
        run=deliveries.run_delivery_file,
        suffixes=(".csv", ".txt", ".xlsx"),
    )
)

from .services import inventory  # noqa: E402

for _format in inventory.FORMATS.values():
    file_kind(
        FileKind(
            kind=_format.kind,
            label=_format.label,
            columns=_format.identify,
            run=inventory.run_inventory_file,
        )
    )
