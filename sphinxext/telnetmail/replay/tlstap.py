"""A tap that sees inside TLS: ``telnetmail record -- openssl s_client ...``.

openssl connects to the tap, which ends its TLS with a certificate made in
Python (:func:`telnetmail.server.tls.server_context`, as the embedded
server's) and opens TLS of its own to the server: between the two, the
dialogue crosses in plaintext and is kept, each chunk with who sent it.
For ``-starttls`` the tap relays the plaintext exchange openssl does on its
own (``EHLO`` and ``STARTTLS``, ``STLS``, ``. STARTTLS``: no part of the
page, only its server lines are kept, for openssl's leftover line) and
upgrades both sides right after the server accepts.

One asyncio loop in a thread: each TLS connection is read and written by
that loop alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from typing import TYPE_CHECKING, Self

from telnetmail.core.openssl import upgrade_asked, upgrade_reply
from telnetmail.core.recording import Chunk

if TYPE_CHECKING:
    from types import TracebackType

    from telnetmail.core.model import Protocol

#: Seconds to wait for the tap to listen, and for its thread to end.
START_TIMEOUT = 10.0
JOIN_TIMEOUT = 2.0
#: Seconds to connect to the server and to finish a handshake.
CONNECT_TIMEOUT = 30.0

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class UpgradeRefused(OSError):
    """The server did not accept the STARTTLS openssl asked for."""


class TlsTap:
    """Listens on a free loopback port; relays its first connection to
    ``upstream`` over TLS, in TLS from the start or after ``starttls``'s
    exchange (the protocol openssl's ``-starttls`` names)."""

    def __init__(
        self,
        upstream: tuple[str, int],
        names: tuple[str, ...],
        starttls: Protocol | None = None,
    ) -> None:
        self.upstream = upstream
        self.names = names
        self.starttls = starttls
        self.chunks: list[Chunk] = []
        #: The server's lines before TLS (``-starttls``), in order.
        self.plaintext: list[str] = []
        self.error: OSError | None = None
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tls-tap", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or not self.port:
            self.close()
            raise OSError("the TLS tap did not start")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Hang up both sides and wait for the loop's thread."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is gone
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(JOIN_TIMEOUT)

    # -- the loop -----------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        finally:
            self._ready.set()  # if it failed to start: __enter__ says so

    async def _main(self) -> None:
        from telnetmail.server.tls import TLSConfig, server_context

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        context = server_context(TLSConfig(), self.names)
        sessions: list[asyncio.Task[None]] = []

        async def accepted(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            if sessions:  # the first connection only
                writer.close()
                return
            task = asyncio.current_task()
            assert task is not None
            sessions.append(task)
            with contextlib.suppress(asyncio.CancelledError):  # close()
                await self._session((reader, writer), context)

        # TLS from the start: openssl's handshake comes at once, before the
        # server is reached; read as plaintext, it would be lost to TLS.
        implicit = context if self.starttls is None else None
        server = await asyncio.start_server(accepted, "127.0.0.1", 0, ssl=implicit)
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        async with server:
            await self._stop.wait()
            for task in sessions:
                task.cancel()
            await asyncio.gather(*sessions, return_exceptions=True)

    async def _session(self, client: Streams, context: ssl.SSLContext) -> None:
        server: Streams | None = None
        try:
            server = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream), CONNECT_TIMEOUT
            )
            if self.starttls is None:
                secured = server[1].start_tls(_client_context())
            else:
                accepted = await self._plaintext(client, server, self.starttls)
                secured = _secured(client, server, context, accepted)
            await asyncio.wait_for(secured, CONNECT_TIMEOUT)
            await _both_ways(client, server, self.chunks)
        except OSError as error:  # TimeoutError too
            self.error = error
        finally:
            await _hang_up(client[1], *([server[1]] if server else []))

    async def _plaintext(
        self, client: Streams, server: Streams, protocol: Protocol
    ) -> bytes:
        """Relay openssl's STARTTLS exchange; the server's accepting line,
        not yet passed on (openssl's handshake follows it at once)."""
        asked: list[str] = []
        requests = asyncio.create_task(_requests(client[0], server[1], protocol, asked))
        replies = asyncio.create_task(
            self._replies(server[0], client[1], protocol, asked)
        )
        try:
            done, _ = await asyncio.wait(
                {requests, replies}, return_when=asyncio.FIRST_EXCEPTION
            )
        finally:
            requests.cancel()
            replies.cancel()
        for task in done:
            failure = task.exception()
            if failure is not None:
                raise failure
        return replies.result()

    async def _replies(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        protocol: Protocol,
        asked: list[str],
    ) -> bytes:
        while True:
            raw = await reader.readline()
            if not raw:
                raise ConnectionResetError("the server hung up before TLS")
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.plaintext.append(text)
            verdict = upgrade_reply(protocol, text, asked[0]) if asked else None
            if verdict:
                return raw
            writer.write(raw)
            if verdict is False:
                raise UpgradeRefused(f"the server refused TLS: {text}")


async def _requests(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    protocol: Protocol,
    asked: list[str],
) -> None:
    """openssl's plaintext lines to the server, up to its STARTTLS."""
    while True:
        raw = await reader.readline()
        if not raw:
            raise ConnectionResetError("openssl hung up before TLS")
        writer.write(raw)
        tag = upgrade_asked(protocol, raw.decode("utf-8", "replace").strip())
        if tag is not None:
            asked.append(tag)
            return


async def _secured(
    client: Streams, server: Streams, context: ssl.SSLContext, accepted: bytes
) -> None:
    """After -starttls, TLS to the server first, then openssl's: its
    handshake follows the accepting line at once, and must not be read as
    plaintext."""
    await server[1].start_tls(_client_context())
    client[1].write(accepted)
    await client[1].start_tls(context)


def _client_context() -> ssl.SSLContext:
    """The server's certificate is not checked: the practice server's is
    made for the moment (openssl checks the tap's, and says so)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _both_ways(client: Streams, server: Streams, chunks: list[Chunk]) -> None:
    """Relay until either side hangs up, keeping each chunk."""
    pumps = [
        asyncio.create_task(_pump(client[0], server[1], "client", chunks)),
        asyncio.create_task(_pump(server[0], client[1], "server", chunks)),
    ]
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pump in pumps:
            pump.cancel()


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    role: str,
    chunks: list[Chunk],
) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            chunks.append(Chunk(role, data))
            writer.write(data)
            await writer.drain()


async def _hang_up(*writers: asyncio.StreamWriter) -> None:
    """Close each side (TLS says close_notify first), briefly waiting."""
    for writer in writers:
        writer.close()
    for writer in writers:
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), JOIN_TIMEOUT)
