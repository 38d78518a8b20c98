"""Plain-text output (text, man, texinfo) of transcripts.

Builders without styling show the transcript as an ordinary literal block:
the node's text child already is the ``C:``/``S:`` form
(:func:`telnetmail.core.plain.format_prefixed`), so these visitors only hand
the node to the translator's own literal block handling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docutils import nodes

    from telnetmail.ext.nodes import transcript


def visit_transcript_as_literal_block(
    self: nodes.NodeVisitor, node: transcript
) -> None:
    # Called on the translator, like one of its own methods.
    self.visit_literal_block(node)


def depart_transcript_as_literal_block(
    self: nodes.NodeVisitor, node: transcript
) -> None:
    self.depart_literal_block(node)
