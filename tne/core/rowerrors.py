"""Errors of a file read row by row: each one names the file, the line and the column it could not
read. An importer collects every error of the file (:class:`ErrorCollector`) before it writes
anything, then refuses the whole file (:class:`ImportFileError`) or writes it all."""

from dataclasses import dataclass

from .formats import plural

# An import stops collecting errors past this many: the file is wrong, the first ones tell why.
MAX_ERRORS = 50
# How many errors the message of an ImportFileError lists (a job page, a terminal).
SHOWN_ERRORS = 10


@dataclass(frozen=True)
class RowError:
    file: str
    line: int | None
    column: str | None
    message: str

    def _where(self, file: str) -> str:
        where = [file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        return ", ".join(where)

    def __str__(self):
        """``bad.csv, ligne 3, colonne « uai » : valeur manquante.``: an item of a list."""
        return f"{self._where(self.file)} : {self.message}"

    @property
    def sentence(self) -> str:
        """The error on its own, as a sentence: ``Fichier « bad.csv », ligne 3 : …``."""
        return f"{self._where(f'Fichier « {self.file} »')} : {self.message}"


class ImportFileError(Exception):
    """A file that cannot be imported; nothing of it was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        count = len(self.errors)
        head = plural(count, "erreur|erreurs")
        if count >= MAX_ERRORS:
            head = f"au moins {MAX_ERRORS} erreurs (lecture arrêtée)"
        lines = [f"Fichier refusé, rien n'a été enregistré : {head}."]
        lines += [f"- {error}" for error in self.errors[:SHOWN_ERRORS]]
        if count > SHOWN_ERRORS:
            more = count - SHOWN_ERRORS
            lines.append(f"- … et {plural(more, 'autre|autres')}.")
        return "\n".join(lines)


class CellError(ValueError):
    """A value a parser could not read; the importer adds the file, line and column."""


class ErrorCollector:
    """Collects the errors of one file (raising once too many have been seen) and its warnings:
    what was read but deserves to be said, like a school the file places in another
    département than its commune's."""

    def __init__(self, file: str, limit: int = MAX_ERRORS):
        self.file = file
        self.limit = limit
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.file, line, column, message))
        if len(self.errors) >= self.limit:
            raise ImportFileError(self.errors)

    def warn(self, line: int | None, column: str | None, message: str) -> None:
        self.warnings.append(RowError(self.file, line, column, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFileError(self.errors)
