"""Families: the school head links a parent's account to a pupil (created if needed, with the
« Parent » role on the school and the one-time link to choose a password sent to the parent),
unlinks it; the parent's page « Mon prêt » says in plain words what is lent, since when, until
when, the agreement to download (theirs only) and whom to contact; per grant."""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import Role, UserFactory, grant, user_with_role
from tne.accounts.models import RoleAssignment, User
from tne.core.models import AuditEvent, Channel, Document, Message, MessageStatus
from tne.loans.models import FamilyLink
from tne.loans.services.families import link_parent, unlink_parent

from .dashboard_factories import pilot


@pytest.fixture
def p(tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return pilot(tree)


@pytest.fixture
def head(p):
    return user_with_role(Role.SCHOOL_HEAD, p.laon_a)


def _agreement(loan, title="Convention de prêt A1"):
    document = Document.objects.create(
        kind="loans.agreement",
        title=title,
        file=ContentFile(b"%PDF-1.7 convention", name=f"convention-{loan.pk}.pdf"),
        sha256="0" * 64,
    )
    loan.agreement = document
    loan.save(update_fields=["agreement"])
    return document


def _linked_parent(p, head, code="A1", email="parent.a1@example.org"):
    outcome = link_parent(actor=head, pupil=p.pupils[code], email=email)
    return User.objects.get(pk=outcome.link.user_id)


# --- Linking -------------------------------------------------------------------------------


def test_linking_a_new_address_creates_the_account_with_the_parent_role(
    p, head, settings, django_capture_on_commit_callbacks
):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = link_parent(actor=head, pupil=p.pupils["A1"], email="Parent.A1@Example.org")
    parent = outcome.link.user
    assert outcome.user_created and outcome.password_link_sent
    assert parent.email == "parent.a1@example.org" and not parent.has_usable_password()
    assert RoleAssignment.objects.filter(user=parent, role=Role.PARENT, school=p.laon_a).exists()
    assert outcome.link.created_by == head
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["parent.a1@example.org"]
    assert "ECOLE LAON A" in message.body and "/comptes/mot-de-passe/" in message.body
    assert "Votre identifiant est votre adresse électronique : parent.a1@example.org." in (
        message.body
    )


def _password_link(body: str) -> str:
    return re.search(r"https?://\S+/comptes/mot-de-passe/\S+", body).group(0)


def test_the_welcome_goes_through_the_notification_service_with_the_link_masked(
    p, head, client, settings, django_capture_on_commit_callbacks
):
    """« Messages envoyés » of the school shows the welcome (to whom, masked; about which link),
    but neither the one-time link nor the address: the head who linked cannot open the account."""
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = link_parent(actor=head, pupil=p.pupils["A1"], email="parent.a1@example.org")

    (email,) = mail.outbox
    link = _password_link(email.body)
    stored = Message.objects.get()
    assert stored.kind == "loans.family_welcome" and stored.status == MessageStatus.SENT
    assert stored.channel == Channel.EMAIL and stored.backend == "email"
    assert stored.unseal_recipient() == "parent.a1@example.org"
    assert stored.recipient_masked == "p•••@example.org"
    assert (stored.place_school_id, stored.actor) == (p.laon_a.pk, head)
    assert Message.objects.about(outcome.link).get() == stored
    assert link not in stored.body and "/comptes/mot-de-passe/" not in stored.body
    assert "parent.a1@" not in stored.body and "p•••@example.org" in stored.body

    client.force_login(head)
    page = unescape(client.get(reverse("core:messages")).content.decode())
    assert "Accès d'une famille au suivi du prêt" in page and "p•••@example.org" in page
    assert "/comptes/mot-de-passe/" not in page and "parent.a1@" not in page

    client.logout()
    assert client.get(link, follow=True).context["validlink"]


def test_each_welcome_of_one_transaction_has_a_link_that_works(
    p, client, settings, django_capture_on_commit_callbacks
):
    """Two pupils of two schools linked at once: each link is made after both grants (the
    token covers the account's roles), so neither voids the other."""
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        link_parent(actor=p.coordinator, pupil=p.pupils["A1"], email="deux@example.org")
        link_parent(actor=p.coordinator, pupil=p.pupils["B1"], email="deux@example.org")
    assert p.pupils["A1"].school != p.pupils["B1"].school

    assert Message.objects.filter(kind="loans.family_welcome").count() == 2
    for email in mail.outbox:
        client.logout()
        assert client.get(_password_link(email.body), follow=True).context["validlink"]


def test_the_welcome_respects_the_backend_setting(
    p, head, settings, django_capture_on_commit_callbacks
):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "outbox"
    with django_capture_on_commit_callbacks(execute=True):
        link_parent(actor=head, pupil=p.pupils["A1"], email="parent.a1@example.org")

    assert mail.outbox == []
    stored = Message.objects.get()
    assert stored.backend == "outbox" and stored.status == MessageStatus.SENT


def test_a_link_rolled_back_sends_and_keeps_no_welcome(
    p, head, settings, django_capture_on_commit_callbacks
):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        link_parent(actor=head, pupil=p.pupils["A1"], email="parent.a1@example.org")
        raise RuntimeError("la suite de la requête échoue")

    assert mail.outbox == [] and not Message.objects.exists()
    assert not FamilyLink.objects.exists()


def test_an_existing_account_with_a_password_gets_no_mail(
    p, head, settings, django_capture_on_commit_callbacks
):
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"
    existing = UserFactory(email="deja@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = link_parent(actor=head, pupil=p.pupils["A2"], email="deja@example.org")
    assert outcome.link.user == existing and not outcome.user_created
    assert not outcome.password_link_sent and mail.outbox == []
    assert not Message.objects.exists()


def test_linking_twice_is_refused_on_the_address(p, head):
    link_parent(actor=head, pupil=p.pupils["A1"], email="parent@example.org")
    with pytest.raises(ValidationError) as error:
        link_parent(actor=head, pupil=p.pupils["A1"], email="parent@example.org")
    assert error.value.message_dict == {"email": ["Ce compte est déjà rattaché à cet élève."]}


def test_an_administrator_or_national_account_cannot_be_linked(p, head):
    UserFactory(email="admin@example.org", is_staff=True)
    national = user_with_role(Role.NATIONAL, p.tree.country)
    for email in ("admin@example.org", national.email):
        with pytest.raises(ValidationError) as error:
            link_parent(actor=head, pupil=p.pupils["A1"], email=email)
        assert "ne peut pas être rattachée" in error.value.message_dict["email"][0]


def test_only_the_head_or_the_coordinator_of_the_school_links(p, head):
    coordinator_link = link_parent(
        actor=p.coordinator, pupil=p.pupils["B1"], email="b1@example.org"
    )
    assert coordinator_link.link.pk
    for actor in (
        user_with_role(Role.SCHOOL_HEAD, p.laon_b),  # another school
        user_with_role(Role.IEN_ERUN, p.tree.circ_laon),  # reads, does not link
        user_with_role(Role.TEACHER, p.laon_a),
        p.vdo_coordinator,
    ):
        with pytest.raises(PermissionDenied):
            link_parent(actor=actor, pupil=p.pupils["A1"], email="x@example.org")


def test_the_audit_trail_keeps_no_name_nor_address(p, head):
    link_parent(actor=head, pupil=p.pupils["A1"], email="nom.secret@example.org")
    events = AuditEvent.objects.filter(object_repr__startswith="Lien famille")
    assert events.count() == 1
    for event in AuditEvent.objects.all():
        assert "nom.secret" not in f"{event.object_repr} {event.changes}"


def test_unlinking_removes_the_parent_role_with_the_last_link_of_the_school(p, head):
    parent = _linked_parent(p, head, "A1")
    link_parent(actor=head, pupil=p.pupils["A2"], email=parent.email)
    unlink_parent(actor=head, link=FamilyLink.objects.get(user=parent, pupil=p.pupils["A1"]))
    assert RoleAssignment.objects.filter(user=parent, role=Role.PARENT, school=p.laon_a).exists()
    unlink_parent(actor=head, link=FamilyLink.objects.get(user=parent, pupil=p.pupils["A2"]))
    assert not FamilyLink.objects.filter(user=parent).exists()
    assert not RoleAssignment.objects.filter(user=parent).exists()
    assert User.objects.filter(pk=parent.pk).exists()  # the account stays


def test_the_links_page_of_the_head(client, p, head):
    client.force_login(head)
    url = reverse("loans:family_links", args=[p.pupils["A1"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Familles de l'élève A1" in unescape(response.content.decode())
    response = client.post(url, {"email": "pas-une-adresse"})
    assert "Saisissez une adresse électronique valide" in response.content.decode()
    response = client.post(url, {"email": "famille@example.org"}, follow=True)
    html = unescape(response.content.decode())
    assert "famille@example.org" in html and "lien pour choisir son mot de passe" in html
    link = FamilyLink.objects.get(user__email="famille@example.org")
    response = client.post(reverse("loans:family_unlink", args=[link.pk]), follow=True)
    assert "n'est plus rattaché" in unescape(response.content.decode())
    assert not FamilyLink.objects.filter(pk=link.pk).exists()


def test_the_links_page_refuses_other_schools_and_readers(client, p, head):
    client.force_login(head)
    assert client.get(reverse("loans:family_links", args=[p.pupils["B1"].pk])).status_code == 404
    parent = _linked_parent(p, user_with_role(Role.SCHOOL_HEAD, p.laon_b), "B1")
    link = FamilyLink.objects.get(user=parent)
    assert client.post(reverse("loans:family_unlink", args=[link.pk])).status_code == 404
    assert client.get(reverse("loans:family_unlink", args=[link.pk])).status_code == 405
    ien = user_with_role(Role.IEN_ERUN, p.tree.circ_laon)
    client.force_login(ien)
    assert client.get(reverse("loans:family_links", args=[p.pupils["A1"].pk])).status_code == 403


# --- « Mon prêt » ------------------------------------------------------------------------------


def test_the_parent_reads_the_loan_in_plain_words(client, p, head):
    parent = _linked_parent(p, head, "A2")
    loan = p.loans["a2"]
    _agreement(loan)
    client.force_login(parent)
    response = client.get(reverse("loans:family"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Matériel prêté à votre enfant" in html and "Tablette" in html
    assert loan.asset.asset_tag in html and loan.asset.model.name in html
    assert f"{loan.due_on.day} " in html and "À rendre à l'école au plus tard" in html
    assert reverse("loans:family_agreement", args=[loan.pk]) in html
    assert "La direction de l'école" in html and "ECOLE LAON A" in html
    assert "Le matériel est en panne ou cassé" in html and "perdu ou volé" in html
    # Nothing of the others: no other pupil's code, no guardian's name.
    for other in ("A1", "A3", "B1"):
        assert f">{other}<" not in html
    assert "Camille" not in html


def test_an_overdue_offered_or_ended_loan(client, p, head):
    parent = _linked_parent(p, head, "A1")
    client.force_login(parent)
    html = unescape(client.get(reverse("loans:family")).content.decode())
    assert "La date de retour est passée" in html
    offered = _linked_parent(p, head, "A3", email="a3@example.org")
    client.force_login(offered)
    html = unescape(client.get(reverse("loans:family")).content.decode())
    assert "Matériel proposé à votre enfant" in html and "L'école va vous contacter" in html
    waiting = _linked_parent(p, head, "A4", email="a4@example.org")
    client.force_login(waiting)
    assert (
        "Aucun matériel n'est prêté à votre enfant"
        in client.get(reverse("loans:family")).content.decode()
    )


def test_the_agreement_is_downloaded_by_its_family_only(client, p, head):
    parent = _linked_parent(p, head, "A1")
    own = _agreement(p.loans["a1"])
    other = _agreement(p.loans["a2"], title="Convention A2")
    client.force_login(parent)
    response = client.get(reverse("loans:family_agreement", args=[p.loans["a1"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 convention"
    assert client.get(reverse("loans:family_agreement", args=[p.loans["a2"].pk])).status_code == 404
    assert client.get(reverse("loans:family_agreement", args=[p.loans["a3"].pk])).status_code == 404
    assert own.pk != other.pk


def test_a_head_at_a_who_is_a_parent_at_b_sees_b_only_on_the_family_page(client, p, head):
    cergy_head = user_with_role(Role.SCHOOL_HEAD, p.cergy)
    link_parent(actor=cergy_head, pupil=p.pupils["C1"], email=head.email)
    # A link at the head's own school without the parent role there does not show.
    FamilyLink.objects.create(user=head, pupil=p.pupils["A2"])
    client.force_login(head)
    html = unescape(client.get(reverse("loans:family")).content.decode())
    assert "ECOLE CERGY" in html and p.loans["c1"].asset.asset_tag in html
    assert p.loans["a2"].asset.asset_tag not in html
    # Their school's pages as usual.
    assert client.get(reverse("loans:dashboard")).status_code == 200
    assert client.get(reverse("loans:index")).status_code == 200


def test_the_family_page_is_for_parents(client, p, head):
    client.force_login(head)
    assert client.get(reverse("loans:family")).status_code == 403


def test_the_family_page_makes_a_fixed_number_of_queries(client, p, head):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parent = _linked_parent(p, head, "A1")
    client.force_login(parent)
    client.get(reverse("loans:family"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("loans:family"))
    for code in ("A2", "A3", "A4"):
        link_parent(actor=head, pupil=p.pupils[code], email=parent.email)
    grant(parent, Role.PARENT, p.laon_b)
    link_parent(
        actor=user_with_role(Role.SCHOOL_HEAD, p.laon_b), pupil=p.pupils["B1"], email=parent.email
    )
    with CaptureQueriesContext(connection) as many:
        html = unescape(client.get(reverse("loans:family")).content.decode())
    assert "ECOLE LAON B" in html
    assert len(many) == len(one)


def test_dates_are_written_in_french(client, p, head):
    loan = p.loans["a2"]
    loan.due_on = datetime.date(2027, 6, 30)
    loan.handed_out_at = timezone.make_aware(datetime.datetime(2026, 9, 14, 10, 0))
    loan.save(update_fields=["due_on", "handed_out_at"])
    client.force_login(_linked_parent(p, head, "A2"))
    html = unescape(client.get(reverse("loans:family")).content.decode())
    assert "30 juin 2027" in html and "14 septembre 2026" in html
