"""The ``kejiju`` console command: ``manage.py`` with the dev settings as default."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a Django management command; ``DJANGO_SETTINGS_MODULE`` overrides the dev default."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejiju.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
