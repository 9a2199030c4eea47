"""The priority score of a need: a plain sum of points, each with its reason, so that a family,
a school or an auditor reads exactly why a pupil comes before another (« Aucun équipement à la
maison : +40 · École en REP+ : +20 »). The points are the coordinator's ``PriorityWeights`` of the
school's territory (or the defaults); the school context comes from the reference data."""

from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from tne.territory.enums import EducationNetwork

from .enums import HomeDevices, HomeInternet


@dataclass(frozen=True)
class Weights:
    no_device: int = 40
    shared_device: int = 20
    per_sharing_child: int = 5
    no_internet: int = 30
    mobile_internet: int = 15
    rep_plus: int = 20
    rep: int = 10
    low_ips: int = 10
    ips_threshold: Decimal = Decimal("90.0")

    @classmethod
    def of(cls, model) -> "Weights":
        """The weights of a ``PriorityWeights`` row (``None``: the defaults)."""
        if model is None:
            return cls()
        return cls(**{f.name: getattr(model, f.name) for f in fields(cls)})

    def as_json(self) -> dict:
        values = asdict(self)
        values["ips_threshold"] = str(self.ips_threshold)
        return values

    @classmethod
    def from_json(cls, values: dict) -> "Weights":
        return cls(**{**values, "ips_threshold": Decimal(values["ips_threshold"])})


@dataclass(frozen=True)
class Line:
    label: str
    points: int


def breakdown(
    weights: Weights,
    *,
    devices_at_home: str,
    shared_with: int | None,
    internet_at_home: str,
    education_network: str,
    ips: Decimal | None,
) -> list[Line]:
    """The lines of the score, in a fixed order; lines worth 0 points are left out."""
    lines = []
    if devices_at_home == HomeDevices.NONE:
        lines.append(Line("Aucun équipement à la maison", weights.no_device))
    elif devices_at_home == HomeDevices.SHARED:
        lines.append(Line("Équipement partagé", weights.shared_device))
        children = shared_with or 0
        if children and weights.per_sharing_child:
            noun = "enfant" if children == 1 else "enfants"
            lines.append(
                Line(f"Partagé avec {children} {noun}", children * weights.per_sharing_child)
            )
    if internet_at_home == HomeInternet.NONE:
        lines.append(Line("Pas d'accès à internet", weights.no_internet))
    elif internet_at_home == HomeInternet.MOBILE:
        lines.append(Line("Internet mobile seulement", weights.mobile_internet))
    if education_network == EducationNetwork.REP_PLUS:
        lines.append(Line("École en REP+", weights.rep_plus))
    elif education_network == EducationNetwork.REP:
        lines.append(Line("École en REP", weights.rep))
    if ips is not None and ips < weights.ips_threshold:
        threshold = f"{weights.ips_threshold.normalize():f}".replace(".", ",")
        lines.append(Line(f"IPS de l'école sous {threshold}", weights.low_ips))
    return [line for line in lines if line.points]


def score(lines: list[Line]) -> int:
    return sum(line.points for line in lines)


def as_text(lines: list[Line]) -> str:
    """« Aucun équipement à la maison : +40 · École en REP+ : +20 » (French spacing)."""
    if not lines:
        return "Aucun critère de priorité"
    return " · ".join(f"{line.label}\u00a0: +{line.points}" for line in lines)
