"""A pytest plugin: each transcript of a page is a test item. Opt-in.

Like doctest's ``--doctest-glob``, it collects nothing unless asked:
``--transcripts`` on the command line, or a ``transcripts_glob`` ini setting
(``transcripts_glob = *.rst``; several patterns separated by spaces; ``-o
transcripts_glob=...`` on the command line). Then each page pytest comes
across that matches a pattern (``*.rst`` by default), or that is named on
the command line, gives one item per ``transcript`` directive, named by its
``:name:`` (its line number when it has none), replayed by the same engine
as ``telnetmail check``, against one backend for the whole session (so one
per xdist worker), started when the first item runs.

Installed but not asked for, the plugin costs pytest nearly nothing: this
module imports only pytest and the standard library, and the collector's
hooks are registered only when enabled. The backend runs in a child
process of its own (:mod:`telnetmail.replay.isolated`): no thread of ours
is alive in pytest's process when pexpect forks telnet.

Each page also gives a ``walk`` item (unless ``--transcript-no-walk``): its
transcripts in page order on one store, as a student types them (see
:class:`telnetmail.replay.engine.PageWalk`); it fails at the first walked
transcript that does.

``:after:`` may name a transcript of any page collected in the session, even
one deselected with ``-k``: prerequisites are found among everything collected.
So a ``:name:`` defined twice among them is a collection error, at the page
that defines it again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from _pytest._code.code import ExceptionInfo, TerminalRepr, TracebackStyle

    from telnetmail.replay.backends import Backend
    from telnetmail.replay.engine import Case, Outcome, Status, Verifier

#: The pages collected when ``--transcripts`` is given and no ini says which.
DEFAULT_GLOB = "*.rst *.md"


def pytest_addoption(parser: pytest.Parser) -> None:
    # Light: the option specs import nothing of the replay.
    from telnetmail.replay.options import REPLAY_OPTIONS

    group = parser.getgroup("telnetmail", "telnet mail transcripts (.rst pages)")
    group.addoption(
        "--transcripts",
        action="store_true",
        help="collect the transcripts of the pages matching transcripts_glob "
        f"(default {DEFAULT_GLOB}) and of the pages named",
    )
    for name, spec in REPLAY_OPTIONS.items():
        group.addoption(f"--transcript-{name}", **spec)
    group.addoption(
        "--transcript-no-walk",
        dest="transcript_walk",
        action="store_false",
        help="no walk item per page (its transcripts in page order on one server)",
    )
    parser.addini(
        "transcripts_glob",
        type="args",
        default=[],
        help="collect the transcripts of the pages matching these patterns "
        "(e.g. *.rst), as --transcripts does",
    )


def pytest_configure(config: pytest.Config) -> None:
    globs: list[str] = config.getini("transcripts_glob")
    if not (config.option.transcripts or globs):
        return  # not asked for: no hook of ours runs at collection
    check_replay(config)
    config.pluginmanager.register(
        Transcripts(config, globs or DEFAULT_GLOB.split()), "telnetmail-transcripts"
    )


def check_replay(config: pytest.Config) -> None:
    """A usage error, in one line, when this machine cannot replay."""
    from telnetmail.replay.requirements import Unavailable, require_replay

    try:
        require_replay(config.option.transcript_backend)
        from telnetmail.replay.session import telnet_command

        telnet_command(config.option.transcript_telnet)
    except Unavailable as missing:
        raise pytest.UsageError(str(missing)) from None


class Transcripts:
    """The collector's hooks, registered when asked for."""

    def __init__(self, config: pytest.Config, globs: list[str]) -> None:
        self.globs = globs
        self.replay = Replay(config)
        config.stash[replay_key] = self.replay

    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        if self.wanted(file_path, parent.session):
            return TranscriptFile.from_parent(parent, path=file_path)
        return None

    def wanted(self, page: Path, session: pytest.Session) -> bool:
        """A page matching a pattern, or named itself on the command line."""
        if any(page.match(glob) for glob in self.globs):
            return True
        from telnetmail.core.mystscan import PAGE_SUFFIXES

        return page.suffix in PAGE_SUFFIXES and session.isinitpath(page)

    def pytest_sessionfinish(self) -> None:
        self.replay.stop()


