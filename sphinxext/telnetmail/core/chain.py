"""The ``:after:`` chain: which transcripts replay before one, in which order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def replay_order(
    after: Sequence[str], afters: Mapping[str, Sequence[str]], name: str = ""
) -> list[str] | None:
    """Names to replay for an ``:after:`` list, earliest first; None on a cycle.

    ``afters`` gives each known name's own ``:after:`` list; ``name`` is the
    transcript that asks, so that a chain leading back to it is a cycle.
    """
    order: list[str] = []
    done: set[str] = set()  # what ``order`` holds, asked of at every visit
    visiting: set[str] = {name}

    def visit(current: str) -> bool:
        if current in done:
            return True
        if current in visiting:
            return False
        visiting.add(current)
        if not all(visit(needed) for needed in afters.get(current, ())):
            return False
        visiting.discard(current)
        order.append(current)
        done.add(current)
        return True

    if not all(visit(needed) for needed in after):
        return None
    return order
