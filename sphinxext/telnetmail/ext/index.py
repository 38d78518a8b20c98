"""The ``transcript-index`` directive: commands and replies, linked to the dialogues.

.. code-block:: rst

   .. transcript-index::
      :protocol: smtp

Transcripts with ``:no-index:`` are left out. Generated from the transcripts themselves once every document is read, so
the reference can only list what some dialogue really shows. Each command
typed and each reply received gets a row with links to the dialogues (named
transcripts) where it appears.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.locale import get_translation
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from telnetmail.core.model import Protocol
from telnetmail.ext.domain import one_page_per_document
from telnetmail.ext.nodes import transcript

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Set as AbstractSet

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import OptionSpec

    from telnetmail.ext.domain import TranscriptDomain, TranscriptInfo

logger = logging.getLogger(__name__)
_ = get_translation("telnetmail")


class transcript_index(nodes.General, nodes.Element):
    """Placeholder, replaced by tables when the doctree is resolved."""


class TranscriptIndexDirective(SphinxDirective):
    option_spec: ClassVar[OptionSpec] = {
        "protocol": lambda argument: directives.choice(
            argument, [p.value for p in Protocol]
        ),
    }

    def run(self) -> list[nodes.Node]:
        domain: TranscriptDomain = self.env.get_domain("transcript")  # type: ignore[assignment]
        domain.index_pages.add(self.env.docname)
        node = transcript_index(protocol=self.options.get("protocol", ""))
        self.set_source_info(node)
        return [node]


def read_captions(app: Sphinx, doctree: nodes.document) -> None:
    """The captions of the page's transcripts, once the page is read.

    The directive hands over the captioned containers it made, so that the
    page need not be searched for them; one no longer in the page (content
    some directive parsed and dropped) is left out, as a search would.
    """
    domain: TranscriptDomain = app.env.get_domain("transcript")  # type: ignore[assignment]
    containers = [
        container
        for container in domain.take_captioned(app.env.docname)
        if _in_tree(container, doctree)
        and container.children
        and isinstance(container[0], nodes.caption)
    ]
    note_shown_captions(domain.documents.get(app.env.docname, []), containers)
    warn_dropped_backslashes(containers)


def _in_tree(node: nodes.Element, doctree: nodes.document) -> bool:
    parent: nodes.Element | None = node
    while parent is not None and parent is not doctree:
        parent = parent.parent
    return parent is doctree


def note_shown_captions(
    infos: list[TranscriptInfo], containers: list[nodes.container]
) -> None:
    """Link with each caption as the reader sees it: translated, markup as text.

    The directive notes the caption as written; by ``doctree-read`` the
    i18n transform has replaced it with its translation.
    """
    shown = {
        container["ids"][0]: container[0].astext()
        for container in containers
        if container["ids"]
    }
    for info in infos:
        if info["target"] in shown:
            info["caption"] = shown[info["target"]]


def escaped_words(caption: str) -> list[str]:
    """The words of a caption as written that follow a backslash, with it.

    Inline literals are left out, as is an escaped backslash.
    """
    outside_literals = re.sub(r"``.+?``", "", caption)
    return [
        "\\" + match[1]
        for match in re.finditer(r"\\\\|\\([A-Za-z]\w*)", outside_literals)
        if match[1]
    ]


def warn_dropped_backslashes(containers: list[nodes.container]) -> None:
    """A transcript's caption that loses a backslash (an IMAP flag's) says so.

    reST reads ``STORE \\Deleted`` as "STORE Deleted", in the page and in the
    reference tables alike; a literal or a doubled backslash keeps it. Markdown
    keeps it as written, so a word is reported only if the caption shown lacks it.
    """
    for container in containers:
        caption = container[0]
        if not isinstance(caption, nodes.caption) or not any(
            isinstance(child, transcript) for child in container.children
        ):
            continue
        for word in escaped_words(caption.rawsource):
            if word in caption.astext():
                continue
            logger.warning(
                "transcript caption: reST drops the backslash of %s, which "
                "reads %r: write ``%s`` or \\%s",
                word,
                word[1:],
                word,
                word,
                location=caption,
                type="transcript",
                subtype="caption",
            )


def resolve_indexes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    domain: TranscriptDomain = app.env.get_domain("transcript")  # type: ignore[assignment]
    if docname not in domain.index_pages and one_page_per_document(app):
        return  # the page holds no index: no need to search it for one
    for node in list(doctree.findall(transcript_index)):
        infos = [
            info
            for info in domain.all_transcripts()
            if info["target"]
            and info["indexed"]
            and (not node["protocol"] or info["protocol"] == node["protocol"])
        ]
        # Each page's address once, not once per link: a row links many dialogues.
        uris = {
            page: app.builder.get_relative_uri(docname, page)
            for page in {info["docname"] for info in infos}
        }
        tables = [
            _table(str(_("Command")), _rows(infos, "commands"), uris),
            _table(str(_("Reply")), _rows(infos, "replies"), uris),
        ]
        node.replace_self([table for table in tables if table is not None])


def _rows(infos: Iterable[TranscriptInfo], key: str) -> dict[str, list[TranscriptInfo]]:
    rows: dict[str, list[TranscriptInfo]] = {}
    for info in infos:
        for item in info[key]:  # type: ignore[literal-required]
            rows.setdefault(item, []).append(info)
    return dict(sorted(rows.items(), key=lambda row: _order(row[0])))


_NUMBER = re.compile(r"\d+")


def _order(item: str) -> tuple[bool, int, str]:
    """Untagged responses after the rest; numbers in numeric order."""
    number = _NUMBER.match(item)
    return (item.startswith("*"), int(number[0]) if number else 0, item)


def _table(
    heading: str, rows: dict[str, list[TranscriptInfo]], uris: dict[str, str]
) -> nodes.table | None:
    """The rows as a table; ``uris`` gives each page's address from the index's."""
    if not rows:
        return None
    # Widths given, not measured: LaTeX's tabulary would otherwise squeeze the
    # first column until "Comando" hyphenates and STARTTLS overflows. A
    # longtable, because one protocol's rows fill more than a page.
    table = nodes.table(classes=["transcript-index", "colwidths-given", "longtable"])
    group = nodes.tgroup(cols=2)
    table += group
    group += nodes.colspec(colwidth=25)
    group += nodes.colspec(colwidth=75)
    group += nodes.thead(
        "",
        _row(nodes.paragraph(text=heading), nodes.paragraph(text=str(_("Dialogues")))),
    )
    body = nodes.tbody()
    for item, infos in rows.items():
        links = nodes.paragraph()
        for index, info in enumerate(infos):
            if index:
                links += nodes.Text(", ")
            links += _link(info, uris)
        body += _row(nodes.paragraph("", "", nodes.literal(text=item)), links)
    group += body
    return table


def _row(*cells: nodes.Node) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        row += nodes.entry("", cell)
    return row


def _link(info: TranscriptInfo, uris: dict[str, str]) -> nodes.reference:
    reference = nodes.reference("", info["caption"] or info["name"])
    # Set one by one: a thousand links, and keywords cost the constructor a
    # loop that normalises each name.
    reference["internal"] = True
    reference["refuri"] = uris[info["docname"]] + "#" + info["target"]
    reference["reftitle"] = info["name"]
    return reference


def outdated_indexes(
    app: Sphinx,
    env: BuildEnvironment,
    added: AbstractSet[str],
    changed: AbstractSet[str],
    removed: AbstractSet[str],
) -> list[str]:
    """Rebuild the reference whenever any document changes: its rows come from all."""
    if not (added or changed or removed):
        return []
    domain: TranscriptDomain = env.get_domain("transcript")  # type: ignore[assignment]
    return sorted(domain.index_pages - set(removed))


def setup(app: Sphinx) -> None:
    app.add_node(transcript_index)
    app.add_directive("transcript-index", TranscriptIndexDirective)
    app.connect("doctree-read", read_captions)
    app.connect("doctree-resolved", resolve_indexes)
    app.connect("env-get-outdated", outdated_indexes)
