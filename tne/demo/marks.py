"""The names of the School fields the demo filled by synthesis, kept in ``synthesised_fields``."""

CIRCONSCRIPTION = "circonscription"
EDUCATION_NETWORK = "education_network"
PUPILS_BY_LEVEL = "pupils_by_level"


def marked(fields: list, name: str, synthesised: bool = True) -> list:
    """``fields`` with ``name`` added (at the end, if absent) or removed, in their order."""
    if synthesised:
        return fields if name in fields else [*fields, name]
    return [f for f in fields if f != name]


# The note of every campaign and device the demo synthesised (tne.demo.equipment).
EQUIPMENT = "Données synthétiques de la démonstration"

# The note of every device the loans of the demo bought and the label of its runs
# (tne.demo.loans).
LOANS = "données synthétiques de la démonstration (prêts M6)"
