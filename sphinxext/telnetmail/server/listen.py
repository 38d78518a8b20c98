"""Listening sockets, bound by us: port 0 gives a free port, read back at once."""

from __future__ import annotations

import errno
import socket

__all__ = ["PortInUseError", "bind"]


class PortInUseError(OSError):
    """A port asked for by number is taken by another process."""

    def __init__(self, service: str, host: str, port: int) -> None:
        super().__init__(
            errno.EADDRINUSE, f"{service.upper()} port {host}:{port} is already in use"
        )
        self.service = service
        self.host = host
        self.port = port


def bind(service: str, host: str, port: int, backlog: int = 1024) -> socket.socket:
    """A listening TCP socket on *host*:*port* (0: a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0 (what socket.create_server passes): asyncio sets
    # TCP_NODELAY only on sockets whose proto says TCP, and without it a reply
    # written in two parts waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # 128 made a class's burst of 300 connections wait over a second.
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(service, host, port) from None
        raise
    return sock
