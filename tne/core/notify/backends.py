"""The backends that deliver messages, one small class each, chosen per channel by the settings
``TNE_NOTIFY_EMAIL_BACKEND`` and ``TNE_NOTIFY_SMS_BACKEND`` (a short name of :data:`SHORT_NAMES`
or the dotted path of a class).

A backend is a class with a ``send(message)`` method that delivers one
:class:`~tne.core.models.Message` or **raises** (any exception: the message is then marked failed
with its text, and the caller's request goes on). It reads the recipient with
``message.unseal_recipient()``, the subject with ``message.subject`` and the text with
``message.body`` (during ``send`` the text to deliver, confidential values and the recipient in
clear, while the row keeps them masked: :func:`kept_body`). It may also define ``open()`` and
``close()``, called around a batch (one SMTP connection for the hundreds of reminders of a
day).

Plugging an SMS provider is one class, for example ``myproject.sms.ProviderBackend``::

    class ProviderBackend(SmsBackend):
        name = "fournisseur"
        label = "SMS (Fournisseur)"

        def send(self, message):
            answer = requests.post(URL, timeout=10, data={
                "to": message.unseal_recipient(), "text": message.body})
            answer.raise_for_status()

and ``TNE_NOTIFY_SMS_BACKEND=myproject.sms.ProviderBackend``. Its keys come from the environment
like every setting (read them in ``__init__``)."""

import logging
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from ..models import Channel

logger = logging.getLogger("tne.notify")


def kept_body(message) -> str:
    """The text of ``message`` as its row keeps it (a confidential value masked), also while
    ``send`` delivers it: what a backend writes to logs."""
    return getattr(message, "_kept_body", message.body)


class Backend:
    """What every backend is: a name (kept on each message it delivers), a French label for the
    pages, the channels it serves, and ``send``."""

    name = ""
    label = ""
    channels: tuple[str, ...] = (Channel.EMAIL, Channel.SMS)

    def open(self) -> None:
        """Before a batch of messages (optional)."""

    def close(self) -> None:
        """After a batch of messages, whatever happened (optional)."""

    def send(self, message) -> None:
        raise NotImplementedError


class SmsBackend(Backend):
    """The interface of an SMS provider: ``send(message)`` delivers ``message.body`` to
    ``message.unseal_recipient()`` (E.164, ``+33612345678``) or raises."""

    channels = (Channel.SMS,)


class ConsoleBackend(Backend):
    """Writes the message to the ``tne.notify`` logger (the console of ``make demo`` and of
    development), with the masked recipient and the kept text: logs are collected, the address
    stays sealed and a one-time link is not written."""

    name = "console"
    label = "console (aucun envoi réel)"

    def send(self, message) -> None:
        subject = f"\nObjet : {message.subject}" if message.subject else ""
        logger.info(
            "%s n° %s (%s) à %s%s\n%s",
            message.get_channel_display(),
            message.pk,
            message.kind,
            message.recipient_masked,
            subject,
            kept_body(message),
        )


class OutboxBackend(Backend):
    """Only records: the message stays in the « Messages envoyés » page, nothing leaves."""

    name = "outbox"
    label = "boîte d'envoi (aucun envoi réel)"

    def send(self, message) -> None:
        return None


class EmailBackend(Backend):
    """An e-mail through Django's ``EmailMessage`` and the configured ``EMAIL_BACKEND`` (SMTP in
    production, ``EMAIL_HOST``…); one connection per batch."""

    name = "email"
    label = "courriel (serveur de messagerie)"
    channels = (Channel.EMAIL,)

    def __init__(self):
        self.connection = None

    def open(self) -> None:
        self.connection = get_connection(fail_silently=False)
        self.connection.open()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, message) -> None:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.unseal_recipient()],
            connection=self.connection,
        )
        if email.send(fail_silently=False) != 1:
            raise RuntimeError("le serveur de messagerie n'a pas accepté le message")


SHORT_NAMES = {"console": ConsoleBackend, "outbox": OutboxBackend, "email": EmailBackend}
SETTINGS = {Channel.EMAIL: "TNE_NOTIFY_EMAIL_BACKEND", Channel.SMS: "TNE_NOTIFY_SMS_BACKEND"}


def configured_name(channel: str) -> str:
    """The backend setting of ``channel``, as written (« console », a dotted path…)."""
    return getattr(settings, SETTINGS[channel])


@cache
def _backend_class(channel: str, name: str) -> type[Backend]:
    variable = SETTINGS[channel]
    if name in SHORT_NAMES:
        backend = SHORT_NAMES[name]
    else:
        try:
            backend = import_string(name)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"{variable}={name!r} : ni un nom court ({', '.join(SHORT_NAMES)}) ni une classe "
                f"importable ({exc})."
            ) from None
    if not (isinstance(backend, type) and callable(getattr(backend, "send", None))):
        raise ImproperlyConfigured(f"{variable}={name!r} n'est pas une classe avec send(message).")
    if channel not in getattr(backend, "channels", (channel,)):
        raise ImproperlyConfigured(
            f"{variable}={name!r} : ce moyen d'envoi ne sert pas le canal {Channel(channel).label}."
        )
    return backend


def backend_for(channel: str) -> Backend:
    """A new instance of the backend configured for ``channel``."""
    return _backend_class(channel, configured_name(channel))()


@cache
def label_of(name: str) -> str:
    """The French label of a backend kept on a message (its name or dotted path)."""
    backend = SHORT_NAMES.get(name)
    if backend is None:
        try:
            backend = import_string(name)
        except ImportError:
            return name
    return getattr(backend, "label", "") or name
