"""SASL's PLAIN (RFC 4616) and LOGIN mechanisms, as the servers read them.

Pure functions: POP3 uses them (SMTP has aiosmtpd's, IMAP pysasl's).
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["LOGIN_PROMPTS", "decode_b64", "encode_prompt", "split_plain"]

#: The LOGIN mechanism's two prompts, as Dovecot sends them (base64 on the wire).
LOGIN_PROMPTS = ("Username:", "Password:")


def decode_b64(text: str) -> bytes | None:
    """*text* decoded from base64, or None if it is not valid base64."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


def encode_prompt(prompt: str) -> str:
    """A SASL challenge's text, base64-encoded (``""`` for an empty one)."""
    return base64.b64encode(prompt.encode("utf-8")).decode("ascii")


def split_plain(message: bytes) -> tuple[str, str] | None:
    """The login name and password of a PLAIN message
    ``authzid NUL authcid NUL password``; None if it is not one, or if it
    asks to act as another user (an authzid other than the login name)."""
    parts = message.split(b"\x00")
    if len(parts) != 3 or not parts[1]:
        return None
    authzid, name, password = (
        part.decode("utf-8", "surrogateescape") for part in parts
    )
    if authzid and authzid != name:
        return None
    return name, password
