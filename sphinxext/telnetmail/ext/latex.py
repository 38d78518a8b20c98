"""LaTeX output of transcripts: coloured by role and tone, C:/S: prefixed.

A transcript is written as Sphinx writes highlighted code: a
``sphinxVerbatim`` environment with ``commandchars=\\\\\\{\\}`` whose pieces
are ``\\PYG{tokens}{text}``, escaped as Pygments escapes them. Sphinx's
verbatim machinery then wraps long lines, breaks long sessions across pages
and takes the caption and label of a captioned transcript, exactly as for a
``code-block``. The tokens (``tmclient``, ``tmverb``, ``tmpositive``...) are
styled in ``telnetmail.sty``; a token it does not define costs nothing.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from pygments.formatters.latex import escape_tex  # type: ignore[attr-defined]  # not in types-Pygments
from sphinx.builders.latex.nodes import captioned_literal_block
from sphinx.locale import get_translation
from sphinx.util.texescape import hlescape

from telnetmail.core.model import Line, SpanKind
from telnetmail.core.plain import PLAIN_PREFIXES
from telnetmail.core.tlsmark import encryption_starts
from telnetmail.ext.domain import lines_to_write

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.writers.latex import LaTeXTranslator

    from telnetmail.ext.nodes import transcript


_ = get_translation("telnetmail")

PACKAGE = "telnetmail"
STYLE_FILE = Path(__file__).parent / "static" / f"{PACKAGE}.sty"

#: Spans that say how the reply went, coloured by the line's tone.
TONED_KINDS = frozenset(
    {
        SpanKind.CODE,
        SpanKind.ENHANCED,
        SpanKind.STATUS,
        SpanKind.CONTINUATION,
    }
)


def token(name: str) -> str:
    # Token names become part of a control sequence name: letters only.
    return "tm" + name.replace("-", "")


def styled(tokens: Iterable[str], text: str, engine: str | None) -> str:
    if not text:
        return ""
    escaped = hlescape(escape_tex(text, "PYG"), engine)
    names = "+".join(token(name) for name in tokens)
    return rf"\PYG{{{names}}}{{{escaped}}}"


def span_tokens(line: Line, kind: SpanKind) -> tuple[str, ...]:
    """Role, then kind, then tone: the later token wins where they differ."""
    tokens: tuple[str, ...] = (
        (line.role,) if kind is SpanKind.TEXT else (line.role, kind)
    )
    if line.tone and kind in TONED_KINDS:
        tokens += (line.tone,)
    return tokens


def line_latex(line: Line, engine: str | None) -> str:
    tone = (line.tone,) if line.tone else ()
    parts = [styled((line.role, "prefix", *tone), PLAIN_PREFIXES[line.role], engine)]
    pieces = [(span_tokens(line, span.kind), span.text) for span in line.spans]
    # Neighbours styled alike share one \PYG: shorter, and easier to read.
    for tokens, group in groupby(pieces, key=itemgetter(0)):
        parts.append(styled(tokens, "".join(text for _, text in group), engine))
    return "".join(parts)


def tls_divider() -> str:
    """The divider line where encryption begins, as plain text."""
    return f"--- {_('TLS: encrypted from here')} ---"


def verbatim_environment(self: LaTeXTranslator) -> str:
    """The environment Sphinx itself would use for code at this place."""
    if self.table and not self.in_footnote:
        # Tables with verbatim content must not be set with tabulary.
        self.table.has_problematic = True
        self.table.has_verbatim = True
        return "sphinxVerbatimintable"
    return "sphinxVerbatim"


def latex_visit_transcript(self: LaTeXTranslator, node: transcript) -> None:
    # Labels and caption the way visit_literal_block sets them for code.
    labels = self.hypertarget_to(node)
    if isinstance(node.parent, captioned_literal_block):
        labels += self.hypertarget_to(node.parent)
    if labels and not self.in_footnote:
        self.body.append("\n" + r"\def\sphinxLiteralBlockLabel{" + labels + "}")
    if self.in_footnote:
        self.body.append("\n" + r"\sphinxSetupCodeBlockInFootnote")

    environment = verbatim_environment(self)
    engine = self.config.latex_engine
    lines = lines_to_write(self, node)
    rendered = [line_latex(line, engine) for line in lines]
    starts = encryption_starts(lines)
    if starts is not None:
        rendered.insert(starts + 1, styled(("tls",), tls_divider(), engine))
    body = "\n".join(rendered)
    self.body.append(
        f"\n\\begin{{{environment}}}[commandchars=\\\\\\{{\\}}]\n"
        f"{body}\n"
        f"\\end{{{environment}}}\n"
    )
    raise nodes.SkipNode


def add_style_file(app: Sphinx, config: Config) -> None:
    # A new list, so that the default value shared by all apps stays untouched.
    config.latex_additional_files = [*config.latex_additional_files, str(STYLE_FILE)]


def setup(app: Sphinx) -> None:
    """Load ``telnetmail.sty``, which styles transcripts, in every LaTeX document."""
    app.connect("config-inited", add_style_file)
    app.add_latex_package(PACKAGE)
