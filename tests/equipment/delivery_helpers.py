"""Orders ready to be delivered and delivery files, for the tests of the delivery import."""

import datetime
from pathlib import Path

from openpyxl import Workbook

from tests.equipment.factories import (
    DeviceModelFactory,
    EnvelopeFactory,
    OrderFactory,
    OrderLineFactory,
    category,
    measure,
)
from tne.equipment.enums import OrderStatus

HEADER = "numero_serie;reference_modele;numero_commande;date_livraison"


def committed_order(
    node, *, number="CMD-2026-001", lines=(("ASUS-BR1100", 10),), measure_code="M5"
):
    """A committed order on an envelope of ``node`` with ``lines`` (reference, quantity)."""
    from tne.programme.models import Envelope

    envelope = Envelope.objects.filter(
        node=node, measure=measure(measure_code), period=None
    ).first() or EnvelopeFactory(node=node, measure=measure(measure_code))
    order = OrderFactory(envelope=envelope, number=number, status=OrderStatus.COMMITTED)
    for reference, quantity in lines:
        model = (
            DeviceModelFactory(reference=reference, category=category("laptop"), warranty_months=36)
            if not _exists(reference)
            else _model(reference)
        )
        OrderLineFactory(order=order, model=model, quantity=quantity)
    return order


def _exists(reference):
    from tne.equipment.models import DeviceModel

    return DeviceModel.objects.filter(reference=reference).exists()


def _model(reference):
    from tne.equipment.models import DeviceModel

    return DeviceModel.objects.get(reference=reference)


def write(
    tmp_path: Path,
    lines: list[str],
    *,
    name="livraison.csv",
    header=HEADER,
    bom=False,
    delimiter=";",
) -> Path:
    text = "\n".join([header, *lines]) + "\n"
    if delimiter != ";":
        text = text.replace(";", delimiter)
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def write_xlsx(
    tmp_path: Path,
    rows: list[list],
    *,
    name="livraison.xlsx",
    header: tuple = tuple(HEADER.split(";")),
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


DAY = datetime.date(2026, 11, 20)
