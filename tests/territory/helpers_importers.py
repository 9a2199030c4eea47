"""Helpers of the importer tests: fixture paths and a snapshot of every table."""

from pathlib import Path

from django.apps import apps

DATA = Path(__file__).resolve().parent / "data"


def fixture(name: str) -> Path:
    return DATA / name


def copy_with(tmp_path, name: str, replace: dict[str, str] | None = None, *, rename=None) -> Path:
    """A copy of a fixture, with some text replaced (to make a bad or a changed file)."""
    text = fixture(name).read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / (rename or name)
    path.write_text(text, encoding="utf-8")
    return path


def table_counts() -> dict[str, int]:
    """The number of rows of every table of the project."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}
