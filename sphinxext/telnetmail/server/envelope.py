"""FETCH ENVELOPE as Dovecot writes it (RFC 3501 §7.4.2), and the messages
of our store, whose MIME parts and BODYSTRUCTURE are Dovecot's too
(:mod:`telnetmail.server.mime`).

pymap 0.36.7 writes an envelope's date in the internal-date form
(``"23-Nov-2026 09:00:00 +0100"``) and an address without a display name
with ``""``; Dovecot, and the RFC, use the ``Date:`` header's text and NIL.
The dict backend builds envelopes in its ``LoadedMessage`` class (in
``pymap/backend/dict/mailbox.py``). We leave that class alone, since other
code in the process may use pymap too: our store keeps :class:`DovecotMessage`
objects, which load into :class:`DovecotLoadedMessage`, a subclass with our
envelope. Relies on ``EnvelopeStructure``'s attributes, ``Message.copy`` and
``BaseLoadedMessage._get_envelope_structure`` of pymap 0.36.x (pinned).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pymap.backend.dict import mailbox as dict_mailbox
from pymap.parsing.primitives import List, Nil, String
from pymap.parsing.response.fetch import BodyStructure, EnvelopeStructure

from telnetmail.server import mime

if TYPE_CHECKING:
    from email.headerregistry import Address, AddressHeader

    from pymap.message import MessageContent
    from pymap.parsing.primitives import Writeable
    from pymap.parsing.specials import FetchRequirement


class DovecotEnvelope(EnvelopeStructure):
    @property
    def _value(self) -> Writeable:
        return List(
            [
                String.build(str(self.date)) if self.date else Nil(),
                String.build(self.subject),
                _addresses(self.from_),
                _addresses(self.sender or self.from_),
                _addresses(self.reply_to or self.from_),
                _addresses(self.to),
                _addresses(self.cc),
                _addresses(self.bcc),
                String.build(self.in_reply_to),
                String.build(self.message_id),
            ]
        )


def _addresses(headers: Sequence[AddressHeader] | None) -> Writeable:
    found: list[Address] = []
    for header in headers or ():
        found.extend(getattr(header, "addresses", None) or [header.address])  # type: ignore[attr-defined]
    if not found:
        return Nil()
    return List([_address(address) for address in found])


def _address(address: Address) -> List:
    return List(
        [
            String.build(address.display_name) if address.display_name else Nil(),
            Nil(),
            String.build(address.username),
            String.build(address.domain) if address.domain else Nil(),
        ]
    )


class DovecotLoadedMessage(dict_mailbox.LoadedMessage):
    """A loaded message that answers ENVELOPE and BODYSTRUCTURE as Dovecot does."""

    def get_body_structure(self) -> BodyStructure:
        content = self._content
        if content is None:
            return BodyStructure.empty()
        return mime.body_structure(content, self._get_envelope_structure)

    @classmethod
    def _get_envelope_structure(cls, msg: MessageContent) -> EnvelopeStructure:
        plain = super()._get_envelope_structure(msg)
        return DovecotEnvelope(
            plain.date,
            plain.subject,
            plain.from_,
            plain.sender,
            plain.reply_to,
            plain.to,
            plain.cc,
            plain.bcc,
            plain.in_reply_to,
            plain.message_id,
        )


class DovecotMessage(dict_mailbox.Message):
    """A stored message of our store, loading as :class:`DovecotLoadedMessage`."""

    __slots__ = ()

    async def load_content(self, requirement: FetchRequirement) -> DovecotLoadedMessage:
        return DovecotLoadedMessage(self, requirement, self._content)


def as_dovecot(message: dict_mailbox.Message) -> DovecotMessage:
    """*message* as a :class:`DovecotMessage` (a copy, unless it is one),
    its content parsed into MIME parts as Dovecot cuts them."""
    if isinstance(message, DovecotMessage):
        return message
    content = message._content
    return DovecotMessage(
        message.uid,
        message.internal_date,
        message.permanent_flags,
        expunged=message.expunged,
        email_id=message.email_id,
        thread_id=message.thread_id,
        recent=message.recent,
        content=mime.parse(bytes(content)) if content is not None else None,
    )


class DovecotMessages(dict[int, dict_mailbox.Message]):
    """A mailbox's ``_messages``: pymap's ``MailboxData`` stores plain
    ``Message`` objects (append, copy, move); each is kept as ours instead."""

    def __setitem__(self, uid: int, message: dict_mailbox.Message) -> None:
        super().__setitem__(uid, as_dovecot(message))
