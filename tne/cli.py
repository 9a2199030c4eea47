"""The ``tne`` command: the project's management commands under one name.

``tne demo``, ``tne serve``, ``tne import KIND FILE``… are ``manage.py demo`` and so on; any other
Django management command works too (``tne migrate``, ``tne createsuperuser``)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["tne", *argv])
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
