"""The forms of the lifecycle: the hand-out and the return at the counter (each a signature form:
the guardian types their name and consents, a drawing optional), declining an offer, a loss, an
extension, the filters of the overdue list."""

from django import forms
from dsfr.forms import DsfrBaseForm

from tne.core.signing import SignatureForm
from tne.core.validators import single_line_text

from ..enums import LoanOutcome, ReturnCondition
from ..services import lifecycle

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GUARDIAN_NAME = "Nom et prénom du responsable légal"
GUARDIAN_HELP = "Le responsable légal saisit lui-même son nom\u00a0: il vaut signature."


def add_service_errors(form, error) -> None:
    """The ValidationError of a service on the form's fields (or the form when it names none
    of them)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class _GuardianSignature(SignatureForm):
    def __init__(self, *args, consent_text: str, **kwargs):
        super().__init__(*args, consent_text=consent_text, **kwargs)
        self.relabel("typed_name", GUARDIAN_NAME, GUARDIAN_HELP)

    def signature_data(self) -> lifecycle.SignatureData:
        data = self.cleaned_data
        return lifecycle.SignatureData(
            typed_name=data["typed_name"], consent=data["consent"], drawing=data["drawing"]
        )


class HandOutForm(_GuardianSignature):
    """The last step at the counter: the loan and the device are chosen (hidden fields), the
    return date (the end of the school year unless changed), the guardian's signature."""

    loan = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    asset_tag = forms.CharField(widget=forms.HiddenInput, max_length=80)
    due_on = forms.DateField(
        label="À rendre au plus tard le",
        help_text="Par défaut, la fin de l'année scolaire.",
        widget=DATE_WIDGET,
    )
    field_order = ["loan", "asset_tag", "due_on", "typed_name", "consent", "drawing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, consent_text=lifecycle.AGREEMENT_CONSENT, **kwargs)


class ReturnForm(_GuardianSignature):
    loan = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    condition = forms.ChoiceField(
        label="État du matériel rendu",
        choices=ReturnCondition.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Remarque (facultative)",
        help_text="Ce qui manque, ce qui est abîmé…",
        required=False,
        max_length=255,
        validators=[single_line_text],
    )
    field_order = ["loan", "condition", "note", "typed_name", "consent", "drawing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, consent_text=lifecycle.RETURN_CONSENT, **kwargs)


class DeclineForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif",
        help_text="Par exemple\u00a0: la famille a déjà un équipement, elle a déménagé.",
        max_length=255,
        validators=[single_line_text],
    )


class LossForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label="Ce qui est arrivé",
        choices=[
            (LoanOutcome.LOST, "Perdu"),
            (LoanOutcome.STOLEN, "Volé"),
            (LoanOutcome.DAMAGED, "Rendu hors d'usage"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Description",
        help_text="Quand, comment, et pour un vol la référence de la plainte.",
        max_length=255,
        validators=[single_line_text],
    )


class ExtendForm(DsfrBaseForm):
    due_on = forms.DateField(label="Nouvelle date de retour", widget=DATE_WIDGET)


class OverdueFilterForm(DsfrBaseForm):
    school = forms.CharField(
        label="École (nom ou UAI)",
        required=False,
        max_length=100,
        validators=[single_line_text],
    )
    commune = forms.TypedChoiceField(label="Commune", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Toutes")] + [(c.pk, c.name) for c in communes]
        self.fields["commune"].choices = choices
        self["commune"].field.choices = choices
