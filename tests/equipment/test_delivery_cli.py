"""``tne import FILE`` recognises a delivery file by its header, prints its errors as
``fichier:ligne:colonne: message``, exits non-zero and writes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.equipment.delivery_helpers import committed_order, write, write_xlsx
from tests.equipment.test_delivery_import import ACCEPTANCE
from tne.equipment.models import Asset, OrderLine

pytestmark = pytest.mark.django_db


def test_the_acceptance_file_exits_non_zero_with_its_four_errors(tree, tmp_path):
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 2),))
    path = write(tmp_path, ACCEPTANCE)
    err = StringIO()

    with pytest.raises(CommandError, match="rien n'a été enregistré \\(4\xa0erreurs\\)"):
        call_command("import", str(path), stdout=StringIO(), stderr=err, verbosity=0)

    lines = err.getvalue().splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "livraison.csv:4:numero_serie",
        "livraison.csv:5:reference_modele",
        "livraison.csv:6:numero_commande",
        "livraison.csv:7:date_livraison",
    ]
    assert Asset.objects.count() == 0
    assert OrderLine.objects.get().delivered == 0


def test_a_good_csv_or_xlsx_file_is_imported_by_its_header(tree, tmp_path):
    committed_order(tree.aisne)
    csv_path = write(tmp_path, ["SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026"])
    xlsx_path = write_xlsx(tmp_path, [["SN-2", "ASUS-BR1100", "CMD-2026-001", "20/11/2026"]])
    out = StringIO()

    call_command(
        "import", str(csv_path), str(xlsx_path), stdout=out, stderr=StringIO(), verbosity=0
    )

    assert "livraison.csv (Livraison de matériels) : 1\xa0matériel entré" in out.getvalue()
    assert Asset.objects.count() == 2
    assert OrderLine.objects.get().delivered == 2


def test_a_dry_run_writes_nothing(tree, tmp_path):
    committed_order(tree.aisne)
    path = write(tmp_path, ["SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026"])

    call_command(
        "import", str(path), "--dry-run", stdout=StringIO(), stderr=StringIO(), verbosity=0
    )

    assert Asset.objects.count() == 0
