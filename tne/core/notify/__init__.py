"""One notification service for every app: e-mails and SMS recorded as ``Message`` rows (the
recipient sealed, a masked form for the lists), handed after the commit to the backend of their
channel (``TNE_NOTIFY_EMAIL_BACKEND``, ``TNE_NOTIFY_SMS_BACKEND``: ``console``, ``outbox``,
``email`` or a class of one's own, see :mod:`.backends`), shown in « Messages envoyés »::

    from tne.core import notify

    notify.send(channel=notify.Channel.SMS, to="06 12 34 56 78", subject="Rappel",
                body="…", kind="loans.reminder", place=loan, reference=loan, actor=user)
    notify.send(..., body=f"… {one_time_link} …", confidential=[one_time_link])  # kept masked
    notify.send_many([notify.Outgoing(channel=…, to=…, …) for … in …])
"""

from ..models import Channel, Message, MessageStatus
from .backends import Backend, SmsBackend
from .kinds import kind_label, message_kind
from .recipients import is_mobile, mask, normalise_email, normalise_phone, normalise_recipient
from .selectors import messages_visible_to
from .service import (
    CONFIDENTIAL,
    SMS_MAX_LENGTH,
    Outgoing,
    dispatch,
    forget_recipients,
    send,
    send_many,
)

__all__ = [
    "CONFIDENTIAL",
    "SMS_MAX_LENGTH",
    "Backend",
    "Channel",
    "Message",
    "MessageStatus",
    "Outgoing",
    "SmsBackend",
    "dispatch",
    "forget_recipients",
    "is_mobile",
    "kind_label",
    "mask",
    "message_kind",
    "messages_visible_to",
    "normalise_email",
    "normalise_phone",
    "normalise_recipient",
    "send",
    "send_many",
]
