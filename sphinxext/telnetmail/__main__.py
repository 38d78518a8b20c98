"""``python -m telnetmail``: the same as the ``telnetmail`` command."""

from telnetmail.cli import main

raise SystemExit(main())
