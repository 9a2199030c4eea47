"""The forms of the socle audit: the whole school in one form (the school's and its head's
criteria, then each class's, with « même équipement que la classe… »), the filters of the
overview and the choices of the plan."""

from django import forms
from dsfr.forms import DsfrBaseForm

from tne.territory.enums import NodeKind
from tne.territory.models import SchoolClass

from ..models import SchoolAudit
from ..socle import CLASS_FIELDS, SCHOOL_FIELDS

# Short column headings of the class criteria (the model's verbose names are the long ones).
CLASS_HEADINGS = {
    "has_display": "Affichage collectif",
    "has_document_camera": "Visualiseur (facultatif)",
    "has_laptop": "Ordinateur portable",
    "has_internet": "Internet",
    "has_camera": "Captation d'image",
    "has_audio": "Micro et haut-parleurs",
}


def class_field_name(class_id: int, name: str) -> str:
    return f"c{class_id}-{name}"


def copy_field_name(class_id: int) -> str:
    return f"c{class_id}-copy"


class SchoolAuditForm(DsfrBaseForm):
    """One checkbox per criterion of the school, of its head and of each class (``classes``),
    and per class a « même équipement que » select naming the other classes."""

    bulk_from = forms.TypedChoiceField(
        label="Appliquer à toutes les classes l'équipement de",
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, classes: list[SchoolClass], **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = classes
        for name in SCHOOL_FIELDS:
            self.fields[name] = forms.BooleanField(
                label=SchoolAudit._meta.get_field(name).verbose_name.capitalize(), required=False
            )
        names = [(c.pk, c.name) for c in classes]
        self.fields["bulk_from"].choices = [("", "Choisir une classe"), *names]
        for school_class in classes:
            for name in CLASS_FIELDS:
                self.fields[class_field_name(school_class.pk, name)] = forms.BooleanField(
                    label=f"{CLASS_HEADINGS[name]} — {school_class.name}", required=False
                )
            self.fields[copy_field_name(school_class.pk)] = forms.TypedChoiceField(
                label=f"Même équipement que — {school_class.name}",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Choisir une classe")]
                + [(pk, name) for pk, name in names if pk != school_class.pk],
            )

    @staticmethod
    def initial_for(school_answers: dict | None, class_answers: dict[int, dict]) -> dict:
        initial = dict(school_answers or {})
        for class_id, answers in class_answers.items():
            for name in CLASS_FIELDS:
                initial[class_field_name(class_id, name)] = bool(answers.get(name))
        return initial

    def rows(self):
        """Per class: the class, its checkboxes (bound fields) and its copy select."""
        for school_class in self.classes:
            yield {
                "school_class": school_class,
                "boxes": [self[class_field_name(school_class.pk, n)] for n in CLASS_FIELDS],
                "copy": self[copy_field_name(school_class.pk)],
            }

    def school_boxes(self):
        return [self[name] for name in SCHOOL_FIELDS]

    def posted_answers(self) -> tuple[dict, dict[int, dict]]:
        """The answers as posted (cleaned)."""
        data = self.cleaned_data
        school = {name: bool(data.get(name)) for name in SCHOOL_FIELDS}
        classes = {
            c.pk: {n: bool(data.get(class_field_name(c.pk, n))) for n in CLASS_FIELDS}
            for c in self.classes
        }
        return school, classes

    def copied(self, target_id: int | None) -> dict:
        """The data of the form again with one class (``target_id``) or every class
        (``None``: the bulk action) given the answers of the class its select names."""
        school, classes = self.posted_answers()
        if target_id is None:
            source = self.cleaned_data.get("bulk_from")
            targets = [c.pk for c in self.classes if c.pk != source]
        else:
            source = self.cleaned_data.get(copy_field_name(target_id))
            targets = [target_id]
        if source in classes:
            for target in targets:
                if target in classes:
                    classes[target] = dict(classes[source])
        return self.initial_for(school, classes), source


def class_headings() -> list[str]:
    return [CLASS_HEADINGS[name] for name in CLASS_FIELDS]


class AuditFilterForm(DsfrBaseForm):
    """The filters of the overview: codes of a département, a circonscription, a commune, and
    the schools with classes not audited."""

    departement = forms.CharField(label="Département (code)", required=False, max_length=10)
    circonscription = forms.CharField(label="Circonscription (code)", required=False, max_length=10)
    commune = forms.CharField(label="Commune (code INSEE)", required=False, max_length=10)
    non_audite = forms.BooleanField(
        label="Seulement les écoles avec des classes non auditées", required=False
    )

    KINDS = {
        "departement": NodeKind.DEPARTEMENT,
        "circonscription": NodeKind.CIRCONSCRIPTION,
        "commune": NodeKind.COMMUNE,
    }

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class PlanForm(DsfrBaseForm):
    envelope = forms.ModelChoiceField(label="Enveloppe M4", queryset=None, empty_label=None)
    school_packs = forms.BooleanField(
        label="Financer aussi les lots mutualisés des écoles", required=False
    )
    head_kits = forms.BooleanField(
        label="Financer aussi l'équipement des directions", required=False
    )

    def __init__(self, *args, envelopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = envelopes
        self.fields["envelope"].label_from_instance = lambda e: (
            f"{e.measure.code} — {e.node}{' — ' + str(e.period) if e.period_id else ''}"
        )


class PlanCampaignForm(PlanForm):
    """The plan's choices again, posted by « Créer la campagne », with the fingerprint of the
    plan the person confirms (empty until the confirmation page)."""

    fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
