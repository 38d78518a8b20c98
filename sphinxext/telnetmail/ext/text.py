"""Plain-text output (text, man, texinfo) of transcripts.

Builders without styling show the transcript as an ordinary literal block:
the node's text child already is the ``C:``/``S:`` form
(:func:`telnetmail.core.plain.format_prefixed`), so these visitors only hand
the node to the translator's own literal block handling, with a divider
line where the dialogue turns to TLS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.locale import get_translation

from telnetmail.core.plain import format_prefixed
from telnetmail.core.tlsmark import encryption_starts
from telnetmail.ext.domain import lines_to_write

if TYPE_CHECKING:
    from sphinx.util.docutils import SphinxTranslator

    from telnetmail.core.model import Line
    from telnetmail.ext.nodes import transcript

_ = get_translation("telnetmail")


def with_tls_divider(node: transcript, lines: list[Line]) -> None:
    """Give *node*, whose *lines* these are, a divider line where encryption
    begins, if it does."""
    starts = encryption_starts(lines)
    if starts is None:
        return
    divider = f"--- {_('TLS: encrypted from here')} ---"
    parts = [format_prefixed(lines[: starts + 1]), divider]
    if lines[starts + 1 :]:
        parts.append(format_prefixed(lines[starts + 1 :]))
    # The written copy of the doctree only: the text child is what is shown.
    node.children = [nodes.Text("\n".join(parts))]


def visit_transcript_as_literal_block(self: SphinxTranslator, node: transcript) -> None:
    # Called on the translator, like one of its own methods.
    with_tls_divider(node, lines_to_write(self, node))
    self.visit_literal_block(node)


def depart_transcript_as_literal_block(
    self: SphinxTranslator, node: transcript
) -> None:
    self.depart_literal_block(node)
