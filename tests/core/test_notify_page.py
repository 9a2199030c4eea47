"""« Messages envoyés »: the messages of the places where the user's grants carrying
``core.view_messages`` have authority, newest first, masked recipients only, filtered, a page at
a time, with a query budget that does not grow with the messages."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import Role, SchoolFactory, UserFactory, grant, user_with_role
from tests.typography import typography_problems, visible_text_of_html
from tne.core.audit import Place
from tne.core.models import Channel, Message, MessageStatus
from tne.core.notify import message_kind, send

pytestmark = pytest.mark.django_db

URL = reverse("core:messages")
REMINDER = message_kind("tests.reminder", "Rappel de test")


@pytest.fixture
def places(tree):
    laon = SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon, name="ECOLE LAON")
    soissons = SchoolFactory(commune=tree.soissons, name="ECOLE SOISSONS")
    cergy = SchoolFactory(commune=tree.cergy, circonscription=tree.circ_cergy, name="ECOLE CERGY")
    return {"laon": laon, "soissons": soissons, "cergy": cergy}


def _send(body, *, place=None, channel=Channel.SMS, to="06 12 34 56 78", kind=REMINDER):
    return send(
        channel=channel,
        to=to,
        subject="Rappel" if channel == Channel.EMAIL else "",
        body=body,
        kind=kind,
        place=place,
    )


@pytest.fixture
def sent(tree, places):
    """One message per place: three schools, the Aisne node, the country (no place)."""
    return {
        "laon": _send("message-laon", place=places["laon"]),
        "soissons": _send(
            "message-soissons",
            place=places["soissons"],
            channel=Channel.EMAIL,
            to="aicha.benali@exemple.fr",
        ),
        "cergy": _send("message-cergy", place=places["cergy"]),
        "aisne": _send("message-aisne", place=Place(path=tree.aisne.path)),
        "national": _send("message-national", kind="core.test"),
    }


def _bodies(client) -> set[str]:
    page = client.get(URL).content.decode()
    return {
        name
        for name in ("laon", "soissons", "cergy", "aisne", "national")
        if f"message-{name}" in page
    }


def test_national_steering_reads_every_message_masked(client, tree, sent):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert _bodies(client) == {"laon", "soissons", "cergy", "aisne", "national"}
    assert "06 •• •• •• 78" in page and "a•••@exemple.fr" in page
    for clear in ("612345678", "12 34 56", "aicha", "benali"):
        assert clear not in page
    assert "Rappel de test" in page and "Message d&#x27;essai" in page  # the kinds' labels


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        (Role.COORDINATOR, "aisne", {"laon", "soissons", "aisne"}),
        (Role.COORDINATOR, "vdo", {"cergy"}),
        (Role.IEN_ERUN, "circ_laon", {"laon"}),
        (Role.SCHOOL_HEAD, "laon", {"laon"}),
        (Role.SCHOOL_HEAD, "cergy", {"cergy"}),
    ],
)
def test_each_role_reads_the_messages_of_its_places(
    client, tree, places, sent, role, target, expected
):
    where = places[target] if target in places else getattr(tree, target)
    client.force_login(user_with_role(role, where))

    assert _bodies(client) == expected


@pytest.mark.parametrize(
    "role", [Role.TEACHER, Role.PARENT, Role.TECHNICIAN, Role.EVALUATOR, Role.LOCAL_AUTHORITY]
)
def test_roles_without_the_permission_are_refused(client, tree, places, sent, role):
    target = places["laon"] if role in (Role.TEACHER, Role.PARENT) else tree.aisne
    client.force_login(user_with_role(role, target))

    assert client.get(URL).status_code == 403


def test_two_grants_read_only_the_places_of_the_one_carrying_the_permission(
    client, tree, places, sent
):
    person = UserFactory()
    grant(person, Role.TEACHER, places["laon"])
    grant(person, Role.SCHOOL_HEAD, places["cergy"])
    grant(person, Role.TECHNICIAN, tree.aisne)
    client.force_login(person)

    assert _bodies(client) == {"cergy"}


def test_the_navigation_shows_the_page_to_those_who_read_it(client, tree, places):
    client.force_login(user_with_role(Role.SCHOOL_HEAD, places["laon"]))
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()

    client.force_login(user_with_role(Role.TEACHER, places["laon"]))
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


def test_an_empty_scope_says_so(client, tree, places):
    _send("message-laon", place=places["laon"])
    client.force_login(user_with_role(Role.COORDINATOR, tree.vdo))

    page = client.get(URL).content.decode()

    assert "Aucun message n'a encore été envoyé dans votre périmètre" in page
    assert "message-table" not in page


def test_the_text_is_readable_and_the_failure_says_why(client, tree, places):
    message = _send("Bonjour,\nla tablette est à rendre.", place=places["laon"])
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, error="quota dépassé", backend="console"
    )
    client.force_login(user_with_role(Role.SCHOOL_HEAD, places["laon"]))

    page = client.get(URL).content.decode()

    assert "Bonjour,<br>la tablette est à rendre." in page
    assert "Échec" in page and "quota dépassé" in page and "console (aucun envoi réel)" in page


def _at(message, day: str):
    moment = timezone.make_aware(datetime.fromisoformat(day))
    Message.objects.filter(pk=message.pk).update(created_at=moment)


def test_the_filters_narrow_the_list(client, tree, sent):
    Message.objects.filter(pk=sent["cergy"].pk).update(status=MessageStatus.FAILED)
    _at(sent["laon"], "2027-01-10 23:30")  # Paris time: the 10th, not the 11th in UTC
    _at(sent["aisne"], "2027-01-11 00:10")
    _at(sent["national"], "2027-01-12 08:00")
    _at(sent["soissons"], "2027-01-20 12:00")
    _at(sent["cergy"], "2027-01-20 12:00")
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    def shown(query):
        page = client.get(URL, query).content.decode()
        names = ("laon", "soissons", "cergy", "aisne", "national")
        return {n for n in names if f"message-{n}" in page}

    assert shown({"canal": "EMAIL"}) == {"soissons"}
    assert shown({"etat": "FAILED"}) == {"cergy"}
    assert shown({"etat": "QUEUED", "canal": "SMS"}) == {"laon", "aisne", "national"}
    assert shown({"type": "core.test"}) == {"national"}
    assert shown({"du": "2027-01-10", "au": "2027-01-10"}) == {"laon"}
    assert shown({"du": "2027-01-11", "au": "2027-01-12"}) == {"aisne", "national"}
    assert shown({"au": "2027-01-11"}) == {"laon", "aisne"}
    page = client.get(URL, {"type": "core.test", "canal": "EMAIL"}).content.decode()
    assert "Aucun message pour ces critères" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"du": "2027-01-12", "au": "2027-01-10"}, "doit être le même jour ou après"),
        ({"du": "10/13/2027"}, "Saisissez une date valide"),
        ({"canal": "FAX"}, "Sélectionnez un choix valide"),
        ({"type": "inconnu.kind"}, "Sélectionnez un choix valide"),
    ],
)
def test_a_wrong_filter_says_what_and_where(client, tree, sent, query, expected):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    page = client.get(URL, query).content.decode()

    assert expected in page and "message-filter-errors" in page
    assert "message-laon" not in page


def test_pages_follow_each_other_newest_first(client, tree, places, settings):
    settings.TNE_PAGE_SIZE = 2
    for n in range(5):
        _send(f"rappel-{n}", place=places["laon"])
    client.force_login(user_with_role(Role.SCHOOL_HEAD, places["laon"]))

    def read(response):
        page = response.content.decode()
        return [n for n in range(5) if f"rappel-{n}" in page], response.context

    first, context = read(client.get(URL, {"canal": "SMS"}))
    assert first == [3, 4] and context["first_query"] == "" and context["newer_query"] == ""
    second, context = read(client.get(URL + context["older_query"]))
    assert second == [1, 2] and "canal=SMS" in context["older_query"]
    third, context = read(client.get(URL + context["older_query"]))
    assert third == [0] and context["older_query"] == ""
    back, context = read(client.get(URL + context["newer_query"]))
    assert back == [1, 2] and context["newer_query"] and context["older_query"]
    assert read(client.get(URL + context["newer_query"]))[0] == [3, 4]
    assert read(client.get(URL, {"apres": "nimporte"}))[0] == [3, 4]  # a bad edge: page one


def test_the_filters_answer_htmx_with_the_results_only(client, tree, sent):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    response = client.get(URL, {"canal": "SMS"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "message-table" in page and "message-laon" in page
    assert "<h1>" not in page and "message-soissons" not in page


def test_the_page_has_a_query_budget_that_does_not_grow_with_the_messages(
    client, tree, places, settings
):
    head = UserFactory()
    grant(head, Role.IEN_ERUN, tree.circ_laon)
    grant(head, Role.SCHOOL_HEAD, places["cergy"])
    for n in range(3):
        _send(f"a-{n}", place=places["laon"], channel=Channel.EMAIL, to="a@exemple.fr")
    client.force_login(head)
    client.get(URL)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"etat": "QUEUED"}).status_code == 200
        return len(queries)

    few = count()
    for n in range(60):
        _send(f"b-{n}", place=places["laon" if n % 2 else "cergy"])
    assert count() == few <= 4  # session, user, grants, the page of messages


def test_the_page_follows_french_typography(client, tree, sent):
    Message.objects.filter(pk=sent["cergy"].pk).update(
        status=MessageStatus.FAILED, error="quota dépassé"
    )
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    for query in ({}, {"canal": "EMAIL", "type": "core.test"}, {"du": "2027-01-12", "au": "2027"}):
        page = client.get(URL, query).content.decode()
        assert typography_problems(visible_text_of_html(page)) == [], query
