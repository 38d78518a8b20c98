"""The ``transcripts`` builder: replay every transcript of the project.

``sphinx-build -b transcripts`` (``make check``) reads the documents as
any build does, collects each transcript in ``write_doc``, replays them all
in ``finish``, warns at the page line of each mismatch, and writes
``output.txt`` (and JUnit XML when ``transcript_junit_xml`` is set).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.builders import Builder
from sphinx.errors import SphinxError
from sphinx.locale import get_translation
from sphinx.util import logging

from telnetmail import __version__
from telnetmail.core.names import duplicates
from telnetmail.replay.requirements import Unavailable, require_replay

if TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Set as AbstractSet

    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

    from telnetmail.replay.engine import Case, Outcome

logger = logging.getLogger(__name__)
__ = get_translation("telnetmail", "console")


class ReplayUnavailable(SphinxError):
    """This machine cannot replay: a missing extra, telnet client or server."""

    category = "Cannot replay transcripts"


class TranscriptsBuilder(Builder):
    """Replays transcripts against a mail server instead of writing pages."""

    name = "transcripts"
    epilog = __("Look at the results in %(outdir)s/output.txt.")

    def init(self) -> None:
        self.cases: list[Case] = []
        # Told now, before the pages are read, as one sentence: not as a
        # traceback once every page has been read.
        try:
            require_replay(self.config.transcript_backend)
            from telnetmail.replay.session import telnet_command

            telnet_command(self.config.transcript_telnet)
        except Unavailable as missing:
            raise ReplayUnavailable(str(missing)) from None

    def get_outdated_docs(self) -> AbstractSet[str]:
        return self.env.found_docs  # every transcript, every time

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""

    def prepare_writing(self, docnames: AbstractSet[str]) -> None:
        self.cases = []

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        self.cases += cases_in(doctree, self.config.transcript_match)

    def finish(self) -> None:
        # The replay is imported here only: other builders never pay for it.
        from telnetmail.replay.report import output_text, summary, write_junit
        from telnetmail.replay.results import write_results
        from telnetmail.replay.runner import run_cases

        if not self.cases:
            logger.info(__("no transcripts to replay"))
            return
        if self.refuse_duplicates():
            return
        config = self.config
        started = time.perf_counter()
        try:
            outcomes = run_cases(
                self.cases,
                walk=config.transcript_walk,
                backend=config.transcript_backend,
                server_name=config.transcript_server_name,
                jobs=config.transcript_jobs,
                timeout=config.transcript_timeout,
                telnet=config.transcript_telnet,
                progress=self.report,
            )
        except Unavailable as missing:
            raise ReplayUnavailable(str(missing)) from None
        wall = time.perf_counter() - started
        logger.info("")
        logger.info(summary(outcomes, wall))
        (Path(self.outdir) / "output.txt").write_text(
            output_text(outcomes, wall), encoding="utf-8"
        )
        write_results(
            Path(self.outdir) / "results.json",
            outcomes,
            config.transcript_backend,
            Path(self.srcdir),
        )
        if config.transcript_junit_xml:
            write_junit(Path(self.confdir, config.transcript_junit_xml), outcomes)

    def refuse_duplicates(self) -> bool:
        """Tell each name defined twice; True if any is, and nothing may run.

        The domain warns too, but only when the pages are read: a build with
        nothing new to read must still say why it replays nothing. Replaying
        anyway could run another page's transcript for an ``:after:``.
        """
        twice = duplicates((case.name, case.location) for case in self.cases)
        for each in twice:
            logger.error(__("nothing replayed: %s"), each, location=each.again)
        return bool(twice)

    def report(self, outcome: Outcome) -> None:
        from telnetmail.replay.engine import Status
        from telnetmail.replay.report import describe, label

        if outcome.status is Status.FAILED:
            logger.warning(
                "%s",
                describe(outcome),
                location=f"{outcome.case.path}:{outcome.lineno}",
                type="transcript",
                subtype="mismatch",
            )
        else:
            note = f": {outcome.message}" if outcome.message else ""
            logger.info(f"{outcome.status:7} {label(outcome)}{note}")


def cases_in(doctree: nodes.document, default_match: str) -> Iterator[Case]:
    """Every transcript of a document, readable or not, as a case."""
    from telnetmail.replay.engine import Case

    for node in doctree.findall(nodes.literal_block):
        if "transcript_source" not in node:
            continue
        yield Case.parse(
            node.source or "",
            node.line or 0,
            [(lineno, text) for lineno, text in node["transcript_source"]],
            node["transcript_options"],
            default_match,
        )


def setup(app: Sphinx) -> ExtensionMetadata:
    """The entry point of ``sphinx-build -b transcripts``: load the extension."""
    app.setup_extension("telnetmail")
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


def register(app: Sphinx) -> None:
    """Add the builder; the extension's setup() calls this."""
    app.add_builder(TranscriptsBuilder)
