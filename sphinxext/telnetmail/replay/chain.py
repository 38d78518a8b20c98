"""Replay the ``:after:`` chain a new session starts from.

``telnetmail record --after`` and ``telnetmail check --update`` both need
the mail store as the named transcripts leave it before their own session.
"""

from __future__ import annotations

from telnetmail.core.chain import replay_order
from telnetmail.core.matching import Context
from telnetmail.replay.engine import Case, ChainFailed, Verifier

__all__ = ["ChainFailed", "replay_chain", "typed_lines"]


def replay_chain(
    verifier: Verifier, after: list[str], named: dict[str, Case], name: str = ""
) -> Context:
    """Empty the store, replay ``after``'s chain; what it captured and sent."""
    afters = {key: case.after for key, case in named.items()}
    order = replay_order(after, afters, name)
    if order is None:
        raise ChainFailed(f"the :after: chain ({', '.join(after)}) is a cycle")
    missing = [key for key in order if key not in named]
    if missing:
        raise ChainFailed(f":after: names {missing[0]!r}, which no transcript is named")
    return verifier.replay_names(order, named)


def typed_lines(after: list[str], named: dict[str, Case]) -> frozenset[str]:
    """Every line the chain's transcripts type: content a sender wrote."""
    afters = {key: case.after for key, case in named.items()}
    order = replay_order(after, afters, "") or []
    return frozenset(
        line.text
        for key in order
        if key in named
        for line in named[key].transcript.client_lines()
    )
