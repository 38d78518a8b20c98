"""A chain that several dialogues share is replayed once: the later ones
start from the mailboxes it left, saved by the backend (the embedded
server here; test_chain_states_dovecot_postfix.py runs the same tests on
Postfix and Dovecot). Verdicts
are those of a full replay: a wrong dialogue still fails at its line, a
chain that fails still fails every dialogue after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnetmail.core.matching import Context
from telnetmail.core.model import Protocol
from telnetmail.core.rstscan import scan
from telnetmail.replay.backends import EmbeddedBackend, Restorable
from telnetmail.replay.engine import Case, Status, Verifier
from telnetmail.replay.report import describe
from walkpages import DELETE, READ, SEND

if TYPE_CHECKING:
    from telnetmail.replay.dovecot_postfix import DovecotPostfixBackend

TIMEOUT = 2.0


class Sessions:
    """A backend, counting the sessions opened on it; it cannot save its
    mailboxes, so every chain is replayed in full."""

    def __init__(self, inner: EmbeddedBackend | DovecotPostfixBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.opened = 0

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def reset(self) -> None:
        self.inner.reset()

    def settle(self) -> None:
        self.inner.settle()

    def port_for(self, protocol: Protocol) -> int:
        self.opened += 1
        return self.inner.port_for(protocol)

    def tls_port(self, listener: str) -> int:
        return self.inner.tls_port(listener)


class SavingSessions(Sessions):
    """The same, saving its mailboxes as the backend it wraps does."""

    def save(self) -> object:
        return self.inner.save()

    def put_back(self, saved: object) -> None:
        self.inner.put_back(saved)


def cases(*pages: str) -> dict[str, Case]:
    found = [
        Case.parse("chains.rst", block.lineno, block.content, block.options)
        for page in pages
        for block in scan(page)
    ]
    return {case.name: case for case in found}


def verdicts(backend: Sessions, named: dict[str, Case]) -> list[tuple[Status, str]]:
    """Each case verified in order on ``backend``, by one verifier."""
    verifier = Verifier(backend, timeout=TIMEOUT, telnet="python")
    outcomes = [verifier.verify(case, named) for case in named.values()]
    return [(outcome.status, describe(outcome)) for outcome in outcomes]


def test_only_a_backend_that_saves_is_restorable(backend):
    assert isinstance(SavingSessions(backend), Restorable)
    assert not isinstance(Sessions(backend), Restorable)


def test_a_chain_two_dialogues_share_is_replayed_once(backend):
    saving = SavingSessions(backend)
    results = verdicts(saving, cases(SEND, DELETE, READ))
    assert [status for status, _ in results] == [Status.PASSED] * 3
    assert saving.opened == 3  # send, delete, read: send's chain not again


def test_without_saving_every_dialogue_replays_its_chain(backend):
    plain = Sessions(backend)
    results = verdicts(plain, cases(SEND, DELETE, READ))
    assert [status for status, _ in results] == [Status.PASSED] * 3
    assert plain.opened == 5  # send; send, delete; send, read


def test_a_dialogue_starts_from_its_own_chain_not_from_a_later_one(backend):
    # ``delete`` empties the mailbox after ``send``; ``read``, after ``send``
    # only, must still find the message there.
    results = verdicts(SavingSessions(backend), cases(SEND, DELETE, READ))
    assert results[2][0] is Status.PASSED, results[2][1]


def test_a_wrong_dialogue_after_a_saved_chain_fails_at_its_line(backend):
    wrong = READ.replace("+OK 1 messages", "+OK 2 messages")
    saving, plain = SavingSessions(backend), Sessions(backend)
    saved = verdicts(saving, cases(SEND, DELETE, wrong))
    assert saved[2][0] is Status.FAILED
    assert "1 messages where the page shows 2 messages" in saved[2][1]
    assert saved == verdicts(plain, cases(SEND, DELETE, wrong))


def test_a_chain_that_fails_fails_each_dialogue_after_it_as_a_full_replay_does(
    backend,
):
    broken = SEND.replace("server: 354 End data", "server: 250 End data")
    saving, plain = SavingSessions(backend), Sessions(backend)
    saved = verdicts(saving, cases(broken, DELETE, READ))
    assert [status for status, _ in saved] == [Status.FAILED] * 3
    for _, text in saved[1:]:
        assert "it needs 'send' first, which fails at chains.rst:" in text
    assert saved == verdicts(plain, cases(broken, DELETE, READ))
    assert saving.opened == plain.opened == 3  # a failure is never saved


def test_a_resumed_chain_brings_back_what_it_captured_and_sent(backend):
    verifier = Verifier(SavingSessions(backend), timeout=TIMEOUT, telnet="python")
    states, named = verifier.chain_states, cases(SEND)
    states.start([], named)
    states.keep(["send"], Context(captured={"coda": "36DC72148F1"}, sent=()))
    resumed, done = states.start(["send"], named)
    assert (done, resumed.captured) == (1, {"coda": "36DC72148F1"})
    resumed.captured["coda"] = "changed by the replay that resumed"
    assert states.start(["send"], named)[0].captured == {"coda": "36DC72148F1"}
