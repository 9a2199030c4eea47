"""The delivery import service: every error by line and column, all or nothing, and what a good
file writes (assets in stock, order lines, history, one audit record, tags)."""

import datetime

import pytest

from tests.equipment.delivery_helpers import committed_order, write, write_xlsx
from tests.equipment.factories import AssetFactory, DeviceModelFactory, OrderFactory
from tests.factories import Role, UserFactory, grant
from tne.core.models import AuditEvent
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of
from tne.equipment.enums import AssetEventKind, AssetSource, AssetState, OrderStatus
from tne.equipment.models import Asset, AssetEvent, OrderLine
from tne.equipment.perms import MANAGE_ASSETS
from tne.equipment.services.deliveries import check_deliveries, import_deliveries

pytestmark = pytest.mark.django_db

ACCEPTANCE = [
    "SN-0001;ASUS-BR1100;CMD-2026-001;20/11/2026",
    "SN-0002;ASUS-BR1100;CMD-2026-001;20/11/2026",
    "SN-0001;ASUS-BR1100;CMD-2026-001;20/11/2026",  # line 4: duplicate serial
    "SN-0004;INCONNU-42;CMD-2026-001;20/11/2026",  # line 5: unknown model
    "SN-0005;ASUS-BR1100;CMD-2026-001;20/11/2026",  # line 6: third of a line of 2
    "SN-0006;ASUS-BR1100;CMD-2026-001;31/02/2026",  # line 7: bad date (and exceeding too)
]


def errors_of(path, **kwargs):
    with pytest.raises(ImportFileError) as caught:
        import_deliveries(table_or_path=path, **kwargs)
    return [(e.line, e.column, e.message) for e in caught.value.errors]


def test_it_refuses_the_acceptance_file_with_the_four_errors_by_line_and_column(tree, tmp_path):
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 2),))
    path = write(tmp_path, ACCEPTANCE)

    errors = errors_of(path)

    assert [(line, column) for line, column, _ in errors] == [
        (4, "numero_serie"),
        (5, "reference_modele"),
        (6, "numero_commande"),
        (7, "date_livraison"),
    ]
    assert "SN-0001 figure déjà ligne 2" in errors[0][2]
    assert "« INCONNU-42 » inconnu" in errors[1][2]
    assert "serait dépassée" in errors[2][2] and "2 commandés" in errors[2][2]
    assert "n'est pas une date qui existe" in errors[3][2]
    assert Asset.objects.count() == 0
    assert OrderLine.objects.get().delivered == 0
    assert AssetEvent.objects.count() == 0


def test_a_good_file_enters_the_devices_in_stock_against_their_order_line(tree, tmp_path):
    order = committed_order(tree.aisne, lines=(("ASUS-BR1100", 5), ("EPSON-EB", 3)))
    actor = UserFactory()
    path = write(
        tmp_path,
        [
            "SN-1;ASUS-BR1100;CMD-2026-001;31/01/2026",
            "SN-2;ASUS-BR1100;CMD-2026-001;2026-01-31",
            "SN-3;EPSON-EB;CMD-2026-001;15/03/2026",
        ],
    )

    result = import_deliveries(table_or_path=path, actor=actor)

    assert result.order_ids == [order.pk]
    assert result.created == 3
    first = Asset.objects.get(serial_number="SN-1")
    assert first.state == AssetState.IN_STOCK
    assert first.stock_node == tree.aisne
    assert first.source == AssetSource.DELIVERY
    assert first.delivered_on == datetime.date(2026, 1, 31)
    # 36 months of warranty from 31 January: the last day of February is the 29th in 2029? No,
    # 2029 is not a leap year: the 28th.
    assert first.warranty_ends_on == datetime.date(2029, 1, 31)
    assert first.order_line.model.reference == "ASUS-BR1100"
    lines = {line.model.reference: line.delivered for line in OrderLine.objects.all()}
    assert lines == {"ASUS-BR1100": 2, "EPSON-EB": 1}
    assert AssetEvent.objects.filter(kind=AssetEventKind.CREATED, actor=actor).count() == 3
    events = AuditEvent.objects.filter(object_id=str(order.pk))
    assert events.count() == 1
    assert events.get().place_path == tree.aisne.path


def test_it_gives_tags_when_the_file_has_none_and_keeps_those_it_has(tree, tmp_path):
    committed_order(tree.aisne)
    AssetFactory(asset_tag="TNE00000001", serial_number="OLD")  # taken: skipped
    header = "numero_serie;reference_modele;numero_commande;date_livraison;numero_inventaire"
    path = write(
        tmp_path,
        [
            "SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026;",
            "SN-2;ASUS-BR1100;CMD-2026-001;20/11/2026;AISNE-77",
            "SN-3;ASUS-BR1100;CMD-2026-001;20/11/2026;",
        ],
        header=header,
    )

    result = import_deliveries(table_or_path=path)

    tags = dict(
        Asset.objects.filter(serial_number__startswith="SN").values_list(
            "serial_number", "asset_tag"
        )
    )
    assert tags["SN-2"] == "AISNE-77"
    assert tags["SN-1"] != tags["SN-3"]
    assert all(t.startswith("TNE") and len(t) == 11 for k, t in tags.items() if k != "SN-2")
    assert "TNE00000001" not in (tags["SN-1"], tags["SN-3"])
    assert result.tags_generated == 2


