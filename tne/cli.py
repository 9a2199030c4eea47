"""The ``tne`` command: the project's management commands under one name.

``tne demo``, ``tne serve``, ``tne import KIND FILE``… are ``manage.py demo`` and so on; any other
Django management command works too (``tne migrate``, ``tne createsuperuser``).

``tne allocate INSTANCE.json`` (the M6 allocation engine, :func:`tne.loans.engine.command`) runs
before Django is set up: it needs no settings and no database."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else ["tne", *argv])
    # --- M6: the allocation engine, without Django (no settings, no database) ---
    if args[1:2] == ["allocate"]:
        from tne.loans.engine import command

        sys.exit(command(args[2:]))
    # ---
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
    from django.core.management import execute_from_command_line

    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