class Replay:
    """The session's cases, and the backend and verifier they share."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        #: Every case collected, selected or not: ``:after:`` may need any of them.
        self.cases: list[Case] = []
        self.backend: Backend | None = None
        self.verifier: Verifier | None = None
        #: Each case's isolated status, for its walk's report.
        self.alone: dict[int, Status] = {}
        self._named: tuple[int, dict[str, Case]] | None = None

    def verify(self, case: Case) -> Outcome:
        outcome = self.started().verify(case, self.named())
        self.alone[id(case)] = outcome.status
        return outcome

    def walk(self, cases: list[Case]) -> list[Outcome]:
        from telnetmail.replay.walk import PageWalk

        outcomes = PageWalk(self.started(), self.named()).run(cases)
        for outcome in outcomes:
            outcome.isolated = self.alone.get(id(outcome.case))
        return outcomes

    def named(self) -> dict[str, Case]:
        """The cases by name; the same dict while no case is added, so that
        the verifier can start each chain where it left it before."""
        from telnetmail.replay.runner import named_cases

        if self._named is None or self._named[0] != len(self.cases):
            self._named = (len(self.cases), named_cases(self.cases))
        return self._named[1]

    def started(self) -> Verifier:
        """The verifier, its backend started at the first call: a run with no
        transcript selected never starts a server."""
        if self.verifier is None:
            from telnetmail.replay.engine import Verifier
            from telnetmail.replay.isolated import IsolatedBackend

            option = self.config.option
            backend = IsolatedBackend(
                option.transcript_backend, option.transcript_server_name
            )
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


class TranscriptFile(pytest.File):
    """An .rst page: one item per ``transcript`` directive."""

    def collect(self) -> Iterator[pytest.Item]:
        from telnetmail.core.mystscan import scan_page
        from telnetmail.replay.engine import Case

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
        if cases and self.config.option.transcript_walk:
            yield PageWalkItem.from_parent(self, name="walk", cases=cases)

    def refuse_duplicates(self, collected: list[Case], mine: set[str]) -> None:
        """A collection error for each of this page's names defined before.

        Names defined twice on earlier pages were told there.
        """
        from telnetmail.core.names import duplicates

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

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.outcome: Outcome | None = None

    def runtest(self) -> None:
        from telnetmail.replay.engine import Status

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
        from telnetmail.core.model import Category

        problems = [
            f"{self.case.path}:{diagnostic.lineno}: {diagnostic.message}"
            for diagnostic in self.case.transcript.diagnostics
            if diagnostic.category is not Category.CONSISTENCY
        ]
        return "\n".join([message, *problems])

    def repr_failure(
        self,
        excinfo: ExceptionInfo[BaseException],
        style: TracebackStyle | None = None,
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, TranscriptFailed):
            from telnetmail.replay.report import describe

            outcome = excinfo.value.outcome
            return self.explained(
                f"{outcome.case.path}:{outcome.lineno}: {describe(outcome)}"
            )
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        # pytest counts lines from 0; once replayed, point where page and server diverge.
        lineno = self.outcome.lineno if self.outcome is not None else self.case.lineno
        return self.path, lineno - 1, f"transcript {self.name}"


class PageWalkItem(pytest.Item):
    """A page's transcripts in page order, on one server."""

    def __init__(self, *, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cases = cases
        self.outcome: Outcome | None = None

    def runtest(self) -> None:
        from telnetmail.replay.engine import Status

        outcomes = self.config.stash[replay_key].walk(self.cases)
        failed = [each for each in outcomes if each.status is Status.FAILED]
        if failed:
            self.outcome = failed[0]
            raise TranscriptFailed(failed[0])

    def repr_failure(
        self,
        excinfo: ExceptionInfo[BaseException],
        style: TracebackStyle | None = None,
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, TranscriptFailed):
            from telnetmail.replay.report import describe

            outcome = excinfo.value.outcome
            return f"{outcome.case.path}:{outcome.lineno}: {describe(outcome)}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        lineno = self.outcome.lineno if self.outcome is not None else 1
        return self.path, lineno - 1, "walk of the page"
