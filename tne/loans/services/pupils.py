"""Pupils and their need declarations: creating and editing a pupil (a code the school gives,
unique in the school; an elementary level; a class of the school in the current year), declaring
what the family lacks (devices and internet at home), and the same for many pupils at once — the
bulk entry of a class and the CSV files — all or nothing, with every error by row and field.

Every write is audited (the pupil's and the declaration's events, at the school's place). Who may
write: ``loans.declare_needs`` on the pupil's school (the school head); ``actor=None`` is the
system (``tne import``), which has no grant to check."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tne.core.audit import (
    build_event,
    create_audited,
    delete_audited,
    diff,
    record_many,
    update_audited,
)
from tne.core.cells import control_character_message
from tne.core.formats import de, fr_typo, plural
from tne.core.models import AuditAction, AuditSource
from tne.core.rowerrors import ErrorCollector, ImportFileError, RowError
from tne.core.sheets import open_table
from tne.core.text import plain_upper
from tne.territory.enums import Level, SchoolKind, Stage
from tne.territory.models import School, SchoolClass, SchoolYear

from ..enums import ELEMENTARY_LEVELS, HomeDevices, HomeInternet
from ..models import NeedDeclaration, Pupil
from ..perms import can_declare_needs
from . import tallies

# The schools whose pupils M6 lends to: écoles élémentaires and primaires.
SCHOOL_KINDS = (SchoolKind.ELEMENTAIRE, SchoolKind.PRIMAIRE)
CODE_MAX_LENGTH = Pupil._meta.get_field("code").max_length
MAX_SHARED_WITH = 20
# What one bulk entry or one file may hold.
MAX_ROWS = 200
MAX_FILE_LINES = 5000
BATCH = 500

LEVEL_CHOICES = [(level.value, level.label) for level in ELEMENTARY_LEVELS]
LEVEL_NAMES = ", ".join(str(level.label) for level in ELEMENTARY_LEVELS)
NEED_FIELDS = ("devices_at_home", "shared_with", "internet_at_home")
FIELD_LABELS = {
    "pupil": "Élève",
    "code": "Code élève",
    "level": "Niveau",
    "school_class": "Classe",
    "devices_at_home": "Équipement à la maison",
    "shared_with": "Partagé avec",
    "internet_at_home": "Internet à la maison",
}


def elementary_schools():
    return School.objects.filter(kind__in=SCHOOL_KINDS)


def current_year() -> SchoolYear | None:
    return SchoolYear.objects.current()


def classes_for_needs(school: School, year: SchoolYear | None = None):
    """The elementary classes of ``school`` in the current year (or ``year``)."""
    year = year or current_year()
    if year is None:
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(school=school, year=year, stage=Stage.ELEMENTARY)


def _require_declarer(actor, school: School) -> None:
    if actor is not None and not can_declare_needs(actor, school):
        raise PermissionDenied(f"Vous ne déclarez pas les besoins des élèves {de(school.name)}.")


# --- Checking values ---------------------------------------------------------------------------


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def check_code(code: str) -> str | None:
    """What is wrong with a pupil's code (a lower-case sentence), or None."""
    if not code:
        return "indiquez le code que l'école donne à l'élève (jamais son nom)."
    message = control_character_message(code)
    if message is not None:
        return message
    if len(code) > CODE_MAX_LENGTH:
        return f"{CODE_MAX_LENGTH} caractères au plus (ici {len(code)})."
    return None


def check_placement(
    *, school: School, level: str, school_class: SchoolClass | None, year: SchoolYear | None
) -> dict[str, str]:
    """The errors of a level and a class for a pupil of ``school`` (field → sentence)."""
    errors = {}
    if not level:
        errors["level"] = f"indiquez le niveau de l'élève ({LEVEL_NAMES})."
    elif level not in {lvl.value for lvl in ELEMENTARY_LEVELS}:
        errors["level"] = (
            f"« {level} » n'est pas un niveau de l'école élémentaire (attendu : {LEVEL_NAMES})."
        )
    if school_class is None:
        errors["school_class"] = "indiquez la classe de l'élève."
    elif year is None:
        errors["school_class"] = (
            "aucune année scolaire n'est en cours : la classe ne se vérifie pas."
        )
    elif (
        school_class.school_id != school.pk
        or school_class.year_id != year.pk
        or school_class.stage != Stage.ELEMENTARY
    ):
        errors["school_class"] = (
            f"« {school_class.name} » n'est pas une classe élémentaire {de(school.name)} en {year}."
        )
    elif "level" not in errors and school_class.levels and level not in school_class.levels:
        levels = ", ".join(Level(v).label if v in Level.values else v for v in school_class.levels)
        errors["level"] = (
            f"la classe {school_class.name} n'a pas le niveau {Level(level).label} "
            f"(ses niveaux : {levels})."
        )
    return errors


