"""The replay's settings, declared once for every front end.

``telnetmail check`` adds them as ``--backend``, ``--timeout``...; the
pytest plugin as ``--transcript-backend``, ``--transcript-timeout``...
(pytest's ``addoption`` takes argparse's keywords).
"""

from __future__ import annotations

from typing import Any

from telnetmail.replay.backends import BACKENDS
from telnetmail.replay.engine import DEFAULT_TIMEOUT

REPLAY_OPTIONS: dict[str, dict[str, Any]] = {
    "backend": {
        "choices": sorted(BACKENDS),
        "default": "embedded",
        "help": "the mail servers to replay against (default: embedded)",
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
    "match": {
        "choices": ("protocol", "exact"),
        "default": "protocol",
        "help": "for transcripts without :match: (default: protocol)",
    },
}
