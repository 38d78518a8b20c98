"""Transcript names: each defined once among the pages checked together.

An ``:after:`` finds the transcript it names among every page read with it;
with a name defined twice it could replay either. The Sphinx build, ``telnetmail
check`` and the pytest plugin find such names with :func:`duplicates`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class Duplicate(NamedTuple):
    """A name defined again at ``again``, first defined at ``first``."""

    name: str
    first: str  # "path:line" of the first definition, in reading order
    again: str  # "path:line" of the later one

    def __str__(self) -> str:
        return f"duplicate transcript name {self.name!r}, also at {self.first}"


def duplicates(defined: Iterable[tuple[str, str]]) -> list[Duplicate]:
    """Every later definition of a name among ``(name, location)`` pairs.

    Each one is paired with the first definition; unnamed transcripts
    (name ``""``) are never duplicates.
    """
    first: dict[str, str] = {}
    found: list[Duplicate] = []
    for name, location in defined:
        if not name:
            continue
        if name in first:
            found.append(Duplicate(name, first[name], location))
        else:
            first[name] = location
    return found
