"""Filling the socle audit of a school (one screen, saved at once, audited), « même équipement
que la classe X », the pre-fill from the register, and who may: the head of the school and the
ERUN of its circonscription (a head of another school: 404; a teacher: 403; a person with two
roles never lends one role's reach to the other). The overview: scope, IPS, ranking, filters,
exports, a fixed number of queries."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from tests.equipment.audit_factories import FULL_CLASS, audit, school_with_classes, without
from tests.equipment.factories import AssetFactory, DeviceModelFactory, category, price_kits
from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    grant,
    user_with_role,
)
from tne.core.models import AuditEvent
from tne.equipment.enums import AssetState
from tne.equipment.models import ClassAudit, SchoolAudit
from tne.equipment.models.audits import SocleAuditSource
from tne.equipment.services.audits import current_year, save_school_audit
from tne.territory.enums import SchoolKind


@pytest.fixture
def school(tree):
    price_kits()
    school, classes = school_with_classes(
        tree.laon, 3, circonscription=tree.circ_laon, name="École des Remparts"
    )
    school.test_classes = classes
    return school


def url(school):
    return reverse("equipment:audit_school", args=[school.pk])


def field(school_class, name):
    return f"c{school_class.pk}-{name}"


def post_data(school, answers_by_class, **school_answers):
    data = {"action": "save", **{k: "on" for k, v in school_answers.items() if v}}
    for school_class, answers in answers_by_class.items():
        data.update({field(school_class, k): "on" for k, v in answers.items() if v})
    return data


def checked(html, name):
    """Whether the checkbox ``name`` is checked in ``html``."""
    start = html.index(f'name="{name}"')
    end = html.index(">", start)
    return " checked" in html[start:end]


# --- Who may ------------------------------------------------------------------------------


def test_the_head_of_the_school_fills_the_whole_school_in_one_screen(client, school):
    head = user_with_role(Role.SCHOOL_HEAD, school)
    client.force_login(head)
    cp, ce1, ce2 = school.test_classes

    html = client.get(url(school)).content.decode()
    assert "Pas encore d&#x27;audit" in html or "Pas encore d'audit" in html
    for school_class in (cp, ce1, ce2):
        assert field(school_class, "has_display") in html

    response = client.post(
        url(school),
        post_data(
            school,
            {cp: FULL_CLASS, ce1: without("has_audio")},
            has_shared_pack=True,
            head_has_laptop=True,
        ),
    )
    assert response.status_code == 302

    saved = SchoolAudit.objects.get(school=school)
    assert saved.has_shared_pack and saved.head_has_laptop and not saved.head_has_printer
    assert saved.updated_by == head and saved.source == SocleAuditSource.MANUAL
    rows = {a.school_class_id: a for a in ClassAudit.objects.all()}
    assert set(rows) == {cp.pk, ce1.pk, ce2.pk}  # the whole form: CE2 saved with nothing
    assert rows[cp.pk].has_audio and not rows[ce1.pk].has_audio
    assert not any(getattr(rows[ce2.pk], f) for f in FULL_CLASS)
    events = AuditEvent.objects.filter(object_repr__startswith="Audit du socle")
    assert events.count() == 4
    assert set(events.values_list("place_school_id", flat=True)) == {school.pk}

    html = client.get(url(school)).content.decode()
    assert "Sous le socle" in html and "Complet" in html
    assert checked(html, field(cp, "has_laptop")) and not checked(html, field(ce1, "has_audio"))


def test_saving_again_changes_the_rows_and_records_only_the_changes(client, school):
    head = user_with_role(Role.SCHOOL_HEAD, school)
    client.force_login(head)
    cp, _ce1, ce2 = school.test_classes
    client.post(url(school), post_data(school, {cp: FULL_CLASS}))
    events = AuditEvent.objects.filter(object_repr__startswith="Audit du socle")
    before = events.count()

    client.post(url(school), post_data(school, {cp: FULL_CLASS, ce2: {"has_laptop": True}}))

    assert ClassAudit.objects.get(school_class=ce2).has_laptop
    assert events.count() == before + 1
    assert SchoolAudit.objects.count() == 1 and ClassAudit.objects.count() == 3


def test_the_erun_of_the_circonscription_audits_it(client, tree, school):
    client.force_login(user_with_role(Role.IEN_ERUN, tree.circ_laon))
    assert client.get(url(school)).status_code == 200
    assert client.post(url(school), post_data(school, {})).status_code == 302


def test_the_erun_of_another_circonscription_gets_a_404(client, tree, school):
    client.force_login(user_with_role(Role.IEN_ERUN, tree.circ_cergy))
    assert client.get(url(school)).status_code == 404
    assert client.post(url(school), post_data(school, {})).status_code == 404
    assert not SchoolAudit.objects.exists()


def test_the_head_of_another_school_gets_a_404(client, tree, school):
    other = SchoolFactory(commune=tree.laon)
    client.force_login(user_with_role(Role.SCHOOL_HEAD, other))
    assert client.get(url(school)).status_code == 404


def test_a_teacher_gets_a_403(client, school):
    client.force_login(user_with_role(Role.TEACHER, school))
    assert client.get(url(school)).status_code == 403
    assert client.post(url(school), post_data(school, {})).status_code == 403


def test_a_teacher_here_and_head_there_audits_only_there(client, tree, school):
    other, _ = school_with_classes(tree.soissons, 1)
    person = UserFactory()
    grant(person, Role.TEACHER, school)
    grant(person, Role.SCHOOL_HEAD, other)
    client.force_login(person)
    assert client.get(url(school)).status_code == 404
    assert client.get(url(other)).status_code == 200


def test_a_college_is_not_audited(client, tree):
    college = SchoolFactory(commune=tree.laon, kind=SchoolKind.COLLEGE)
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    assert client.get(url(college)).status_code == 404


def test_the_service_refuses_a_class_of_another_school(tree, school):
    _other, (foreign,) = school_with_classes(tree.soissons, 1)
    head = user_with_role(Role.SCHOOL_HEAD, school)
    with pytest.raises(ValidationError, match="ne sont pas des classes élémentaires"):
        save_school_audit(
            school=school,
            year=current_year(),
            school_answers={},
            class_answers={foreign.pk: FULL_CLASS},
            actor=head,
        )
    assert not SchoolAudit.objects.exists()


# --- Copy ----------------------------------------------------------------------------------


def test_it_copies_one_class_to_another_in_the_form_without_saving(client, school):
    client.force_login(user_with_role(Role.SCHOOL_HEAD, school))
    cp, ce1, ce2 = school.test_classes
    data = post_data(school, {cp: without("has_camera")})
    data.update({"action": f"copy-{ce1.pk}", f"c{ce1.pk}-copy": str(cp.pk)})

    response = client.post(url(school), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert checked(html, field(ce1, "has_laptop")) and not checked(html, field(ce1, "has_camera"))
    assert not checked(html, field(ce2, "has_laptop"))
    assert "vérifiez puis enregistrez" in html
    assert not SchoolAudit.objects.exists() and not ClassAudit.objects.exists()


def test_htmx_gets_only_the_form_and_the_bulk_action_copies_to_every_class(client, school):
    client.force_login(user_with_role(Role.SCHOOL_HEAD, school))
    cp, ce1, ce2 = school.test_classes
    data = post_data(school, {cp: FULL_CLASS})
    data.update({"action": "copy-all", "bulk_from": str(cp.pk)})

    response = client.post(url(school), data, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert "<html" not in html
    for school_class in (ce1, ce2):
        assert checked(html, field(school_class, "has_audio"))
    assert not ClassAudit.objects.exists()


# --- Pre-fill from the register ----------------------------------------------------------


def _device(code, school, school_class=None, state=AssetState.INSTALLED):
    model = category(code).reference_model or DeviceModelFactory(category=category(code))
    return AssetFactory(model=model, school=school, school_class=school_class, state=state)


def test_it_prefills_from_the_register_for_confirmation_then_saves_it(client, school):
    client.force_login(user_with_role(Role.SCHOOL_HEAD, school))
    cp, ce1, _ = school.test_classes
    for code in ("projector", "laptop", "wifi-access-point", "webcam", "microphone", "speakers"):
        _device(code, school, cp)
    _device("microphone", school, ce1, AssetState.ALLOCATED)  # no speakers: no audio
    _device("laptop", school, ce1, AssetState.IN_STOCK)  # in stock: does not count
    _device("tablet", school)
    _device("printer-scanner", school)

    html = client.get(url(school) + "?registre=1").content.decode()

    assert "pré-rempli" in html
    assert all(
        checked(html, field(cp, name)) for name in FULL_CLASS if name != "has_document_camera"
    )
    assert not checked(html, field(cp, "has_document_camera"))
    assert not checked(html, field(ce1, "has_audio")) and not checked(
        html, field(ce1, "has_laptop")
    )
    assert checked(html, "has_shared_pack") and checked(html, "head_has_printer")
    assert not checked(html, "head_has_laptop")
    assert 'name="from_register" value="1"' in html
    assert not SchoolAudit.objects.exists()

    data = post_data(school, {cp: without("has_document_camera")}, has_shared_pack=True)
    data["from_register"] = "1"
    client.post(url(school), data)
    assert SchoolAudit.objects.get(school=school).source == SocleAuditSource.REGISTER


# --- The overview --------------------------------------------------------------------------


@pytest.fixture
def overview(tree, school):
    """Aisne: « Remparts » (IPS 100) with one class below the socle, « Pauvre » (IPS 75) with
    two, « Complète » (IPS 60) complete; Val-d'Oise: « Cergy »."""
    cp, ce1, ce2 = school.test_classes
    audit(school, {cp: without("has_laptop"), ce1: FULL_CLASS, ce2: FULL_CLASS})
    poor, poor_classes = school_with_classes(tree.soissons, 2, ips=Decimal("75.0"), name="Pauvre")
    audit(poor, {c: {} for c in poor_classes})
    complete, classes = school_with_classes(tree.laon, 1, ips=Decimal("60.0"), name="Complète")
    audit(
        complete,
        {c: FULL_CLASS for c in classes},
        has_shared_pack=True,
        head_has_laptop=True,
        head_has_internet=True,
        head_has_printer=True,
    )
    cergy, _ = school_with_classes(tree.cergy, 1, name="Cergy")
    return {"remparts": school, "poor": poor, "complete": complete, "cergy": cergy}


