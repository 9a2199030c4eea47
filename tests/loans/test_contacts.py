"""The guardian's contact: validated (a French phone normalised to +33…, an email checked),
sealed at rest, entered and read only with ``loans.read_contact`` on the pupil's school, every
reading logged without the values; shown on the pupil's page only after « Afficher les
coordonnées », never in a list; and unreadable in a raw dump of the database."""

import html as html_lib
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tne.core import crypto
from tne.core.models import AuditAction, AuditEvent, AuditSource
from tne.loans.models import GuardianContact
from tne.loans.services import contacts as services

from .factories import GuardianContactFactory
from .needs_helpers import Needs

pytestmark = pytest.mark.django_db
NAME, PHONE, EMAIL = "Bérénice Zéphyrin-Marqueur", "06 98 76 54 32", "berenice.zephyrin@example.org"


@pytest.fixture
def place(tree):
    return Needs(tree)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 1 23 45 67 89", "+33123456789"),
        ("0692 12 34 56", "+262692123456"),
        ("0596 11 22 33", "+596596112233"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_a_phone_is_stored_in_its_international_form(typed, stored):
    assert services.normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["06 12 34 56", "+06 12 34 56 78", "1234567890", "06-ab", "+33"])
def test_a_wrong_phone_is_refused_in_french(typed):
    with pytest.raises(ValidationError) as error:
        services.normalise_phone(typed)
    assert "n'est pas un numéro de téléphone" in error.value.messages[0]


@given(st.text(max_size=40))
def test_a_phone_check_never_fails_otherwise(value):
    try:
        result = services.normalise_phone(value)
    except ValidationError:
        return
    assert result.startswith("+") and result[1:].isdigit()


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"name": ""}, "name", "Indiquez le nom"),
        ({"name": "A\x00B"}, "name", "Caractère de contrôle"),
        ({"phone": "", "email": ""}, "phone", "un téléphone ou une adresse"),
        ({"email": "pas-une-adresse"}, "email", "n'est pas une adresse électronique"),
        ({"phone": "12"}, "phone", "n'est pas un numéro"),
    ],
)
def test_a_contact_is_refused_field_by_field(place, values, field, fragment):
    pupil = place.pupil()
    arguments = {"name": NAME, "phone": PHONE, "email": EMAIL, **values}

    with pytest.raises(ValidationError) as error:
        services.set_contact(pupil=pupil, actor=place.head, **arguments)

    assert fragment in error.value.message_dict[field][0]
    assert not GuardianContact.objects.exists()


def test_the_contact_is_sealed_and_its_events_hold_no_value(place):
    pupil = place.pupil()

    contact = services.set_contact(
        pupil=pupil, name=NAME, phone=PHONE, email=EMAIL.upper(), actor=place.head
    )
    services.set_contact(pupil=pupil, name=NAME, phone="", email=EMAIL, actor=place.coordinator)

    contact.refresh_from_db()
    assert (contact.has_phone, contact.has_email) == (False, True)
    assert crypto.unseal_dict(contact.sealed) == {"name": NAME, "phone": "", "email": EMAIL}
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(GuardianContact), object_id=str(contact.pk)
    ).order_by("pk")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert events[1].changes["sealed"] == "modifié"
    assert events[1].object_repr == f"Coordonnées du responsable légal n° {contact.pk}"
    trail = " ".join(str(e.changes) + e.object_repr for e in events)
    assert "Zéphyrin" not in trail and "zephyrin" not in trail and "98" not in trail


def test_only_the_head_and_the_coordinator_of_the_school_enter_and_read(place):
    pupil = place.pupil()
    for outsider in (place.ien, place.teacher, place.other_head, place.vdo_coordinator):
        with pytest.raises(PermissionDenied):
            services.set_contact(pupil=pupil, name=NAME, phone=PHONE, email="", actor=outsider)
    services.set_contact(pupil=pupil, name=NAME, phone=PHONE, email="", actor=place.head)
    for outsider in (place.ien, place.teacher, place.other_head, place.vdo_coordinator):
        with pytest.raises(PermissionDenied):
            services.open_contact(user=outsider, pupil=pupil, purpose="test")
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()

    assert services.open_contact(user=place.coordinator, pupil=pupil, purpose="Convention") == {
        "name": NAME,
        "phone": "+33698765432",
        "email": "",
    }


def test_every_reading_is_logged_with_its_purpose_and_no_value(place):
    pupil = place.pupil()
    contact = GuardianContactFactory(pupil=pupil, name=NAME)

    services.open_contact(user=place.head, pupil=pupil, purpose="Convention de prêt")
    sent = services.contact_for_sending(pupil)

    assert sent["name"] == NAME
    readings = AuditEvent.objects.filter(action=AuditAction.READ).order_by("pk")
    assert [(e.actor, e.source) for e in readings] == [
        (place.head, AuditSource.UI),
        (None, AuditSource.CLI),
    ]
    assert readings[0].changes == {"motif": "Convention de prêt"}
    assert readings[0].object_id == str(contact.pk)
    assert readings[0].place_school_id == place.school.pk
    assert readings[0].get_action_display() == "Consultation"
    assert NAME not in str([(e.changes, e.object_repr) for e in readings])


