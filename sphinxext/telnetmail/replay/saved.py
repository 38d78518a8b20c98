"""Where each :after: chain left the mail store, to start from there again.

Every dialogue is verified from an empty store after its ``:after:`` chain,
and most chains are shared: the course's 137 dialogues opened 316 telnet
sessions, more than half of them replaying a chain already replayed for an
earlier dialogue (139 now). Where the backend can save its mailboxes
(:class:`~telnetmail.replay.backends.Restorable`), the state each chain
prefix leaves (mailboxes, what its dialogues captured and sent) is kept,
and a later chain starts from its longest prefix replayed before.

Only prefixes that replayed without a mismatch are kept: a chain that
fails is replayed again for every dialogue that needs it, and fails again
with its own message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from telnetmail.core.matching import Context
from telnetmail.core.messages import Sent
from telnetmail.replay.backends import Backend, Restorable

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["ChainStates"]


@dataclass(frozen=True)
class _State:
    mailboxes: object
    captured: dict[str, str]
    sent: tuple[Sent, ...]

    def context(self) -> Context:
        # A copy: the replay that resumes from here adds its captures.
        return Context(captured=dict(self.captured), sent=self.sent)


class ChainStates:
    """The states chains left on one backend, by the names replayed."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._states: dict[tuple[str, ...], _State] = {}
        self._named: Mapping[str, object] | None = None

    def start(self, names: Sequence[str], named: Mapping[str, object]) -> tuple[Context, int]:
        """The store put where ``names`` (a chain, earliest first) lead, as
        far as a replay before took them: the context to go on with, and how
        many of ``names`` are done. Otherwise an empty store, and 0."""
        if named is not self._named:
            # Another set of transcripts: the same names may mean other dialogues.
            self._states.clear()
            self._named = named
        for done in range(len(names), 0, -1):
            state = self._states.get(tuple(names[:done]))
            if state is not None:
                assert isinstance(self.backend, Restorable)
                self.backend.put_back(state.mailboxes)
                return state.context(), done
        self.backend.reset()
        return Context(), 0

    def keep(self, names: Sequence[str], context: Context) -> None:
        """Remember where ``names``, replayed in order and passing, left the
        store and ``context``."""
        if not isinstance(self.backend, Restorable):
            return
        mailboxes = self.backend.save()
        if mailboxes is not None:
            self._states[tuple(names)] = _State(mailboxes, dict(context.captured), context.sent)
