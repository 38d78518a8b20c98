"""What a listener's connection callback holds, for POP3 and IMAP alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telnetmail.server.store import MailStore
    from telnetmail.server.tls import LazyContext

__all__ = ["SessionHandler"]


class SessionHandler:
    """The store; the TLS context that STLS/STARTTLS upgrade with (None: no
    TLS); and *secure*, TLS from the first byte (POP3S, IMAPS)."""

    def __init__(
        self,
        store: MailStore,
        context: LazyContext | None = None,
        *,
        secure: bool = False,
    ) -> None:
        self.store = store
        self.context = context
        self.secure = secure
