"""Filling the socle audit of a school: the school's and its head's criteria and each class's, all
saved at once and audited; and what the asset register says of them (« pré-remplir depuis le
registre »), shown for confirmation before it is saved."""

from django.core.exceptions import ValidationError
from django.db import transaction

from tne.core.audit import create_audited, update_audited
from tne.core.models import AuditSource
from tne.territory.models import School, SchoolClass, SchoolYear, class_order_key

from ..enums import AssetState
from ..models import Asset, ClassAudit, SchoolAudit
from ..models.audits import SocleAuditSource
from ..socle import CLASS_FIELDS, SCHOOL_FIELDS, SOCLE_SCHOOL_KINDS, socle_classes

# The devices of the register that count as being in the class or the school.
PRESENT_STATES = (AssetState.INSTALLED, AssetState.ALLOCATED)


def is_socle_school(school: School) -> bool:
    return school.kind in SOCLE_SCHOOL_KINDS


def current_year() -> SchoolYear | None:
    return SchoolYear.objects.current()


def classes_of(school: School, year: SchoolYear) -> list[SchoolClass]:
    """The elementary classes of ``school`` in ``year``, in pedagogical order."""
    return sorted(socle_classes(year).filter(school=school), key=class_order_key)


def answers_of(school: School, year: SchoolYear) -> tuple[dict | None, dict[int, dict]]:
    """The saved answers: the school's (``None``: no audit yet) and class id → answers."""
    audit = SchoolAudit.objects.filter(school=school, year=year).first()
    if audit is None:
        return None, {}
    school_answers = {name: getattr(audit, name) for name in SCHOOL_FIELDS}
    class_answers = {
        row["school_class_id"]: row
        for row in ClassAudit.objects.filter(audit=audit).values("school_class_id", *CLASS_FIELDS)
    }
    return school_answers, class_answers


def register_answers(school: School, year: SchoolYear) -> tuple[dict, dict[int, dict]]:
    """What the register says: each class's criteria from the devices of the class (installed
    or allocated), by category; the school's and its head's from the school's devices without
    a class. One query."""
    by_class: dict[int, set[str]] = {}
    school_wide: set[str] = set()
    rows = (
        Asset.objects.filter(school=school, state__in=PRESENT_STATES)
        .values_list("school_class_id", "model__category__code")
        .distinct()
    )
    for class_id, code in rows:
        if class_id is None:
            school_wide.add(code)
        else:
            by_class.setdefault(class_id, set()).add(code)
    class_answers = {}
    for school_class in classes_of(school, year):
        has = by_class.get(school_class.pk, set())
        class_answers[school_class.pk] = {
            "has_display": bool(has & {"projector", "interactive-display"}),
            "has_document_camera": "document-camera" in has,
            "has_laptop": "laptop" in has,
            "has_internet": bool(has & {"wifi-access-point", "router-4g"}),
            "has_camera": "webcam" in has,
            "has_audio": {"microphone", "speakers"} <= has,
        }
    school_answers = {
        "has_shared_pack": bool(school_wide & {"tablet"}),
        "head_has_laptop": "laptop" in school_wide,
        "head_has_internet": bool(school_wide & {"router-4g", "wifi-access-point"}),
        "head_has_printer": "printer-scanner" in school_wide,
    }
    return school_answers, class_answers


@transaction.atomic
def save_school_audit(
    *,
    school: School,
    year: SchoolYear,
    school_answers: dict,
    class_answers: dict[int, dict],
    actor,
    from_register: bool = False,
    source: str = AuditSource.UI,
) -> SchoolAudit:
    """Writes the audit of ``school`` for ``year``: its criteria, and those of the classes named
    in ``class_answers`` (class id → field → bool; a field left out is False). Every class must
    be an elementary class of the school in that year. Creates or changes each row, audited."""
    if not is_socle_school(school):
        raise ValidationError(
            f"{school} n'est pas une école élémentaire ou primaire\u00a0: "
            "le socle ne la concerne pas."
        )
    allowed = {c.pk: c for c in classes_of(school, year)}
    unknown = sorted(set(class_answers) - set(allowed))
    if unknown:
        raise ValidationError(
            "Ces classes ne sont pas des classes élémentaires de "
            f"{school} en {year}\u00a0: {', '.join(str(pk) for pk in unknown)}."
        )
    kind = SocleAuditSource.REGISTER if from_register else SocleAuditSource.MANUAL
    school_values = {name: bool(school_answers.get(name)) for name in SCHOOL_FIELDS}
    audit = SchoolAudit.objects.select_for_update().filter(school=school, year=year).first()
    if audit is None:
        audit = create_audited(
            SchoolAudit(school=school, year=year, source=kind, updated_by=actor, **school_values),
            actor=actor,
            source=source,
        )
    else:
        update_audited(
            audit,
            {**school_values, "source": kind, "updated_by": actor},
            actor=actor,
            source=source,
        )
        audit.save(update_fields=["updated_at"])
    existing = {a.school_class_id: a for a in ClassAudit.objects.filter(school_class__in=allowed)}
    for class_id, answers in class_answers.items():
        values = {name: bool(answers.get(name)) for name in CLASS_FIELDS}
        row = existing.get(class_id)
        if row is None:
            create_audited(
                ClassAudit(audit=audit, school_class=allowed[class_id], **values),
                actor=actor,
                source=source,
            )
        else:
            update_audited(row, {"audit": audit, **values}, actor=actor, source=source)
    return audit
