"""The replay engine: one transcript at a time, through telnet, against a backend.

Isolated, each case starts from an empty store, replays the cases its
``:after:`` names (they build the state it reads), then spawns telnet as the
page's ``telnet`` line says, types each ``client:`` line and compares each
``server:`` line as it arrives. The first difference ends the case.

Walked (:mod:`telnetmail.replay.walk`), a page's cases run in page order on
one store, as a student types them.
"""

from __future__ import annotations

import enum
import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from telnetmail.core.chain import replay_order
from telnetmail.core.matching import (
    CLOSED,
    Context,
    Expect,
    ExpectTelnet,
    Mismatch,
    Mode,
    ReplyMatcher,
    Send,
    SizeLedger,
    Step,
    plan,
)
from telnetmail.core.messages import Sent, sent_message
from telnetmail.core.model import Line, Protocol, Role, Transcript
from telnetmail.core.options import split_names
from telnetmail.core.parser import outstanding, parse_lines
from telnetmail.replay.backends import Backend
from telnetmail.replay.defaults import DEFAULT_TIMEOUT
from telnetmail.replay.openssl import open_session, why_not_replayable
from telnetmail.replay.saved import ChainStates
from telnetmail.replay.session import TelnetSession, telnet_command

#: After the page's last line, how long to listen for what the server still
#: says when nothing asked it to close: a reply the page leaves out comes at
#: once on loopback.
END_GRACE = 0.25

#: After a dialogue whose every command has its reply on the page.
QUIET_GRACE = 0.05

#: Commands after whose reply the server closes the connection.
CLOSING = frozenset({"QUIT", "LOGOUT"})


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class Walking(enum.StrEnum):
    """How a case was replayed: alone, or in its page's order."""

    ISOLATED = "isolated"  # from an empty store and its :after: chain
    WALKED = "walked"  # after the page's earlier dialogues, on one store


@dataclass
class Case:
    """A transcript to verify, wherever it was written."""

    name: str  # the :name:, or PATH:LINE when it has none
    path: str
    lineno: int  # of the directive
    transcript: Transcript
    match: Mode = Mode.PROTOCOL
    after: list[str] = field(default_factory=list)
    #: ``:reset:``: a walk puts the store back in this case's isolated
    #: starting state first (empty, then its :after: chain).
    reset: bool = False

    @classmethod
    def parse(
        cls,
        path: str,
        lineno: int,
        numbered: Iterable[tuple[int, str]],
        options: dict[str, str],
        default_match: str = "protocol",
    ) -> Case:
        transcript = parse_lines(numbered, protocol=options.get("protocol") or None)
        return cls(
            name=options.get("name") or f"{path}:{lineno}",
            path=path,
            lineno=lineno,
            transcript=transcript,
            match=Mode(options.get("match") or default_match),
            after=split_names(options.get("after", "")),
            reset="reset" in options,
        )

    @property
    def location(self) -> str:
        return f"{self.path}:{self.lineno}"

    @functools.cached_property
    def steps(self) -> list[Step]:
        """What to type and read, planned once for every replay of the case."""
        return plan(self.transcript)


@dataclass
class Outcome:
    case: Case
    status: Status
    #: Why it failed or was skipped.
    message: str = ""
    mismatch: Mismatch | None = None
    seconds: float = 0.0
    #: What was typed and read in the case's own session, as page lines
    #: (``("client", "HELO x")``, ``("server", "250 mx")``...).
    actual: list[tuple[str, str]] = field(default_factory=list)
    walking: Walking = Walking.ISOLATED
    #: Of a walked case: its isolated status, once known (reports name both).
    isolated: Status | None = None

    @property
    def lineno(self) -> int:
        """The page line to point at: where the page and the server diverge."""
        return self.mismatch.lineno if self.mismatch else self.case.lineno


class ChainFailed(Exception):
    """A chain cannot be replayed: the message says which transcript, where
    and why (``'send' first, which fails at page.rst:12: ...``)."""

    def __init__(self, message: str, mismatch: Mismatch | None = None) -> None:
        super().__init__(message)
        self.mismatch = mismatch


