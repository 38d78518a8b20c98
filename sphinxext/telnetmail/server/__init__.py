"""The embedded mail server: SMTP, POP3 and IMAP over one in-memory mail store.

:class:`~telnetmail.server.controller.MailServer` starts all three on one
asyncio event loop in a background thread; :mod:`telnetmail.server.config`
holds the host names, greetings and accounts that the course uses.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Account", "Identity", "MailServer", "ServerConfig"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: importing a light module of the package (its
    # limits, its configuration) must not start pymap and aiosmtpd.
    if name == "MailServer":
        from telnetmail.server.controller import MailServer

        return MailServer
    if name in ("Account", "Identity", "ServerConfig"):
        from telnetmail.server import config

        return getattr(config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
