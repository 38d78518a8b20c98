"""A pytest plugin: each transcript in the given .rst or .md pages is a test item.

Pages are collected only when asked for: name them (or a folder holding
them) on the command line, or pass ``--transcripts`` to collect every .rst
file pytest comes across. Each ``transcript`` directive becomes an item
named by its ``:name:`` (its line number when it has none), replayed by the
same engine as ``telnetmail check``, against one backend for the whole
session (so one per xdist worker), started when the first item runs.

``:after:`` may name a transcript of any page collected in the session, even
one deselected with ``-k``: prerequisites are found among everything collected.
So a ``:name:`` defined twice among them is a collection error, at the page
that defines it again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from telnetmail.core.model import Category
from telnetmail.core.names import duplicates
from telnetmail.core.mystscan import PAGE_SUFFIXES, scan_page
from telnetmail.replay.backends import Backend, make_backend
from telnetmail.replay.engine import Case, Outcome, Status, Verifier
from telnetmail.replay.options import REPLAY_OPTIONS
from telnetmail.replay.report import describe
from telnetmail.replay.runner import named_cases

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("telnetmail", "telnet mail transcripts (.rst pages)")
    group.addoption(
        "--transcripts",
        action="store_true",
        help="collect the transcripts of every .rst file found, not only of those named",
    )
    for name, spec in REPLAY_OPTIONS.items():
        group.addoption(f"--transcript-{name}", **spec)


class Replay:
    """The session's cases, and the backend and verifier they share."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        #: Every case collected, selected or not: ``:after:`` may need any of them.
        self.cases: list[Case] = []
        self.backend: Backend | None = None
        self.verifier: Verifier | None = None

    def verify(self, case: Case) -> Outcome:
        return self.started().verify(case, named_cases(self.cases))

    def started(self) -> Verifier:
        """The verifier, its backend started at the first call: a run with no
        transcript selected never starts a server."""
        if self.verifier is None:
            option = self.config.option
            backend = make_backend(option.transcript_backend)
            backend.start()
            self.backend = backend
            self.verifier = Verifier(
                backend,
                timeout=option.transcript_timeout,
                telnet=option.transcript_telnet,
            )
        return self.verifier

    def stop(self) -> None:
        if self.backend is not None:
            self.backend.stop()
        self.backend = self.verifier = None


replay_key = pytest.StashKey[Replay]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[replay_key] = Replay(config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    session.config.stash[replay_key].stop()


def pytest_collect_file(
    file_path: Path, parent: pytest.Collector
) -> pytest.Collector | None:
    if file_path.suffix in PAGE_SUFFIXES and asked_for(file_path, parent.config):
        return TranscriptFile.from_parent(parent, path=file_path)
    return None


def asked_for(page: Path, config: pytest.Config) -> bool:
    """Named on the command line, itself or a folder holding it, or ``--transcripts``.

    Paths that come from ``testpaths`` or from the current folder are not
    named: a plain ``pytest`` never replays pages by surprise.
    """
    if config.option.transcripts:
        return True
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        return False
    page = page.resolve()
    for arg in config.args:
        named = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if named == page or named in page.parents:
            return True
    return False


class TranscriptFile(pytest.File):
    """An .rst page: one item per ``transcript`` directive."""

    def collect(self) -> Iterator[TranscriptItem]:
        replay = self.config.stash[replay_key]
        default_match = self.config.option.transcript_match
        shown_path = shown(self.path, self.config)
        blocks = list(scan_page(self.path.name, self.path.read_text(encoding="utf-8")))
        cases = [
            Case.parse(
                shown_path, block.lineno, block.content, block.options, default_match
            )
            for block in blocks
        ]
        replay.cases += cases
        self.refuse_duplicates(replay.cases, {case.location for case in cases})
        for block, case in zip(blocks, cases, strict=True):
            name = block.options.get("name") or str(block.lineno)
            yield TranscriptItem.from_parent(self, name=name, case=case)

    def refuse_duplicates(self, collected: list[Case], mine: set[str]) -> None:
        """A collection error for each of this page's names defined before.

        Names defined twice on earlier pages were told there.
        """
        found = [
            f"{twice.again}: {twice}"
            for twice in duplicates((case.name, case.location) for case in collected)
            if twice.again in mine
        ]
        if found:
            raise self.CollectError("\n".join(found))


def shown(path: Path, config: pytest.Config) -> str:
    """The page's path as reports show it: relative to where pytest was run."""
    return os.path.relpath(path, config.invocation_params.dir)


class TranscriptFailed(Exception):
    """The page and the server disagree: reported as the diff, not a traceback."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class TranscriptItem(pytest.Item):
    """One transcript, replayed through telnet."""

    def __init__(self, *, case: Case, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.outcome: Outcome | None = None

    def runtest(self) -> None:
        self.outcome = outcome = self.config.stash[replay_key].verify(self.case)
        if outcome.status is Status.SKIPPED:
            # Reported at the page's line, not at this one.
            raise pytest.skip.Exception(
                self.explained(outcome.message), _use_item_location=True
            )
        if outcome.status is Status.FAILED:
            raise TranscriptFailed(outcome)

    def explained(self, message: str) -> str:
        """``message``, with the problems the parser found on the page."""
        problems = [
            f"{self.case.path}:{diagnostic.lineno}: {diagnostic.message}"
            for diagnostic in self.case.transcript.diagnostics
            if diagnostic.category is not Category.CONSISTENCY
        ]
        return "\n".join([message, *problems])

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: str | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, TranscriptFailed):
            outcome = excinfo.value.outcome
            return self.explained(
                f"{outcome.case.path}:{outcome.lineno}: {describe(outcome)}"
            )
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        # pytest counts lines from 0; once replayed, point where page and server diverge.
        lineno = self.outcome.lineno if self.outcome is not None else self.case.lineno
        return self.path, lineno - 1, f"transcript {self.name}"
