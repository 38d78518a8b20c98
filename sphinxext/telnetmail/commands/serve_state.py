"""The practice server's mailboxes on demand: ``serve --from NAME`` and the
channel ``telnetmail reset`` talks to (see :mod:`telnetmail.replay.starting`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telnetmail.exitcodes import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    from telnetmail.server.control import ControlListener
    from telnetmail.server.controller import MailServer


def prepare(server: MailServer, name: str | None, pages: list[Path]) -> int | None:
    """Put the mailboxes where dialogue ``name`` starts; on failure, explain
    and return the exit code."""
    if name is None:
        return None
    told, usage = put_back(server, name, pages)
    if usage is None:
        print(told, flush=True)
        return None
    print(f"telnetmail serve: --from {name}: {told}", file=sys.stderr)
    return EXIT_USAGE if usage else EXIT_FAILED


def listen_for_resets(server: MailServer, pages: list[Path]) -> ControlListener | None:
    """The control channel of ``telnetmail reset``; None where it cannot be."""
    from telnetmail.server.control import ControlError, ControlListener

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        told, usage = put_back(server, request.get("reset"), pages)
        if usage is not None:
            return {"ok": False, "message": told, "usage": usage}
        print(f"telnetmail reset: {told}", flush=True)
        return {"ok": True, "message": told}

    try:
        listener = ControlListener(handle, dict(server.ports))
        listener.start()
    except (ControlError, OSError) as problem:
        print(f"telnetmail serve: no 'telnetmail reset': {problem}", file=sys.stderr)
        return None
    return listener


def put_back(
    server: MailServer, name: str | None, pages: list[Path]
) -> tuple[str, bool | None]:
    """Empty the mailboxes, then type ``name``'s chain; what to tell, and
    None if done, else whether the request was at fault (a usage error)."""
    from telnetmail.replay.starting import (
        StartError,
        UnknownStart,
        dialogues,
        start_from,
    )

    try:
        return str(start_from(server, name, dialogues(pages) if name else {})), None
    except StartError as problem:
        return str(problem), isinstance(problem, UnknownStart)
