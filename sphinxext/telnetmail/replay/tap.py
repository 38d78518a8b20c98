"""A tap on one connection: relays it to the server and keeps what crossed.

``telnetmail record`` points telnet at the tap instead of the server: the
bytes towards the server are what the author typed, the bytes back are the
server's, so the roles of a recorded session never have to be guessed from
a terminal's echo.
"""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING, Self

from telnetmail.core.recording import Chunk

if TYPE_CHECKING:
    from types import TracebackType

#: Seconds to wait for telnet to connect, and for the relay threads to end.
ACCEPT_TIMEOUT = 30.0
JOIN_TIMEOUT = 2.0


class Tap:
    """Listens on a free loopback port; relays its first connection to ``upstream``."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.chunks: list[Chunk] = []
        self.error: OSError | None = None
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(ACCEPT_TIMEOUT)
        self._sockets: list[socket.socket] = [self._listener]
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def __enter__(self) -> Self:
        accept = threading.Thread(target=self._serve, name="tap", daemon=True)
        self._threads.append(accept)
        accept.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every socket and wait for the relay threads."""
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # never connected, or already gone
            sock.close()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(JOIN_TIMEOUT)

    def _serve(self) -> None:
        try:
            client, _ = self._listener.accept()
        except OSError:
            return  # closed before telnet came
        self._sockets.append(client)
        try:
            server = socket.create_connection(self.upstream, timeout=ACCEPT_TIMEOUT)
        except OSError as error:
            self.error = error
            client.close()
            return
        server.settimeout(None)
        self._sockets.append(server)
        for source, sink, role in (
            (client, server, "client"),
            (server, client, "server"),
        ):
            relay = threading.Thread(
                target=self._relay,
                args=(source, sink, role),
                name=f"tap-{role}",
                daemon=True,
            )
            self._threads.append(relay)
            relay.start()

    def _relay(self, source: socket.socket, sink: socket.socket, role: str) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            with self._lock:
                if data:
                    self.chunks.append(Chunk(role, data))
            try:
                if not data:
                    sink.shutdown(socket.SHUT_WR)  # pass the close along
                    return
                sink.sendall(data)
            except OSError:
                return
