"""What the base64 of a SASL exchange says, for a reader's tooltip.

``AUTH PLAIN AE15VXNlcm5hbWUATXlQYXNzd29yZA==`` means ``\\0MyUsername\\0MyPassword``;
``334 VXNlcm5hbWU6`` asks ``Username:``. The notes are for the page only:
nothing here is compared. Pure.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING

from telnetmail.core.model import Role

if TYPE_CHECKING:
    from collections.abc import Sequence

    from telnetmail.core.model import Line

__all__ = ["decoded_notes", "readable"]

_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
#: A typed AUTH (SMTP, POP3) or AUTHENTICATE (IMAP) with an initial response.
_AUTH = re.compile(
    r"(?:\S+ )?(?:AUTH|AUTHENTICATE) (?:PLAIN|LOGIN) (\S+)", re.IGNORECASE
)
#: A server's challenge: SMTP ``334 ...``, POP3/IMAP ``+ ...``.
_CHALLENGE = re.compile(r"(?:334|\+)(?: (\S*))?")


def readable(encoded: str) -> str | None:
    """*encoded* decoded, NULs shown as ``\\0``; None unless it is base64 of text."""
    if not _B64.fullmatch(encoded) or len(encoded) % 4:
        return None
    try:
        text = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not text or any(ch < " " and ch != "\0" for ch in text):
        return None
    return text.replace("\0", "\\0")


def decoded_notes(lines: Sequence[Line]) -> dict[int, str]:
    """Line index to the decoded base64 it carries: AUTH's initial
    response, a challenge, and the answer typed after a challenge."""
    notes: dict[int, str] = {}
    challenged = False
    for index, line in enumerate(lines):
        encoded = None
        if line.role is Role.CLIENT:
            auth = _AUTH.fullmatch(line.text)
            encoded = auth.group(1) if auth else (line.text if challenged else None)
            challenged = False
        elif line.role is Role.SERVER:
            challenge = _CHALLENGE.fullmatch(line.text)
            challenged = challenge is not None
            encoded = challenge.group(1) if challenge else None
        text = readable(encoded) if encoded else None
        if text is not None:
            notes[index] = text
    return notes
