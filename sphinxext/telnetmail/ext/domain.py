"""The ``transcript`` domain: which transcripts exist, where, and what they need.

Every ``transcript`` directive notes itself here, so the verifier can find a
transcript by ``:name:`` across documents and replay its ``:after:`` chain,
and so unknown or circular ``:after:`` names are reported once all documents
are read. Stored on the environment: see ``env_version`` in :func:`setup`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.domains import Domain
from sphinx.locale import get_translation
from sphinx.util import logging

from telnetmail.core.chain import replay_order
from telnetmail.core.names import duplicates
from telnetmail.ext.nodes import transcript_lines

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Set as AbstractSet

    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.docutils import SphinxTranslator

    from telnetmail.core.model import Line, Transcript
    from telnetmail.ext.nodes import transcript

#: What a transcript's parse depends on: its numbered lines and its protocol.
ParseKey = tuple[tuple[tuple[int, str], ...], str]

logger = logging.getLogger(__name__)
__ = get_translation("telnetmail", "console")


class TranscriptInfo(TypedDict):
    """What the domain keeps of one transcript (plain data: it is pickled)."""

    name: str  # "" when the directive has no :name:
    docname: str
    location: str  # "path/to/file.rst:LINE" of the directive
    path: str  # the source file, where its lines are
    source: list[list[Any]]  # the content as [lineno, text] pairs, to parse again
    protocol: str
    after: list[str]
    match: str
    target: str  # the id a link to it points at ("" when unnamed)
    caption: str
    commands: list[str]  # typed, as telnetmail.core.vocabulary lists them
    replies: list[str]
    indexed: bool  # False with :no-index:: kept out of transcript-index tables


class TranscriptDomain(Domain):
    """Transcripts by document, in reading order."""

    name = "transcript"
    label = "Transcripts"
    data_version = 5
    #: Sets of the documents holding some directive, for the handlers run on
    #: every page to leave the others alone without searching them.
    PAGE_SETS = ("index_pages", "solution_pages")
    # Domain.__init__ deep-copies it into each environment's data.
    initial_data: ClassVar[dict[str, Any]] = {
        "documents": {},
        **{pages: set() for pages in PAGE_SETS},
    }

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # The directive's parses, for the checks run once every page is read
        # (sizes across pages) to reuse rather than parse every page again.
        # Not in ``data``, so never pickled: a page read in another process
        # (parallel reading) or in an earlier build is parsed again.
        self.parsed: dict[ParseKey, Transcript] = {}
        # The captioned containers the directive made on each page being
        # read, so that doctree-read need not search the page for them.
        self.captioned: dict[str, list[nodes.container]] = {}

    @property
    def documents(self) -> dict[str, list[TranscriptInfo]]:
        return self.data["documents"]

    def note_transcript(
        self, info: TranscriptInfo, parsed: Transcript | None = None
    ) -> None:
        self.documents.setdefault(info["docname"], []).append(info)
        if parsed is not None:
            self.parsed[parse_key(info)] = parsed

    def lines_of(self, node: transcript) -> list[Line]:
        """A transcript node's lines, for a writer: as its directive parsed
        them in this process, else rebuilt from the node's own copy.

        The parse is looked up by the lines and protocol it was made from,
        so it is the node's whatever page or build the node comes from: a
        page read again reads its lines again. Rebuilding every line from
        the node costs the html build more than the rest of the writing.
        """
        source = node.get("transcript_source")
        if source is None:
            return transcript_lines(node)
        parsed = self.parsed.get((tuple(map(tuple, source)), node.get("protocol", "")))
        return parsed.lines if parsed is not None else transcript_lines(node)

    def by_name(self) -> dict[str, TranscriptInfo]:
        """Named transcripts; the first of a duplicated name wins."""
        named: dict[str, TranscriptInfo] = {}
        for info in self.all_transcripts():
            if info["name"]:
                named.setdefault(info["name"], info)
        return named

    def all_transcripts(self) -> Iterable[TranscriptInfo]:
        for docname in sorted(self.documents):
            yield from self.documents[docname]

    def note_captioned(self, docname: str, container: nodes.container) -> None:
        self.captioned.setdefault(docname, []).append(container)

    def take_captioned(self, docname: str) -> list[nodes.container]:
        """The captioned containers noted on a page, forgotten once taken."""
        return self.captioned.pop(docname, [])

    @property
    def index_pages(self) -> set[str]:
        """Documents holding a ``transcript-index``: built from every other one."""
        return self.data["index_pages"]

    @property
    def solution_pages(self) -> set[str]:
        """Documents holding a ``transcript-solution``: folded for HTML."""
        return self.data["solution_pages"]

    def clear_doc(self, docname: str) -> None:
        self.documents.pop(docname, None)
        self.captioned.pop(docname, None)
        for pages in self.PAGE_SETS:
            self.data[pages].discard(docname)

    def merge_domaindata(
        self, docnames: AbstractSet[str], otherdata: dict[str, Any]
    ) -> None:
        for docname in docnames:
            if docname in otherdata["documents"]:
                self.documents[docname] = otherdata["documents"][docname]
        for pages in self.PAGE_SETS:
            self.data[pages].update(otherdata[pages] & set(docnames))

    def resolve_any_xref(self, *args: Any) -> list[tuple[str, Any]]:
        return []


def one_page_per_document(app: Sphinx) -> bool:
    """Whether each doctree resolved is one document's page alone.

    Not so where the builder joins the documents into one tree first (LaTeX,
    texinfo, man, single-page HTML): a page holding some directive may lie
    anywhere in it, so a handler that skips pages by
    :attr:`TranscriptDomain.PAGE_SETS` may not.
    """
    return isinstance(app.builder, StandaloneHTMLBuilder) and not isinstance(
        app.builder, SingleFileHTMLBuilder
    )


def lines_to_write(translator: SphinxTranslator, node: transcript) -> list[Line]:
    """A transcript node's lines for any writer (html, latex, text...): the
    directive's parse where this process made it (see
    :meth:`TranscriptDomain.lines_of`)."""
    domain: TranscriptDomain = translator.builder.env.get_domain("transcript")  # type: ignore[assignment]
    return domain.lines_of(node)


def parse_key(info: TranscriptInfo) -> ParseKey:
    """The key of a noted transcript's parse.

    Its protocol is the one the directive found, which parses the lines as
    the directive's own option (or its absence) did.
    """
    lines = tuple(map(tuple, info["source"]))
    return lines, info["protocol"]


def check_names(app: Sphinx, env: BuildEnvironment) -> None:
    """Report duplicate names, unknown ``:after:`` names and cycles."""
    domain: TranscriptDomain = env.get_domain("transcript")  # type: ignore[assignment]
    defined = [(info["name"], info["location"]) for info in domain.all_transcripts()]
    for twice in duplicates(defined):
        logger.warning(
            __("duplicate transcript name %r, also at %s"),
            twice.name,
            twice.first,
            location=twice.again,
            type="transcript",
            subtype="name",
        )
    named = domain.by_name()
    for info in domain.all_transcripts():
        for needed in info["after"]:
            if needed not in named:
                logger.warning(
                    __("transcript %r is :after: %r, which no transcript is named"),
                    info["name"] or "(unnamed)",
                    needed,
                    location=info["location"],
                    type="transcript",
                    subtype="after",
                )
    _check_cycles(named)


def _check_cycles(named: dict[str, TranscriptInfo]) -> None:
    # One map of every name's :after: for all: building it per name would
    # make the check quadratic in the number of transcripts.
    afters = after_lists(named)
    for name, info in named.items():
        if replay_order(afters.get(name, []), afters, name) is None:
            logger.warning(
                __("transcript %r is :after: itself, through its :after: chain"),
                name,
                location=info["location"],
                type="transcript",
                subtype="after",
            )


def after_lists(named: dict[str, TranscriptInfo]) -> dict[str, list[str]]:
    """Each named transcript's own ``:after:`` list."""
    return {other: info["after"] for other, info in named.items()}


def after_chain(name: str, named: dict[str, TranscriptInfo]) -> list[str] | None:
    """Names to replay before ``name``, earliest first; None on a cycle."""
    afters = after_lists(named)
    return replay_order(afters.get(name, []), afters, name)


def setup(app: Sphinx) -> None:
    app.add_domain(TranscriptDomain)
    app.connect("env-check-consistency", check_names)
