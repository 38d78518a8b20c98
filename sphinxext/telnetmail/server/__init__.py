"""The embedded mail server: SMTP, POP3 and IMAP over one in-memory mail store.

:class:`~telnetmail.server.controller.MailServer` starts all three on one
asyncio event loop in a background thread; :mod:`telnetmail.server.config`
holds the host names, greetings and accounts that the course uses.
"""

from __future__ import annotations

from telnetmail.server.config import Account, Identity, ServerConfig
from telnetmail.server.controller import MailServer

__all__ = ["Account", "Identity", "MailServer", "ServerConfig"]
