"""A line of the page's text (a caption, a title) as docutils' inline parser reads it.

Most captions are plain words: for them the parser's work (its patterns for
every kind of markup, then for standalone addresses) ends in one text node.
:func:`inline_nodes` makes that node at once when the text holds nothing any
of those patterns could start at, and hands everything else to the parser.
In reST pages only: a MyST page's directive parses inline text as Markdown,
which reads more (entities such as ``&amp;``, its replacements...).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from docutils import nodes
from docutils.statemachine import StateMachine

if TYPE_CHECKING:
    from sphinx.util.docutils import SphinxDirective

#: Text no inline markup can start in: no escape, no markup character
#: (``* ` _ | [ ]``), no address (``@``, or ``:`` before a non-space, as a URI's
#: scheme has it), no ``< >``, and no RFC or PEP number for projects that
#: link them (``rfc_references``, ``pep_references``).
_PLAIN = re.compile(
    r"(?!.*(?:rfc|pep))(?:[^\\*`_|\[\]<>@:\x00]|:(?!\S))*", re.IGNORECASE | re.DOTALL
)


def inline_nodes(
    directive: SphinxDirective, text: str, lineno: int
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``text`` parsed as inline markup, as ``directive.parse_inline`` does."""
    # MyST's state machine only mocks docutils' (as numbered_content knows).
    if isinstance(directive.state_machine, StateMachine) and _PLAIN.fullmatch(text):
        return [nodes.Text(text)], []
    return directive.parse_inline(text, lineno=lineno)
