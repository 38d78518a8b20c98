"""Rendering of transcripts: the one registration of the node, and the assets.

Leaving a format out of :meth:`~sphinx.application.Sphinx.add_node` would
make that writer choke on the node, so html, latex, text, man and texinfo
are all named here; the remaining builders (xml, pseudoxml...) need no
visitor. :func:`setup` is the single entry point of the rendering layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnetmail.ext import html, latex
from telnetmail.ext.nodes import transcript
from telnetmail.ext.text import (
    depart_transcript_as_literal_block,
    visit_transcript_as_literal_block,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register the ``transcript`` node, its visitors and their assets."""
    plain = (visit_transcript_as_literal_block, depart_transcript_as_literal_block)
    app.add_node(
        transcript,
        html=(html.html_visit_transcript, None),
        latex=(latex.latex_visit_transcript, None),
        text=plain,
        man=plain,
        texinfo=plain,
    )
    html.setup(app)
    latex.setup(app)
