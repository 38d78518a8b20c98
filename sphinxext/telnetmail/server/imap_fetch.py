"""FETCH's ``HEADER.FIELDS`` lists answered in the order the client asked.

pymap 0.36.7 parses a ``BODY[HEADER.FIELDS (SUBJECT FROM)]`` header list
into a set and names it sorted in the reply, ``BODY[HEADER.FIELDS (FROM
SUBJECT)]``; Dovecot repeats the list as asked, and a client (or a page)
looks for the item by the name it asked for. The lists are read from the
command line here, in order, and set as the attributes' reply names through
pymap's ``FetchAttribute`` cache of them (``_raw``, and ``for_response``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymap.parsing.specials import FetchAttribute

__all__ = ["answer_as_asked", "header_lists"]

# A header list in a FETCH command line: what follows HEADER.FIELDS or
# HEADER.FIELDS.NOT, between parentheses (field names hold no parenthesis).
_HEADER_LIST = re.compile(rb"HEADER\.FIELDS(?:\.NOT)?\s*\(([^)]*)\)", re.IGNORECASE)
_LIST_IN_NAME = re.compile(rb"\([^)]*\)")


def header_lists(line: bytes) -> list[list[bytes]]:
    """The header lists of a command line, in order, names upper-cased as
    pymap keeps them."""
    return [match.group(1).upper().split() for match in _HEADER_LIST.finditer(line)]


def answer_as_asked(
    attributes: Sequence[FetchAttribute], asked: list[list[bytes]]
) -> None:
    """Name each header-list attribute in the reply with its list as asked."""
    lists = iter(asked)
    for attribute in attributes:
        section = attribute.section
        if section is None or not section.headers:
            continue
        order = next(lists, None)
        if order is None or frozenset(order) != section.headers:
            return  # Not the lists pymap read: leave its names alone.
        for named in (attribute, attribute.for_response):
            named._raw = _with_list(named.raw, order)


def _with_list(name: bytes, order: list[bytes]) -> bytes:
    """*name* (``BODY[HEADER.FIELDS (FROM SUBJECT)]<0>``) with *order* as its list."""
    found = _LIST_IN_NAME.search(name)
    if found is None:
        return name
    return name[: found.start()] + b"(" + b" ".join(order) + b")" + name[found.end() :]
