"""Acknowledge at once: no delayed-ACK stall behind a client that keeps Nagle on.

inetutils telnet leaves Nagle's algorithm on. A client typing a message body
sends its first line, then holds the next until that one is acknowledged,
and Linux delays the acknowledgement by ~40 ms when it has nothing to send
back: one stall per body typed (measured: 68% of the course's replay time).
``TCP_QUICKACK`` makes the kernel acknowledge at once, but Linux clears it
again after use, so it is re-armed after every read. Elsewhere (no
``TCP_QUICKACK``) this is a no-op. Only our own connections are touched:
the option is set per socket, nothing global.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


def rearm(transport: asyncio.BaseTransport | None) -> None:
    """Ask for the next acknowledgements at once on this connection."""
    if _QUICKACK is None or transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
    except OSError:
        pass  # the connection is closing: nothing left to acknowledge


def acknowledge_promptly(protocol: asyncio.Protocol) -> None:
    """Re-arm quick acknowledgements whenever ``protocol`` receives data."""
    if _QUICKACK is None:
        return
    received = protocol.data_received

    def data_received(data: Any) -> None:
        rearm(getattr(protocol, "transport", None) or _transport_of(protocol))
        received(data)

    protocol.data_received = data_received  # type: ignore[method-assign]


def _transport_of(protocol: asyncio.Protocol) -> asyncio.BaseTransport | None:
    # StreamReaderProtocol keeps its transport in a private attribute.
    return getattr(protocol, "_transport", None)
