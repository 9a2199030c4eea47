"""The registries of the shell: an app adds navigation entries, dashboard cards and the labels of
its jobs' results without core naming it."""

import pytest
from django.urls import reverse

from tests.factories import Role, UserFactory, user_with_role
from tne.core import registry
from tne.core.jobs import job_handler
from tne.core.models import Job, JobStatus


def nav_of(html: str) -> str:
    start = html.index('id="navigation"')
    return html[start : html.index("</nav>", start)]


def labels(nav: str) -> list[str]:
    return [part.split("</a>")[0].split(">")[-1] for part in nav.split('class="fr-nav__link"')[1:]]


@pytest.mark.parametrize(
    ("role", "node", "expected"),
    [
        (
            Role.NATIONAL,
            "country",
            [
                "Tableau de bord",
                "Territoire",
                "Établissements",
                "Programme",
                "Équipement",
                "Prêts (M6)",  # loans.view, loans.view_dashboard…
                "Imports",
                "Historique",
                "Messages",
                "Accès",
            ],
        ),
        (
            Role.COORDINATOR,
            "aisne",
            [
                "Tableau de bord",
                "Territoire",
                "Établissements",
                "Programme",
                "Équipement",
                "Prêts (M6)",  # loans.view, loans.view_dashboard…
                "Imports",
                "Historique",
                "Messages",
                "Accès",
            ],
        ),
        (
            Role.TRAINER,
            "aisne",
            ["Tableau de bord", "Territoire", "Établissements", "Programme"],
        ),
    ],
)
def test_each_role_sees_the_registered_entries_it_may_use_in_order(
    client, tree, role, node, expected
):
    client.force_login(user_with_role(role, getattr(tree, node)))

    assert labels(nav_of(client.get(reverse("core:legal")).content.decode())) == expected


def test_a_user_without_a_role_sees_the_entries_without_a_permission(client, db):
    client.force_login(UserFactory())

    nav = nav_of(client.get(reverse("core:legal")).content.decode())

    # « Territoire » and « Établissements » need territory.browse.
    assert labels(nav) == ["Tableau de bord"]


@pytest.fixture
def fake_entry():
    registry.nav_entry(
        "Prêts",
        "core:legal",
        order=35,
        permission_check=lambda user: user.email.endswith("@prets.example.org"),
        active_for=("core:leg*",),
    )
    yield
    registry.unregister(nav="core:legal")


def test_a_registered_entry_shows_in_the_nav_in_its_place_for_whom_it_allows(
    client, tree, fake_entry
):
    client.force_login(UserFactory(email="agent@prets.example.org"))

    nav = nav_of(client.get(reverse("core:legal")).content.decode())

    assert labels(nav) == ["Tableau de bord", "Prêts"]
    assert f'href="{reverse("core:legal")}" aria-current="page">Prêts</a>' in nav

    client.force_login(UserFactory(email="autre@example.org"))
    assert "Prêts" not in nav_of(client.get(reverse("core:legal")).content.decode())


@pytest.fixture
def templates(settings, tmp_path):
    """Writes templates into a folder the template loader reads first."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]

    def write(name: str, content: str) -> None:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)

    return write


@pytest.fixture
def fake_card():
    registry.dashboard_card(
        "core/tests/fake_card.html",
        order=5,
        context=lambda request: {"who": request.user.email} if request.user.is_staff else None,
    )
    yield
    registry.unregister(card="core/tests/fake_card.html")


def test_a_registered_card_shows_on_the_dashboard_before_the_territory_s(
    client, db, fake_card, templates
):
    templates("core/tests/fake_card.html", '<section id="fake-card">Carte de {{ who }}</section>')

    client.force_login(UserFactory(email="chef@example.org", is_staff=True))
    html = client.get(reverse("home")).content.decode()
    assert '<section id="fake-card">Carte de chef@example.org</section>' in html
    assert html.index("fake-card") < html.index('id="no-role"')
    assert html.count("<h1>") == 1

    client.force_login(UserFactory())
    assert "fake-card" not in client.get(reverse("home")).content.decode()


def job_page(client, kind: str, result: dict) -> str:
    """The page of a finished job of ``kind``, seen by its creator."""
    owner = UserFactory()
    job = Job.objects.create(
        kind=kind, label="Traitement", created_by=owner, status=JobStatus.SUCCEEDED, result=result
    )
    client.force_login(owner)
    return client.get(reverse("core:job_detail", args=[job.pk])).content.decode()


@job_handler(
    "tests.loans",
    result_labels={"returned": "Matériels rendus", "late": "En retard"},
    result_formats={"late": lambda n: f"{n} prêt(s)"},
)
def _loans_handler(job, progress):
    return {}


@pytest.mark.django_db
def test_a_job_kind_s_result_labels_show_on_the_job_page(client):
    html = job_page(client, "tests.loans", {"returned": 12, "late": 3, "other": "x"})

    assert "<dt>Matériels rendus</dt><dd>12</dd>" in html
    assert "<dt>En retard</dt><dd>3 prêt(s)</dd>" in html
    assert "<dt>other</dt><dd>x</dd>" in html
    assert "Lignes lues" not in html  # no other kind's labels


@job_handler("tests.own_template", result_template="core/tests/own_result.html")
def _own_template_handler(job, progress):
    return {}


@pytest.mark.django_db
def test_a_job_kind_may_show_its_result_with_its_own_template(client, templates):
    templates("core/tests/own_result.html", "<p id=own>{{ job.result.a }} ({{ result.0.0 }})</p>")

    html = job_page(client, "tests.own_template", {"a": 1})

    assert 'class="tne-job-result"' not in html
    assert "<p id=own>1 (a)</p>" in html


# --- Links of a school's page (an app's page about the school, per user) ---------------------


def test_a_school_link_is_shown_to_the_users_its_app_says(client, tree):
    from tests.factories import SchoolFactory

    school = SchoolFactory(commune=tree.laon)
    seen = []

    def url(user, target):
        seen.append(target.pk)
        return f"/ailleurs/{target.pk}/" if user.email.startswith("oui") else None

    registry.school_link("Page d'essai", url=url, order=99)
    try:
        yes = UserFactory(email="oui@example.org")
        no = UserFactory(email="non@example.org")
        assert registry.school_links_for(yes, school)[-1] == {
            "label": "Page d'essai",
            "url": f"/ailleurs/{school.pk}/",
        }
        assert "Page d'essai" not in [
            link["label"] for link in registry.school_links_for(no, school)
        ]
        assert seen == [school.pk, school.pk]
    finally:
        registry.unregister(school="Page d'essai")
    assert "Page d'essai" not in [link["label"] for link in registry.school_links_for(yes, school)]
