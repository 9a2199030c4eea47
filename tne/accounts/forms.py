import datetime
import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from tne.core.validators import single_line_text


class LoginForm(DsfrBaseForm, AuthenticationForm):
    """Email and password, in DSFR style."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "class": "fr-input"}
        )
        self.fields["password"].label = "Mot de passe"


class ApiTokenForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        validators=[single_line_text],
        help_text="Pour le reconnaître plus tard, par exemple "
        "«\u00a0Tableau de suivi des prêts\u00a0».",
    )
    expires_on = forms.DateField(
        label="Date d'expiration",
        required=False,
        help_text="Le jeton cesse de fonctionner à la fin de ce jour. "
        "Laisser vide pour un jeton sans expiration.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on and expires_on <= timezone.localdate():
            raise forms.ValidationError("La date d'expiration doit être dans le futur.")
        return expires_on

    @property
    def expires_at(self) -> datetime.datetime | None:
        """The token stops working at the end of the chosen day, Paris time."""
        expires_on = self.cleaned_data.get("expires_on")
        if not expires_on:
            return None
        next_day = datetime.datetime.combine(
            expires_on + datetime.timedelta(days=1), datetime.time()
        )
        return timezone.make_aware(next_day)


class ThrottledPasswordResetForm(DsfrBaseForm, PasswordResetForm):
    """« Mot de passe oublié ? »: Django's reset form (a message only to an active account with a
    password; the page reads the same whether the address has an account or not), sending at
    most ``TNE_PASSWORD_RESET_LIMIT`` messages per address and per hour: past that, nothing is
    sent and the page still reads the same (the count is kept in the cache, per address)."""

    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        key = "tne:password-reset:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > settings.TNE_PASSWORD_RESET_LIMIT:
            return iter(())
        return super().get_users(email)
