"""Mail servers to replay against.

``embedded`` (the default) is our own SMTP, POP3 and IMAP server, started
in-process on free loopback ports. Every backend maps the host and port a
page's ``telnet`` command names to where it really listens.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Protocol as Interface
from typing import runtime_checkable

from telnetmail.core.model import Protocol
from telnetmail.core.parser import protocol_of_port
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME
from telnetmail.replay.requirements import Unavailable


class BackendUnavailable(Unavailable):
    """This machine cannot run the backend asked for; the message says why."""


class Backend(Interface):
    """What the engine needs of a set of mail servers."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def reset(self) -> None:
        """Forget every message and session: a fresh, empty mail store."""

    def settle(self) -> None:
        """Wait until mail accepted so far is in the mailboxes."""

    def port_for(self, protocol: Protocol) -> int: ...

    def tls_port(self, listener: str) -> int:
        """The port of a TLS listener: ``submission``, ``smtps``, ``pop3s``
        or ``imaps``. Raises BackendUnavailable if the backend has none."""


@runtime_checkable
class Restorable(Interface):
    """A backend that can put its mailboxes back as they were: the engine
    then replays an :after: chain that many dialogues share only once."""

    def save(self) -> object | None:
        """Hang up on every client; the mailboxes as they are, for
        :meth:`put_back` (None where this backend cannot save them)."""

    def put_back(self, saved: object) -> None:
        """Hang up on every client and make the mailboxes as :meth:`save` found them."""


def endpoint(
    backend: Backend, port: str | None, protocol: Protocol | None
) -> tuple[str, int]:
    """Where ``telnet HOST PORT`` connects in a replay: always loopback.

    A port naming a mail service goes to the backend's server for it; any
    other port goes to one where nothing listens, so that a page can show
    ``Connection refused`` as it really happens.
    """
    named = protocol_of_port(port) if port is not None else protocol
    if named is None:
        return "127.0.0.1", closed_port()
    return "127.0.0.1", backend.port_for(named)


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmbeddedBackend:
    """Our own servers, in this process, on free ports of 127.0.0.1."""

    name = "embedded"

    def __init__(self, server_name: str = DEFAULT_SERVER_NAME) -> None:
        # Imported here: the servers pull in aiosmtpd (and pymap for IMAP).
        from telnetmail.server.config import Identity, ServerConfig
        from telnetmail.server.controller import MailServer
        from telnetmail.server.limits import Limits
        from telnetmail.server.tls import TLSConfig

        # No login delay, as the dovecot-postfix backend's auth_failure_delay
        # = 0: a page may show a wrong password, and the replay cannot wait.
        self.server = MailServer(
            ServerConfig(
                identity=Identity(smtp_host=server_name),
                limits=Limits(auth_failure_delay=0),
                # STARTTLS and the TLS listeners, for openssl s_client pages.
                tls=TLSConfig(),
            )
        )

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def reset(self) -> None:
        self.server.reset()

    def save(self) -> object:
        return self.server.snapshot()

    def put_back(self, saved: object) -> None:
        from telnetmail.server.snapshot import StoreSnapshot

        assert isinstance(saved, StoreSnapshot)
        self.server.restore(saved)

    def settle(self) -> None:
        """Delivery is done before the 250 reply: nothing to wait for."""

    def port_for(self, protocol: Protocol) -> int:
        return self.server.ports[str(protocol)]

    def tls_port(self, listener: str) -> int:
        return self.server.ports[listener]


def _dovecot_postfix(server_name: str = DEFAULT_SERVER_NAME) -> Backend:
    # Imported when asked for, like the embedded servers above.
    from telnetmail.replay.dovecot_postfix import DovecotPostfixBackend

    return DovecotPostfixBackend(server_name=server_name)


#: Each backend by name, made for a server name (the SMTP host the pages show).
BACKENDS: dict[str, Callable[[str], Backend]] = {
    "embedded": EmbeddedBackend,
    "dovecot-postfix": _dovecot_postfix,
}


def make_backend(name: str, server_name: str = DEFAULT_SERVER_NAME) -> Backend:
    """The backend *name*, its SMTP server calling itself *server_name*."""
    try:
        return BACKENDS[name](server_name)
    except KeyError:
        raise ValueError(
            f"unknown backend {name!r}; known: {', '.join(BACKENDS)}"
        ) from None