def test_a_pupil_without_contact_reads_as_empty_and_logs_nothing(place):
    pupil = place.pupil()
    assert services.open_contact(user=place.head, pupil=pupil, purpose="x") == {}
    assert services.contact_for_sending(pupil) == {}
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()


def test_the_page_shows_the_contact_only_after_the_logged_post(client, place):
    pupil = place.pupil()
    GuardianContactFactory(pupil=pupil, name=NAME, email=EMAIL)
    client.force_login(place.head)
    url = reverse("loans:pupil", args=[pupil.pk])

    page = html_lib.unescape(client.get(url).content.decode())
    assert NAME not in page and EMAIL not in page
    assert "Afficher les coordonnées" in page
    assert "un téléphone et une adresse électronique" in page
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()

    response = client.post(reverse("loans:pupil_contact", args=[pupil.pk]))

    shown = html_lib.unescape(response.content.decode())
    assert NAME in shown and EMAIL in shown
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditAction.READ, actor=place.head).count() == 1
    assert client.get(reverse("loans:pupil_contact", args=[pupil.pk])).status_code == 405


def test_htmx_gets_the_contact_section_alone(client, place):
    pupil = place.pupil()
    GuardianContactFactory(pupil=pupil, name=NAME)
    client.force_login(place.coordinator)

    response = client.post(
        reverse("loans:pupil_contact", args=[pupil.pk]), headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="fr-mb-4w" aria-labelledby="contact-title"')
    assert NAME in html_lib.unescape(body)


def test_who_may_not_read_gets_no_button_and_a_403(client, place):
    pupil = place.pupil()
    GuardianContactFactory(pupil=pupil, name=NAME)
    client.force_login(place.ien)  # reads the pupils, not the contacts

    page = client.get(reverse("loans:pupil", args=[pupil.pk])).content.decode()
    assert "Afficher les coordonnées" not in page
    assert client.post(reverse("loans:pupil_contact", args=[pupil.pk])).status_code == 403
    assert client.get(reverse("loans:pupil_contact_edit", args=[pupil.pk])).status_code == 403
    client.force_login(place.other_head)
    assert client.post(reverse("loans:pupil_contact", args=[pupil.pk])).status_code == 404


def test_the_head_enters_replaces_and_erases_the_contact(client, place):
    pupil = place.pupil()
    client.force_login(place.head)
    url = reverse("loans:pupil_contact_edit", args=[pupil.pk])

    response = client.post(url, {"name": NAME, "phone": "06-12", "email": "", "action": "save"})
    assert "n'est pas un numéro de téléphone" in response.context["form"].errors["phone"][0]
    response = client.post(url, {"name": NAME, "phone": PHONE, "email": "", "action": "save"})
    assert response.status_code == 302
    assert GuardianContact.objects.get(pupil=pupil).has_phone
    assert NAME not in client.get(url).content.decode()  # the form is never pre-filled

    response = client.post(url, {"action": "delete"})

    assert response.status_code == 302 and not GuardianContact.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


def test_lists_never_show_a_contact(client, place):
    pupil = place.pupil()
    GuardianContactFactory(pupil=pupil, name=NAME, phone="+33698765432", email=EMAIL)
    client.force_login(place.head)

    page = html_lib.unescape(
        client.get(reverse("loans:pupils", args=[place.school.pk])).content.decode()
    )

    assert NAME not in page and EMAIL not in page and "98765432" not in page
    assert "Saisies" in page


def test_a_raw_dump_of_the_database_shows_no_name_phone_or_email(client, place):
    """Contacts entered through the page and the service; then every row of every table, as
    the database returns it, and Django's ``dumpdata``."""
    pupil, other = place.pupil(code="E-1"), place.pupil(code="E-2")
    client.force_login(place.head)
    client.post(
        reverse("loans:pupil_contact_edit", args=[pupil.pk]),
        {"name": NAME, "phone": PHONE, "email": EMAIL, "action": "save"},
    )
    client.post(reverse("loans:pupil_contact", args=[pupil.pk]))
    services.set_contact(
        pupil=other, name="Anatole Quenouille", phone="07 11 22 33 44", email="", actor=place.head
    )
    services.contact_for_sending(other)
    assert GuardianContact.objects.count() == 2
    secrets = [
        "Zéphyrin",
        "Bérénice",
        "berenice",
        EMAIL,
        "0698765432",
        "698765432",
        "Quenouille",
        "Anatole",
        "711223344",
    ]

    raw = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            raw.extend(str(value) for row in cursor.fetchall() for value in row)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)

    text = "\n".join(raw).casefold() + dump.getvalue().casefold()
    assert "responsable" in text  # the dump did read the tables
    assert [s for s in secrets if s.casefold() in text] == []
