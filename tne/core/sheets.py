"""Reading a spreadsheet (XLSX) the way :class:`~tne.core.tabular.CsvTable` reads a CSV file: the
header of the first sheet, then ``(line number, {column: text})`` for each row, every cell as the
text a person sees (a date cell as ``AAAA-MM-JJ``, a whole number without ``.0``), the same
control characters refused with their line and column. :func:`open_table` picks the reader from
the file's suffix, so an importer reads both kinds of file through one interface."""

import datetime
from collections.abc import Iterator
from pathlib import Path

from .cells import BINARY_CONTROL_CHARACTERS_RE as CONTROLS
from .cells import control_character_message
from .rowerrors import ImportFileError, RowError
from .tabular import CsvTable, OnError

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def cell_text(value) -> str:
    """The text of a spreadsheet cell as it reads on screen."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XlsxTable:
    """The first sheet of an XLSX file, read at once (openpyxl's read-only mode)."""

    delimiter = None

    def __init__(self, path: str | Path, *, label: str | None = None):
        self.path = Path(path)
        self.label = label or self.path.name
        self._rows = self._load()
        if not self._rows or not any(cell.strip() for cell in self._rows[0][1]):
            self._fail(1, None, "le fichier est vide ou sa première ligne (l'en-tête) est vide.")
        self.header = self._read_header(self._rows[0][1])
        self.approx_rows = len(self._rows) - 1

    def _fail(self, line, column, message):
        raise ImportFileError([RowError(self.label, line, column, message)])

    def _load(self) -> list[tuple[int, list[str]]]:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of error on a file that is not XLSX
            self._fail(None, None, "le fichier n'est pas un classeur XLSX lisible.")
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                while cells and not cells[-1].strip():
                    cells.pop()
                rows.append((number, cells))
        finally:
            workbook.close()
        return rows

    def _read_header(self, cells: list[str]) -> list[str]:
        names = [name.strip() for name in cells]
        seen = set()
        for name in names:
            message = control_character_message(name, CONTROLS)
            if message is not None:
                self._fail(1, None, f"en-tête : {message}")
            if name and name in seen:
                self._fail(1, name, "colonne en double dans l'en-tête.")
            seen.add(name)
        return names

    require = CsvTable.require

    def rows(self, on_error: OnError | None = None) -> Iterator[tuple[int, dict[str, str]]]:
        def report(line, column, message):
            if on_error is None:
                self._fail(line, column, message)
            on_error(line, column, message)

        width = len(self.header)
        named = [(i, name) for i, name in enumerate(self.header) if name]
        for line, cells in self._rows[1:]:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > width:
                report(line, f"n° {width + 1}", f"{len(cells)} colonnes au lieu de {width}.")
                continue
            record = {name: cells[i] if i < len(cells) else "" for i, name in named}
            if CONTROLS.search("".join(record.values())):
                for name, value in record.items():
                    if message := control_character_message(value, CONTROLS):
                        report(line, name, message)
                continue
            yield line, record


def open_table(path: str | Path, *, label: str | None = None) -> CsvTable | XlsxTable:
    """The table of a CSV or XLSX file (by its suffix; anything else is read as CSV)."""
    if Path(path).suffix.lower() in XLSX_SUFFIXES:
        return XlsxTable(path, label=label)
    return CsvTable(path, label=label)
