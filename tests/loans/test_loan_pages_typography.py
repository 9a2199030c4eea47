"""French typography of the lifecycle's pages, rendered with data: the counter (start, the
confirmation, after a hand-out, after a return, a refusal), the loan page at each stage, its step
forms, the overdue list, and the reminders' texts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.typography import typography_problems, visible_text_of_html
from tne.loans.enums import LoanStatus, ReturnCondition
from tne.loans.models import Loan
from tne.loans.services import lifecycle, reminders

from .factories import LoanFactory, PupilFactory
from .lifecycle_factories import Counter, accepted_loan, active_loan, lendable_asset, signed

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "counter-zone", "HX-Current-URL": "http://testserver/"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def problems_of(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return typography_problems(visible_text_of_html(response.content.decode()))


def test_the_counter_pages_follow_french_typography(client, tree):
    counter = Counter(tree)
    offer = accepted_loan(counter.school)
    asset = lendable_asset(counter.school, asset_tag="TNE-TYPO-1")
    lent = active_loan(counter, tag="TNE-TYPO-2")
    client.force_login(counter.head)
    hand_out = reverse("loans:hand_out", args=[counter.school.pk])
    take_back = reverse("loans:return", args=[counter.school.pk])
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

    responses = {
        "counter": client.get(reverse("loans:counter")),
        "start": client.get(hand_out),
        "search": client.get(hand_out, {"eleve": "ZZZ"}),
        "pick": client.get(hand_out, {"code": asset.asset_tag}),
        "scan": client.get(hand_out, {"pret": offer.pk}),
        "scanned first": client.post(hand_out, {"action": "scan", "code": asset.asset_tag}),
        "confirm": client.post(
            hand_out, {"action": "scan", "pret": offer.pk, "code": asset.asset_tag}
        ),
        "shown": client.get(hand_out, {"pret": offer.pk}),
        "refused": client.post(
            hand_out, {"action": "scan", "pret": offer.pk, "code": lent.asset.asset_tag}
        ),
        "errors": client.post(
            hand_out, {"loan": offer.pk, "asset_tag": asset.asset_tag, "due_on": due}
        ),
        "done": client.post(
            hand_out,
            {
                "loan": offer.pk,
                "asset_tag": asset.asset_tag,
                "due_on": due,
                "typed_name": "Camille Martin",
                "consent": "on",
            },
        ),
        "return start": client.get(take_back, {"eleve": lent.pupil.code}),
        "return confirm": client.get(take_back, {"code": "TNE-TYPO-2"}),
        "return done": client.post(
            take_back,
            {
                "loan": lent.pk,
                "condition": ReturnCondition.DAMAGED,
                "note": "Écran fêlé",
                "typed_name": "Camille Martin",
                "consent": "on",
            },
        ),
        "return unknown": client.get(take_back, {"code": "NOPE"}),
    }

    found = {name: problems_of(r) for name, r in responses.items()}
    assert not any(found.values()), found
    assert Loan.objects.get(pk=offer.pk).status == LoanStatus.ACTIVE


def test_the_loan_pages_and_the_overdue_list_follow_french_typography(client, tree):
    counter = Counter(tree)
    offer = LoanFactory(pupil=PupilFactory(school=counter.school))
    lent = active_loan(counter)
    returned = active_loan(counter)
    lifecycle.record_return(
        actor=counter.head, loan=returned, condition=ReturnCondition.WORN, signature_data=signed()
    )
    Loan.objects.filter(pk=lent.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=3), reminders_sent=2
    )
    client.force_login(counter.head)
    pages = [reverse("loans:loan", args=[loan.pk]) for loan in (offer, lent, returned)]
    pages += [reverse(f"loans:{name}", args=[lent.pk]) for name in ("loan_extend", "loan_loss")]
    pages += [
        reverse("loans:loan_decline", args=[offer.pk]),
        reverse("loans:overdue"),
        reverse("loans:overdue") + "?school=personne",
    ]

    found = {url: problems_of(client.get(url)) for url in pages}
    refused = client.post(reverse("loans:loan_accept", args=[lent.pk]), follow=True)
    found["refused"] = problems_of(refused)
    assert not any(found.values()), found


def test_the_reminders_texts_follow_french_typography(tree):
    counter = Counter(tree)
    loan = active_loan(counter)
    for kind in (reminders.BEFORE, reminders.OVERDUE):
        for channel in ("EMAIL", "SMS"):
            subject, body = reminders.texts(loan, kind, channel)
            assert not typography_problems(f"{subject}\n{body}"), (kind, channel)
