"""SMTP with TLS and authentication, in the three roles Postfix plays.

* ``smtp`` (port 25, the MX): STARTTLS offered (``smtpd_tls_security_level
  = may``), no authentication (``503 5.5.1 Error: authentication not
  enabled``), mail for local users only.
* ``submission`` (port 587, RFC 6409; Postfix's stock ``submission`` entry
  of master.cf): ``smtpd_tls_security_level = encrypt`` (every command but
  HELO, EHLO, STARTTLS, NOOP and QUIT answers ``530 5.7.0 Must issue a
  STARTTLS command first`` before TLS), ``smtpd_tls_auth_only`` (AUTH
  offered after TLS only) and ``smtpd_relay_restrictions =
  permit_sasl_authenticated, reject`` (a recipient before AUTH: ``554 5.7.1
  ... Access denied``).
* ``smtps`` (port 465, RFC 8314): the same as submission, over implicit TLS.

Logins check the server's accounts (AUTH PLAIN and LOGIN, Dovecot's SASL
mechanisms) and a failed one waits as Dovecot's ``auth_failure_delay``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AnyStr

from aiosmtpd.smtp import AuthResult, LoginPassword

from telnetmail.server.smtp import DeliveryHandler, PostfixSMTP, _Commands
from telnetmail.server.tls import LazyContext

if TYPE_CHECKING:
    import asyncio

    from aiosmtpd.smtp import SMTP, Envelope, Session

    from telnetmail.server.store import MailStore

__all__ = ["ROLES", "SecureSMTP", "make_secure_smtp"]

#: The SMTP listeners' roles, by listener name.
ROLES = ("smtp", "submission", "smtps")

#: Postfix's commands allowed before TLS where TLS is enforced (its
#: ``SMTPD_CMD_FLAG_PRE_TLS``).
PRE_TLS = frozenset({"HELO", "EHLO", "STARTTLS", "NOOP", "QUIT"})

#: aiosmtpd's authentication replies, as Postfix (with Dovecot's SASL) words
#: them: a bad base64 or PLAIN message is a failed login for Dovecot.
AUTH_WORDS: dict[str, str] = {
    "220 Ready to start TLS": "220 2.0.0 Ready to start TLS",
    "250-AUTH LOGIN PLAIN": "250-AUTH PLAIN LOGIN",
    "535 5.7.8 Authentication credentials invalid": (
        "535 5.7.8 Error: authentication failed: authentication failure"
    ),
    "501 5.5.2 Can't decode base64": (
        "535 5.7.8 Error: authentication failed:"
        " Invalid base64 data in initial response"
    ),
    "501 5.5.2 Can't split auth value": (
        "535 5.7.8 Error: authentication failed: (reason unavailable)"
    ),
    "501 5.7.0 Auth aborted": "501 5.7.0 Authentication aborted",
    "503 Already authenticated": "503 5.5.1 Error: already authenticated",
    "501 Not enough value": "501 5.5.4 Syntax: AUTH mechanism",
    "501 Too many values": "501 5.5.4 Syntax: AUTH mechanism",
    "504 5.5.4 Unrecognized authentication type": (
        "535 5.7.8 Error: authentication failed: Invalid authentication mechanism"
    ),
}


class _TLSGate(_Commands):
    """The command table of a server that enforces TLS: before it, every
    command but Postfix's pre-TLS ones is refused (and counts as an error)."""

    def __init__(self, commands: _Commands, protocol: SecureSMTP) -> None:
        super().__init__(commands, commands.unknown)
        self.protocol = protocol

    def get(self, name: str, default: Any = None) -> Any:
        if name in self and name not in PRE_TLS and not self.protocol.secure:
            return self.protocol.must_starttls
        return super().get(name, default)


class SecureSMTP(PostfixSMTP):
    """:class:`PostfixSMTP` in one of Postfix's roles (:data:`ROLES`)."""

    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"

    def __init__(self, *args: Any, role: str, store: MailStore, **kw: Any) -> None:
        super().__init__(*args, authenticator=self.check_login, **kw)
        self.role = role
        self.store = store
        #: Implicit TLS: secure from the first byte.
        self.implicit = role == "smtps"
        if role == "submission":
            assert isinstance(self._smtp_methods, _Commands)
            self._smtp_methods = _TLSGate(self._smtp_methods, self)

    @property
    def secure(self) -> bool:
        return self.implicit or self._tls_protocol is not None

    @property
    def auth_offered(self) -> bool:
        return self.role != "smtp" and self.secure

    async def must_starttls(self, arg: str | None) -> None:
        await self.push("530 5.7.0 Must issue a STARTTLS command first")

    async def push(self, status: AnyStr) -> None:
        reply = status if isinstance(status, str) else status.decode("utf-8", "replace")
        if reply.startswith("250-AUTH ") and not self.auth_offered:
            return  # aiosmtpd offers AUTH over any TLS; port 25 has none.
        for start, words in AUTH_WORDS.items():
            if reply.startswith(start):
                reply = words
                break
        if reply.startswith("535 "):
            # Dovecot's auth_failure_delay, before the answer.
            await self.store.penalty.failed(self.peer_ip or "")
        await super().push(reply)

    async def smtp_EHLO(self, hostname: str) -> None:
        # aiosmtpd decides what EHLO offers from these two settings.
        self._auth_require_tls = not self.auth_offered
        await super().smtp_EHLO(hostname)

    async def smtp_STARTTLS(self, arg: str) -> None:
        if self.secure:
            await self.push("554 5.5.1 Error: TLS already active")
            return
        if isinstance(self.tls_context, LazyContext):
            self.tls_context = self.tls_context.get()
        await super().smtp_STARTTLS(arg)

    async def smtp_AUTH(self, arg: str) -> None:
        if not self.auth_offered:
            # Port 25, or before TLS (smtpd_tls_auth_only): SASL is off.
            await self.push("503 5.5.1 Error: authentication not enabled")
            return
        if self.envelope is not None and self.envelope.mail_from is not None:
            await self.push("503 5.5.1 Error: MAIL transaction in progress")
            return
        self._auth_require_tls = False
        await super().smtp_AUTH(arg)

    def check_login(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        data: Any,
    ) -> AuthResult:
        """aiosmtpd's authenticator: the password against the accounts."""
        assert isinstance(data, LoginPassword)
        name = data.login.decode("utf-8", "surrogateescape")
        password = data.password.decode("utf-8", "surrogateescape")
        account = self.store.check_password(name, password)
        if account is None:
            return AuthResult(success=False, handled=False)
        self.store.penalty.succeeded(self.peer_ip or "")
        return AuthResult(success=True, auth_data=data)


def make_secure_smtp(
    store: MailStore,
    loop: asyncio.AbstractEventLoop,
    gate: Any,
    role: str,
    context: LazyContext | None,
) -> Any:
    """A protocol factory for SMTP in *role*; *context* for STARTTLS (None:
    no STARTTLS; implicit TLS is the listener's)."""
    handler = DeliveryHandler(store, relay_needs_auth=role != "smtp")
    identity = store.config.identity
    starttls = context if role in ("smtp", "submission") else None

    def factory() -> SMTP:
        return SecureSMTP(
            handler,
            hostname=identity.smtp_host,
            ident=identity.smtp_greeting,
            data_size_limit=store.config.max_message_size,
            enable_SMTPUTF8=True,
            timeout=store.config.idle_timeout,
            loop=loop,
            gate=gate,
            limits=store.config.limits,
            tls_context=starttls,
            role=role,
            store=store,
        )

    return factory
