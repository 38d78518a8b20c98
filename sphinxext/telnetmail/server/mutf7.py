"""Modified UTF-7 mailbox names (RFC 3501 §5.1.3), checked strictly.

pymap 0.36.7's own decoder loops forever on a bare ``&`` (``R&D``), which
freezes every session of the server; so names are checked here, with a
decoder that always ends, before pymap ever sees them. A name is valid
when it decodes and encodes back to the very same bytes, as Dovecot
requires: no 8-bit bytes, no unterminated or empty ``&...-`` run, no
printable ASCII hidden in a run, no lone surrogate, no needless padding.
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["InvalidName", "decode", "encode", "is_valid"]


class InvalidName(ValueError):
    """Bytes that are not a modified UTF-7 mailbox name."""


def _printable(char: str) -> bool:
    return 0x20 <= ord(char) <= 0x7E


def encode(name: str) -> bytes:
    """*name* in modified UTF-7, the one canonical way."""
    out = bytearray()
    run: list[str] = []
    for char in [*name, None]:
        if char is not None and not _printable(char):
            run.append(char)
            continue
        if run:
            raw = "".join(run).encode("utf-16-be", "surrogatepass")
            out += b"&" + base64.b64encode(raw).rstrip(b"=").replace(b"/", b",") + b"-"
            run.clear()
        if char is not None:
            out += b"&-" if char == "&" else char.encode("ascii")
    return bytes(out)


def _decode_run(run: bytes) -> str:
    if not run:
        raise InvalidName("empty &- run")
    padded = run.replace(b",", b"/") + b"=" * (-len(run) % 4)
    try:
        raw = base64.b64decode(padded, validate=True)
        text = raw.decode("utf-16-be")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidName("bad base64 run") from None
    if any(_printable(char) for char in text):
        raise InvalidName("printable ASCII inside a base64 run")
    return text


def decode(data: bytes) -> str:
    """The name that *data* encodes; :class:`InvalidName` if it is not canonical."""
    parts: list[str] = []
    rest = data
    while rest:
        amp = rest.find(b"&")
        plain, rest = (rest, b"") if amp < 0 else (rest[:amp], rest[amp + 1 :])
        if any(not 0x20 <= byte <= 0x7E for byte in plain):
            raise InvalidName("8-bit or control byte")
        parts.append(plain.decode("ascii"))
        if amp < 0:
            break
        end = rest.find(b"-")
        if end < 0:
            raise InvalidName("unterminated &... run")
        parts.append("&" if end == 0 else _decode_run(rest[:end]))
        rest = rest[end + 1 :]
    name = "".join(parts)
    if encode(name) != data:
        raise InvalidName("not the canonical encoding")
    return name


def is_valid(data: bytes) -> bool:
    """Whether *data* is a valid modified UTF-7 mailbox name."""
    try:
        decode(data)
    except InvalidName:
        return False
    return True