def check_need(
    *, devices_at_home: str, shared_with: int | None, internet_at_home: str, required: bool = True
) -> dict[str, str]:
    """The errors of a declaration's values (field → sentence). Without ``required``, all three
    empty is no declaration (no error)."""
    if not required and not devices_at_home and not internet_at_home and shared_with is None:
        return {}
    errors = {}
    if not devices_at_home:
        errors["devices_at_home"] = (
            "indiquez l'équipement à la maison (aucun, partagé ou personnel)."
        )
    elif devices_at_home not in HomeDevices.values:
        errors["devices_at_home"] = (
            f"« {devices_at_home} » n'est pas un équipement prévu (aucun, partagé ou personnel)."
        )
    if not internet_at_home:
        errors["internet_at_home"] = (
            "indiquez l'accès à internet à la maison (aucun, mobile ou fixe)."
        )
    elif internet_at_home not in HomeInternet.values:
        errors["internet_at_home"] = (
            f"« {internet_at_home} » n'est pas un accès à internet prévu (aucun, mobile ou fixe)."
        )
    if devices_at_home == HomeDevices.SHARED:
        if shared_with is None:
            errors["shared_with"] = (
                "indiquez avec combien d'autres enfants l'équipement est partagé (1 ou plus)."
            )
        elif not 1 <= shared_with <= MAX_SHARED_WITH:
            errors["shared_with"] = (
                f"entre 1 et {MAX_SHARED_WITH} autres enfants (ici {shared_with})."
            )
    elif shared_with is not None:
        errors["shared_with"] = "à laisser vide : l'équipement n'est pas partagé."
    return errors


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(
            {name: fr_typo(_sentence(message)) for name, message in errors.items()}
        )


# --- One pupil ---------------------------------------------------------------------------------


def _code_taken(school: School, code: str, pupil: Pupil | None) -> str | None:
    other = (
        Pupil.objects.filter(school=school, code=code)
        .exclude(pk=getattr(pupil, "pk", None))
        .select_related("school_class")
        .first()
    )
    if other is None:
        return None
    where = f" (classe {other.school_class.name})" if other.school_class_id else ""
    return f"« {code} » est déjà le code d'un élève de l'école{where}."


@transaction.atomic
def create_pupil(
    *,
    school: School,
    code: str,
    level: str,
    school_class: SchoolClass | None,
    actor,
    source: str = AuditSource.UI,
) -> Pupil:
    _require_declarer(actor, school)
    code = code.strip()
    errors = check_placement(
        school=school, level=level, school_class=school_class, year=current_year()
    )
    if message := check_code(code) or _code_taken(school, code, None):
        errors["code"] = message
    _raise(errors)
    return create_audited(
        Pupil(school=school, code=code, level=level, school_class=school_class),
        actor=actor,
        source=source,
    )


@transaction.atomic
def update_pupil(
    *,
    pupil: Pupil,
    code: str,
    level: str,
    school_class: SchoolClass | None,
    actor,
    source: str = AuditSource.UI,
) -> Pupil:
    _require_declarer(actor, pupil.school)
    code = code.strip()
    errors = check_placement(
        school=pupil.school, level=level, school_class=school_class, year=current_year()
    )
    if message := check_code(code) or _code_taken(pupil.school, code, pupil):
        errors["code"] = message
    _raise(errors)
    return update_audited(
        pupil,
        {"code": code, "level": level, "school_class": school_class},
        actor=actor,
        source=source,
    )


def _need_of(pupil: Pupil) -> NeedDeclaration | None:
    try:
        return pupil.need
    except NeedDeclaration.DoesNotExist:
        return None


