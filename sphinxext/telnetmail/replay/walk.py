"""The page walk: a page's transcripts in page order on one store.

What a student who starts ``telnetmail serve`` and types the page top to
bottom sees. Only a ``:reset:`` transcript goes back to its isolated
starting state first (see :mod:`telnetmail.core.starts`).
"""

from __future__ import annotations

import time

from telnetmail.core.matching import Context
from telnetmail.core.messages import Sent
from telnetmail.replay.engine import (
    Case,
    Outcome,
    Status,
    Verifier,
    Walking,
    chain_of,
    messages_sent,
)


class PageWalk:
    """A page's cases in page order, on one store, as a student types them.

    The store is emptied before the first case; a ``:reset:`` case puts it
    back in its isolated starting state. After a failure the store is in a
    state no page describes: the cases up to the next ``:reset:`` are skipped.
    """

    def __init__(self, verifier: Verifier, named: dict[str, Case]) -> None:
        self.verifier = verifier
        self.named = named
        self.started = False
        #: Where the walk failed, until a :reset: case starts it again.
        self.stopped_at: str | None = None
        #: The messages typed since the store was last emptied.
        self.sent: tuple[Sent, ...] = ()
        #: Each walked case's captures, for the cases that name it :after:.
        self.captured: dict[str, dict[str, str]] = {}

    def run(self, cases: list[Case]) -> list[Outcome]:
        return [self.step(case) for case in cases]

    def step(self, case: Case) -> Outcome:
        started = time.monotonic()
        outcome = self.outcome(case)
        outcome.seconds = time.monotonic() - started
        outcome.walking = Walking.WALKED
        if outcome.status is Status.FAILED and self.stopped_at is None:
            self.stopped_at = f"{case.path}:{outcome.lineno}"
        return outcome

    def outcome(self, case: Case) -> Outcome:
        skipped = self.verifier.skip_reason(case, self.named)
        if skipped is not None:
            return skipped
        if case.reset or not self.started:
            restart = self.restart(case)
            if restart is not None:
                return restart
        if self.stopped_at is not None:
            return Outcome(
                case,
                Status.SKIPPED,
                f"not walked: the walk failed at {self.stopped_at}, which leaves "
                f"the mailboxes in a state the page does not describe "
                f"(a :reset: dialogue starts the walk again)",
            )
        typed = messages_sent(case.transcript)
        context = Context(case.match, self.captures_for(case), self.sent + typed)
        outcome = self.verifier.outcome_of(case, context)
        self.sent += typed
        self.captured[case.name] = context.captured
        return outcome

    def restart(self, case: Case) -> Outcome | None:
        """Empty the store, and for a :reset: case replay its chain; the
        failure that keeps the case from starting, or None."""
        self.started, self.stopped_at, self.sent = True, None, ()
        if not case.reset:
            self.verifier.backend.reset()
            return None
        prepared = self.verifier.prepare(case, self.named)
        if isinstance(prepared, Outcome):
            return prepared
        self.sent = prepared.sent
        for name in chain_of(case, self.named):
            self.captured[name] = prepared.captured
        return None

    def captures_for(self, case: Case) -> dict[str, str]:
        """What the walked cases of its :after: chain captured."""
        captured: dict[str, str] = {}
        for name in chain_of(case, self.named):
            captured.update(self.captured.get(name, {}))
        return captured
