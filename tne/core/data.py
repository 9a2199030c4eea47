"""The open-data files TNE reads at run time, under ``settings.DATA_DIR``: the ``data/`` folder of
the repository unless ``TNE_DATA_DIR`` names another one (see data/README.md).

A file that is missing or cannot be opened stops whatever needed it with one French sentence
naming the file and the setting, never a traceback: :class:`DataFileError` is a
``CommandError``, so a management command that meets it prints that sentence and exits non-zero;
a web page catches it and logs it."""

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

SETTING_HINT = "vérifiez TNE_DATA_DIR (dossier des données ouvertes)"


class DataFileError(CommandError):
    """A data file TNE needs is missing or unreadable; the message is one sentence."""


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def missing_file_message(path: Path) -> str:
    return f"Fichier de données introuvable : {path} ; {SETTING_HINT}."


def unreadable_file_message(path: Path, reason: str) -> str:
    return f"Fichier de données illisible : {path} ({reason}) ; {SETTING_HINT}."


def os_error_reason(exc: OSError) -> str:
    """Why a file could not be opened, in French for the common cases."""
    if isinstance(exc, PermissionError):
        return "accès refusé"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier"
    return exc.strerror or str(exc)


def require_data_file(path: Path) -> Path:
    """``path`` if it is a file that can be opened, else :class:`DataFileError`."""
    try:
        with Path(path).open("rb"):
            pass
    except FileNotFoundError:
        raise DataFileError(missing_file_message(path)) from None
    except OSError as exc:
        raise DataFileError(unreadable_file_message(path, os_error_reason(exc))) from None
    return Path(path)


def require_data_files(paths: Iterable[Path]) -> list[Path]:
    """Every path checked by :func:`require_data_file`, the first missing one raising."""
    return [require_data_file(path) for path in paths]
