"""IMAP's TLS: STARTTLS (RFC 3501 §6.2.1), and LOGIN refused before TLS
where Dovecot's ``disable_plaintext_auth`` applies (``LOGINDISABLED``).

Relies on pymap 0.36.7's ``ConnectionState`` (its ``auth``, ``_capability``
and ``do_login``), and on its connection calling ``start_tls`` after an OK
to STARTTLS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pymap.imap.state import ConnectionState
from pymap.parsing.response import (
    ResponseBad,
    ResponseCode,
    ResponseNo,
    ResponseOk,
    UntaggedResponse,
)
from pysasl import SASLAuth

if TYPE_CHECKING:
    from pymap.config import IMAPConfig
    from pymap.interfaces.login import LoginInterface
    from pymap.parsing.command import Command
    from pymap.parsing.command.nonauth import LoginCommand, StartTLSCommand
    from pymap.parsing.response import CommandResponse
    from pymap.selected import SelectedMailbox

    from telnetmail.server.tls import LazyContext

__all__ = ["TLSState"]

#: Dovecot's words for a plaintext login before TLS: an alert, then the NO.
PLAINTEXT_ALERT = (
    b"Plaintext authentication not allowed without SSL/TLS, but your client"
    b" did it anyway. If anyone was listening, the password was exposed."
)
PLAINTEXT_REFUSED = (
    b"Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
)

_Ret = tuple["CommandResponse", "SelectedMailbox | None"]


class TLSState(ConnectionState):
    """pymap's state with Dovecot's STARTTLS and plaintext rule.

    *context*: STARTTLS is offered with it; *secure*: TLS from the start
    (IMAPS); *require_tls*: LOGIN and AUTHENTICATE PLAIN wait for TLS.
    """

    def __init__(
        self,
        login: LoginInterface,
        config: IMAPConfig,
        *,
        context: LazyContext | None,
        secure: bool,
        require_tls: bool,
    ) -> None:
        super().__init__(login, config)
        self.context = context
        self.secure = secure
        self.require_tls = require_tls
        if context is not None and not secure:
            self._capability.append(b"STARTTLS")
        if self.plaintext_refused:
            # No mechanism: pymap's capability then says LOGINDISABLED.
            self.auth = SASLAuth([])

    @property
    def plaintext_refused(self) -> bool:
        return self.require_tls and not self.secure

    def refuse_plaintext(self, cmd: Command, *, password_sent: bool) -> ResponseNo:
        """Dovecot's NO [PRIVACYREQUIRED]; after a password typed in clear,
        its untagged alert first."""
        code = ResponseCode.of(b"PRIVACYREQUIRED")
        response = ResponseNo(cmd.tag, PLAINTEXT_REFUSED, code)
        if password_sent:
            response.add_untagged(UntaggedResponse(b"BAD [ALERT] " + PLAINTEXT_ALERT))
        return response

    async def do_login(self, cmd: LoginCommand) -> _Ret:
        if self.plaintext_refused:
            return self.refuse_plaintext(cmd, password_sent=True), None
        return await super().do_login(cmd)

    async def do_starttls(self, cmd: StartTLSCommand) -> _Ret:
        if self.context is None:
            return ResponseBad(cmd.tag, b"TLS support isn't enabled."), None
        if self.secure:
            return ResponseBad(cmd.tag, b"TLS is already active."), None
        self._capability.remove(b"STARTTLS")
        self.auth = self.config.tls_auth
        self.secure = True
        return ResponseOk(cmd.tag, b"Begin TLS negotiation now."), None
