"""What one client, or a whole class, may ask of the server: limits modelled
on Postfix's and Dovecot's defaults, and the two counters that enforce the
shared ones (connections per address, failed logins per address).

The defaults leave one student following the course undisturbed; a class
pasting garbage, flooding literals or guessing passwords meets the limits
that Postfix and Dovecot would put in its way.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import Counter
from dataclasses import dataclass, fields

__all__ = ["ConnectionGate", "Limits", "LoginPenalty", "describe", "peer_address"]


@dataclass(frozen=True)
class Limits:
    """Every limit, with Postfix's or Dovecot's default where they have one."""

    #: Dovecot's auth_failure_delay: a failed login is answered this late;
    #: each further failure from the same address doubles it, up to
    #: ``auth_failure_delay_max`` (Dovecot's penalty reaches 15 s).
    auth_failure_delay: float = 2.0
    auth_failure_delay_max: float = 15.0
    #: Postfix's smtpd_client_connection_count_limit. Loopback clients are
    #: exempt unless ``limit_loopback`` (Postfix exempts $mynetworks).
    max_connections_per_address: int = 50
    limit_loopback: bool = False
    #: All clients together, of all three protocols.
    max_connections: int = 500
    #: Postfix's smtpd_hard_error_limit: 421 and hang up after this many errors.
    smtp_error_limit: int = 20
    #: Dovecot's login processes: hang up at the 3rd bad command before login;
    #: after login, at the 20th bad command in a row.
    bad_commands_before_login: int = 3
    bad_commands_after_login: int = 20
    #: Largest IMAP literal before login (Dovecot hangs up: "Literal size too
    #: large"); after login, the message size limit applies.
    max_literal_before_login: int = 4096
    #: Seconds a client may take to send a literal it announced.
    literal_timeout: float = 60.0
    #: Each user's storage, all mailboxes together (552 5.2.2 / NO [OVERQUOTA]).
    quota: int = 50 * 1024 * 1024
    #: The listen() backlog: a class connecting at once must not wait.
    backlog: int = 1024
    #: Seconds one command may hold the event loop before the watchdog ends it.
    command_budget: float = 5.0

    def delay_after(self, failures: int) -> float:
        """How long to wait before answering the *failures*-th failed login."""
        if failures <= 0 or self.auth_failure_delay <= 0:
            return 0.0
        delay = self.auth_failure_delay * 2 ** min(failures - 1, 16)
        return min(delay, max(self.auth_failure_delay_max, self.auth_failure_delay))


def describe(limits: Limits) -> dict[str, object]:
    """Each limit's name and value, for ``--help`` and the README."""
    return {field.name: getattr(limits, field.name) for field in fields(limits)}


def peer_address(transport: asyncio.BaseTransport | asyncio.StreamWriter) -> str:
    """The client's IP address, as the limits count clients."""
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) else str(peer)


def _exempt(address: str, limits: Limits) -> bool:
    if limits.limit_loopback:
        return False
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class ConnectionGate:
    """Counts live connections, per client address and in total."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.per_address: Counter[str] = Counter()
        self.total = 0

    def refusal(self, address: str) -> str | None:
        """Why a new connection from *address* is refused, or None to admit
        it (then counted until :meth:`release`)."""
        if self.total >= self.limits.max_connections:
            return "too many connections"
        exempt = _exempt(address, self.limits)
        if not exempt and (
            self.per_address[address] >= self.limits.max_connections_per_address
        ):
            return f"too many connections from {address}"
        self.total += 1
        self.per_address[address] += 1
        return None

    def release(self, address: str) -> None:
        self.total -= 1
        self.per_address[address] -= 1
        if self.per_address[address] <= 0:
            del self.per_address[address]


class LoginPenalty:
    """Dovecot's auth penalty: failed logins from an address are answered
    later and later; a successful one clears the address's record."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.failures: Counter[str] = Counter()

    async def failed(self, address: str) -> None:
        """Record a failed login from *address*, and wait out its penalty."""
        self.failures[address] += 1
        await asyncio.sleep(self.limits.delay_after(self.failures[address]))

    def succeeded(self, address: str) -> None:
        self.failures.pop(address, None)
