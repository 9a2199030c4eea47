"""Importers of the open-data files of the ministry (écoles, collèges, lycées, communes).

    from tne.territory.importers import import_file
    report = import_file(path)  # the kind is found from the header

Each kind has its module; :mod:`tne.core.tabular` reads the CSV files, :mod:`tne.core.cells`
and :mod:`.values` the cells, :mod:`tne.core.rowerrors` collects the errors, :mod:`.reference`
knows the départements, :mod:`.territory` and :mod:`.schools` write."""

from .base import ImportReport
from .service import KINDS, KindError, detect_kind, import_file, importers_for

__all__ = [
    "KINDS",
    "ImportReport",
    "KindError",
    "detect_kind",
    "import_file",
    "importers_for",
]
