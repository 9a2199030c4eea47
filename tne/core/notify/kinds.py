"""The French labels of the kinds of message, registered by the apps that send them (from their
``registrations`` module), for the « Type » column and filter of « Messages envoyés »::

    message_kind("loans.reminder", "Rappel de retour d'un matériel prêté")

A kind sent without a label shows its code."""

_KINDS: dict[str, str] = {}


def message_kind(code: str, label: str) -> str:
    """Registers the label of ``code``; registering it again replaces it."""
    _KINDS[code] = label
    return code


def kind_label(code: str) -> str:
    return _KINDS.get(code, code)


def kind_choices() -> list[tuple[str, str]]:
    """The registered kinds, by label."""
    return sorted(_KINDS.items(), key=lambda item: (item[1], item[0]))


TEST = message_kind("core.test", "Message d'essai (tne notify-test)")
