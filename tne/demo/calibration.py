"""Calibration of the first-degree synthesis on the REAL sample of the 2025 school year.

The files ``ecoles_1d_rentree2025_dep02_extrait.csv`` and ``…_dep95_extrait.csv`` give, for about
ninety écoles of each pilot département, the pupils (pre-elementary, elementary, ULIS), the number
of classes, the teacher FTE and the REP / REP+ flags at the 2025 school year. The method:

* an école **in the sample** keeps its real figures and its real REP / REP+ flag;
* an école **not in the sample** draws one whole row (bootstrap) from the sample's écoles of the
  same département and the same type (élémentaire seul / primaire pré + élém.; falling back to the
  whole département, then to the whole sample), so that pupils, classes and FTE stay consistent
  with each other; its pupils are then scaled by a factor drawn in [0.9, 1.1] (the classes
  follow the pupils-per-class ratio of the row) so that two écoles drawing the same row differ;
* the REP / REP+ flag of an école not in the sample is synthesised from its IPS: within each
  département, the public écoles with the lowest IPS become REP+ then REP, in the proportions the
  sample shows for that département (see :func:`network_shares`).

Every draw uses a random generator seeded by the demo seed and the école's UAI, so an école's
figures do not depend on the other écoles and re-running the demo reproduces them exactly.
"""

import csv
import random
from dataclasses import dataclass, replace
from pathlib import Path

from tne.core.data import DataFileError, require_data_files, unreadable_file_message
from tne.territory.enums import EducationNetwork, SchoolKind

# The real sample of the 2025 school year, one file per pilot département. It stays the
# calibration whatever the current year: the synthesised classes belong to the current year.
SAMPLE_FILES = (
    "ecoles_1d_rentree2025_dep02_extrait.csv",
    "ecoles_1d_rentree2025_dep95_extrait.csv",
)

_KINDS = {
    "Élémentaire seul": SchoolKind.ELEMENTAIRE,
    "Primaire (pré + élém.)": SchoolKind.PRIMAIRE,
    "Maternelle (préélémentaire seul)": SchoolKind.MATERNELLE,
}


@dataclass(frozen=True)
class EcoleFigures:
    """The figures of one école at the 2025 school year, real (from the sample) or drawn."""

    uai: str
    departement: str
    kind: str
    pre_elementary: int
    elementary: int
    ulis: int
    classes: int
    teacher_fte: float
    network: str
    is_real: bool = True

    @property
    def fte_per_class(self) -> float:
        return self.teacher_fte / self.classes if self.classes else 1.0


@dataclass(frozen=True)
class Calibration:
    ecoles: dict[str, EcoleFigures]

    def pool(self, departement: str, kind: str) -> list[EcoleFigures]:
        """The sample rows an école of this département and type draws from."""
        rows = sorted(self.ecoles.values(), key=lambda e: e.uai)
        usable = [e for e in rows if e.kind and e.classes > 0]
        for candidates in (
            [e for e in usable if e.departement == departement and e.kind == kind],
            [e for e in usable if e.departement == departement and e.kind != SchoolKind.MATERNELLE],
            [e for e in usable if e.kind == kind],
            usable,
        ):
            if candidates:
                return candidates
        raise ValueError("L'échantillon de la rentrée 2025 ne contient aucune école utilisable.")

    def network_shares(self, departement: str) -> tuple[float, float]:
        """(share of REP, share of REP+) among the sample's écoles of the département."""
        rows = [e for e in self.ecoles.values() if e.departement == departement]
        if not rows:
            rows = list(self.ecoles.values())
        total = len(rows) or 1
        rep = sum(e.network == EducationNetwork.REP for e in rows)
        rep_plus = sum(e.network == EducationNetwork.REP_PLUS for e in rows)
        return rep / total, rep_plus / total

    def figures_for(self, *, uai: str, departement: str, kind: str, seed: int) -> EcoleFigures:
        """The real figures of an école in the sample, else a draw from its pool."""
        if uai in self.ecoles:
            return self.ecoles[uai]
        rng = random.Random(f"{seed}:{uai}:figures")
        row = rng.choice(self.pool(departement, kind))
        factor = rng.uniform(0.9, 1.1)
        pre = round(row.pre_elementary * factor)
        elementary = round(row.elementary * factor)
        pupils_per_class = (row.pre_elementary + row.elementary + row.ulis) / row.classes
        classes = max(1, round((pre + elementary + row.ulis) / pupils_per_class))
        return replace(
            row,
            uai=uai,
            departement=departement,
            kind=kind,
            pre_elementary=pre,
            elementary=elementary,
            classes=classes,
            teacher_fte=round(classes * row.fte_per_class, 1),
            network=EducationNetwork.NONE,
            is_real=False,
        )


def _number(value: str) -> float:
    value = (value or "").strip().replace(",", ".")
    return float(value) if value else 0.0


def _network(row: dict) -> str:
    if row.get("rep_plus", "").strip() == "1":
        return EducationNetwork.REP_PLUS
    if row.get("rep", "").strip() == "1":
        return EducationNetwork.REP
    return EducationNetwork.NONE


def read_sample_file(path: Path) -> list[EcoleFigures]:
    """The figures of the écoles of one sample file; a value that cannot be read is a
    :class:`DataFileError` naming the file and the line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
    except UnicodeDecodeError as exc:
        reason = f"pas en UTF-8 : {exc.reason}"
        raise DataFileError(unreadable_file_message(path, reason)) from None
    figures = []
    for line, row in enumerate(rows, start=2):
        try:
            pre = round(_number(row["nombre_eleves_preelementaire_hors_ulis"]))
            elementary = round(_number(row["nombre_eleves_elementaire_hors_ulis"]))
            ulis = round(_number(row["nombre_eleves_ulis"]))
            if not pre + elementary + ulis:
                # « Autre » rows give only a total: one class of an école with CM2 pupils.
                elementary = round(_number(row["nombre_total_eleves"]))
            figures.append(
                EcoleFigures(
                    uai=row["uai"].strip().upper(),
                    departement=row["dep_effectifs"].strip().zfill(2),
                    kind=_KINDS.get(row["type_ecole"].strip(), ""),
                    pre_elementary=pre,
                    elementary=elementary,
                    ulis=ulis,
                    classes=round(_number(row["nombre_total_classes"])),
                    teacher_fte=_number(row["etp_enseignants"]),
                    network=_network(row),
                )
            )
        except (KeyError, ValueError) as exc:
            reason = f"ligne {line}, valeur illisible : {exc}"
            raise DataFileError(unreadable_file_message(path, reason)) from None
    return figures


def sample_paths(directory: Path) -> list[Path]:
    return [directory / name for name in SAMPLE_FILES]


def load_calibration(directory: Path) -> Calibration:
    """The calibration read from the sample files of ``directory``; a missing or unreadable
    file is a :class:`DataFileError`."""
    paths = require_data_files(sample_paths(directory))
    ecoles = {e.uai: e for path in paths for e in read_sample_file(path)}
    return Calibration(ecoles=ecoles)