def _write_need(pupil: Pupil, values: dict, actor, source: str) -> tuple[NeedDeclaration, bool]:
    """Creates or changes the declaration; a change re-dates it and names its author. Returns
    it and whether anything was written."""
    need = _need_of(pupil)
    stamp = {"declared_on": timezone.localdate(), "declared_by": actor}
    if need is None:
        need = create_audited(
            NeedDeclaration(pupil=pupil, **values, **stamp), actor=actor, source=source
        )
        pupil.need = need
        return need, True
    if all(getattr(need, name) == value for name, value in values.items()):
        return need, False
    update_audited(need, {**values, **stamp}, actor=actor, source=source)
    return need, True


@transaction.atomic
def declare_need(
    *,
    pupil: Pupil,
    devices_at_home: str,
    shared_with: int | None,
    internet_at_home: str,
    actor,
    source: str = AuditSource.UI,
) -> NeedDeclaration:
    """Declares (or declares again) what ``pupil``'s family lacks; unchanged values write
    nothing."""
    _require_declarer(actor, pupil.school)
    values = {
        "devices_at_home": devices_at_home,
        "shared_with": shared_with,
        "internet_at_home": internet_at_home,
    }
    _raise(check_need(**values))
    had_one = _need_of(pupil) is not None
    need, _ = _write_need(pupil, values, actor, source)
    if not had_one:
        tallies.recount([pupil.school_id])
    return need


@transaction.atomic
def withdraw_need(*, pupil: Pupil, actor, source: str = AuditSource.UI) -> bool:
    """Removes ``pupil``'s declaration (the family no longer asks); False if there was none."""
    _require_declarer(actor, pupil.school)
    need = _need_of(pupil)
    if need is None:
        return False
    delete_audited(need, actor=actor, source=source)
    tallies.recount([pupil.school_id])
    return True


# --- Many pupils at once: the bulk entry of a class and the files -----------------------------


@dataclass(frozen=True)
class Entry:
    """One row of a bulk entry or one line of a file. ``row`` is how the person finds it again
    (the row of the table, the line of the file). ``pupil_id`` is the pupil a row of the form
    edits; a file's line names its pupil by code (``by_code``: an existing code is an update)."""

    row: int
    code: str
    level: str
    school_class: SchoolClass | None
    devices_at_home: str = ""
    shared_with: int | None = None
    internet_at_home: str = ""
    pupil_id: int | None = None
    by_code: bool = False

    @property
    def need_values(self) -> dict:
        return {name: getattr(self, name) for name in NEED_FIELDS}

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label) if self.level in Level.values else self.level

    @property
    def devices_label(self) -> str:
        return str(HomeDevices(self.devices_at_home).label) if self.devices_at_home else ""

    @property
    def internet_label(self) -> str:
        return str(HomeInternet(self.internet_at_home).label) if self.internet_at_home else ""

    @property
    def declares(self) -> bool:
        return bool(self.devices_at_home or self.internet_at_home)


