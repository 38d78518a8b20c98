"""Run SMTP, POP3 and IMAP on one event loop in a background thread.

:class:`MailServer` binds its listening sockets itself (port 0 gives a free
port, read back at once; aiosmtpd's own threaded ``Controller`` cannot do
that), hands them to the loop thread, and waits for it to be ready.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Self, TypeVar

from telnetmail.server import pop3
from telnetmail.server.config import SERVICES, TLS_SERVICE_NAMES, ServerConfig
from telnetmail.server.handler import SessionHandler
from telnetmail.server.limits import ConnectionGate, peer_address
from telnetmail.server.lines import IMAP_LINE_LIMIT
from telnetmail.server.listen import PortInUseError, bind
from telnetmail.server.quickack import acknowledge_promptly
from telnetmail.server.smtp import quiet_client_mistakes
from telnetmail.server.smtp_secure import make_secure_smtp
from telnetmail.server.store import MailStore
from telnetmail.server.tls import LazyContext
from telnetmail.server.watchdog import Watchdog, interrupt

if TYPE_CHECKING:
    from ssl import SSLContext
    from types import TracebackType

    from aiosmtpd.smtp import SMTP

    from telnetmail.server.snapshot import StoreSnapshot

__all__ = ["MailServer", "PortInUseError"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

#: What POP3 and IMAP say to a client over the connection limits (Dovecot's
#: words for IMAP; RFC 3206's SYS/TEMP for POP3) before hanging up.
REFUSALS: dict[str, str] = {
    "pop3": "-ERR [SYS/TEMP] Maximum number of connections exceeded: {why}.",
    "imap": "* BYE Maximum number of connections exceeded: {why}.",
}
REFUSALS["pop3s"], REFUSALS["imaps"] = REFUSALS["pop3"], REFUSALS["imap"]


class LazyIMAPHandler(SessionHandler):
    """IMAP's connection callback, which imports the IMAP server (pymap, about
    80 ms) at the first connection rather than at start: a check of SMTP and
    POP3 pages never pays for it. The import holds the loop, so every client
    waits for it, once; the connection is already tracked, limited and
    watched as any other. The IMAP session then moves the store's mail into
    pymap (:meth:`MailStore.open_imap`)."""

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        from telnetmail.server.imap import IMAPHandler

        await IMAPHandler(self.store, self.context, secure=self.secure)(reader, writer)


#: The stream servers: each one's connection handler and line limit.
STREAMS: dict[str, tuple[Any, int]] = {
    "pop3": (pop3.POP3Handler, 4 * pop3.LINE_LIMIT),
    "imap": (LazyIMAPHandler, IMAP_LINE_LIMIT),
}


class _Connections:
    """Every live client connection, so that reset() and stop() can end them."""

    def __init__(self, gate: ConnectionGate) -> None:
        self.gate = gate
        self.tasks: set[asyncio.Task[Any]] = set()
        # Weak: a finished SMTP session must not live on until the next reset.
        self.smtp: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def track(self, handler: StreamHandler, service: str) -> StreamHandler:
        async def serve(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            peer = peer_address(writer)
            refusal = self.gate.refusal(peer)
            if refusal is not None:
                writer.write(REFUSALS[service].format(why=refusal).encode() + b"\r\n")
                writer.close()
                return
            task = asyncio.current_task()
            assert task is not None
            self.tasks.add(task)
            acknowledge_promptly(writer.transport.get_protocol())  # type: ignore[arg-type]
            try:
                await handler(reader, writer)
            except asyncio.CancelledError:
                # Ours, from reset() or stop(). Ending normally spares the log
                # asyncio 3.11 writes when a stream callback task is cancelled.
                pass
            except Exception:
                # A session's bug must not reach the loop: log, hang up, go on.
                logger.exception("mail session crashed")
            finally:
                self.tasks.discard(task)
                self.gate.release(peer)
                writer.close()

        return serve

    def track_smtp(self, factory: Callable[[], SMTP]) -> Callable[[], SMTP]:
        def make() -> SMTP:
            protocol = factory()
            self.smtp.add(protocol)
            acknowledge_promptly(protocol)
            return protocol

        return make

    async def close_all(self) -> None:
        tasks = set(self.tasks)
        for protocol in list(self.smtp):
            if protocol.transport is not None:
                protocol.transport.close()
            # aiosmtpd 1.4 keeps the session's task in _handler_coroutine.
            if protocol._handler_coroutine is not None:
                tasks.add(protocol._handler_coroutine)
        self.smtp.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Let the transports' close callbacks run before anyone closes the loop.
        await asyncio.sleep(0)


class MailServer:
    """SMTP, POP3 and IMAP over one mail store, on *host* (127.0.0.1).

    Ports default to 0 (a free port each); after :meth:`start`, :attr:`ports`
    maps ``"smtp"``, ``"pop3"`` and ``"imap"`` to the ports bound, and with
    TLS on (``config.tls``) ``"submission"``, ``"smtps"``, ``"pop3s"`` and
    ``"imaps"`` too.
    """

    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        host: str = "127.0.0.1",
        smtp_port: int = 0,
        pop3_port: int = 0,
        imap_port: int = 0,
        tls_ports: dict[str, int] | None = None,
        ready_timeout: float = 5.0,
    ) -> None:
        self.config = config or ServerConfig()
        self.host = host
        self.ready_timeout = ready_timeout
        self._wanted = {"smtp": smtp_port, "pop3": pop3_port, "imap": imap_port}
        self._wanted.update(dict.fromkeys(TLS_SERVICE_NAMES, 0))
        self._wanted.update(tls_ports or {})
        self._context: LazyContext | None = None
        self.ports: dict[str, int] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        # Set by stop() before the loop may have made _stopping (start timed out).
        self._stop_requested = threading.Event()
        self._store: MailStore | None = None
        self._connections = _Connections(ConnectionGate(self.config.limits))
        self._loop_thread_id: int | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # -- public API ----------------------------------------------------------

    @property
    def smtp_port(self) -> int:
        return self.ports["smtp"]

    @property
    def pop3_port(self) -> int:
        return self.ports["pop3"]

    @property
    def imap_port(self) -> int:
        return self.ports["imap"]

    @property
    def client_host(self) -> str:
        """Where a client on this machine connects: a wildcard address is
        not somewhere to connect to, this machine is."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host

    @property
    def running(self) -> bool:
        return self._thread is not None

    def endpoint(self, host: str, service: str) -> tuple[str, int]:
        """Where ``telnet HOST SERVICE`` should connect instead: (address, port)."""
        return self.host, self.ports[self.config.service_for(host, service)]

    def start(self) -> MailServer:
        """Bind, start serving, and return once all three accept connections."""
        if self._thread is not None:
            raise RuntimeError("the mail server is already running")
        tls = self.config.tls
        if tls is not None and self._context is None:
            self._context = LazyContext(tls, self.config.identity.names)
            if tls.cert_file is not None:
                self._context.get()  # files that cannot serve fail start()
        sockets = self._bind_all()
        self.ports = {name: sock.getsockname()[1] for name, sock in sockets.items()}
        self._ready.clear()
        self._stop_requested.clear()
        self._error = None
        self._thread = threading.Thread(
            target=self._run,
            args=(sockets,),
            name=f"telnetmail-{self.smtp_port}",
            daemon=True,
        )
        self._thread.start()
        if not self._ready.wait(self.ready_timeout):
            self.stop()
            raise RuntimeError(
                f"the mail servers were not ready after {self.ready_timeout} s;"
                " try increasing the `ready_timeout` parameter"
            )
        if self._error is not None:
            error, self._error = self._error, None
            self.stop()
            raise RuntimeError("the mail servers failed to start") from error
        return self

    def stop(self) -> None:
        """Close every connection and listener, and join the thread. Idempotent."""
        self._stop_requested.set()
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:
                pass  # The loop has already closed on its own (start failed).
        self._join(thread)
        self._thread = self._loop = self._stopping = None

    def _join(self, thread: threading.Thread) -> None:
        """Wait for the loop's thread; if a stuck command holds the loop, end
        that command (the watchdog's way), so that stopping takes under a second."""
        thread.join(0.3)
        while thread.is_alive():
            if self._loop_thread_id is not None:
                interrupt(self._loop_thread_id)
            thread.join(0.1)

    def reset(self) -> None:
        """Hang up on every client and empty every mailbox."""
        self._on_loop(self._reset())

    def snapshot(self) -> StoreSnapshot:
        """Hang up on every client; the mailboxes as they are, for :meth:`restore`."""
        return self._on_loop(self._snapshot())

    def restore(self, snapshot: StoreSnapshot) -> None:
        """Hang up on every client and put the mailboxes back as *snapshot* took them."""
        self._on_loop(self._restore(snapshot))

    def _on_loop(self, work: Coroutine[Any, Any, T]) -> T:
        """The result of *work*, run on the servers' loop thread."""
        if self._loop is None:
            work.close()
            raise RuntimeError("the mail server is not running")
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        return future.result(self.ready_timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the loop thread -----------------------------------------------------

    def _bind_all(self) -> dict[str, socket.socket]:
        sockets: dict[str, socket.socket] = {}
        backlog = self.config.limits.backlog
        try:
            names = SERVICES + (TLS_SERVICE_NAMES if self.config.tls else ())
            for name in names:
                sockets[name] = bind(name, self.host, self._wanted[name], backlog)
        except BaseException:
            for sock in sockets.values():
                sock.close()
            raise
        return sockets

    def _run(self, sockets: dict[str, socket.socket]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            with quiet_client_mistakes():
                loop.run_until_complete(self._serve(sockets))
        except BaseException as exc:  # noqa: BLE001 (reported to start(); nothing else can)
            self._error = exc
        finally:
            for sock in sockets.values():
                sock.close()  # No-op for those a server already closed.
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._ready.set()

    async def _serve(self, sockets: dict[str, socket.socket]) -> None:
        self._stopping = asyncio.Event()
        self._store = MailStore(self.config)
        self._loop_thread_id = threading.get_ident()
        watchdog = Watchdog(
            asyncio.get_running_loop(),
            self._loop_thread_id,
            self.config.limits.command_budget,
        )
        servers: list[asyncio.Server] = []
        implicit: asyncio.Task[None] | None = None
        try:
            watchdog.start()
            await self._listen(self._store, sockets, servers)
            self._ready.set()
            # Their sockets listen already: a client waits in the backlog.
            implicit = asyncio.create_task(
                self._listen_implicit(self._store, sockets, servers)
            )
            if not self._stop_requested.is_set():
                await self._stopping.wait()
        finally:
            watchdog.stop()
            if implicit is not None:
                implicit.cancel()
                await asyncio.gather(implicit, return_exceptions=True)
            for server in servers:
                server.close()
            await self._connections.close_all()
            for server in servers:
                await server.wait_closed()
            await _cancel_leftovers()

    async def _listen(
        self,
        store: MailStore,
        sockets: dict[str, socket.socket],
        servers: list[asyncio.Server],
    ) -> None:
        """Serve each protocol on its socket, adding each server to *servers*
        as soon as it exists, so that a failure half-way closes the others."""
        for name in ("smtp", "submission"):
            if name in sockets:
                servers.append(await self._serve_smtp(store, name, sockets[name]))
        for name in ("pop3", "imap"):
            servers.append(await self._serve_stream(store, name, sockets[name]))

    async def _listen_implicit(
        self,
        store: MailStore,
        sockets: dict[str, socket.socket],
        servers: list[asyncio.Server],
    ) -> None:
        """The implicit-TLS listeners, once a client knocks at one of them.

        Making the context imports ``cryptography`` and signs a certificate
        (50 to 100 ms of the loop's time): a check whose pages never use TLS
        must not pay for it. The first client waits in the backlog meanwhile.
        """
        if self._context is None:
            return
        await _first_knock([sockets[name] for name in IMPLICIT_TLS])
        ssl = self._context.get()
        servers.append(await self._serve_smtp(store, "smtps", sockets["smtps"], ssl))
        for name in IMPLICIT_TLS[1:]:
            servers.append(await self._serve_stream(store, name, sockets[name], ssl))

    async def _serve_stream(
        self,
        store: MailStore,
        service: str,
        sock: socket.socket,
        ssl: SSLContext | None = None,
    ) -> asyncio.Server:
        """POP3 or IMAP (*service*: pop3, pop3s, imap or imaps) on *sock*."""
        handler, limit = STREAMS[service.removesuffix("s")]
        callback = self._connections.track(
            handler(store, self._context, secure=ssl is not None), service
        )
        return await asyncio.start_server(callback, sock=sock, limit=limit, ssl=ssl)

    async def _serve_smtp(
        self,
        store: MailStore,
        role: str,
        sock: socket.socket,
        ssl: SSLContext | None = None,
    ) -> asyncio.Server:
        """SMTP in *role* (port 25's, submission's, smtps') on *sock*."""
        loop = asyncio.get_running_loop()
        factory = self._connections.track_smtp(
            make_secure_smtp(store, loop, self._connections.gate, role, self._context)
        )
        return await loop.create_server(factory, sock=sock, ssl=ssl)

    async def _reset(self) -> None:
        await self._connections.close_all()
        assert self._store is not None
        self._store.reset()

    async def _snapshot(self) -> StoreSnapshot:
        # Hung up first: a session's last command may still be at work.
        await self._connections.close_all()
        assert self._store is not None
        return self._store.snapshot()

    async def _restore(self, snapshot: StoreSnapshot) -> None:
        await self._connections.close_all()
        assert self._store is not None
        self._store.restore(snapshot)


#: The listeners that speak TLS from the first byte.
IMPLICIT_TLS = ("smtps", "pop3s", "imaps")


async def _first_knock(sockets: list[socket.socket]) -> None:
    """Return once a client is waiting to be accepted on one of *sockets*."""
    loop = asyncio.get_running_loop()
    knocked: asyncio.Future[None] = loop.create_future()

    def knock() -> None:
        if not knocked.done():
            knocked.set_result(None)

    for sock in sockets:
        loop.add_reader(sock.fileno(), knock)
    try:
        await knocked
    finally:
        # Before the servers take these sockets: one reader per descriptor.
        for sock in sockets:
            loop.remove_reader(sock.fileno())


async def _cancel_leftovers() -> None:
    """Cancel tasks that libraries started and did not stop (none expected)."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)
