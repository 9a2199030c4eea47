"""The ``{% table_frame %}`` tag: the four DSFR wrappers around a table, its options, its checks
when a template is compiled, and the frame as it stands in a real page."""

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from tests.factories import Role, SchoolFactory, user_with_role

WRAPPERS = (
    '<div class="fr-table__wrapper"><div class="fr-table__container" tabindex="0">'
    '<div class="fr-table__content">'
)
CLOSE = "</div></div></div></div>"


def render(arguments: str = "", content: str = "<table></table>", **context) -> str:
    source = (
        f"{{% load tne_tables %}}{{% table_frame {arguments} %}}{content}{{% endtable_frame %}}"
    )
    return Template(source).render(Context(context))


def test_it_frames_the_content_in_a_small_table_by_default():
    assert render() == f'<div class="fr-table fr-table--sm">{WRAPPERS}<table></table>{CLOSE}'


@pytest.mark.parametrize(
    ("arguments", "outer"),
    [
        ('size="sm"', '<div class="fr-table fr-table--sm">'),
        ('size="md"', '<div class="fr-table">'),
        ('size="lg"', '<div class="fr-table fr-table--lg">'),
        ("bordered=True", '<div class="fr-table fr-table--sm fr-table--bordered">'),
        ("bordered=False", '<div class="fr-table fr-table--sm">'),
        ('extra_classes="fr-mb-4w  fr-table--no-scroll"', None),
        ('size="md" id="departements"', '<div class="fr-table" id="departements">'),
        (
            'size="lg" bordered=True extra_classes="fr-mb-4w" id="jetons"',
            '<div class="fr-table fr-table--lg fr-table--bordered fr-mb-4w" id="jetons">',
        ),
    ],
)
def test_each_option_sets_the_classes_or_the_id_of_the_outer_div(arguments, outer):
    outer = outer or '<div class="fr-table fr-table--sm fr-mb-4w fr-table--no-scroll">'

    assert render(arguments) == f"{outer}{WRAPPERS}<table></table>{CLOSE}"


def test_options_read_template_variables():
    html = render(
        "size=size bordered=bordered extra_classes=classes id=frame_id",
        size="lg",
        bordered=True,
        classes="fr-mt-2w",
        frame_id="classes-2025",
    )

    assert html.startswith(
        '<div class="fr-table fr-table--lg fr-table--bordered fr-mt-2w" id="classes-2025">'
    )


def test_attribute_values_are_escaped():
    html = render("extra_classes=classes id=frame_id", classes='a"b', frame_id='"><script>x')

    assert html.startswith(
        '<div class="fr-table fr-table--sm a&quot;b" id="&quot;&gt;&lt;script&gt;x">'
    )
    assert "<script>" not in html


def test_the_content_renders_in_the_page_context_and_stays_escaped():
    html = render(content="<table><caption>{{ caption }}</caption></table>", caption="<b>Élèves")

    assert "<caption>&lt;b&gt;Élèves</caption>" in html


def test_an_empty_id_adds_no_id_attribute():
    assert " id=" not in render("id=frame_id", frame_id="")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("colour=1", "option « colour » inconnue, choisir parmi size, bordered, extra_classes, id"),
        ('size="xl"', "taille « xl » inconnue, choisir parmi sm, md, lg"),
        ('"sm"', 'n\'accepte que des options nommées (option=valeur), pas « "sm" »'),
        ('size="sm" size="lg"', "option « size » répétée"),
    ],
)
def test_a_bad_option_fails_when_the_template_is_compiled(arguments, message):
    with pytest.raises(TemplateSyntaxError, match=re.escape(message)):
        Template(f"{{% load tne_tables %}}{{% table_frame {arguments} %}}{{% endtable_frame %}}")


def test_a_size_held_in_a_variable_is_checked_when_rendered():
    template = Template("{% load tne_tables %}{% table_frame size=size %}{% endtable_frame %}")

    with pytest.raises(TemplateSyntaxError, match="taille « huge » inconnue"):
        template.render(Context({"size": "huge"}))


class _AncestorsOfTable(HTMLParser):
    """Records the classes of the open elements around ``<table id="…">``."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id = table_id
        self.stack: list[tuple[str, str]] = []
        self.ancestors: list[tuple[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == self.table_id:
            self.ancestors = list(self.stack)
        if tag not in self.VOID:
            self.stack.append((tag, attributes.get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass


@pytest.mark.parametrize(
    "headers",
    [{}, {"HX-Request": "true", "HX-Target": "school-results"}],
    ids=["page", "htmx fragment"],
)
def test_the_school_list_table_sits_inside_the_four_dsfr_wrappers(client, tree, headers):
    SchoolFactory(commune=tree.laon)
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    response = client.get(reverse("territory:school_list"), headers=headers)

    assert response.status_code == 200
    parser = _AncestorsOfTable("school-table")
    parser.feed(response.content.decode())
    assert parser.ancestors is not None
    assert parser.ancestors[-4:] == [
        ("div", "fr-table fr-table--sm"),
        ("div", "fr-table__wrapper"),
        ("div", "fr-table__container"),
        ("div", "fr-table__content"),
    ]
