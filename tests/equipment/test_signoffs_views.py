"""The installation pages: lists narrowed to the user's scope with their actions, the decision
and co-signature forms, the downloads (signed reports, photo), exports and query budgets."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory
from tne.core.models import Signature
from tne.equipment.enums import AllocationStatus, SignoffParty
from tne.equipment.models import Signoff
from tne.equipment.services import signoffs

from .signoff_factories import PHOTO_PNG, Place, installed

LIST = reverse("equipment:signoff_list")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place(tree):
    return Place(tree)


def sign_url(allocation):
    return reverse("equipment:signoff_sign", args=[allocation.pk])


def cosign_url(allocation):
    return reverse("equipment:signoff_cosign", args=[allocation.pk])


ACCEPT = {"decision": "accept", "typed_name": "Anne Martin", "consent": "on", "drawing": ""}


def accepted(place, allocation, user=None):
    return signoffs.decide_installation(
        allocation_id=allocation.pk, actor=user or place.head, accept=True, typed_name="Anne M"
    )


# --- The list ----------------------------------------------------------------------------------


def test_the_head_sees_the_installations_of_their_school_to_validate(client, place):
    mine = installed(place.school)
    theirs = installed(place.other_school)
    client.force_login(place.head)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="installation-{mine.pk}"' in html and "À valider" in html
    assert f'id="installation-{theirs.pk}"' not in html
    assert sign_url(mine) in html
    assert 'name="allocation"' not in html  # no co-signature selection for a head


def test_the_commune_sees_every_installation_in_its_buildings(client, place):
    a = installed(place.school)
    b = installed(place.other_school)
    accepted(place, b, user=place.other_head)
    college = installed(place.college)
    cergy = installed(place.cergy_school)
    client.force_login(place.laon_officer)
    html = client.get(LIST).content.decode()
    assert f'id="installation-{a.pk}"' in html and f'id="installation-{b.pk}"' in html
    assert f'id="installation-{college.pk}"' not in html  # the département's building
    assert f'id="installation-{cergy.pk}"' not in html
    assert cosign_url(b) in html and sign_url(a) not in html.split(f"installation-{a.pk}")[1][:10]
    html = client.get(LIST, {"todo": "cosign"}).content.decode()
    assert f'id="installation-{b.pk}"' in html and f'id="installation-{a.pk}"' not in html
    assert f'value="{b.pk}"' in html


def test_the_filters_narrow_the_list(client, place):
    a = installed(place.school)
    b = installed(place.other_school)
    client.force_login(place.laon_officer)
    html = client.get(LIST, {"q": "Victor"}).content.decode()
    assert f'id="installation-{b.pk}"' in html and f'id="installation-{a.pk}"' not in html
    html = client.get(LIST, {"q": place.school.uai}).content.decode()
    assert f'id="installation-{a.pk}"' in html and f'id="installation-{b.pk}"' not in html
    html = client.get(LIST, {"status": "IN_SERVICE"}).content.decode()
    assert "Aucune installation pour ces critères" in html


def test_a_refusal_and_its_reason_are_shown_to_the_coordinator(client, place):
    allocation = installed(place.school)
    signoffs.decide_installation(
        allocation_id=allocation.pk,
        actor=place.head,
        accept=False,
        typed_name="Anne M",
        remarks="Écran fissuré",
    )
    client.force_login(place.coordinator)
    html = client.get(LIST, {"todo": "refused"}).content.decode()
    assert f'id="installation-{allocation.pk}"' in html and "Écran fissuré" in html


def test_an_outsider_sees_an_empty_list(client, place):
    installed(place.school)
    client.force_login(place.cergy_officer)
    html = client.get(LIST).content.decode()
    assert "Aucune installation" in html


def test_a_person_without_equipment_gets_a_403(client, place, tree):
    client.force_login(UserFactory())
    assert client.get(LIST).status_code == 403


def test_the_list_holds_its_query_budget(client, place):
    def add(n):
        for i in range(n):
            allocation = installed(place.school if i % 2 else place.other_school, devices=0)
            if i % 3 == 0:
                accepted(place, allocation, user=place.head if i % 2 else place.other_head)

    add(3)
    client.force_login(place.laon_officer)
    client.get(LIST)  # the session and the user's grants, once
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200
    add(9)
    with CaptureQueriesContext(connection) as large:
        assert client.get(LIST).status_code == 200
    assert len(large) == len(small) <= 10, [q["sql"] for q in large]


def test_the_export_lists_what_the_page_lists(client, place):
    a = installed(place.school)
    installed(place.cergy_school)
    client.force_login(place.laon_officer)
    response = client.get(reverse("equipment:signoff_export", args=["csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Affectation;UAI;École")
    assert len(lines) == 2 and lines[1].startswith(f"{a.pk};{place.school.uai}")
    response = client.get(reverse("equipment:signoff_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 2 and sheet["C2"].value == "École Jean-Macé"
    assert client.get(reverse("equipment:signoff_export", args=["pdf"])).status_code == 404


# --- Deciding ----------------------------------------------------------------------------------


def test_the_head_reads_the_report_and_accepts(client, place):
    allocation = installed(place.school, devices=2)
    client.force_login(place.head)
    response = client.get(sign_url(allocation))
    assert response.status_code == 200
    html = response.content.decode()
    for asset in allocation.assets.all():
        assert asset.serial_number in html and asset.asset_tag in html
    assert 'name="typed_name"' in html and 'name="consent"' in html
    assert "data-signature-pad" in html and "hidden" in html
    response = client.post(sign_url(allocation), {**ACCEPT, "remarks": "RAS"})
    assert response.status_code == 302 and response["Location"] == LIST
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.IN_SERVICE
    signoff = Signoff.objects.get()
    assert signoff.signature.typed_name == "Anne Martin" and signoff.remarks == "RAS"
    # What was consented to is the sentence the page showed.
    assert signoff.signature.consent == signoffs.DECISION_CONSENT
    assert "je signe ma décision sur l&#x27;installation" in html


def test_a_double_submit_makes_one_sign_off(client, place):
    allocation = installed(place.school)
    client.force_login(place.head)
    assert client.post(sign_url(allocation), ACCEPT).status_code == 302
    response = client.post(sign_url(allocation), ACCEPT)
    assert response.status_code == 200
    assert "pas à valider" in response.content.decode()
    assert Signoff.objects.count() == 1 and Signature.objects.count() == 1


def test_a_refusal_without_its_reason_is_asked_again(client, place):
    allocation = installed(place.school)
    client.force_login(place.head)
    response = client.post(sign_url(allocation), {**ACCEPT, "decision": "refuse"})
    assert response.status_code == 200
    assert "Dites pourquoi" in response.content.decode()
    response = client.post(
        sign_url(allocation), {**ACCEPT, "decision": "refuse", "remarks": "Câble manquant"}
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.DELIVERED


def test_signing_needs_the_typed_name_and_the_consent_not_the_drawing(client, place):
    allocation = installed(place.school)
    client.force_login(place.head)
    response = client.post(sign_url(allocation), {"decision": "accept", "typed_name": ""})
    assert response.status_code == 200 and not Signoff.objects.exists()
    response = client.post(sign_url(allocation), {**ACCEPT, "drawing": "<svg onload=x>"})
    assert response.status_code == 200 and not Signoff.objects.exists()
    assert client.post(sign_url(allocation), ACCEPT).status_code == 302


def test_the_photo_is_kept_and_served_only_to_readers(client, place):
    allocation = installed(place.school)
    client.force_login(place.head)
    photo = SimpleUploadedFile("installation.png", PHOTO_PNG, content_type="image/png")
    assert client.post(sign_url(allocation), {**ACCEPT, "photo": photo}).status_code == 302
    signoff = Signoff.objects.get()
    url = reverse("equipment:signoff_photo", args=[signoff.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(place.laon_officer)
    assert client.get(url).status_code == 200
    for outsider in (place.other_head, place.cergy_officer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_a_photo_that_is_not_an_image_is_refused_on_the_form(client, place):
    allocation = installed(place.school)
    client.force_login(place.head)
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(sign_url(allocation), {**ACCEPT, "photo": fake})
    assert response.status_code == 200
    html = response.content.decode()
    assert "pas une image lisible" in html
    assert not Signoff.objects.exists()
    # The error is the DSFR upload component's, under the field.
    group = html[html.index('id="id_photo-group"') - 60 : html.index('id="id_photo-desc-error"')]
    assert "fr-upload-group fr-upload-group--error" in group and 'aria-invalid="true"' in group
    messages = html[html.index('id="id_photo-desc-error"') :].split("</div>", 1)[0]
    assert 'class="fr-message fr-message--error"' in messages and "pas une image" in messages


def test_the_photo_field_is_the_dsfr_upload_component(client, place):
    allocation = installed(place.school)
    client.force_login(place.head)
    html = client.get(sign_url(allocation)).content.decode()
    start = html.index('id="id_photo-group"')
    group = html[html.rindex("<div", 0, start) : html.index("</div>\n</div>", start)]
    assert 'class="fr-upload-group' in group
    assert '<label class="fr-label" for="id_photo">' in group
    assert 'class="fr-hint-text" id="id_photo-hint"' in group
    assert (
        '<input class="fr-upload" type="file" name="photo" id="id_photo" '
        'accept="image/jpeg,image/png,image/webp" aria-describedby="id_photo-hint '
        'id_photo-desc-error">'
    ) in group
    assert 'type="checkbox"' not in group  # not the clearable input's « effacer »


def test_who_may_not_decide(client, place):
    allocation = installed(place.school)
    client.force_login(place.other_head)
    assert client.get(sign_url(allocation)).status_code == 404
    assert client.post(sign_url(allocation), ACCEPT).status_code == 404
    for reader in (place.laon_officer, place.coordinator):
        client.force_login(reader)
        assert client.get(sign_url(allocation)).status_code == 403
        assert client.post(sign_url(allocation), ACCEPT).status_code == 403
    client.force_login(place.cergy_head)
    assert client.get(sign_url(allocation)).status_code == 404
    assert not Signoff.objects.exists()


def test_the_signed_report_is_downloaded_by_those_who_read_the_installation(client, place):
    allocation = installed(place.school)
    signoff = accepted(place, allocation)
    url = reverse("equipment:signoff_document", args=[signoff.pk])
    for reader in (place.head, place.laon_officer, place.coordinator):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for outsider in (place.other_head, place.cergy_officer, place.aisne_officer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


# --- Co-signing --------------------------------------------------------------------------------


def test_the_commune_co_signs(client, place):
    allocation = installed(place.school)
    accepted(place, allocation)
    client.force_login(place.laon_officer)
    response = client.get(cosign_url(allocation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anne M" in html and 'name="typed_name"' in html
    response = client.post(
        cosign_url(allocation), {"typed_name": "Luc Bernard", "consent": "on", "remarks": ""}
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.authority_signed_at is not None
    assert Signoff.objects.filter(party=SignoffParty.AUTHORITY).count() == 1
    response = client.post(cosign_url(allocation), {"typed_name": "Luc Bernard", "consent": "on"})
    assert response.status_code == 200
    assert Signoff.objects.filter(party=SignoffParty.AUTHORITY).count() == 1


def test_who_may_not_co_sign(client, place):
    allocation = installed(place.college)
    accepted(place, allocation, user=place.college_head)
    client.force_login(place.laon_officer)  # the collège is the département's
    assert client.get(cosign_url(allocation)).status_code == 404
    client.force_login(place.college_head)
    assert client.get(cosign_url(allocation)).status_code == 403
    client.force_login(place.coordinator)
    assert client.get(cosign_url(allocation)).status_code == 403
    client.force_login(place.aisne_officer)
    assert client.get(cosign_url(allocation)).status_code == 200


def test_two_roles_each_only_where_granted(client, place):
    here = installed(place.school)
    there = installed(place.soissons_school)
    client.force_login(place.two_roles)
    assert client.get(sign_url(here)).status_code == 200
    assert client.get(cosign_url(here)).status_code == 403
    assert client.get(sign_url(there)).status_code == 403  # reads it as the commune, not head
    assert client.get(cosign_url(there)).status_code == 200


def test_a_selection_is_co_signed_at_once(client, place):
    rows = [installed(place.school, devices=0) for _ in range(2)]
    rows.append(installed(place.other_school, devices=0))
    accepted(place, rows[0])
    accepted(place, rows[1])
    accepted(place, rows[2], user=place.other_head)
    client.force_login(place.laon_officer)
    bulk = reverse("equipment:signoff_cosign_bulk")
    response = client.post(bulk, {"allocation": [r.pk for r in rows]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Contresigner 3 installations" in html and html.count('name="allocation"') == 3
    response = client.post(
        bulk, {"allocation": [r.pk for r in rows], "typed_name": "Luc Bernard", "consent": "on"}
    )
    assert response.status_code == 302
    done = Signoff.objects.filter(party=SignoffParty.AUTHORITY)
    assert done.count() == 3 and done.values("signature").distinct().count() == 1


def test_a_selection_outside_the_buildings_is_refused(client, place):
    mine = installed(place.school)
    accepted(place, mine)
    foreign = installed(place.cergy_school)
    accepted(place, foreign, user=place.cergy_head)
    bulk = reverse("equipment:signoff_cosign_bulk")
    client.force_login(place.laon_officer)
    assert client.post(bulk, {"allocation": [mine.pk, foreign.pk]}).status_code == 404
    assert client.post(bulk, {"allocation": ["x"]}).status_code == 404
    assert client.post(bulk, {}).status_code == 302
    client.force_login(place.head)
    assert client.post(bulk, {"allocation": [mine.pk]}).status_code == 403


def test_readers_see_an_installation_and_its_signed_decisions(client, place):
    allocation = installed(place.school, devices=1)
    signoff = accepted(place, allocation)
    detail = reverse("equipment:signoff_detail", args=[allocation.pk])
    client.force_login(place.coordinator)
    html = client.get(detail).content.decode()
    assert allocation.assets.get().asset_tag in html
    assert reverse("equipment:signoff_document", args=[signoff.pk]) in html
    assert cosign_url(allocation) not in html
    client.force_login(place.laon_officer)
    assert cosign_url(allocation) in client.get(detail).content.decode()
    for outsider in (place.other_head, place.cergy_officer):
        client.force_login(outsider)
        assert client.get(detail).status_code == 404
