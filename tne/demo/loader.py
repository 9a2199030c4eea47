"""Loading the demo territory: the real open-data files of Aisne (02) and Val-d'Oise (95), then
the synthesis of what open data does not give, then the demo accounts. Idempotent: a second run
re-reads the files, finds nothing to change and synthesises nothing."""

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tne.core.data import SETTING_HINT, DataFileError, require_data_files
from tne.core.progress import Progress
from tne.core.rowerrors import ImportFileError
from tne.territory.enums import NodeKind
from tne.territory.importers import ImportReport, import_file
from tne.territory.models import TerritoryNode
from tne.territory.uploads import record_command_line_import

from .accounts import Login, ensure_demo_accounts
from .calibration import load_calibration, sample_paths
from .equipment import EquipmentResult, load_equipment
from .loans import LoansResult, load_loans
from .programme import ProgrammeFigures, load_programme_figures
from .synthesis import SynthesisResult, synthesise

PILOT_DEPARTEMENTS = ("02", "95")
DEFAULT_SEED = 2025
# In the order they must be imported: communes first, then the lists of schools, then the files
# that enrich known collèges.
DEMO_FILES = (
    "communes_dep02_dep95_2018_centroides.csv",
    "ips_ecoles_2021-2022_dep02_dep95.csv",
    "geoloc_colleges_dep02_dep95.csv",
    "dnb_effectifs_ips_rep_colleges_2021_dep02_dep95.csv",
    "ips_colleges_2023_dep02_dep95.csv",
    "ips_lycees_dep02_dep95.csv",
)


def demo_data_dir() -> Path:
    return Path(settings.DATA_DIR) / "opendata" / "dep02_dep95"


@dataclass
class DemoResult:
    imports: list[ImportReport] = field(default_factory=list)
    synthesis: SynthesisResult = field(default_factory=SynthesisResult)
    programme: ProgrammeFigures = field(default_factory=ProgrammeFigures)
    logins: list[Login] = field(default_factory=list)
    equipment: EquipmentResult = field(default_factory=EquipmentResult)
    loans: LoansResult = field(default_factory=LoansResult)
    seconds: float = 0.0


def demo_paths(directory: Path) -> list[Path]:
    """Every file the demo reads: the files it imports, then the calibration sample."""
    return [directory / name for name in DEMO_FILES] + sample_paths(directory)


def import_real_files(directory: Path, *, progress_factory=Progress) -> list[ImportReport]:
    reports = []
    for path in require_data_files(directory / name for name in DEMO_FILES):
        try:
            reports.append(import_file(path, progress=progress_factory()))
            record_command_line_import(reports[-1], name=path.name)
        except ImportFileError as exc:
            raise DataFileError(f"{exc.message}\n({path} ; {SETTING_HINT}.)") from None
    return reports


@transaction.atomic
def mark_pilots(codes=PILOT_DEPARTEMENTS) -> int:
    return TerritoryNode.objects.filter(
        kind=NodeKind.DEPARTEMENT, code__in=codes, is_pilot=False
    ).update(is_pilot=True)


def load_demo(
    *, seed: int = DEFAULT_SEED, directory: Path | None = None, progress_factory=Progress
) -> DemoResult:
    """Raises :class:`DataFileError` (one sentence) before writing anything when a file is
    missing or unreadable."""
    started = time.monotonic()
    directory = directory or demo_data_dir()
    require_data_files(demo_paths(directory))
    result = DemoResult()
    result.imports = import_real_files(directory, progress_factory=progress_factory)
    mark_pilots()
    result.synthesis = synthesise(
        calibration=load_calibration(directory), seed=seed, progress=progress_factory()
    )
    result.programme = load_programme_figures()
    result.logins = ensure_demo_accounts()
    # After the accounts: the demo's school head and commune officer sign installations.
    result.equipment = load_equipment(seed=seed)
    # After the equipment: the loans lend devices of its register, in its catalogue.
    result.loans = load_loans(seed=seed)
    result.seconds = time.monotonic() - started
    return result