class Verifier:
    """Replays cases against a started backend."""

    def __init__(
        self,
        backend: Backend,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        telnet: str = "auto",
        paste: bool = False,
        chain_states: ChainStates | None = None,
    ) -> None:
        self.backend = backend
        self.timeout = timeout
        self.telnet = telnet_command(telnet)
        #: Type each dialogue's client lines at once, as a student who
        #: pastes the copy button's text once the server has greeted.
        self.paste = paste
        #: Where chains left the store: shared by verifiers of one backend.
        self.chain_states = chain_states or ChainStates(backend)

    def verify(self, case: Case, named: dict[str, Case]) -> Outcome:
        """Replay ``case`` after its ``:after:`` chain, on a fresh store."""
        started = time.monotonic()
        outcome = self.skip_reason(case, named) or self.verify_chain(case, named)
        outcome.seconds = time.monotonic() - started
        return outcome

    def skip_reason(self, case: Case, named: dict[str, Case]) -> Outcome | None:
        transcript = case.transcript
        talks = any(line.role is not Role.TELNET for line in transcript.lines)
        if not transcript.readable or (talks and transcript.protocol is None):
            return Outcome(
                case,
                Status.SKIPPED,
                "the transcript cannot be read: see the build's warnings",
            )
        unreplayable = why_not_replayable(transcript) or next(
            (
                f"it needs {name!r} first, which was {why}"
                for name in chain_of(case, named)
                if name in named
                and (why := why_not_replayable(named[name].transcript)) is not None
            ),
            None,
        )
        if unreplayable is not None:
            return Outcome(case, Status.SKIPPED, unreplayable)
        afters = {name: other.after for name, other in named.items()}
        if replay_order(case.after, afters, case.name) is None:
            return Outcome(
                case,
                Status.FAILED,
                f"its :after: chain ({', '.join(case.after)}) leads back to a "
                f"transcript it names: a cycle cannot be replayed",
            )
        missing = [name for name in chain_of(case, named) if name not in named]
        if missing:
            return Outcome(
                case,
                Status.FAILED,
                f":after: names {missing[0]!r}, which no transcript is named",
            )
        return None

    def verify_chain(self, case: Case, named: dict[str, Case]) -> Outcome:
        prepared = self.prepare(case, named)
        if isinstance(prepared, Outcome):
            return prepared
        context = Context(
            case.match,
            prepared.captured,
            prepared.sent + messages_sent(case.transcript),
        )
        outcome = self.outcome_of(case, context)
        if outcome.status is Status.PASSED:
            self.chain_states.keep([*chain_of(case, named), case.name], context)
        return outcome

    def prepare(self, case: Case, named: dict[str, Case]) -> Context | Outcome:
        """Empty the store and replay ``case``'s :after: chain on it; what
        the chain captured and sent, or the failure that stopped it."""
        try:
            return self.replay_names(chain_of(case, named), named)
        except ChainFailed as failed:
            return Outcome(case, Status.FAILED, f"it needs {failed}", failed.mismatch)

    def replay_names(self, names: list[str], named: dict[str, Case]) -> Context:
        """Empty the store and replay the cases ``names`` in order; what
        they captured and sent. Raises :class:`ChainFailed` at the first
        that fails. Where they were replayed before and the backend can
        save its mailboxes, the store is put back as they left it instead."""
        # Captures and typed headers carry along the chain.
        shared, done = self.chain_states.start(names, named)
        for index in range(done, len(names)):
            before = named[names[index]]
            failure = self.replay(
                before, Context(before.match, shared.captured, shared.sent)
            )
            shared.sent += messages_sent(before.transcript)
            if failure is not None:
                raise ChainFailed(
                    f"{names[index]!r} first, which fails at {before.path}:"
                    f"{failure.lineno}: {failure.reason}",
                    failure,
                )
            self.chain_states.keep(names[: index + 1], shared)
        return shared

    def outcome_of(self, case: Case, context: Context) -> Outcome:
        """Replay ``case`` itself in ``context``, noting what was said."""
        actual: list[tuple[str, str]] = []
        failure = self.replay(case, context, actual)
        if failure is not None:
            return Outcome(case, Status.FAILED, failure.reason, failure, actual=actual)
        return Outcome(case, Status.PASSED, actual=actual)

    def replay(
        self, case: Case, context: Context, actual: list[tuple[str, str]] | None = None
    ) -> Mismatch | None:
        """Replay one transcript; the first mismatch, or None.

        ``actual`` receives every line typed and read, in order.
        """
        transcript = case.transcript
        with open_session(self.backend, transcript, self.telnet) as session:
            walk = Walk(session, transcript, context, self.timeout, actual, case.steps)
            walk.paste = self.paste
            try:
                walk.run()
            except Mismatch as mismatch:
                return mismatch
        self.backend.settle()
        return None


def listening_after(transcript: Transcript) -> float | None:
    """How long the verifier listens after a dialogue's last line, for what
    the server still says: None, until it hangs up, when the last command
    asks it to close; else a grace. A command left without its reply on the
    page gets it at once on loopback (END_GRACE); otherwise only an
    unsolicited line could come (QUIET_GRACE)."""
    if _closing(transcript):
        return None
    protocol = transcript.protocol
    if protocol is not None and outstanding(protocol, transcript.lines):
        return END_GRACE
    return QUIET_GRACE


def _closing(transcript: Transcript) -> bool:
    """Whether the page's last command asks the server to close."""
    typed = [line.text for line in transcript.client_lines() if line.text.strip()]
    words = typed[-1].split() if typed else []
    if transcript.protocol is Protocol.IMAP:
        words = words[1:]  # the tag
    return bool(words) and words[0].upper() in CLOSING


def chain_of(case: Case, named: dict[str, Case]) -> list[str]:
    """The names to replay before ``case``, each once, earliest first.

    A chain that leads back to a transcript replays nothing: ``skip_reason``
    fails such a case first.
    """
    afters = {name: other.after for name, other in named.items()}
    return replay_order(case.after, afters, case.name) or []


