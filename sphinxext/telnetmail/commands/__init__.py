"""Subcommands of the ``telnetmail`` command line, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets
``handler`` (a function taking the parsed namespace and returning an exit
code) as the parser's default.
"""

from __future__ import annotations

# The order here is the order of ``telnetmail --help``.
COMMAND_MODULES: tuple[str, ...] = ("serve", "reset", "check", "record")