def names_in_order(html, names):
    return sorted(names, key=html.index)


def test_the_overview_ranks_the_schools_with_a_gap_by_ips(client, tree, overview):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    html = client.get(reverse("equipment:audit_list")).content.decode()
    # Remparts has no school audit answers: its pack and head are missing too (a gap).
    assert names_in_order(html, ["Pauvre", "École des Remparts", "Complète"]) == [
        "Pauvre",
        "École des Remparts",
        "Complète",
    ]
    assert "Cergy" not in html
    assert "75,0" in html  # the IPS, read by a coordinator


def test_a_local_authority_reads_its_schools_without_the_ips(client, tree, overview):
    client.force_login(user_with_role(Role.LOCAL_AUTHORITY, tree.laon))
    html = client.get(reverse("equipment:audit_list")).content.decode()
    assert "École des Remparts" in html and "Pauvre" not in html
    assert ">IPS<" not in html and "100,0" not in html
    csv = b"".join(
        client.get(reverse("equipment:audit_export", args=["csv"])).streaming_content
    ).decode()
    assert "IPS" not in csv.splitlines()[0]


def test_a_teacher_does_not_read_the_overview(client, school):
    client.force_login(user_with_role(Role.TEACHER, school))
    assert client.get(reverse("equipment:audit_list")).status_code == 403


