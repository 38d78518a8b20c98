"""FETCH ENVELOPE as Dovecot writes it (RFC 3501 §7.4.2).

pymap 0.36.7 writes an envelope's date in the internal-date form
(``"23-Nov-2026 09:00:00 +0100"``) and an address without a display name
with ``""``; Dovecot, and the RFC, use the ``Date:`` header's text and NIL.
The dict backend builds envelopes through its ``LoadedMessage`` class (in
``pymap/backend/dict/mailbox.py``), which only our server uses: :func:`install`
gives that class our envelope. Relies on ``EnvelopeStructure``'s attributes
and ``BaseLoadedMessage._get_envelope_structure`` of pymap 0.36.7 (pinned).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pymap.backend.dict import mailbox as dict_mailbox
from pymap.parsing.primitives import List, Nil, String
from pymap.parsing.response.fetch import EnvelopeStructure

if TYPE_CHECKING:
    from email.headerregistry import Address, AddressHeader

    from pymap.parsing.primitives import Writeable


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


def _dovecot_envelope(cls: type, msg: object) -> EnvelopeStructure:
    plain = super(dict_mailbox.LoadedMessage, cls)._get_envelope_structure(msg)  # type: ignore[misc]
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


def install() -> None:
    """Make the dict backend's messages answer ENVELOPE as Dovecot does."""
    dict_mailbox.LoadedMessage._get_envelope_structure = classmethod(_dovecot_envelope)  # type: ignore[method-assign,assignment]
