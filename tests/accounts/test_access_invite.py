"""« Inviter depuis un fichier »: every line checked first (address, role this manager grants,
target in their authority and fitting the role), then all the roles granted or none, with the
password link mailed to newcomers; errors by line and column, in French."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import Role, SchoolFactory, UserFactory, grant, user_with_role
from tne.accounts.models import RoleAssignment
from tne.core.models import Message, MessageStatus

pytestmark = pytest.mark.django_db

URL = reverse("accounts:access_invite")


@pytest.fixture
def coordinator(tree, client):
    user = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(user)
    return user


@pytest.fixture
def laon_school(tree):
    return SchoolFactory(uai="0020001A", name="ECOLE DES REMPARTS", commune=tree.laon)


def _send(client, text: str, name="invitations.csv"):
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(URL, {"file": upload})


def _error_rows(response) -> list[tuple[str, str, str]]:
    html = response.content.decode()
    if 'id="invite-error-lines"' not in html:
        return []
    body = html.split('id="invite-error-lines"')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [tuple(re.findall(r"<td>(.*?)</td>", row, re.S)) for row in rows]


def test_it_grants_every_line_and_mails_the_newcomers(
    client, coordinator, tree, laon_school, django_capture_on_commit_callbacks
):
    known = UserFactory(email="connue@example.org")
    grant(known, Role.TEACHER, laon_school)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(
            client,
            "email;role;uai;territoire\n"
            "nouvelle@example.org;SCHOOL_HEAD;0020001a;\n"
            "ien@example.org;IEN / ERUN de circonscription;;0201\n"
            "connue@example.org;TEACHER;0020001A;\n",
        )
    html = response.content.decode()
    assert 'id="invite-summary"' in html
    assert "2\u00a0rôles attribués, 1\u00a0déjà attribué" in html
    assert RoleAssignment.objects.filter(
        user__email="nouvelle@example.org", role=Role.SCHOOL_HEAD, school=laon_school
    ).exists()
    assert RoleAssignment.objects.filter(
        user__email="ien@example.org", role=Role.IEN_ERUN, node=tree.circ_laon
    ).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["ien@example.org", "nouvelle@example.org"]


def test_the_invitations_are_in_the_messages_sent_without_their_link(
    client, coordinator, tree, laon_school, django_capture_on_commit_callbacks
):
    """« Messages envoyés » shows the manager that the invitation left, to whom (masked) and as
    whom, never the one-time link: the manager cannot open the account."""
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, "email;role;uai;territoire\nnouvelle@example.org;SCHOOL_HEAD;0020001a;\n")

    (email,) = mail.outbox
    link = re.search(r"https?://\S+/comptes/mot-de-passe/\S+", email.body).group(0)
    message = Message.objects.get()
    assert message.kind == "accounts.invitation" and message.status == MessageStatus.SENT
    assert message.unseal_recipient() == "nouvelle@example.org"
    assert (message.place_school_id, message.actor) == (laon_school.pk, coordinator)
    assert Message.objects.about(RoleAssignment.objects.get(school=laon_school)).get() == message
    assert link not in message.body and "nouvelle@" not in message.body
    page = client.get(reverse("core:messages")).content.decode()
    assert "n•••@example.org" in page and "/comptes/mot-de-passe/" not in page
    client.logout()
    assert client.get(link, follow=True).context["validlink"]


def test_one_wrong_line_grants_nothing_and_names_every_error(
    client, coordinator, tree, laon_school
):
    cergy = SchoolFactory(uai="0951234B", commune=tree.cergy)
    response = _send(
        client,
        "email,role,uai,territoire\n"
        "bonne@example.org,TEACHER,0020001A,\n"
        "pas-une-adresse,TEACHER,0020001A,\n"
        f"autre@example.org,TEACHER,{cergy.uai},\n"
        "pilote@example.org,NATIONAL,,FR\n"
        "ien@example.org,IEN_ERUN,,02\n"
        "direction@example.org,SCHOOL_HEAD,,\n",
    )
    assert RoleAssignment.objects.filter(user__email="bonne@example.org").count() == 0
    assert mail.outbox == []
    errors = _error_rows(response)
    assert [(line, column) for line, column, _ in errors] == [
        ("3", "email"),
        ("4", "uai"),
        ("5", "role"),
        ("6", "territoire"),
        ("7", "uai"),
    ]
    assert "adresse électronique invalide" in errors[0][2]
    assert "0951234B" in errors[1][2]
    assert "Aucun rôle n'a été attribué" in response.content.decode()


def test_a_file_without_the_required_columns_is_refused(client, coordinator):
    response = _send(client, "courriel;uai\nx@example.org;0020001A\n")
    errors = _error_rows(response)
    assert errors and errors[0][0] == "1"
    assert {column for _, column, _ in errors} == {"email", "role"}


def test_the_template_names_the_columns(client, coordinator):
    response = client.get(reverse("accounts:access_invite_template"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert re.split(r"[;,]", text.splitlines()[0]) == ["email", "role", "uai", "territoire"]
    assert 'href="' + URL + '"' in client.get(reverse("accounts:access_list")).content.decode()


@pytest.mark.parametrize("name", ["accounts:access_invite", "accounts:access_invite_template"])
def test_an_outsider_may_not_invite(client, tree, name):
    client.force_login(user_with_role(Role.TEACHER, SchoolFactory(commune=tree.laon)))
    assert client.get(reverse(name)).status_code == 403


def test_a_line_refused_while_granting_undoes_the_lines_before_it(
    client, coordinator, laon_school, django_capture_on_commit_callbacks
):
    UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(
            client,
            "email;role;uai;territoire\n"
            "premiere@example.org;TEACHER;0020001A;\n"
            "admin@example.org;TEACHER;0020001A;\n",
        )
    assert [(line, column) for line, column, _ in _error_rows(response)] == [("3", "email")]
    assert not RoleAssignment.objects.filter(user__email="premiere@example.org").exists()
    assert mail.outbox == []
