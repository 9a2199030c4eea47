"""The kinds of file that ``tne import FILE`` recognises by their header, contributed by the apps
without the command naming them (``core`` imports no app; the territory's command reads this
registry after its own open-data kinds). An app registers its kinds in its ``registrations``::

    file_kind(FileKind(kind="equipment.delivery", label="Livraison de matériels",
                       columns=("numero_serie", …), run=run_delivery_file))

``run(path, *, label, dry_run, progress)`` imports one file (all or nothing, raising
:class:`~tne.core.rowerrors.ImportFileError` with every error) and returns the sentence the
command prints. A header matches a kind when it holds all its ``columns``; ``score`` breaks the
tie between two kinds whose columns are included in one another (the most specific wins)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Runner = Callable[..., str]


@dataclass(frozen=True)
class FileKind:
    kind: str
    label: str
    # The columns that identify the kind: a header holding them all is of this kind.
    columns: tuple[str, ...]
    run: Runner
    # Suffixes the kind accepts (lower case, with the dot).
    suffixes: tuple[str, ...] = (".csv", ".txt")

    def matches(self, header: Iterable[str]) -> bool:
        return set(self.columns).issubset(header)


_KINDS: dict[str, FileKind] = {}


def file_kind(kind: FileKind) -> FileKind:
    """Registers (or replaces) a kind of file."""
    _KINDS[kind.kind] = kind
    return kind


def file_kinds() -> list[FileKind]:
    return list(_KINDS.values())


def kind_for_header(header: Iterable[str]) -> FileKind | None:
    """The registered kind whose columns the header holds (the one with the most columns when
    several do), or None."""
    header = {name.strip().lower() for name in header}
    found = [kind for kind in _KINDS.values() if kind.matches(header)]
    return max(found, key=lambda kind: len(kind.columns)) if found else None