def messages_sent(transcript: Transcript) -> tuple[Sent, ...]:
    """The messages a transcript sends (SMTP DATA, IMAP APPEND), as typed."""
    return tuple(
        sent_message([line.text for line in turn.payload])
        for turn in transcript.turns
        if turn.role is Role.CLIENT and turn.payload
    )


class Walk:
    """The steps of one transcript, against one telnet session."""

    def __init__(
        self,
        session: TelnetSession,
        transcript: Transcript,
        context: Context,
        timeout: float,
        actual: list[tuple[str, str]] | None,
        steps: list[Step] | None = None,
    ) -> None:
        self.session = session
        self.transcript = transcript
        self.steps = plan(transcript) if steps is None else steps
        self.context = context
        self.timeout = timeout
        self.banner_done = not session.banner
        #: Whether every client line goes at the first chance (see Verifier).
        self.paste = False
        self.actual = actual if actual is not None else []
        if transcript.connection is not None:
            command = next(
                line
                for line in transcript.lines
                if line.lineno == transcript.connection.lineno
            )
            self.actual.append(("telnet", command.text))

    def run(self) -> None:
        self.context.sizes = SizeLedger()
        for step in self.steps:
            if isinstance(step, Send):
                self.finish_banner()
                self.type_lines(step)
            elif isinstance(step, ExpectTelnet):
                self.expect_telnet(step)
            elif isinstance(step, Expect):
                self.finish_banner()
                self.expect(step)
        if self.banner_done:
            self.drain()
        wrong = self.context.sizes.verdict()
        if wrong is not None:
            lineno, reason = wrong
            shown = [(line.lineno, line.text) for line in self.transcript.lines]
            raise Mismatch(lineno, reason, [p for p in shown if p[0] == lineno], [])

    def type_lines(self, step: Send) -> None:
        """Type the step's lines; pasting, every client line at the first step."""
        if not self.paste:
            lines = step.lines
        elif step.lines[0] is self.first_client_line():
            lines = self.transcript.client_lines()
        else:
            return  # pasted already
        self.session.send_lines([line.text for line in lines])
        self.actual.extend(("client", line.text) for line in lines)

    def first_client_line(self) -> Line | None:
        return next(iter(self.transcript.client_lines()), None)

    def drain(self) -> None:
        """What the server still says after the page's last line must be shown.

        Telnet's own closing line may be left out; in protocol mode, so may
        untagged IMAP data other than ``* BYE``.
        """
        last = self.transcript.lines[-1]
        listening = listening_after(self.transcript)
        deadline = self.timeout if listening is None else min(self.timeout, listening)
        while (text := self.read(seconds=deadline)) is not None:
            if text == CLOSED or self.allowed_unshown(text):
                continue
            raise Mismatch(
                last.lineno,
                f"after the page's last line the server sends {text!r}, "
                f"which the page does not show",
                [(last.lineno, last.text)],
                [text],
            )

    def allowed_unshown(self, text: str) -> bool:
        return (
            self.context.mode is Mode.PROTOCOL
            and self.transcript.protocol is Protocol.IMAP
            and text.startswith("* ")
            and not text.upper().startswith("* BYE")
        )

    def read(self, role: str = "server", seconds: float | None = None) -> str | None:
        """The next line within ``seconds`` (the timeout by default), noted
        in ``actual``: telnet's own lines as telnet's."""
        wait = self.timeout if seconds is None else seconds
        deadline = time.monotonic() + wait
        while (text := self.session.read_line(deadline)) is not None:
            own = role == "server" and self.session.own_line(text)
            telnets = not self.banner_done or text == CLOSED or own
            self.actual.append(("telnet" if telnets else role, text))
            if not own:
                break
        return text

    def finish_banner(self) -> None:
        """Read telnet's banner lines the page does not show."""
        while not self.banner_done:
            text = self.read()
            if text is None:
                raise Mismatch(
                    self.transcript.lines[0].lineno,
                    "telnet did not connect",
                    [],
                    [],
                )
            self.banner_done = self.session.banner_end(text)

    def expect_telnet(self, step: ExpectTelnet) -> None:
        shows = self.session.shows
        for line in step.lines:
            text = self.read("telnet")
            while text is not None and not shows(line, text, self.context.mode):
                if not self.session.skippable(text):
                    break
                text = self.read("telnet")  # a message of openssl's not shown
            if text is None or not shows(line, text, self.context.mode):
                raise Mismatch(
                    line.lineno,
                    f"{self.session.name} says otherwise",
                    [(line.lineno, line.text)],
                    [text or ""],
                )
            if self.session.banner_end(text):
                self.banner_done = True

    def expect(self, step: Expect) -> None:
        # A transcript whose server talks has a protocol: skip_reason() saw to it.
        assert self.transcript.protocol is not None
        matcher = ReplyMatcher(
            self.transcript.protocol,
            step.history,
            step.turns,
            self.context,
            step.reading,
        )
        while True:
            text = self.read()
            if text is None:
                raise matcher.silence()
            if matcher.feed(text):
                return


#: For progress reports: called with each outcome as it is known.
Progress = Callable[[Outcome], None]
