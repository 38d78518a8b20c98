"""Identity and accounts of the embedded mail server.

The defaults serve the course as written: the host names of its telnet
commands, and the account ``MyUsername`` / ``MyPassword`` that receives mail
for ``recipient@example.com``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from telnetmail.core.services import SERVICE_NAMES, TLS_LISTENERS, TLS_SERVICES
from telnetmail.core.services import SERVICES as SERVICES_BY_NAME
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME
from telnetmail.server.limits import Limits
from telnetmail.server.tls import TLSConfig

__all__ = [
    "SERVICES",
    "SERVICE_ALIASES",
    "TLS_SERVICE_NAMES",
    "Account",
    "Identity",
    "ServerConfig",
    "parse_account",
]

#: The three services, in the order they are started and reported.
SERVICES: tuple[str, ...] = SERVICE_NAMES

#: The listeners a server with TLS adds: submission, smtps, pop3s, imaps.
TLS_SERVICE_NAMES: tuple[str, ...] = tuple(TLS_LISTENERS)

#: Service names and port numbers a transcript may type after the host name
#: (``telnet mx1.example.com smtp``), mapped to our service names: the same
#: table the transcript parser reads protocols from.
SERVICE_ALIASES: dict[str, str] = {
    name: str(protocol) for name, protocol in SERVICES_BY_NAME.items()
}


@dataclass(frozen=True)
class Identity:
    """Host names and greeting texts the servers present."""

    smtp_host: str = DEFAULT_SERVER_NAME
    pop3_host: str = "pop.example.com"
    imap_host: str = "imap.example.com"
    # Texts after the fixed parts of each greeting: ``220 <smtp_host> <...>``,
    # ``+OK <...>`` and ``* OK [CAPABILITY ...] <...>``.
    smtp_greeting: str = "ESMTP Postfix"
    pop3_greeting: str = "Dovecot ready."
    imap_greeting: str = "Dovecot ready."

    @property
    def hosts(self) -> dict[str, str]:
        """Each host name mapped to the service it names."""
        return {
            self.smtp_host: "smtp",
            self.pop3_host: "pop3",
            self.imap_host: "imap",
        }

    @property
    def names(self) -> tuple[str, ...]:
        """The host names, the SMTP server's first: a certificate's names."""
        return tuple(dict.fromkeys((self.smtp_host, self.pop3_host, self.imap_host)))


@dataclass(frozen=True)
class Account:
    """A mailbox owner: login name, password and the address mail arrives at."""

    name: str
    password: str
    address: str

    def __post_init__(self) -> None:
        if not self.name or not self.password:
            raise ValueError("an account needs a name and a password")
        if any(ch.isspace() for ch in self.name + self.password):
            raise ValueError(
                f"account {self.name!r}: name and password cannot contain spaces"
            )
        local, at, domain = self.address.rpartition("@")
        if not (local and at and domain) or any(ch.isspace() for ch in self.address):
            raise ValueError(
                f"account {self.name!r}: {self.address!r} is not an address"
            )


DEFAULT_ACCOUNTS: tuple[Account, ...] = (
    Account("MyUsername", "MyPassword", "recipient@example.com"),
)


@dataclass(frozen=True)
class ServerConfig:
    """Everything the three servers need to know; the defaults serve the course."""

    identity: Identity = field(default_factory=Identity)
    accounts: tuple[Account, ...] = DEFAULT_ACCOUNTS
    # RFC 5321 §4.5.3.1.7 asks for at least 64 KiB; Postfix defaults to 10 MB.
    max_message_size: int = 10_240_000  # Postfix's message_size_limit
    # Seconds a connection may sit idle before the server hangs up.
    idle_timeout: float = 600.0
    limits: Limits = field(default_factory=Limits)
    #: None: plaintext only (no STARTTLS, no implicit-TLS listeners).
    tls: TLSConfig | None = None

    def __post_init__(self) -> None:
        names = [account.name for account in self.accounts]
        addresses = [account.address.lower() for account in self.accounts]
        if len(set(names)) != len(names):
            raise ValueError("two accounts share a login name")
        if len(set(addresses)) != len(addresses):
            raise ValueError("two accounts share an address")

    @property
    def local_domains(self) -> frozenset[str]:
        """Domains we accept mail for: those of the accounts' addresses."""
        return frozenset(
            account.address.rpartition("@")[2].lower() for account in self.accounts
        )

    def account_for_address(self, address: str) -> Account | None:
        """The account whose address is *address* (case-insensitive), if any."""
        wanted = address.lower()
        for account in self.accounts:
            if account.address.lower() == wanted:
                return account
        return None

    def with_accounts(self, accounts: tuple[Account, ...]) -> ServerConfig:
        """A copy serving *accounts* instead of this config's."""
        return dataclasses.replace(self, accounts=accounts)

    def service_for(self, host: str, service: str) -> str:
        """The service that ``telnet HOST SERVICE`` reaches: ``smtp``, ``pop3`` or
        ``imap``, or with TLS on a TLS listener (``submission``, ``smtps``,
        ``pop3s``, ``imaps``). *service* decides; *host* must be one of the identity's
        names or a loopback address. Raises :class:`KeyError` otherwise.
        """
        known = {*self.identity.hosts, "localhost", "127.0.0.1"}
        if host.lower() not in {name.lower() for name in known}:
            raise KeyError(f"unknown host {host!r}")
        if self.tls is not None and service.lower() in TLS_SERVICES:
            return TLS_SERVICES[service.lower()]
        try:
            return SERVICE_ALIASES[service.lower()]
        except KeyError:
            raise KeyError(f"unknown service {service!r}") from None


def parse_account(text: str) -> Account:
    """Parse ``NAME:PASSWORD:ADDRESS`` (the password may contain colons)."""
    name, sep, rest = text.partition(":")
    password, sep2, address = rest.rpartition(":")
    if not (sep and sep2):
        raise ValueError(f"{text!r} is not NAME:PASSWORD:ADDRESS")
    return Account(name, password, address)
