"""``python -m checker`` is the ``distcheck`` command."""

from checker.cli import main

main()
