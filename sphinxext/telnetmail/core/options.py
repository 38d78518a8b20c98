"""The ``transcript`` directive's options, declared once for every reader.

The directive builds its ``option_spec`` from :data:`OPTIONS`;
``telnetmail check`` and the pytest plugin (through ``rstscan``) and the
``transcripts`` builder (through the node) hand the options a replay reads,
:data:`REPLAYED`, as text to ``Case.parse``, which reads them back with
:func:`split_names`.
"""

from __future__ import annotations

import enum
import re


class Kind(enum.Enum):
    """What an option's value is."""

    TEXT = enum.auto()
    REQUIRED_TEXT = enum.auto()
    PROTOCOL = enum.auto()  # smtp | pop3 | imap
    NAMES = enum.auto()  # transcript names, by spaces or commas
    MODE = enum.auto()  # a match mode
    CLASSES = enum.auto()
    FLAG = enum.auto()


OPTIONS: dict[str, Kind] = {
    "name": Kind.TEXT,
    "caption": Kind.REQUIRED_TEXT,
    "protocol": Kind.PROTOCOL,
    "after": Kind.NAMES,
    "match": Kind.MODE,
    "class": Kind.CLASSES,
    "no-index": Kind.FLAG,
    "reset": Kind.FLAG,
}

#: The options a replay reads, as text: ``{"after": "send, read", ...}``.
#: A flag (``reset``) is there only when given, with the value ``""``.
REPLAYED: tuple[str, ...] = ("name", "protocol", "after", "match", "reset")

_NAME_SEPARATORS = re.compile(r"[\s,]+")


def split_names(value: str) -> list[str]:
    """``:after:``'s names: separated by spaces or commas."""
    return [name for name in _NAME_SEPARATORS.split(value) if name]
