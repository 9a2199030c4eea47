"""Importers of the open-data files of the ministry (écoles, collèges, lycées, communes).

    from tne.territory.importers import import_file
    report = import_file(path)  # the kind is found from the header

Each kind has its module; :mod:`.reader` reads the CSV files, :mod:`.values` the cells,
:mod:`.reference` knows the départements, :mod:`.territory` and :mod:`.schools` write."""

from .base import ImportReport
from .errors import ImportFileError, KindError, RowError
from .service import KINDS, detect_kind, import_file, importers_for

__all__ = [
    "KINDS",
    "ImportFileError",
    "ImportReport",
    "KindError",
    "RowError",
    "detect_kind",
    "import_file",
    "importers_for",
]