class EntryErrors(Exception):
    """The errors of a batch: row → field → sentences (lower case: they follow a place)."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = errors
        count = sum(len(messages) for fields in errors.values() for messages in fields.values())
        super().__init__(f"{plural(count, 'erreur|erreurs')} ; rien n'a été enregistré.")

    @property
    def count(self) -> int:
        return sum(len(m) for fields in self.errors.values() for m in fields.values())

    def row_errors(self, file: str, columns: dict[str, str]) -> list[RowError]:
        """As the errors of a file, each with its line and its column (``columns``: field →
        column of the file)."""
        return [
            RowError(file, row, columns.get(name, name), message)
            for row, fields in sorted(self.errors.items())
            for name, messages in fields.items()
            for message in messages
        ]


@dataclass
class Planned:
    entry: Entry
    pupil: Pupil | None
    # What writing it does: "create", "update" (the pupil or its declaration), "unchanged".
    outcome: str = "unchanged"
    need_outcome: str = ""  # "declare", "change", "withdraw" or ""


@dataclass
class EntriesResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    declared: int = 0
    withdrawn: int = 0
    planned: list[Planned] = field(default_factory=list)

    def sentence(self) -> str:
        parts = [
            plural(self.created, "élève ajouté|élèves ajoutés"),
            plural(self.updated, "élève modifié|élèves modifiés"),
            plural(self.declared, "déclaration enregistrée|déclarations enregistrées"),
        ]
        if self.withdrawn:
            parts.append(plural(self.withdrawn, "déclaration retirée|déclarations retirées"))
        if self.unchanged:
            parts.append(plural(self.unchanged, "ligne inchangée|lignes inchangées"))
        return ", ".join(parts)


def _pupils_of(school: School) -> list[Pupil]:
    return list(Pupil.objects.filter(school=school).select_related("need", "school_class"))


def check_entries(
    *, school: School, entries: Iterable[Entry], need_required: bool = False
) -> list[Planned]:
    """Checks a whole batch of ``school`` against itself and the database; raises
    :class:`EntryErrors` with every error, or returns what writing it would do (nothing is
    written). Two queries whatever the number of rows (the current year, the school's pupils)."""
    entries = list(entries)
    year = current_year()
    pupils = _pupils_of(school)
    by_id = {p.pk: p for p in pupils}
    by_code = {p.code: p for p in pupils}
    errors: dict[int, dict[str, list[str]]] = {}
    codes_seen: dict[str, int] = {}
    pupils_seen: dict[int, int] = {}
    planned = []

    def add(row, name, message):
        errors.setdefault(row, {}).setdefault(name, []).append(fr_typo(message))

    for entry in entries:
        code = entry.code.strip()
        pupil = None
        if entry.pupil_id is not None:
            pupil = by_id.get(entry.pupil_id)
            if pupil is None:
                add(entry.row, "pupil", "cet élève n'est pas (ou plus) un élève de l'école.")
                continue
        elif entry.by_code:
            pupil = by_code.get(code)
        for name, message in check_placement(
            school=school, level=entry.level, school_class=entry.school_class, year=year
        ).items():
            add(entry.row, name, message)
        message = check_code(code)
        if message is None:
            holder = by_code.get(code)
            if code in codes_seen:
                message = f"même code qu'à la ligne {codes_seen[code]}."
            elif holder is not None and holder != pupil:
                where = f" (classe {holder.school_class.name})" if holder.school_class_id else ""
                message = f"« {code} » est déjà le code d'un élève de l'école{where}."
            codes_seen.setdefault(code, entry.row)
        if message is not None:
            add(entry.row, "code", message)
        if pupil is not None:
            if pupil.pk in pupils_seen:
                add(entry.row, "pupil", f"même élève qu'à la ligne {pupils_seen[pupil.pk]}.")
            pupils_seen.setdefault(pupil.pk, entry.row)
        for name, message in check_need(**entry.need_values, required=need_required).items():
            add(entry.row, name, message)
        planned.append(Planned(entry=entry, pupil=pupil))
    if errors:
        raise EntryErrors(errors)
    for item in planned:
        _plan(item)
    return planned


def _plan(item: Planned) -> None:
    entry, pupil = item.entry, item.pupil
    if pupil is None:
        item.outcome = "create"
    else:
        same = (
            pupil.code == entry.code.strip()
            and pupil.level == entry.level
            and pupil.school_class_id == entry.school_class.pk
        )
        item.outcome = "unchanged" if same else "update"
    need = _need_of(pupil) if pupil is not None else None
    if entry.declares:
        if need is None:
            item.need_outcome = "declare"
        elif any(getattr(need, n) != v for n, v in entry.need_values.items()):
            item.need_outcome = "change"
    elif need is not None:
        item.need_outcome = "withdraw"


def _creation_changes(obj) -> dict:
    """What the creation event of ``obj`` lists: every editable field (as ``create_audited``)."""
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.editable
    }
    return diff(type(obj)(), values)


