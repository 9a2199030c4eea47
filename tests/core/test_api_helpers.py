"""The API helpers every domain router uses: keyset pagination and the shared schemas."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st
from ninja.errors import HttpError

from tne.core.api.pagination import after, decode_cursor, encode_cursor, key_types, keyset_page
from tne.core.api.schemas import choice
from tne.core.models import Job, JobStatus

# Any text the database takes: no lone surrogate, no NUL.
TEXTS = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30)


@given(key=st.tuples(TEXTS, st.integers(-(2**63), 2**63 - 1)))
def test_a_cursor_decodes_to_the_key_it_encodes(key):
    assert decode_cursor(encode_cursor(key), (str, int)) == key


def test_the_next_page_filter_is_a_lexicographic_comparison():
    query = str(after(("name", "pk"), ("Zola", 7)))

    assert query == "(OR: ('name__gt', 'Zola'), (AND: ('name', 'Zola'), ('pk__gt', 7)))"


@pytest.mark.parametrize(
    "cursor",
    [
        "***",
        encode_cursor((1,)),
        encode_cursor((True, 2)),
        encode_cursor(("A", "abc")),
        encode_cursor((1, 2)),
        encode_cursor(("A", 2**63)),
        encode_cursor(("\ud800", 1)),
        encode_cursor(("\x00", 1)),
        encode_cursor(("A", 1.0)),
    ],
)
def test_a_cursor_of_another_list_is_refused(cursor):
    with pytest.raises(HttpError, match="curseur invalide"):
        decode_cursor(cursor, (str, int))


def test_the_cursor_types_are_the_types_of_the_ordering_fields():
    assert key_types(Job, ("label", "pk")) == (str, int)
    assert key_types(Job, ("created_by", "pk")) == (int, int)
    with pytest.raises(ImproperlyConfigured):
        key_types(Job, ("created_at",))


@pytest.mark.django_db
def test_keyset_pages_walk_every_row_once_in_order():
    for label in ["b", "a", "b", "c", "a"]:
        Job.objects.create(kind="test", label=label)
    seen, cursor = [], None
    while True:
        rows, cursor = keyset_page(
            Job.objects.all(), ordering=("label", "pk"), cursor=cursor, limit=2
        )
        seen += [(job.label, job.pk) for job in rows]
        if cursor is None:
            break

    assert seen == sorted(Job.objects.values_list("label", "pk"))


def test_a_choice_gives_its_code_and_french_label():
    assert choice(JobStatus, JobStatus.FAILED) == {"code": "FAILED", "label": "Échec"}
    assert choice(JobStatus, "") is None
