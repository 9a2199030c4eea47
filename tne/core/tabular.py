"""Reading CSV files as people and open-data portals write them: UTF-8 with or without BOM,
``;``, ``,`` or tab (sniffed from the header line), quoted or bare headers, an unnamed index
column. Every problem is reported with the file, the line and the column (:mod:`.rowerrors`);
nothing is guessed. A cell holding a control character other than a tabulation or a line break
(NUL, ESC…: :data:`~.cells.BINARY_CONTROL_CHARACTERS_RE`) is an error of its line and column,
whoever reads the file; the single-line texts of :mod:`.cells` refuse those two as well.
Any domain that imports a file reads it through :class:`CsvTable`."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .cells import BINARY_CONTROL_CHARACTERS_RE as CONTROLS
from .cells import control_character_message
from .rowerrors import ImportFileError, RowError

DELIMITERS = (";", ",", "\t")
OnError = Callable[[int | None, str | None, str], None]


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def sniff_delimiter(header_line: str) -> str:
    """The separator that splits the header line the most (``;`` when there is none)."""
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


class CsvTable:
    """A CSV file read and decoded at once, with its header; :meth:`rows` parses the records."""

    def __init__(self, path: str | Path, *, label: str | None = None):
        self.path = Path(path)
        self.label = label or self.path.name
        self.text = self._decode(self._read_bytes())
        first_line = self.text.split("\n", 1)[0].rstrip("\r")
        if not first_line.strip():
            self._fail(1, None, "le fichier est vide ou sa première ligne (l'en-tête) est vide.")
        self.delimiter = sniff_delimiter(first_line)
        self._records = self._reader()
        self.header = self._read_header()
        # An upper bound of the number of records, for progress bars (quoted newlines are rare).
        lines = self.text.count("\n") + (0 if self.text.endswith("\n") else 1)
        self.approx_rows = max(lines - 1, 0)

    def _fail(self, line, column, message):
        raise ImportFileError([RowError(self.label, line, column, message)])

    def _read_bytes(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as exc:
            self._fail(None, None, f"lecture impossible ({exc.strerror or exc}).")

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self._fail(line, None, "le fichier n'est pas encodé en UTF-8.")

    def _reader(self):
        return csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True)

    def _read_header(self) -> list[str]:
        try:
            names = [name.strip() for name in next(self._records)]
        except csv.Error as exc:
            self._fail(1, None, f"en-tête illisible ({exc}).")
        seen = set()
        for name in names:
            message = control_character_message(name, CONTROLS)
            if message is not None:
                self._fail(1, None, f"en-tête : {message}")
            if name and name in seen:
                self._fail(1, name, "colonne en double dans l'en-tête.")
            seen.add(name)
        return names

    def require(self, columns: Iterable[str]) -> None:
        missing = [name for name in columns if name not in self.header]
        if missing:
            raise ImportFileError(
                [
                    RowError(self.label, 1, name, "colonne obligatoire absente de l'en-tête.")
                    for name in missing
                ]
            )

    def rows(self, on_error: OnError | None = None) -> Iterator[tuple[int, dict[str, str]]]:
        """``(line number, {column: value})`` for each record; unnamed columns are left out.

        A record with the wrong number of cells goes to ``on_error`` and is skipped, or, without
        ``on_error``, raises :class:`ImportFileError`."""

        def report(line, column, message):
            if on_error is None:
                self._fail(line, column, message)
            on_error(line, column, message)

        width = len(self.header)
        named = [(i, name) for i, name in enumerate(self.header) if name]
        records = self._records
        line = records.line_num + 1
        while True:
            try:
                cells = next(records)
            except StopIteration:
                return
            except csv.Error as exc:
                report(records.line_num, None, f"ligne illisible ({exc}).")
                return
            start, line = line, records.line_num + 1
            if not cells:
                continue
            if len(cells) != width:
                column = self.header[len(cells)] if len(cells) < width else f"n° {width + 1}"
                report(
                    start,
                    column or f"n° {len(cells) + 1}",
                    f"{len(cells)} colonnes au lieu de {width} (séparateur « {self.delimiter} »).",
                )
                continue
            record = {name: cells[i] for i, name in named}
            if CONTROLS.search("".join(record.values())):  # One search per record.
                bad = [
                    (name, message)
                    for name, value in record.items()
                    if (message := control_character_message(value, CONTROLS))
                ]
                for name, message in bad:
                    report(start, name, message)
                continue
            yield start, record


def read_rows(
    path: str | Path,
    *,
    required: Iterable[str] = (),
    on_error: OnError | None = None,
    label: str | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """The records of a CSV file as ``(line number, {column: value})``."""
    table = CsvTable(path, label=label)
    table.require(required)
    yield from table.rows(on_error)