@transaction.atomic
def save_entries(
    *,
    school: School,
    entries: Iterable[Entry],
    actor,
    source: str = AuditSource.UI,
    need_required: bool = False,
) -> EntriesResult:
    """Writes a whole batch of ``school`` (pupils created or edited, their declarations made,
    changed or withdrawn — a row with neither equipment nor internet withdraws one, unless
    ``need_required``), or nothing: :class:`EntryErrors` lists every error by row and field.

    Everything was checked by :func:`check_entries` (the database's constraints stay the last
    word), so the rows are written in bulk with one audit event each: a fixed number of queries
    whatever the size of the batch."""
    _require_declarer(actor, school)
    # Serialise the batches of one school (two heads saving the same class at once).
    School.objects.select_for_update().filter(pk=school.pk).first()
    planned = check_entries(school=school, entries=entries, need_required=need_required)
    result = EntriesResult(planned=planned)
    now, today = timezone.now(), timezone.localdate()
    place = school.audit_place()
    by = {"actor": actor, "source": source, "place": place}
    events = []
    created, changed = [], []
    for item in planned:
        entry = item.entry
        values = {
            "code": entry.code.strip(),
            "level": entry.level,
            "school_class_id": entry.school_class.pk,
        }
        if item.outcome == "create":
            item.pupil = Pupil(
                school=school,
                school_class=entry.school_class,
                code=values["code"],
                level=values["level"],
            )
            created.append(item.pupil)
        elif item.outcome == "update":
            changes = diff(item.pupil, values)
            for name, value in values.items():
                setattr(item.pupil, name, value)
            item.pupil.school_class = entry.school_class
            item.pupil.updated_at = now
            changed.append(item.pupil)
            events.append(build_event(item.pupil, AuditAction.UPDATE, changes=changes, **by))
    Pupil.objects.bulk_create(created, batch_size=BATCH)
    events += [
        build_event(p, AuditAction.CREATE, changes=_creation_changes(p), **by) for p in created
    ]
    Pupil.objects.bulk_update(
        changed, ["code", "level", "school_class", "updated_at"], batch_size=BATCH
    )
    new_needs, changed_needs, withdrawn = [], [], []
    stamp = {"declared_on": today, "declared_by": actor}
    for item in planned:
        if item.need_outcome == "declare":
            new_needs.append(
                NeedDeclaration(pupil=item.pupil, updated_at=now, **item.entry.need_values, **stamp)
            )
        elif item.need_outcome == "change":
            need = item.pupil.need
            values = {**item.entry.need_values, "declared_on": today}
            values["declared_by_id"] = actor.pk if actor is not None else None
            changes = diff(need, values)
            for name, value in values.items():
                setattr(need, name, value)
            need.updated_at = now
            changed_needs.append(need)
            events.append(build_event(need, AuditAction.UPDATE, changes=changes, **by))
        elif item.need_outcome == "withdraw":
            withdrawn.append(item.pupil.need)
            events.append(build_event(item.pupil.need, AuditAction.DELETE, **by))
    NeedDeclaration.objects.bulk_create(new_needs, batch_size=BATCH)
    events += [
        build_event(n, AuditAction.CREATE, changes=_creation_changes(n), **by) for n in new_needs
    ]
    NeedDeclaration.objects.bulk_update(
        changed_needs, [*NEED_FIELDS, "declared_on", "declared_by", "updated_at"], batch_size=BATCH
    )
    NeedDeclaration.objects.filter(pk__in=[n.pk for n in withdrawn]).delete()
    record_many(events)
    if new_needs or withdrawn:
        tallies.recount([school.pk])
    for item in planned:
        if item.need_outcome in ("declare", "change"):
            result.declared += 1
        elif item.need_outcome == "withdraw":
            result.withdrawn += 1
        if item.outcome == "create":
            result.created += 1
        elif item.outcome == "update" or item.need_outcome:
            result.updated += 1
        else:
            result.unchanged += 1
    return result


# --- CSV files of declarations ------------------------------------------------------------------

KIND = "loans.needs"
LABEL = "Déclarations de besoins (prêts M6)"
UAI, CODE, LEVEL, CLASS, DEVICES, SHARED, INTERNET = (
    "uai",
    "code",
    "niveau",
    "classe",
    "equipement",
    "partage_avec",
    "internet",
)
COLUMNS = (CODE, LEVEL, CLASS, DEVICES, SHARED, INTERNET)
# ``tne import`` has no school to import into: its files name it on each line.
CLI_COLUMNS = (UAI, *COLUMNS)
FIELD_COLUMNS = {
    "pupil": CODE,
    "code": CODE,
    "level": LEVEL,
    "school_class": CLASS,
    "devices_at_home": DEVICES,
    "shared_with": SHARED,
    "internet_at_home": INTERNET,
}
EXAMPLE_ROWS = [
    ["E2026-014", "CE1", "CE1 A", "aucun", "", "mobile"],
    ["E2026-015", "CE1", "CE1 A", "partagé", "2", "fixe"],
    ["E2026-016", "CE2", "CE2 B", "personnel", "", "aucun"],
]


