"""What the replay needs of this machine, asked without importing the replay.

``pip install telnetmail`` gives the directive and its rendering only; the
replay and the embedded server come with the ``replay`` extra. Every front
end (``telnetmail check``, the ``transcripts`` builder, the pytest plugin)
asks :func:`require_replay` first, so that a missing piece is one sentence
naming what to install, never a traceback. This module imports nothing.
"""

from __future__ import annotations

import importlib

#: The install that brings the replay.
REPLAY_EXTRA = "telnetmail[replay]"

#: Each backend's name, with the modules it imports beyond the standard library.
BACKEND_MODULES: dict[str, tuple[str, ...]] = {
    "embedded": ("pexpect", "aiosmtpd", "pymap"),
    "dovecot-postfix": ("pexpect",),
}

#: The backend used when none is chosen.
DEFAULT_BACKEND = "embedded"


class Unavailable(RuntimeError):
    """This machine lacks something the replay needs; the message says what."""


def require_replay(backend: str = DEFAULT_BACKEND) -> None:
    """Raise :class:`Unavailable` if a module the backend needs is missing."""
    missing = [
        name for name in BACKEND_MODULES.get(backend, ()) if not _importable(name)
    ]
    if missing:
        raise Unavailable(
            f"replaying transcripts needs {', '.join(missing)}:"
            f" pip install '{REPLAY_EXTRA}'"
        )


def _importable(name: str) -> bool:
    # A real import, not find_spec: a module present but broken is missing too.
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
