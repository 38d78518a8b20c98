"""Where a dialogue starts: the command that puts the practice server there.

A page is walked top to bottom on one server; a ``:reset:`` dialogue starts
instead from its isolated state: the mailboxes emptied, then its ``:after:``
chain replayed. The reader gets there with one command, the same one the
walk's state stands for.
"""

from __future__ import annotations

#: The command that empties the practice server's mailboxes.
RESET = "telnetmail reset"


def reset_command(name: str, after: list[str]) -> str:
    """What to type before a ``:reset:`` dialogue named ``name``.

    Without an ``:after:`` chain its state is the empty mailboxes, and the
    name is not needed.
    """
    return f"{RESET} {name}" if after else RESET


def unnamed_reset_problem(name: str, after: list[str], reset: bool) -> str | None:
    """Why a ``:reset:`` cannot be shown to the reader, or None."""
    if reset and after and not name:
        return (
            ":reset: with :after: needs a :name:: the reader puts the server "
            "back in this dialogue's starting state with 'telnetmail reset NAME'"
        )
    return None
