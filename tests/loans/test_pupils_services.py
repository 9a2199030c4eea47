"""Pupils and declarations through their services: the rules of a pupil (code unique in its
school, elementary level, class of the school this year that has the level), of a declaration
(the sharing count only when shared), the audit trail, the permission per grant, and the
batches written all or nothing with their errors by row and field."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from tne.core.models import AuditAction, AuditEvent, AuditSource
from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import NeedDeclaration, Pupil
from tne.loans.services import pupils as services
from tne.loans.services.pupils import Entry, EntryErrors

from .needs_helpers import Needs

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return Needs(tree)


def events(model, action=None):
    rows = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(model))
    return rows.filter(action=action) if action else rows


def test_the_head_creates_a_pupil_audited_at_the_school(place):
    pupil = services.create_pupil(
        school=place.school, code=" E-001 ", level="CE1", school_class=place.ce1, actor=place.head
    )

    assert (pupil.code, pupil.level, pupil.school_class) == ("E-001", "CE1", place.ce1)
    event = events(Pupil, AuditAction.CREATE).get()
    assert (event.actor, event.place_school_id) == (place.head, place.school.pk)
    assert event.place_path == place.tree.laon.path
    assert event.changes["code"] == ["", "E-001"]


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"code": ""}, "code", "jamais son nom"),
        ({"code": "E\t1"}, "code", "caractère de contrôle"),
        ({"code": "E" * 41}, "code", "40 caractères au plus"),
        ({"level": "GS"}, "level", "pas un niveau de l'école élémentaire"),
        ({"level": ""}, "level", "indiquez le niveau"),
        ({"level": "CM2"}, "level", "la classe CE1 A n'a pas le niveau CM2"),
        ({"school_class": None}, "school_class", "indiquez la classe"),
    ],
)
def test_a_pupil_is_refused_with_the_field_and_the_reason(place, values, field, fragment):
    arguments = {"code": "E-001", "level": "CE1", "school_class": place.ce1, **values}

    with pytest.raises(ValidationError) as error:
        services.create_pupil(school=place.school, actor=place.head, **arguments)

    assert fragment.lower() in " ".join(error.value.message_dict[field]).lower()
    assert not Pupil.objects.exists()


def test_a_class_of_last_year_or_of_another_school_is_refused(place):
    for school_class in (place.old_class, place.other_class):
        with pytest.raises(ValidationError) as error:
            services.create_pupil(
                school=place.school,
                code="E-1",
                level=school_class.levels[0],
                school_class=school_class,
                actor=place.head,
            )
        assert "n'est pas une classe élémentaire" in error.value.message_dict["school_class"][0]


def test_a_code_is_unique_in_its_school_only(place):
    place.pupil(code="E-001")

    with pytest.raises(ValidationError) as error:
        services.create_pupil(
            school=place.school, code="E-001", level="CM1", school_class=place.cm, actor=place.head
        )
    assert "déjà le code d'un élève de l'école (classe CE1 A)" in error.value.messages[0]

    other = services.create_pupil(
        school=place.other_school,
        code="E-001",
        level="CP",
        school_class=place.other_class,
        actor=place.other_head,
    )
    assert other.school == place.other_school


def test_only_the_head_of_the_school_declares(place):
    for outsider in (place.other_head, place.coordinator, place.ien, place.teacher):
        with pytest.raises(PermissionDenied):
            services.create_pupil(
                school=place.school,
                code="E-1",
                level="CE1",
                school_class=place.ce1,
                actor=outsider,
            )
    # A person head at A and parent at B: a head at A, nothing at B.
    services.create_pupil(
        school=place.school, code="E-1", level="CE1", school_class=place.ce1, actor=place.two_roles
    )
    with pytest.raises(PermissionDenied):
        services.create_pupil(
            school=place.other_school,
            code="E-1",
            level="CP",
            school_class=place.other_class,
            actor=place.two_roles,
        )


def test_a_declaration_is_dated_signed_and_redated_only_when_it_changes(place):
    pupil = place.pupil(declared=False)

    need = services.declare_need(
        pupil=pupil,
        devices_at_home=HomeDevices.SHARED,
        shared_with=2,
        internet_at_home=HomeInternet.MOBILE,
        actor=place.head,
    )
    assert (need.declared_by, need.declared_on) == (place.head, datetime.date.today())
    NeedDeclaration.objects.filter(pk=need.pk).update(declared_on=datetime.date(2020, 1, 1))
    pupil.refresh_from_db()

    services.declare_need(
        pupil=pupil,
        devices_at_home=HomeDevices.SHARED,
        shared_with=2,
        internet_at_home=HomeInternet.MOBILE,
        actor=place.head,
    )
    need.refresh_from_db()
    assert need.declared_on == datetime.date(2020, 1, 1)
    assert events(NeedDeclaration).count() == 1

    services.declare_need(
        pupil=pupil,
        devices_at_home=HomeDevices.NONE,
        shared_with=None,
        internet_at_home=HomeInternet.MOBILE,
        actor=place.head,
    )
    need.refresh_from_db()
    assert (need.devices_at_home, need.shared_with) == (HomeDevices.NONE, None)
    assert need.declared_on == datetime.date.today()
    assert events(NeedDeclaration, AuditAction.UPDATE).get().changes["devices_at_home"] == [
        "SHARED",
        "NONE",
    ]


@pytest.mark.parametrize(
    ("devices", "shared_with", "internet", "field", "fragment"),
    [
        (HomeDevices.SHARED, None, HomeInternet.NONE, "shared_with", "avec combien"),
        (HomeDevices.SHARED, 0, HomeInternet.NONE, "shared_with", "entre 1 et 20"),
        (HomeDevices.SHARED, 21, HomeInternet.NONE, "shared_with", "entre 1 et 20"),
        (HomeDevices.NONE, 2, HomeInternet.NONE, "shared_with", "à laisser vide"),
        ("", None, HomeInternet.NONE, "devices_at_home", "indiquez l'équipement"),
        (HomeDevices.OWN, None, "", "internet_at_home", "indiquez l'accès"),
        ("TV", None, HomeInternet.NONE, "devices_at_home", "pas un équipement prévu"),
    ],
)
def test_an_incoherent_declaration_is_refused(
    place, devices, shared_with, internet, field, fragment
):
    pupil = place.pupil(declared=False)

    with pytest.raises(ValidationError) as error:
        services.declare_need(
            pupil=pupil,
            devices_at_home=devices,
            shared_with=shared_with,
            internet_at_home=internet,
            actor=place.head,
        )

    assert fragment.lower() in error.value.message_dict[field][0].lower()
    assert not NeedDeclaration.objects.exists()


def test_withdrawing_a_declaration_is_audited(place):
    pupil = place.pupil()

    assert services.withdraw_need(pupil=pupil, actor=place.head)
    assert not NeedDeclaration.objects.exists()
    assert events(NeedDeclaration, AuditAction.DELETE).count() == 1
    pupil.refresh_from_db()
    assert not services.withdraw_need(pupil=pupil, actor=place.head)


def entry(row, code, **values):
    values.setdefault("level", "CE1")
    values.setdefault("devices_at_home", HomeDevices.NONE)
    values.setdefault("internet_at_home", HomeInternet.MOBILE)
    return Entry(row=row, code=code, **values)


def test_a_batch_creates_updates_declares_and_withdraws(place):
    kept = place.pupil(code="E-1", declared=False)
    withdrawn = place.pupil(code="E-2")
    unchanged = place.pupil(code="E-3")

    result = services.save_entries(
        school=place.school,
        entries=[
            entry(1, "E-1", school_class=place.ce1, pupil_id=kept.pk),
            entry(
                2,
                "E-2",
                school_class=place.ce1,
                pupil_id=withdrawn.pk,
                devices_at_home="",
                internet_at_home="",
            ),
            entry(3, "E-3", school_class=place.ce1, pupil_id=unchanged.pk),
            entry(4, "E-4", school_class=place.ce1, shared_with=None),
            entry(
                5,
                "E-5",
                school_class=place.cm,
                level="CM2",
                devices_at_home="",
                internet_at_home="",
            ),
        ],
        actor=place.head,
    )

    assert (result.created, result.updated, result.unchanged) == (2, 2, 1)
    assert (result.declared, result.withdrawn) == (2, 1)
    assert set(Pupil.objects.values_list("code", flat=True)) == {"E-1", "E-2", "E-3", "E-4", "E-5"}
    assert set(NeedDeclaration.objects.values_list("pupil__code", flat=True)) == {
        "E-1",
        "E-3",
        "E-4",
    }
    assert "2\u00a0élèves ajoutés" in result.sentence()


def test_a_batch_with_one_bad_row_writes_nothing_and_says_every_error(place):
    place.pupil(code="E-9", school_class=place.cm, level="CM1")
    before = AuditEvent.objects.count()

    with pytest.raises(EntryErrors) as error:
        services.save_entries(
            school=place.school,
            entries=[
                entry(1, "E-1", school_class=place.ce1),
                entry(2, "E-1", school_class=place.ce1),
                entry(3, "E-9", school_class=place.ce1),
                entry(4, "E-4", school_class=place.ce1, level="CM2"),
                entry(5, "E-5", school_class=place.ce1, devices_at_home=HomeDevices.SHARED),
                entry(6, "E-6", school_class=place.ce1, pupil_id=10**9),
            ],
            actor=place.head,
        )

    errors = error.value.errors
    assert set(errors) == {2, 3, 4, 5, 6}
    assert errors[2]["code"] == ["même code qu'à la ligne 1."]
    assert "(classe CM1-CM2)" in errors[3]["code"][0]
    assert "n'a pas le niveau CM2" in errors[4]["level"][0]
    assert "avec combien" in errors[5]["shared_with"][0]
    assert "n'est pas (ou plus) un élève de l'école" in errors[6]["pupil"][0]
    assert Pupil.objects.count() == 1
    assert AuditEvent.objects.count() == before


def test_a_batch_checks_the_permission_first(place):
    with pytest.raises(PermissionDenied):
        services.save_entries(
            school=place.school,
            entries=[entry(1, "E-1", school_class=place.ce1)],
            actor=place.coordinator,
            source=AuditSource.API,
        )


def test_a_batch_makes_the_same_queries_for_3_or_30_rows(place, django_assert_num_queries):
    def batch(prefix, count):
        return [entry(i + 1, f"{prefix}-{i}", school_class=place.ce1) for i in range(count)]

    school = type(place.school).objects.select_related("commune").get(pk=place.school.pk)
    services.save_entries(school=school, entries=batch("W", 1), actor=place.head)  # caches
    # 8 for the batch, then the school's tally of the dashboards: the school's places (its row
    # locked on PostgreSQL), its loans and needs counted, one upsert.
    with django_assert_num_queries(8 + 4) as small:
        services.save_entries(school=school, entries=batch("A", 3), actor=place.head)
    with django_assert_num_queries(len(small)):
        result = services.save_entries(school=school, entries=batch("B", 30), actor=place.head)

    assert result.created == 30 and NeedDeclaration.objects.count() == 34
    assert events(Pupil, AuditAction.CREATE).count() == 34
    assert events(NeedDeclaration, AuditAction.CREATE).count() == 34


def test_a_batch_audits_each_change_with_its_fields(place):
    moved = place.pupil(code="E-1")
    withdrawn = place.pupil(code="E-2")

    services.save_entries(
        school=place.school,
        entries=[
            entry(
                1,
                "E-1bis",
                school_class=place.cm,
                level="CM1",
                pupil_id=moved.pk,
                internet_at_home=HomeInternet.FIXED,
            ),
            entry(
                2,
                "E-2",
                school_class=place.ce1,
                pupil_id=withdrawn.pk,
                devices_at_home="",
                internet_at_home="",
            ),
        ],
        actor=place.head,
    )

    update = events(Pupil, AuditAction.UPDATE).get()
    assert update.changes == {
        "code": ["E-1", "E-1bis"],
        "level": ["CE1", "CM1"],
        "school_class_id": [place.ce1.pk, place.cm.pk],
    }
    assert update.place_school_id == place.school.pk and update.actor == place.head
    need_update = events(NeedDeclaration, AuditAction.UPDATE).get()
    assert need_update.changes["internet_at_home"] == ["MOBILE", "FIXED"]
    assert need_update.changes["declared_by_id"] == [None, place.head.pk]
    assert events(NeedDeclaration, AuditAction.DELETE).get().object_id == str(withdrawn.need.pk)
    moved.refresh_from_db()
    assert (moved.code, moved.school_class, moved.need.internet_at_home) == (
        "E-1bis",
        place.cm,
        HomeInternet.FIXED,
    )
