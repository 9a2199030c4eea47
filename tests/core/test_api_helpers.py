"""The API helpers every domain router uses: keyset pagination and the shared schemas."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ninja.errors import HttpError

from tne.core.api.pagination import after, decode_cursor, encode_cursor, keyset_page
from tne.core.api.schemas import choice
from tne.core.models import Job, JobStatus


@given(key=st.tuples(st.text(max_size=30), st.integers(0, 2**62)))
def test_a_cursor_decodes_to_the_key_it_encodes(key):
    assert decode_cursor(encode_cursor(key), 2) == key


def test_the_next_page_filter_is_a_lexicographic_comparison():
    query = str(after(("name", "pk"), ("Zola", 7)))

    assert query == "(OR: ('name__gt', 'Zola'), (AND: ('name', 'Zola'), ('pk__gt', 7)))"


@pytest.mark.parametrize("cursor", ["***", encode_cursor((1,)), encode_cursor((True, 2))])
def test_a_cursor_of_another_list_is_refused(cursor):
    with pytest.raises(HttpError, match="Curseur de pagination invalide"):
        decode_cursor(cursor, 2)


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