def test_the_overview_filters(client, tree, overview):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    html = client.get(reverse("equipment:audit_list") + "?commune=02722").content.decode()
    assert "Pauvre" in html and "Remparts" not in html and "Cergy" not in html
    html = client.get(reverse("equipment:audit_list") + "?non_audite=on").content.decode()
    assert "Cergy" in html and "Pauvre" not in html
    html = client.get(reverse("equipment:audit_list") + "?departement=95").content.decode()
    assert "Cergy" in html and "Pauvre" not in html
    html = client.get(reverse("equipment:audit_list") + "?departement=75").content.decode()
    assert "Aucune école pour ces critères" in html


def test_the_overview_exports(client, tree, overview):
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))
    csv = b"".join(
        client.get(reverse("equipment:audit_export", args=["csv"])).streaming_content
    ).decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0].startswith("Rang;UAI;École")
    assert "IPS" in lines[0]
    assert lines[1].split(";")[2] == "Pauvre"
    response = client.get(reverse("equipment:audit_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["C2"].value == "Pauvre"
    assert client.get(reverse("equipment:audit_export", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("extra", [0, 8])
def test_the_overview_makes_a_fixed_number_of_queries(
    client, tree, overview, django_assert_num_queries, extra
):
    for i in range(extra):
        s, classes = school_with_classes(tree.laon, 1 + i % 3)
        audit(s, {c: without("has_camera") for c in classes[::2]})
        SchoolClassFactory(school=s, name=f"Autre {i}")
    user = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(user)
    client.get(reverse("equipment:audit_list"))  # warm the session
    # session, user, grants (3); prices (3); the schools (1); their figures (3).
    with django_assert_num_queries(10):
        assert client.get(reverse("equipment:audit_list")).status_code == 200


@pytest.mark.parametrize("count", [2, 9])
def test_the_school_page_makes_a_fixed_number_of_queries(
    client, tree, django_assert_num_queries, count
):
    price_kits()
    school, classes = school_with_classes(tree.laon, count)
    audit(school, {c: without("has_camera") for c in classes[::2]})
    client.force_login(user_with_role(Role.SCHOOL_HEAD, school))
    client.get(url(school))
    # session, user, grants (3); school, year, classes, audits (2) (5); prices (3).
    with django_assert_num_queries(11):
        assert client.get(url(school)).status_code == 200