def _folded(value: str) -> str:
    """How a closed-list cell is compared: no accent, upper case, single spaces (« ULIS école »,
    « ulis_ecole » and « ULIS ECOLE » alike)."""
    return " ".join(plain_upper(value).replace("_", " ").replace("'", " ").split())


_LEVELS = {_folded(lvl.value): lvl.value for lvl in ELEMENTARY_LEVELS} | {
    _folded(str(lvl.label)): lvl.value for lvl in ELEMENTARY_LEVELS
}
_DEVICES = {
    **{_folded(v): v for v in HomeDevices.values},
    **{_folded(str(c.label)): c.value for c in HomeDevices},
    "AUCUN": HomeDevices.NONE,
    "PARTAGE": HomeDevices.SHARED,
    "PERSONNEL": HomeDevices.OWN,
}
_INTERNET = {
    **{_folded(v): v for v in HomeInternet.values},
    **{_folded(str(c.label)): c.value for c in HomeInternet},
    "AUCUN": HomeInternet.NONE,
    "NON": HomeInternet.NONE,
    "MOBILE": HomeInternet.MOBILE,
    "FIXE": HomeInternet.FIXED,
}


@dataclass
class NeedsCheck:
    """A checked file: per school, what writing it does."""

    label: str
    by_school: dict[int, tuple[School, list[Planned]]]

    @property
    def planned(self) -> list[Planned]:
        return [item for _, items in self.by_school.values() for item in items]

    def counts(self) -> dict[str, int]:
        items = self.planned
        return {
            "lines": len(items),
            "create": sum(1 for i in items if i.outcome == "create"),
            "update": sum(1 for i in items if i.outcome == "update"),
            "declare": sum(1 for i in items if i.need_outcome == "declare"),
            "change": sum(1 for i in items if i.need_outcome == "change"),
            "unchanged": sum(1 for i in items if i.outcome == "unchanged" and not i.need_outcome),
        }


def _read_lines(table, errors: ErrorCollector):
    """``(line, cells)`` of the file with the closed lists read (the classes later)."""
    for line, raw in table.rows(errors.add):
        if line - 1 > MAX_FILE_LINES:
            errors.add(line, None, f"le fichier dépasse {MAX_FILE_LINES} lignes : découpez-le.")
            return
        cells = {key: (value or "").strip() for key, value in raw.items()}
        if not any(cells.values()):
            continue
        level = _LEVELS.get(_folded(cells[LEVEL]), cells[LEVEL])
        # An unknown word stays as written: the check of the declaration names it.
        devices = _DEVICES.get(_folded(cells[DEVICES]), cells[DEVICES])
        internet = _INTERNET.get(_folded(cells[INTERNET]), cells[INTERNET])
        shared = None
        if cells[SHARED]:
            if not cells[SHARED].isdigit():
                errors.add(line, SHARED, f"« {cells[SHARED]} » n'est pas un nombre d'enfants.")
                continue
            shared = int(cells[SHARED])
        yield line, cells, level, devices, internet, shared


