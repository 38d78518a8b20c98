"""Find ``transcript`` directives in MyST Markdown without running Sphinx.

The counterpart of :mod:`telnetmail.core.rstscan` for ``.md`` pages. A
transcript is a directive fence, written with backticks, tildes or (MyST's
``colon_fence``) colons::

    ```{transcript}
    :name: hello
    :caption: Saying hello

    S: 220 mx1.example.com ESMTP
    ```

Its options are ``:name: value`` lines at the top of the fence or a YAML
block between ``---`` lines. Fences of other directives (a note, a
dropdown) are looked into, an ``{eval-rst}`` fence is read as reST, and a
code fence (```` ```rst ````, ```` ```{code-block} ````...) is an example,
skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from telnetmail.core.rstscan import LITERAL_DIRECTIVES, Block, scan

_FENCE = re.compile(
    r"(?P<indent> *)(?P<fence>`{3,}|~{3,}|:{3,})\s*"
    r"(?:\{(?P<name>[\w:-]+)\}(?P<argument>.*)|(?P<info>.*))$"
)
_OPTION = re.compile(r":(?P<name>[\w-]+):(?:\s+(?P<value>.*))?$")
_YAML_OPTION = re.compile(r"(?P<name>[\w-]+)\s*:\s*(?P<value>.*)$")


@dataclass(frozen=True)
class _Fence:
    """An open fence: its characters and the indentation MyST strips."""

    marker: str
    indent: int

    def closed_by(self, line: str) -> bool:
        text = line.strip()
        return len(text) >= len(self.marker) and set(text) == {self.marker[0]}


def scan_myst(text: str) -> Iterator[Block]:
    """Each ``transcript`` fence of a MyST page, with its source line numbers."""
    lines = text.splitlines()
    containers: list[_Fence] = []  # directive fences whose content is MyST
    index = 0
    while index < len(lines):
        line = lines[index]
        if containers and containers[-1].closed_by(line):
            containers.pop()
            index += 1
            continue
        opening = _FENCE.match(line)
        if opening is None:
            index += 1
            continue
        fence = _Fence(opening["fence"], len(opening["indent"]))
        name = opening["name"]
        if name is None and fence.marker[0] == ":":
            index += 1  # colons open directives only: not a fence
            continue
        if name is not None and name != "transcript" and name not in _NOT_MYST:
            containers.append(fence)
            index += 1
            continue
        end = _closing(lines, index + 1, fence)
        body = [
            (number + 1, _dedent(lines[number], fence.indent))
            for number in range(index + 1, end)
        ]
        if name == "transcript":
            yield _block(index + 1, body)
        elif name == "eval-rst":
            yield from _rst_blocks(body)
        index = end + 1


#: Directive fences whose content is not MyST: literal text, or reST.
_NOT_MYST = LITERAL_DIRECTIVES | {"eval-rst"}


def _closing(lines: list[str], start: int, fence: _Fence) -> int:
    """The index of the line that closes ``fence`` (the end of the page if none)."""
    for index in range(start, len(lines)):
        if fence.closed_by(lines[index]):
            return index
    return len(lines)


def _dedent(line: str, indent: int) -> str:
    """``line`` without the fence's indentation, as MyST reads fenced content."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, indent) :]


def _block(lineno: int, body: list[tuple[int, str]]) -> Block:
    block = Block(lineno)
    position = 0
    if body and body[0][1].strip() == "---":
        closing = next(
            (i for i in range(1, len(body)) if body[i][1].strip() == "---"), None
        )
        if closing is not None:
            for _, text in body[1:closing]:
                if option := _YAML_OPTION.match(text.strip()):
                    block.options[option["name"]] = _unquote(option["value"])
            position = closing + 1
    else:
        while position < len(body) and (option := _OPTION.match(body[position][1])):
            block.options[option["name"]] = (option["value"] or "").strip()
            position += 1
    # Verbatim, as MyST hands the content over: trailing spaces and tabs kept.
    content = body[position:]
    while content and not content[0][1].strip():
        content.pop(0)
    while content and not content[-1][1].strip():
        content.pop()
    block.content = content
    return block


def _unquote(value: str) -> str:
    """A YAML scalar as written on one line: quotes, if any, removed."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _rst_blocks(body: list[tuple[int, str]]) -> Iterator[Block]:
    """The transcripts of an ``{eval-rst}`` fence, numbered in the page."""
    if not body:
        return
    offset = body[0][0] - 1
    for block in scan("\n".join(text for _, text in body)):
        yield Block(
            block.lineno + offset,
            block.options,
            [(number + offset, text) for number, text in block.content],
        )


PAGE_SUFFIXES = (".rst", ".md")


def scan_page(name: str, text: str) -> Iterator[Block]:
    """The transcripts of a page, read as MyST if ``name`` ends in ``.md``."""
    return scan_myst(text) if name.endswith(".md") else scan(text)
