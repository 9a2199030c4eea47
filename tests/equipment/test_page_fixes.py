"""What the equipment e2e journey found in the pages, pinned down: the ledger's filter shows the
measure and node of the ledger it sits over (defaults included), and the date inputs show their
value in the form a ``type=date`` input reads (AAAA-MM-JJ)."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, SchoolYearFactory, user_with_role
from tne.equipment.deployment_forms import StepForm
from tne.equipment.forms.assets import AssetCreateForm

from .factories import EnvelopeFactory, measure


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


def _selected(html: str, name: str) -> str:
    """The value of the selected option of the select ``name`` ("" when none is)."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return chosen.group(1) if chosen else ""


def test_the_ledger_filter_shows_the_default_measure_and_node_it_displays(
    client, tree, coordinator
):
    EnvelopeFactory(node=tree.aisne, measure=measure("M5"), amount=Decimal("1000"))
    client.force_login(coordinator)

    html = client.get(reverse("equipment:ledger")).content.decode()

    assert _selected(html, "measure") == str(measure("M5").pk)
    assert _selected(html, "node") == str(tree.aisne.pk)


def test_the_ledger_filter_keeps_a_chosen_measure_and_fills_the_node_left_blank(
    client, tree, coordinator
):
    EnvelopeFactory(node=tree.aisne, measure=measure("M4"), amount=Decimal("1000"))
    client.force_login(coordinator)

    response = client.get(reverse("equipment:ledger") + f"?measure={measure('M4').pk}&node=")

    assert response.context["ledger"].measure.code == "M4"
    html = response.content.decode()
    assert _selected(html, "measure") == str(measure("M4").pk)
    assert _selected(html, "node") == str(tree.aisne.pk)


def test_an_outsiders_node_is_still_refused_and_not_shown(client, tree, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("equipment:ledger") + f"?node={tree.vdo.pk}")

    assert response.context["ledger"].node == tree.aisne
    assert f'value="{tree.vdo.pk}" selected' not in response.content.decode()


def test_the_step_date_starts_at_today_in_the_form_a_date_input_reads():
    html = str(StepForm()["on"])
    assert f'value="{datetime.date.today():%Y-%m-%d}"' in html


def test_the_warranty_end_renders_as_a_date_input_reads():
    field = AssetCreateForm.base_fields["warranty_ends_on"]
    assert field.widget.format_value(datetime.date(2029, 3, 1)) == "2029-03-01"


def test_a_school_page_links_to_its_own_audit_register_and_installations(client, tree):
    SchoolYearFactory()  # The audit is of the current school year.
    school = SchoolFactory(commune=tree.laon)
    head = user_with_role(Role.SCHOOL_HEAD, school)
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(head)

    links = client.get(reverse("equipment:school", args=[school.pk])).context["links"]

    assert links["sign"] == f"{reverse('equipment:signoff_list')}?todo=sign&q={school.uai}"
    for name in ("audit", "assets", "sign"):
        assert client.get(links[name]).status_code == 200, name
    assets = client.get(links["assets"]).context
    assert assets["form"].cleaned_data["ecole"] == str(school.pk)
    client.force_login(coordinator)
    links = client.get(reverse("equipment:school", args=[school.pk])).context["links"]
    assert links["sign"] == ""  # A coordinator does not sign for a school.


def test_the_errors_of_a_refused_delivery_file_follow_french_typography(
    client, tree, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.typography import typography_problems

    from .delivery_helpers import HEADER, committed_order
    from .test_delivery_import import ACCEPTANCE

    settings.MEDIA_ROOT = tmp_path
    committed_order(tree.aisne, lines=(("ASUS-BR1100", 2),))
    client.force_login(user_with_role(Role.TECHNICIAN, tree.aisne))
    content = ("\n".join([HEADER, *ACCEPTANCE]) + "\n").encode()

    response = client.post(
        reverse("equipment:delivery_import"),
        {"file": SimpleUploadedFile("livraison.csv", content, content_type="text/csv")},
    )

    table = re.search(r"<table>.*?</table>", response.content.decode(), re.S).group(0)
    cells = re.findall(r"<td>([^<]*)</td></tr>", table)
    assert len(cells) == 4
    assert typography_problems(" ".join(html.unescape(cell) for cell in cells)) == []
