"""core's signing mechanism: the typed name signs (the drawing never required), the document's
hash is copied into the signature, a signature is immutable, a drawing is parsed strictly and
drawn back safely."""

import contextlib
import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from tne.core.documents import render_pdf
from tne.core.models import Signature, SignatureMethod
from tne.core.signing import (
    DEFAULT_CONSENT,
    DRAWING_HEIGHT,
    DRAWING_WIDTH,
    MAX_POINTS,
    SignatureForm,
    drawing_svg,
    parse_drawing,
    sign,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def document(db):
    return render_pdf("core/documents/text.html", {}, kind="test", title="Procès-verbal")


def test_it_records_who_signed_what_with_the_documents_hash(document, rf):
    user = UserFactory()
    request = rf.post("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Firefox")
    signature = sign(
        document,
        signer=user,
        capacity="Direction de l'école",
        typed_name="  Anne   Martin ",
        request=request,
    )
    signature.refresh_from_db()
    assert signature.document == document
    assert signature.document_sha256 == document.sha256
    assert signature.signer == user
    assert signature.typed_name == "Anne Martin"
    assert signature.consent == DEFAULT_CONSENT
    assert signature.method == SignatureMethod.TYPED
    assert signature.drawing == []
    assert signature.ip_address == "192.0.2.7" and signature.user_agent == "Firefox"
    assert signature.signed_at is not None


def test_a_drawing_makes_a_drawn_signature(document):
    signature = sign(
        document,
        signer=UserFactory(),
        capacity="Enseignant bénéficiaire",
        typed_name="Paul Durand",
        drawing=[[[1, 2], [30.25, 40]]],
    )
    assert signature.method == SignatureMethod.DRAWN
    assert Signature.objects.get().drawing == [[[1.0, 2.0], [30.2, 40.0]]]


@pytest.mark.parametrize("name", ["", "   ", "A"])
def test_the_typed_name_is_required(document, name):
    with pytest.raises(ValidationError) as error:
        sign(document, signer=UserFactory(), capacity="Direction", typed_name=name)
    assert "typed_name" in error.value.message_dict
    assert not Signature.objects.exists()


def test_a_typed_name_with_a_control_character_is_refused(document):
    with pytest.raises(ValidationError):
        sign(document, signer=UserFactory(), capacity="Direction", typed_name="Anne\x07Martin")


def test_a_typed_name_on_two_lines_is_one_line_once_signed(document):
    signature = sign(
        document, signer=UserFactory(), capacity="Direction", typed_name="Anne\nMartin"
    )
    assert signature.typed_name == "Anne Martin"


def test_a_signature_is_immutable(document):
    signature = sign(document, signer=UserFactory(), capacity="Direction", typed_name="Anne M")
    signature.typed_name = "Quelqu'un d'autre"
    with pytest.raises(ValueError, match="ne se modifie pas"):
        signature.save()
    with pytest.raises(ValueError, match="ne se supprime pas"):
        signature.delete()
    with pytest.raises(ValueError, match="ne se modifie pas"):
        Signature.objects.filter(pk=signature.pk).update(typed_name="Autre")
    with pytest.raises(ValueError, match="ne se supprime pas"):
        Signature.objects.all().delete()
    assert Signature.objects.get().typed_name == "Anne M"


# --- The form ----------------------------------------------------------------------------------


def test_the_form_signs_with_the_typed_name_and_consent_without_a_drawing(db):
    form = SignatureForm({"typed_name": "Anne Martin", "consent": "on", "drawing": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["drawing"] == []
    assert form.cleaned_data["typed_name"] == "Anne Martin"


def test_the_form_requires_the_name_and_the_consent(db):
    form = SignatureForm({"typed_name": "", "drawing": "[[[1, 1]]]"})
    assert not form.is_valid()
    assert set(form.errors) == {"typed_name", "consent"}


def test_the_form_shows_the_consent_sentence_it_was_given(db):
    form = SignatureForm(consent_text="Je reçois les matériels listés.")
    assert form.fields["consent"].label == "Je reçois les matériels listés."
    assert "Je reçois les matériels listés." in str(form)
    assert DEFAULT_CONSENT.split(",")[0] not in str(form)
    form.relabel("typed_name", "Nom de l'enseignant", "Il le saisit lui-même.")
    assert "Nom de l&#x27;enseignant" in str(form) and "Il le saisit lui-même." in str(form)


def test_the_form_refuses_a_drawing_out_of_its_box(db):
    form = SignatureForm({"typed_name": "Anne Martin", "consent": "on", "drawing": "[[[400, 10]]]"})
    assert not form.is_valid()
    assert "sort de son cadre" in str(form.errors["drawing"])


# --- parse_drawing -------------------------------------------------------------------------------


def test_it_parses_the_pads_strokes():
    raw = json.dumps([[[0, 0], [300, 100]], [], [[10.04, 5.06]]])
    assert parse_drawing(raw) == [[[0.0, 0.0], [300.0, 100.0]], [[10.0, 5.1]]]
    assert parse_drawing("") == [] and parse_drawing("  ") == []


@pytest.mark.parametrize(
    "raw",
    [
        "[[[301, 1]]]",
        "[[[1, 101]]]",
        "[[[-0.1, 1]]]",
        "[[[1e400, 1]]]",
        f"[[[{10**400}, 1]]]",
        "[[[NaN, 1]]]",
        "[[[Infinity, 1]]]",
    ],
)
def test_points_out_of_the_box_are_refused(raw):
    with pytest.raises(ValidationError, match="cadre"):
        parse_drawing(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "{",
        '{"a": 1}',
        "[1]",
        "[[1]]",
        "[[[1]]]",
        "[[[1, 2, 3]]]",
        '[[["1", 2]]]',
        "[[[true, 2]]]",
        "[[[null, 2]]]",
        "[" * 5000 + "]" * 5000,
        "[[" + ",".join(["[1,1]"] * (MAX_POINTS + 1)) + "]]",
        "[" + ",".join(["[]"] * 51) + "]",
        " " * 200_000 + "[]",
    ],
)
def test_what_is_not_a_drawing_is_refused(raw):
    with pytest.raises(ValidationError):
        parse_drawing(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_gives_strokes_or_a_validation_error(value):
    try:
        strokes = parse_drawing(json.dumps(value))
    except ValidationError:
        return
    for stroke in strokes:
        for x, y in stroke:
            assert 0 <= x <= DRAWING_WIDTH and 0 <= y <= DRAWING_HEIGHT


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_strokes_or_a_validation_error(raw):
    with contextlib.suppress(ValidationError):
        parse_drawing(raw)


# --- drawing_svg ---------------------------------------------------------------------------------


def test_it_draws_the_strokes_as_an_svg():
    svg = drawing_svg([[[1, 2], [3.5, 4]]])
    assert svg.startswith("<svg") and 'points="1,2 3.5,4"' in svg
    assert 'role="img"' in svg and "aria-label" in svg
    assert drawing_svg([]) == ""


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_the_svg_never_carries_markup_from_its_input(value):
    svg = drawing_svg([[value, ["<script>", '"onload="x']], value])
    assert "<script" not in svg and "onload" not in svg
    body = svg.replace('<polyline points="', "").replace('" fill="none"', "")
    for tag in ("<svg", "</svg>", "<polyline", "/>"):
        body = body.replace(tag, "")
    assert "<" not in body


def test_the_svg_skips_stored_points_that_are_not_numbers_in_the_box():
    svg = drawing_svg([[["<b>x</b>", 1]], [[5, 5]], [[900, 1]], "text"])
    assert "<b>" not in svg and 'points="5,5"' in svg and "900" not in svg
