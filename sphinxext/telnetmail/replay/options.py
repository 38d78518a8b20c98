"""The replay's settings, declared once for every front end.

``telnetmail check`` adds them as ``--backend``, ``--timeout``...; the
pytest plugin as ``--transcript-backend``, ``--transcript-timeout``...
(pytest's ``addoption`` takes argparse's keywords). Light: the pytest plugin
reads it whenever pytest starts, enabled or not.
"""

from __future__ import annotations

from typing import Any

from telnetmail.core.modes import Mode
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME, DEFAULT_TIMEOUT
from telnetmail.replay.requirements import BACKEND_MODULES, DEFAULT_BACKEND

REPLAY_OPTIONS: dict[str, dict[str, Any]] = {
    "backend": {
        "choices": sorted(BACKEND_MODULES),
        "default": DEFAULT_BACKEND,
        "help": f"the mail servers to replay against (default: {DEFAULT_BACKEND})",
    },
    "timeout": {
        "type": float,
        "default": DEFAULT_TIMEOUT,
        "metavar": "S",
        "help": "seconds of silence before a missing reply fails "
        f"(default: {DEFAULT_TIMEOUT:g})",
    },
    "telnet": {
        "default": "auto",
        "metavar": "CLIENT",
        "help": "'telnet', 'python' (our own client) or 'auto': "
        "the real one when installed (default)",
    },
    "server-name": {
        "default": DEFAULT_SERVER_NAME,
        "metavar": "HOST",
        "help": "the SMTP server's host name the pages show, in its greeting and "
        f"EHLO reply (default: {DEFAULT_SERVER_NAME})",
    },
    "match": {
        "choices": [str(mode) for mode in Mode],
        "default": str(Mode.PROTOCOL),
        "help": "for transcripts without :match: (default: protocol)",
    },
}