def test_serials_and_tags_already_in_the_register_are_errors(tree, tmp_path):
    committed_order(tree.aisne)
    AssetFactory(serial_number="SN-1", asset_tag="T-1")
    header = "numero_serie;reference_modele;numero_commande;date_livraison;numero_inventaire"
    path = write(
        tmp_path,
        [
            "SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026;X",
            "SN-2;ASUS-BR1100;CMD-2026-001;20/11/2026;T-1",
        ],
        header=header,
    )

    errors = errors_of(path)

    assert errors[0][:2] == (2, "numero_serie") and "déjà au registre" in errors[0][2]
    assert errors[1][:2] == (3, "numero_inventaire") and "déjà au registre" in errors[1][2]


def test_unknown_order_a_draft_order_and_a_model_the_order_lacks_are_errors(tree, tmp_path):
    committed_order(tree.aisne)
    OrderFactory(
        envelope=committed_order(tree.vdo, number="CMD-X", lines=()).envelope,
        number="CMD-DRAFT",
        status=OrderStatus.DRAFT,
    )
    DeviceModelFactory(reference="WEBCAM-1")
    path = write(
        tmp_path,
        [
            "SN-1;ASUS-BR1100;CMD-404;20/11/2026",
            "SN-2;ASUS-BR1100;CMD-404;20/11/2026",
            "SN-3;ASUS-BR1100;CMD-DRAFT;20/11/2026",
            "SN-4;WEBCAM-1;CMD-2026-001;20/11/2026",
        ],
    )

    errors = errors_of(path)

    assert errors[0][:2] == (2, "numero_commande")
    assert "« CMD-404 » inconnue (et 1\xa0autre ligne)" in errors[0][2]
    assert errors[1][:2] == (4, "numero_commande") and "non engagée" in errors[1][2]
    assert errors[2][:2] == (5, "reference_modele") and "pas de ligne" in errors[2][2]


def test_an_order_outside_the_importers_scope_is_an_error_of_its_line(tree, tmp_path):
    committed_order(tree.vdo, number="CMD-95")
    technician = UserFactory()
    grant(technician, Role.TECHNICIAN, tree.aisne)
    path = write(tmp_path, ["SN-1;ASUS-BR1100;CMD-95;20/11/2026"])

    errors = errors_of(path, scope=scope_of(technician, MANAGE_ASSETS))

    assert errors == [(2, "numero_commande", "commande hors de votre périmètre (CMD-95).")]


def test_the_deliveries_of_earlier_files_count_against_the_order_line(tree, tmp_path):
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 2),))
    import_deliveries(table_or_path=write(tmp_path, ["SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026"]))
    second = write(
        tmp_path,
        ["SN-2;ASUS-BR1100;CMD-2026-001;20/11/2026", "SN-3;ASUS-BR1100;CMD-2026-001;20/11/2026"],
        name="second.csv",
    )

    errors = errors_of(second)

    assert errors[0][:2] == (3, "numero_commande")
    assert "1\xa0déjà livré" in errors[0][2] or "1 déjà livrés" in errors[0][2]


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [False, True])
def test_it_reads_both_separators_with_or_without_bom(tree, tmp_path, delimiter, bom):
    committed_order(tree.aisne)
    path = write(
        tmp_path, ["SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026"], bom=bom, delimiter=delimiter
    )

    assert import_deliveries(table_or_path=path).created == 1


def test_it_reads_an_xlsx_file_with_date_cells(tree, tmp_path):
    committed_order(tree.aisne)
    path = write_xlsx(
        tmp_path,
        [
            [123456789, "ASUS-BR1100", "CMD-2026-001", datetime.datetime(2026, 11, 20)],
            ["SN-B", "ASUS-BR1100", "CMD-2026-001", "21/11/2026"],
        ],
    )

    import_deliveries(table_or_path=path)

    assert set(Asset.objects.values_list("serial_number", flat=True)) == {"123456789", "SN-B"}
    assert Asset.objects.get(serial_number="123456789").delivered_on == datetime.date(2026, 11, 20)


def test_control_characters_and_missing_cells_are_errors_of_their_column(tree, tmp_path):
    committed_order(tree.aisne)
    path = write(
        tmp_path, ["SN\x01;ASUS-BR1100;CMD-2026-001;20/11/2026", ";ASUS-BR1100;;20/11/2026"]
    )

    errors = errors_of(path)

    assert errors[0][:2] == (2, "numero_serie") and "U+0001" in errors[0][2]
    assert errors[1][:2] == (3, "numero_serie") and "valeur manquante" in errors[1][2]
    assert errors[2][:2] == (3, "numero_commande")


def test_a_header_only_file_and_a_missing_column_are_refused(tree, tmp_path):
    assert errors_of(write(tmp_path, [])) == [
        (None, None, "le fichier n'a aucune ligne de données après son en-tête.")
    ]
    missing = write(
        tmp_path,
        ["SN-1;X;CMD"],
        header="numero_serie;reference_modele;numero_commande",
        name="m.csv",
    )
    assert errors_of(missing) == [
        (1, "date_livraison", "colonne obligatoire absente de l'en-tête.")
    ]


def test_a_dry_run_and_a_preview_write_nothing(tree, tmp_path):
    committed_order(tree.aisne)
    path = write(tmp_path, ["SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026"])

    check = check_deliveries(table_or_path=path)
    result = import_deliveries(table_or_path=path, dry_run=True)

    assert [(g.order_number, g.count, g.quantity) for g in check.groups] == [
        ("CMD-2026-001", 1, 10)
    ]
    assert result.dry_run and result.created == 1
    assert Asset.objects.count() == 0
    assert OrderLine.objects.get().delivered == 0


def test_the_checks_use_one_query_per_kind_of_lookup(tree, tmp_path, django_assert_max_num_queries):
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 500),))
    rows = [f"SN-{i};ASUS-BR1100;CMD-2026-001;20/11/2026" for i in range(400)]
    path = write(tmp_path, rows)

    with django_assert_max_num_queries(6):
        check_deliveries(table_or_path=path)
