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

# --- Deployments: what the programme's dashboard counts for M4, M5 and M7 -----------------------

from tne.core.registry import measure_counter  # noqa: E402

from .deployment_selectors import equipped_count  # noqa: E402


def _in_service(code):
    def count(user, node):
        return equipped_count(user, measure_code=code, node=node)

    return count


# M4 and M5 count classes, M7 teachers: the units of their targets, as the progress does.
for _code in ("M4", "M5", "M7"):
    measure_counter(_code, _in_service(_code))
# --- The territory's page of a school links to its equipment ------------------------------------

from django.urls import reverse  # noqa: E402

from tne.core.registry import school_link  # noqa: E402
from tne.core.scope import scope_of  # noqa: E402

from .perms import VIEW  # noqa: E402


def _school_equipment_url(user, school) -> str | None:
    """The school's equipment page, for who reads the equipment of that school (its grants of
    ``equipment.view`` there: a parent or a teacher gets no link)."""
    if scope_of(user, VIEW).contains_school(school):
        return reverse("equipment:school", args=[school.pk])
    return None


school_link("Équipement de l'école", url=_school_equipment_url, order=10)

# --- asset register: the job of label sheets ---------------------------------------------------
from . import labels as _labels  # noqa: E402, F401  (registers the ``equipment.labels`` job)
