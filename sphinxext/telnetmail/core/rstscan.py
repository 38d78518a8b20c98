"""Find ``transcript`` directives in reST source without running Sphinx.

``telnetmail check`` and the pytest plugin read pages this way: a directive
block is its ``.. transcript::`` line, its ``:option: value`` lines, and the
content indented under it, as docutils reads it. (Includes and ``only``
conditions are Sphinx's business: the ``transcripts`` builder sees them.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(r"(?P<indent>\s*)\.\.\s+transcript::\s*$")
_OPTION = re.compile(r":(?P<name>[\w-]+):(?:\s+(?P<value>.*))?$")


@dataclass
class Block:
    """One ``transcript`` directive as written."""

    lineno: int  # of the ``.. transcript::`` line
    options: dict[str, str] = field(default_factory=dict)
    #: The content lines with their line numbers, dedented.
    content: list[tuple[int, str]] = field(default_factory=list)


def scan(text: str) -> Iterator[Block]:
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        if match is None:
            index += 1
            continue
        block, index = _read_block(lines, index, len(match["indent"]))
        yield block


def _read_block(lines: list[str], start: int, indent: int) -> tuple[Block, int]:
    block = Block(start + 1)
    index = start + 1
    body: list[tuple[int, str]] = []
    while index < len(lines):
        line = lines[index]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append((index + 1, line))
        index += 1
    # Options come first, before any blank line; then the content.
    position = 0
    while position < len(body) and (option := _OPTION.match(body[position][1].strip())):
        block.options[option["name"]] = (option["value"] or "").strip()
        position += 1
    content = [(number, text) for number, text in body[position:]]
    while content and not content[-1][1].strip():
        content.pop()
    margin = min(
        (len(text) - len(text.lstrip()) for _, text in content if text.strip()), default=0
    )
    block.content = [(number, text[margin:]) for number, text in content]
    return block, index
