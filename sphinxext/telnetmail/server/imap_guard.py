"""What pymap must never see: checks on an IMAP command before it is parsed.

pymap 0.36.7 decodes mailbox names as it parses, with a decoder that loops
forever on a bare ``&``; and it fails on 8-bit text in SEARCH without a
CHARSET. So each command is read here first, with a small tokenizer of our
own (atoms, quoted strings, literals, parenthesised lists), and refused the
way Dovecot refuses it, or rewritten into a form pymap handles. Nothing is
patched inside pymap: this sits at our connection's boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telnetmail.server import mutf7

__all__ = ["Verdict", "check", "tokens"]

# Arguments (counted after the command name) that name a mailbox, per
# command; LIST and LSUB's may be shifted by a selection-options list.
MAILBOX_ARGS: dict[bytes, tuple[int, ...]] = {
    b"SELECT": (0,),
    b"EXAMINE": (0,),
    b"CREATE": (0,),
    b"DELETE": (0,),
    b"SUBSCRIBE": (0,),
    b"UNSUBSCRIBE": (0,),
    b"STATUS": (0,),
    b"APPEND": (0,),
    b"RENAME": (0, 1),
    b"LIST": (0, 1),
    b"LSUB": (0, 1),
    b"COPY": (1,),
    b"MOVE": (1,),
}
# Commands whose first argument is a sequence set of message numbers.
SEQUENCE_COMMANDS = frozenset({b"FETCH", b"STORE", b"COPY", b"MOVE"})
CHARSETS = frozenset({b"UTF-8", b"US-ASCII"})

_LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n")


@dataclass(frozen=True)
class Token:
    kind: str  # "atom", "quoted", "literal" or "list"
    value: bytes


@dataclass(frozen=True)
class Verdict:
    """A refusal to send instead of running the command, or a command line
    to give pymap in place of the one read (None: unchanged)."""

    refusal: bytes | None = None
    line: bytes | None = None


def _quoted(data: bytes, start: int) -> tuple[bytes, int] | None:
    out = bytearray()
    i = start + 1
    while i < len(data):
        char = data[i : i + 1]
        if char == b"\\" and i + 1 < len(data):
            out += data[i + 1 : i + 2]
            i += 2
        elif char == b'"':
            return bytes(out), i + 1
        elif char in b"\r\n":
            return None
        else:
            out += char
            i += 1
    return None


def _list_end(data: bytes, start: int) -> int | None:
    depth = 0
    i = start
    while i < len(data):
        char = data[i : i + 1]
        if char == b'"':
            quoted = _quoted(data, i)
            if quoted is None:
                return None
            i = quoted[1]
            continue
        depth += {b"(": 1, b")": -1}.get(char, 0)
        i += 1
        if depth == 0:
            return i
    return None


def _token_at(data: bytes, i: int) -> tuple[Token, int] | None:
    """The token starting at *i* and where the next begins; None if the
    data ends before the token does (a literal still to come)."""
    char = data[i : i + 1]
    if char == b'"':
        quoted = _quoted(data, i)
        return None if quoted is None else (Token("quoted", quoted[0]), quoted[1])
    if literal := _LITERAL.match(data, i):
        end = literal.end() + int(literal.group(1))
        if end > len(data):
            return None
        return Token("literal", data[literal.end() : end]), end
    if char == b"(":
        closed = _list_end(data, i)
        return None if closed is None else (Token("list", data[i:closed]), closed)
    end = i
    while end < len(data) and data[end : end + 1] not in (b" ", b"\r", b"\n"):
        end += 1
    return Token("atom", data[i:end]), end


def tokens(data: bytes) -> list[Token]:
    """The complete tokens of *data*: up to a literal not yet received."""
    found: list[Token] = []
    i = 0
    while i < len(data):
        if data[i : i + 1] in (b" ", b"\r", b"\n"):
            i += 1
            continue
        token = _token_at(data, i)
        if token is None:
            break
        found.append(token[0])
        i = token[1]
    return found


def _name_and_args(parts: list[Token]) -> tuple[bytes, list[Token]]:
    """The command name (``UID`` joined to its sub-command) and its arguments."""
    if len(parts) < 2:
        return b"", []
    name = parts[1].value.upper()
    args = parts[2:]
    if name == b"UID" and args:
        name, args = args[0].value.upper(), args[1:]
    return name, args


def _bad(tag: bytes, name: bytes, text: bytes) -> Verdict:
    return Verdict(tag + b" BAD Error in IMAP command " + name + b": " + text + b".")


def _mailbox_refusal(tag: bytes, name: bytes, args: list[Token]) -> Verdict | None:
    positions = MAILBOX_ARGS.get(name, ())
    if name in (b"LIST", b"LSUB") and args and args[0].kind == "list":
        args = args[1:]
    for position in positions:
        if position >= len(args):
            continue
        token = args[position]
        if token.kind == "atom" and any(byte > 0x7E for byte in token.value):
            return _bad(tag, name, b"8bit data in atom")
        if token.kind != "list" and not mutf7.is_valid(token.value):
            if name in (b"LIST", b"LSUB"):
                # Dovecot: a pattern that cannot match anything lists nothing.
                return Verdict(tag + b" OK " + name.capitalize() + b" completed.")
            return Verdict(tag + b" NO Mailbox name is not valid mUTF-7")
    return None


def _search_verdict(
    tag: bytes, line: bytes, data: bytes, args: list[Token]
) -> Verdict | None:
    """SEARCH with 8-bit text: UTF-8 is taken as Dovecot takes it."""
    if all(byte < 0x80 for byte in data):
        return None
    if any(t.kind == "atom" and any(b > 0x7E for b in t.value) for t in args):
        return _bad(tag, b"SEARCH", b"8bit data in atom")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _bad(tag, b"SEARCH", b"Invalid UTF-8")
    if args and args[0].value.upper() == b"CHARSET":
        if len(args) > 1 and args[1].value.upper() in CHARSETS:
            return None
        return Verdict(tag + b" NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset")
    # RFC 3501 §6.4.4 defaults to US-ASCII; pymap fails on anything else
    # unless told, so tell it what Dovecot assumes: UTF-8.
    search = re.search(rb"(?i)\bSEARCH ", line)
    if search is None:
        return None
    cut = search.end()
    return Verdict(line=line[:cut] + b"CHARSET UTF-8 " + line[cut:])


def _sequence_refusal(
    tag: bytes, name: bytes, args: list[Token], exists: int | None
) -> Verdict | None:
    """Dovecot refuses message numbers past the last message (pymap: OK)."""
    if exists is None or name not in SEQUENCE_COMMANDS or not args:
        return None
    numbers = re.split(rb"[,:]", args[0].value)
    if not all(number == b"*" or number.isdigit() for number in numbers):
        return None  # pymap's own parser refuses it as Dovecot does.
    if any(number == b"*" and exists == 0 for number in numbers) or any(
        number.isdigit() and int(number) > exists for number in numbers
    ):
        return _bad(tag, name, b"Invalid messageset")
    return None


def check(line: bytes, data: bytes, exists: int | None) -> Verdict:
    """The verdict on a command: *line* is its first line, *data* all of it
    received so far, *exists* the message count of the selected mailbox (None
    if none is selected)."""
    parts = tokens(data)
    if not parts:
        return Verdict()
    tag = parts[0].value
    name, args = _name_and_args(parts)
    is_uid = len(parts) > 1 and parts[1].value.upper() == b"UID"
    verdict = _mailbox_refusal(tag, name, args)
    if verdict is None and name == b"SEARCH":
        verdict = _search_verdict(tag, line, data, args)
    if verdict is None and not is_uid:
        verdict = _sequence_refusal(tag, name, args, exists)
    return verdict or Verdict()
