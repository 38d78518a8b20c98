"""The practice server acknowledges at once: TCP_QUICKACK re-armed at every read."""

from __future__ import annotations

import asyncio
import socket

import pytest

from telnetmail.server.quickack import acknowledge_promptly

pytestmark = pytest.mark.skipif(
    not hasattr(socket, "TCP_QUICKACK"), reason="TCP_QUICKACK is Linux's"
)


class Recorder(asyncio.Protocol):
    """Notes, at each read, whether quick acknowledgements are on."""

    def __init__(self, seen: list[tuple[bytes, int]]) -> None:
        self.seen = seen
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        sock = self.transport.get_extra_info("socket")
        self.seen.append((data, sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK)))
        # A reply, as a mail server gives one: Linux then takes the exchange
        # for an interactive one and starts delaying its acknowledgements.
        self.transport.write(b"250 ok\r\n")


async def reads_seen(wrap: bool) -> list[tuple[bytes, int]]:
    seen: list[tuple[bytes, int]] = []

    def factory() -> Recorder:
        protocol = Recorder(seen)
        if wrap:
            acknowledge_promptly(protocol)
        return protocol

    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for line in (b"one\r\n", b"two\r\n", b"three\r\n"):
        writer.write(line)
        await writer.drain()
        await reader.readline()  # the reply: one read each
    writer.close()
    server.close()
    await server.wait_closed()
    return seen


def test_every_read_finds_quick_acknowledgements_armed():
    seen = asyncio.run(reads_seen(wrap=True))
    assert b"".join(data for data, _ in seen) == b"one\r\ntwo\r\nthree\r\n"
    assert all(armed == 1 for _, armed in seen), seen


def test_without_it_linux_delays_acknowledgements_once_the_server_has_replied():
    # What the test above measures: without re-arming, the mode is off.
    seen = asyncio.run(reads_seen(wrap=False))
    assert any(armed == 0 for _, armed in seen), seen
