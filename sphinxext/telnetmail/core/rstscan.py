"""Find ``transcript`` directives in reST source without running Sphinx.

``telnetmail check`` and the pytest plugin read pages this way: a directive
block is its ``.. transcript::`` line, its ``:option: value`` lines, and the
content indented under it, as docutils reads it. A transcript may sit inside
any container (a note, a dropdown); one shown inside a literal block, a
``code-block`` or a comment is an example, not a transcript, and is skipped.
(Includes and ``only`` conditions are Sphinx's business: the
``transcripts`` builder sees them.)

The page's text is first read as docutils reads it, so that every entry point
types the same thing for the same ``client:`` line: see :func:`source_lines`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(r"(?P<indent>\s*)\.\.\s+transcript::\s*$")
_OPTION = re.compile(r":(?P<name>[\w-]+):(?:\s+(?P<value>.*))?$")

#: Directives whose content is shown as it is written, never parsed.
LITERAL_DIRECTIVES = frozenset(
    {
        "code-block",
        "code",
        "sourcecode",
        "parsed-literal",
        "literalinclude",
        "raw",
        "math",
        "highlight",
        "doctest",
        "testcode",
        "testoutput",
        "testsetup",
        "testcleanup",
        "productionlist",
        "graphviz",
        "digraph",
        "graph",
        "mermaid",
        "uml",
        "ipython",
        "jupyter-execute",
        "prompt",
    }
)
_ANY_DIRECTIVE = re.compile(r"\s*\.\.\s+(?P<name>[\w:-]+)::")
_EXPLICIT_MARKUP = re.compile(r"\s*\.\.(?:\s|$)")
_NOT_A_COMMENT = re.compile(r"\s*\.\.\s+(?:[\w:-]+::|_|\[|\|)")
_VERTICAL_SPACE = re.compile("[\v\f]")

#: Columns between tab stops, as docutils (and so Sphinx) expands a tab.
TAB_WIDTH = 8


@dataclass
class Block:
    """One ``transcript`` directive as written."""

    lineno: int  # of the ``.. transcript::`` line
    options: dict[str, str] = field(default_factory=dict)
    #: The content lines with their line numbers, dedented.
    content: list[tuple[int, str]] = field(default_factory=list)


def scan(text: str) -> Iterator[Block]:
    lines = source_lines(text)
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _DIRECTIVE.match(line)
        if match is not None:
            block, index = _read_block(lines, index, len(match["indent"]))
            yield block
        elif _opens_literal(line):
            index = _skip_indented(lines, index, _indent(line))
        else:
            index += 1


def source_lines(text: str) -> list[str]:
    """The page's lines as docutils reads them (``statemachine.string2lines``,
    which Sphinx's parser calls): form feeds and vertical tabs made spaces,
    each tab made the spaces up to the next multiple of 8 columns of the
    source line (indentation and ``client:`` included), trailing whitespace
    dropped.

    A tab in a ``client:`` line is thus typed as those spaces by ``telnetmail
    check`` and the pytest plugin, as by the ``transcripts`` builder.
    """
    text = _VERTICAL_SPACE.sub(" ", text)
    return [line.expandtabs(TAB_WIDTH).rstrip() for line in text.splitlines()]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _opens_literal(line: str) -> bool:
    """Whether the indented block after ``line`` is literal text or a comment."""
    directive = _ANY_DIRECTIVE.match(line)
    if directive is not None:
        return directive["name"] in LITERAL_DIRECTIVES
    if _EXPLICIT_MARKUP.match(line) and not _NOT_A_COMMENT.match(line):
        return True  # a comment: its indented lines are comment too
    return line.rstrip().endswith("::")  # a paragraph that opens a literal block


def _skip_indented(lines: list[str], start: int, indent: int) -> int:
    """The index after the block indented deeper than ``indent`` below ``start``."""
    index = start + 1
    while index < len(lines):
        line = lines[index]
        if line.strip() and _indent(line) <= indent:
            break
        index += 1
    return index


def _read_block(lines: list[str], start: int, indent: int) -> tuple[Block, int]:
    block = Block(start + 1)
    end = _skip_indented(lines, start, indent)
    body = [(number + 1, lines[number]) for number in range(start + 1, end)]
    # Options come first, before any blank line; then the content.
    position = 0
    while position < len(body) and (option := _OPTION.match(body[position][1].strip())):
        block.options[option["name"]] = (option["value"] or "").strip()
        position += 1
    content = body[position:]
    while content and not content[-1][1].strip():
        content.pop()
    margin = min((_indent(text) for _, text in content if text.strip()), default=0)
    block.content = [(number, text[margin:]) for number, text in content]
    return block, end