def check_needs_file(
    path: str | Path,
    *,
    label: str,
    school: School | None = None,
    school_class: SchoolClass | None = None,
) -> NeedsCheck:
    """Reads and checks a whole file of declarations, ``code;niveau;classe;equipement;
    partage_avec;internet`` (``;`` or ``,``), for ``school`` (and, given, one of its classes:
    an empty ``classe`` is then that class), or, without a school, for the schools its ``uai``
    column names (``tne import``). Raises :class:`ImportFileError` with every error by line and
    column; nothing is written."""
    table = open_table(path, label=label)
    table.header = [name.strip().lower() for name in table.header]
    table.require(COLUMNS if school is not None else CLI_COLUMNS)
    errors = ErrorCollector(label)
    year = current_year()
    if year is None:
        errors.add(
            None, None, "aucune année scolaire n'est en cours : les classes ne se vérifient pas."
        )
        errors.raise_if_any()
    lines = list(_read_lines(table, errors))
    schools = {school.uai: school} if school is not None else _schools_named(lines, errors)
    classes = {
        (c.school_id, _folded(c.name)): c
        for c in SchoolClass.objects.filter(
            school__in=[s.pk for s in schools.values()], year=year, stage=Stage.ELEMENTARY
        )
    }
    batches: dict[int, list[Entry]] = {}
    for line, cells, level, devices, internet, shared in lines:
        target = school if school is not None else schools.get(cells[UAI].upper())
        if target is None:
            continue
        if UAI in cells and cells[UAI] and cells[UAI].upper() != target.uai:
            errors.add(line, UAI, f"ce fichier est celui {de(target.name)} ({target.uai}).")
            continue
        name = cells[CLASS]
        found = classes.get((target.pk, _folded(name))) if name else school_class
        if name and found is None:
            errors.add(
                line,
                CLASS,
                f"« {name} » n'est pas une classe élémentaire {de(target.name)} en {year}.",
            )
            continue
        if found is None:
            errors.add(line, CLASS, "indiquez la classe de l'élève.")
            continue
        if school_class is not None and found != school_class:
            errors.add(line, CLASS, f"ce fichier est celui de la classe {school_class.name}.")
            continue
        batches.setdefault(target.pk, []).append(
            Entry(
                row=line,
                code=cells[CODE],
                level=level,
                school_class=found,
                devices_at_home=devices,
                shared_with=shared,
                internet_at_home=internet,
                by_code=True,
            )
        )
    by_school = {}
    for target in schools.values():
        try:
            by_school[target.pk] = (
                target,
                check_entries(
                    school=target, entries=batches.get(target.pk, []), need_required=True
                ),
            )
        except EntryErrors as exc:
            for error in exc.row_errors(label, FIELD_COLUMNS):
                errors.add(error.line, error.column, error.message)
    errors.raise_if_any()
    if not any(items for _, items in by_school.values()):
        errors.add(None, None, "le fichier n'a aucune ligne à importer après son en-tête.")
        errors.raise_if_any()
    return NeedsCheck(label=label, by_school=by_school)


def _schools_named(lines, errors: ErrorCollector) -> dict[str, School]:
    """The schools the ``uai`` column names (one query); an unknown or non-elementary one is
    an error of its first line."""
    first_line: dict[str, int] = {}
    for line, cells, *_ in lines:
        uai = cells[UAI].upper()
        if not uai:
            errors.add(line, UAI, "indiquez l'UAI de l'école.")
        else:
            first_line.setdefault(uai, line)
    found = {s.uai: s for s in elementary_schools().filter(uai__in=list(first_line))}
    for uai, line in first_line.items():
        if uai not in found:
            errors.add(line, UAI, f"aucune école élémentaire ou primaire n'a l'UAI « {uai} ».")
    return found


@transaction.atomic
def import_needs_file(
    path: str | Path,
    *,
    label: str,
    actor,
    school: School | None = None,
    school_class: SchoolClass | None = None,
    source: str = AuditSource.IMPORT,
) -> EntriesResult:
    """Checks the file again and writes it all, or nothing (see :func:`check_needs_file`)."""
    if school is not None:
        _require_declarer(actor, school)
    check = check_needs_file(path, label=label, school=school, school_class=school_class)
    total = EntriesResult()
    try:
        for target, items in check.by_school.values():
            result = save_entries(
                school=target,
                entries=[item.entry for item in items],
                actor=actor,
                source=source,
                need_required=True,
            )
            for name in ("created", "updated", "unchanged", "declared", "withdrawn"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
    except EntryErrors as exc:  # The file changed under us (a pupil added meanwhile).
        raise ImportFileError(exc.row_errors(label, FIELD_COLUMNS)) from exc
    return total


def run_needs_file(path, *, label=None, dry_run=False, progress=None) -> str:
    """``tne import FILE`` for a file of declarations (with its ``uai`` column): the sentence it
    prints."""
    with transaction.atomic():
        result = import_needs_file(
            path, label=label or Path(path).name, actor=None, source=AuditSource.CLI
        )
        if dry_run:
            transaction.set_rollback(True)
    return result.sentence() + (" (simulation)." if dry_run else ".")
