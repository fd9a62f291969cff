"""The ``rapport`` command: Django's manage.py with Rapport's defaults.

``rapport serve``, ``rapport worker``, ``rapport demo`` and every Django command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line  # after the settings default

    execute_from_command_line(["rapport", *(sys.argv[1:] if argv is None else argv)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
