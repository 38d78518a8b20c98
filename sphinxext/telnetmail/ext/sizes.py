"""Sizes across transcripts: a page's message sizes against its ``:after:`` chain.

Once every document is read, the transcripts of each page that start from
the same ``:after:`` list are compared with each other and with their
chain, which may lie on other pages: a message shown by two of them must
have one size (:func:`telnetmail.core.sizes.check_pages`). A warning points
at the line of the size that disagrees, wherever it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.util import logging

from telnetmail.core.parser import parse_lines
from telnetmail.core.sizes import Placed, check_pages
from telnetmail.ext.domain import TranscriptDomain, TranscriptInfo, parse_key

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)


def placed(domain: TranscriptDomain, info: TranscriptInfo) -> Placed:
    """A noted transcript, as its directive parsed it in this process, or
    parsed again from the lines the domain keeps."""
    key = parse_key(info)
    parsed = domain.parsed.get(key)
    if parsed is None:
        lines, protocol = key
        parsed = parse_lines(lines, protocol=protocol or None)
    return Placed(
        info["name"] or info["location"], info["docname"], tuple(info["after"]), parsed
    )


def check_related_sizes(app: Sphinx, env: BuildEnvironment) -> None:
    # Each parse kept the sizes it read (core.sizes.reading): the directive's
    # parses are compared as they are, none of their sizes read again.
    domain: TranscriptDomain = env.get_domain("transcript")  # type: ignore[assignment]
    infos = list(domain.all_transcripts())
    transcripts = [placed(domain, info) for info in infos]
    where_noted = {id(item): info for item, info in zip(transcripts, infos)}
    for where, diagnostic in check_pages(transcripts):
        _warn(where_noted[id(where)], diagnostic.lineno, diagnostic.message)


def _warn(info: TranscriptInfo, lineno: int, message: str) -> None:
    prefix = f"transcript {info['name']!r}: " if info["name"] else "transcript: "
    logger.warning(
        "%s%s",
        prefix,
        message,
        location=f"{info['path']}:{lineno}",
        type="transcript",
        subtype="consistency",
    )


def setup(app: Sphinx) -> None:
    app.connect("env-check-consistency", check_related_sizes)
