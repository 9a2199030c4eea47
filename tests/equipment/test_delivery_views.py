"""The delivery import page: upload → preview (every error, or what will be created) → confirm
→ job → result; MANAGE_ASSETS per grant and the orders of the user's scope only."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags

from tests.equipment.delivery_helpers import HEADER, committed_order
from tests.equipment.test_delivery_import import ACCEPTANCE
from tests.factories import Role, SchoolFactory, UserFactory, grant, user_with_role
from tne.core.models import Job, JobStatus
from tne.equipment.models import Asset, OrderLine

pytestmark = pytest.mark.django_db
URL = reverse("equipment:delivery_import")
GOOD = ["SN-1;ASUS-BR1100;CMD-2026-001;20/11/2026", "SN-2;ASUS-BR1100;CMD-2026-001;20/11/2026"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _file(lines, name="livraison.csv"):
    content = ("\n".join([HEADER, *lines]) + "\n").encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _upload(client, lines, name="livraison.csv"):
    return client.post(URL, {"file": _file(lines, name)})


def _text(response) -> str:
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def _uploads(media_root):
    folder = media_root / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_acceptance_file_is_refused_with_its_four_errors_and_deleted(client, tree, media_root):
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 2),))
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    response = _upload(client, ACCEPTANCE)

    assert response.status_code == 200
    rows = re.findall(r"<tr><td>(\d+)</td><td><code>(\w+)</code></td>", response.content.decode())
    assert rows == [
        ("4", "numero_serie"),
        ("5", "reference_modele"),
        ("6", "numero_commande"),
        ("7", "date_livraison"),
    ]
    assert "4 erreurs à corriger" in _text(response)
    assert _uploads(media_root) == []
    assert Asset.objects.count() == 0


def test_a_good_file_is_previewed_then_imported_by_a_job_on_confirmation(
    client, tree, media_root, django_capture_on_commit_callbacks
):
    committed_order(tree.aisne)
    technician = user_with_role(Role.TECHNICIAN, tree.aisne)
    client.force_login(technician)

    preview = _upload(client, GOOD)

    assert "Aperçu de « livraison.csv » : aucune erreur" in _text(preview)
    assert "2 matériels seront entrés au registre" in _text(preview)
    assert Asset.objects.count() == 0
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(URL, {"token": token})

    job = Job.objects.get(kind="equipment.delivery_import")
    assert done.status_code == 302 and done.url == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["created"] == 2
    assert OrderLine.objects.get().delivered == 2
    page = client.get(done.url)
    assert "Matériels entrés au registre (en stock)" in _text(page)


def test_cancelling_a_preview_deletes_the_file(client, tree, media_root):
    committed_order(tree.aisne)
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))
    preview = _upload(client, GOOD)
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)

    client.post(URL, {"token": token, "cancel": "1"})

    assert _uploads(media_root) == []


def test_a_forged_token_is_refused(client, tree):
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    assert client.post(URL, {"token": "../../etc/passwd"}).status_code == 403


def test_an_order_of_another_departement_is_out_of_the_users_scope(client, tree, media_root):
    committed_order(tree.vdo)
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    response = _upload(client, GOOD)

    assert "commande hors de votre périmètre (CMD-2026-001)" in _text(response)
    assert _uploads(media_root) == []


def test_a_person_with_two_roles_gets_no_reach_from_the_one_without_the_permission(client, tree):
    committed_order(tree.vdo)
    person = UserFactory()
    grant(person, Role.TECHNICIAN, tree.aisne)
    grant(person, Role.SCHOOL_HEAD, SchoolFactory(commune=tree.cergy))
    client.force_login(person)

    response = _upload(client, GOOD)

    assert "commande hors de votre périmètre" in _text(response)


def test_roles_without_manage_assets_get_a_403(client, tree):
    for role, place in (
        (Role.SCHOOL_HEAD, SchoolFactory(commune=tree.laon)),
        (Role.EVALUATOR, tree.aisne),
    ):
        client.force_login(user_with_role(role, place))
        assert client.get(URL).status_code == 403


def test_a_header_only_file_and_a_wrong_suffix_are_refused(client, tree, media_root):
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    empty = _upload(client, [])
    wrong = client.post(
        URL, {"file": SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")}
    )

    assert "aucune ligne de données" in _text(empty)
    assert "doit être un fichier CSV (.csv) ou XLSX (.xlsx)" in _text(wrong)
    assert _uploads(media_root) == []


def test_a_file_past_the_size_limit_is_refused(client, tree, settings, media_root):
    settings.TNE_MAX_UPLOAD_BYTES = 100
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    response = _upload(client, GOOD * 10)

    assert "Le fichier dépasse" in _text(response)
    assert _uploads(media_root) == []


def _count_queries(client, lines):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = _upload(client, lines)
    assert "aucune erreur" in _text(response)
    return len(queries)


def test_the_preview_costs_the_same_queries_for_a_bigger_file(client, tree, media_root):
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 2000),))
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))

    small = _count_queries(
        client, [f"S-{i};ASUS-BR1100;CMD-2026-001;20/11/2026" for i in range(20)]
    )
    big = _count_queries(
        client, [f"B-{i};ASUS-BR1100;CMD-2026-001;20/11/2026" for i in range(1500)]
    )

    assert big == small
