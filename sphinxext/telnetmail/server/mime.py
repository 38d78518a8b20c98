"""MIME parts and FETCH BODYSTRUCTURE as Dovecot 2.3 finds and writes them
(RFC 2045, RFC 2046 §5.1, RFC 3501 §7.4.2).

pymap 0.36.7 splits a multipart body keeping in each part the CRLF before
the next delimiter line, which RFC 2046 §5.1.1 gives to the delimiter, and
matches a delimiter line only whole; its BODYSTRUCTURE gives a text part
the size and line count of the whole part with its header, no default
``charset``, ``"7BIT"`` upper-case and ``Content-Disposition`` as its raw
text. Dovecot (``message-parser.c``, ``imap-bodystructure.c``):

* ends a part's body before the CRLF of the delimiter line;
* takes a line for a delimiter when it starts with ``--`` and the
  boundary, whatever follows (``--confine`` delimits boundary ``confin``),
  and for the close delimiter when ``--`` follows the boundary;
* gives a multipart in which no delimiter is found one empty text part;
* writes the type, subtype and parameters as the header has them (case
  kept), adds ``("charset" "us-ascii")`` to a text part that has none,
  ``"7bit"`` when there is no ``Content-Transfer-Encoding``, the body's
  octets and LF count, and the disposition as ``("attachment" (params))``.

:func:`parse` builds pymap's own :class:`MessageContent` tree with those
part limits, so every ``BODY[n]``, ``BODY[n.MIME]`` and ``BINARY[n]`` that
pymap serves from it cuts the parts as Dovecot does; :func:`body_structure`
writes the structure. Relies on pymap 0.36.x's ``MessageContent`` (its
``_find_lines`` and ``_split_lines``), ``MessageHeader._parse`` and
``MessageBody``'s constructor with lines as ``(start, end, next)`` triples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pymap.bytes import Writeable
from pymap.mime import MessageBody, MessageContent, MessageHeader
from pymap.parsing.primitives import List, Nil, Number, String
from pymap.parsing.response.fetch import BodyStructure

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pymap.parsing.primitives import Writeable as Value
    from pymap.parsing.response.fetch import EnvelopeStructure

__all__ = ["DovecotBodyStructure", "body_structure", "parse"]

#: A line of the message: start, end before CRLF, start of the next line.
Line = tuple[int, int, int]

#: What a part without ``Content-Type`` is (RFC 2045 §5.2).
DEFAULT_CHARSET = b"us-ascii"

# RFC 2045 §5.1: a token, or a quoted string with its backslash escapes.
_TOKEN = re.compile(rb'[^\s()<>@,;:\\"/\[\]?=]+')
_QUOTED = re.compile(rb'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_COMMENT = re.compile(rb"\((?:[^()\\]|\\.)*\)")


# -- parts ----------------------------------------------------------------------


def parse(data: bytes) -> MessageContent:
    """*data* as pymap's MIME tree, its parts cut where Dovecot cuts them."""
    return _content(data, memoryview(data), MessageContent._find_lines(data))


def _content(data: bytes, view: memoryview, lines: Sequence[Line]) -> MessageContent:
    header_lines, body_lines = MessageContent._split_lines(data, lines)
    # pymap takes an empty list of lines for "from offset 0": an empty part
    # needs an empty line where it stands instead.
    start = lines[0][0] if lines else 0
    header_lines = header_lines or [(start, start, start)]
    end = header_lines[-1][2]
    body_lines = body_lines or [(end, end, end)]
    header = MessageHeader._parse(data, view, header_lines)
    ctype = header.parsed.content_type or MessageBody._parse_content_type("text/plain")
    fields = Fields.of(header)
    nested: list[MessageContent] = []
    if fields.is_multipart and fields.boundary is not None:
        parts = split_parts(data, body_lines, fields.boundary)
        nested = [_content(data, view, part) for part in parts]
    elif fields.is_message:
        nested = [_content(data, view, body_lines)]
    return MessageContent(data, header, MessageBody(data, body_lines, ctype, nested))


def split_parts(
    data: bytes, lines: Sequence[Line], boundary: bytes
) -> list[Sequence[Line]]:
    """The lines of each part of a multipart body, the CRLF before each
    delimiter left out; one empty part if no delimiter is found."""
    parts: list[list[Line]] = []
    for line in lines:
        text = data[line[0] : line[1]]
        if text.startswith(b"--" + boundary):
            _drop_line_end(parts)
            if text[2 + len(boundary) :].startswith(b"--"):
                break  # the close delimiter: what follows is the epilogue
            parts.append([])
        elif parts:
            parts[-1].append(line)
    else:
        _drop_line_end(parts)
    empty = lines[0][0] if lines else 0
    return [part or [(empty, empty, empty)] for part in parts] or [
        [(empty, empty, empty)]
    ]


def _drop_line_end(parts: list[list[Line]]) -> None:
    """The CRLF that ends the last part belongs to the delimiter after it
    (RFC 2046 §5.1.1)."""
    if parts and parts[-1]:
        start, end, _ = parts[-1][-1]
        parts[-1][-1] = (start, end, end)


# -- header fields ------------------------------------------------------------------


@dataclass(frozen=True)
class Fields:
    """The MIME header fields of one part, as Dovecot keeps them."""

    #: ``(type, subtype)`` as written, or None: no or no valid ``Content-Type``.
    content_type: tuple[bytes, bytes] | None
    params: tuple[tuple[bytes, bytes], ...]
    encoding: bytes | None
    content_id: bytes | None
    description: bytes | None
    disposition: tuple[bytes, tuple[tuple[bytes, bytes], ...]] | None
    language: tuple[bytes, ...] | None
    location: bytes | None
    md5: bytes | None

    @classmethod
    def of(cls, header: MessageHeader) -> Fields:
        raw: dict[bytes, bytes] = {}
        for name, value in header.folded:
            # The first field of each name counts.
            raw.setdefault(name.lower(), _unfold(bytes(value)))
        ctype = raw.get(b"content-type")
        parsed = _type_and_params(ctype) if ctype is not None else None
        disposition = raw.get(b"content-disposition")
        language = raw.get(b"content-language")
        return cls(
            content_type=parsed[0] if parsed else None,
            params=parsed[1] if parsed else (),
            encoding=_first_token(raw.get(b"content-transfer-encoding")),
            content_id=raw.get(b"content-id"),
            description=raw.get(b"content-description"),
            disposition=_disposition(disposition) if disposition else None,
            language=tuple(re.split(rb"[\s,]+", language.strip()))
            if language
            else None,
            location=raw.get(b"content-location"),
            md5=raw.get(b"content-md5"),
        )

    @property
    def is_text(self) -> bool:
        return self.content_type is None or self.content_type[0].lower() == b"text"

    @property
    def is_multipart(self) -> bool:
        return (
            self.content_type is not None
            and self.content_type[0].lower() == b"multipart"
        )

    @property
    def is_message(self) -> bool:
        return self.content_type is not None and (
            self.content_type[0].lower(),
            self.content_type[1].lower(),
        ) == (b"message", b"rfc822")

    @property
    def boundary(self) -> bytes | None:
        return next((v for k, v in self.params if k.lower() == b"boundary"), None)


def _unfold(field: bytes) -> bytes:
    """The value of a raw header field, unfolded and trimmed."""
    value = field.partition(b":")[2]
    return re.sub(rb"\r?\n", b"", value).strip()


def _skip(text: bytes, at: int) -> int:
    """Past white space and comments (RFC 5322 CFWS)."""
    while at < len(text):
        if text[at : at + 1].isspace():
            at += 1
        elif (comment := _COMMENT.match(text, at)) is not None:
            at = comment.end()
        else:
            break
    return at


def _first_token(value: bytes | None) -> bytes | None:
    match = _TOKEN.match(value, _skip(value, 0)) if value else None
    return match.group() if match else None


def _type_and_params(
    value: bytes,
) -> tuple[tuple[bytes, bytes] | None, tuple[tuple[bytes, bytes], ...]] | None:
    """``type/subtype`` and its parameters; None if there is no valid type."""
    kind = _TOKEN.match(value, _skip(value, 0))
    if kind is None or value[kind.end() : kind.end() + 1] != b"/":
        return None
    sub = _TOKEN.match(value, kind.end() + 1)
    if sub is None:
        return None
    return (kind.group(), sub.group()), _params(value, sub.end())


def _disposition(
    value: bytes,
) -> tuple[bytes, tuple[tuple[bytes, bytes], ...]] | None:
    kind = _TOKEN.match(value, _skip(value, 0))
    return (kind.group(), _params(value, kind.end())) if kind else None


def _params(value: bytes, at: int) -> tuple[tuple[bytes, bytes], ...]:
    """``; name=value`` pairs from *at* on, names as written, values unquoted."""
    found: list[tuple[bytes, bytes]] = []
    while (at := _skip(value, at)) < len(value) and value[at : at + 1] == b";":
        name = _TOKEN.match(value, _skip(value, at + 1))
        if name is None:
            break
        at = _skip(value, name.end())
        if value[at : at + 1] != b"=":
            break
        at = _skip(value, at + 1)
        if (quoted := _QUOTED.match(value, at)) is not None:
            text, at = re.sub(rb"\\(.)", rb"\1", quoted.group(1)), quoted.end()
        elif (token := _TOKEN.match(value, at)) is not None:
            text, at = token.group(), token.end()
        else:
            break
        found.append((name.group(), text))
    return tuple(found)


# -- BODYSTRUCTURE ------------------------------------------------------------------


class DovecotBodyStructure(BodyStructure):
    """FETCH BODY and BODYSTRUCTURE of one part, written as Dovecot writes them."""

    def __init__(
        self,
        content: MessageContent,
        envelope: Callable[[MessageContent], EnvelopeStructure],
    ) -> None:
        super().__init__("", "", None, None, None, None)
        self.content = content
        self.fields = Fields.of(content.header)
        self.envelope = envelope

    @property
    def _value(self) -> List:
        return self._write(extended=False)

    @property
    def extended(self) -> List:
        return self._write(extended=True)

    def _write(self, extended: bool) -> List:
        if self.fields.is_multipart:
            return self._multipart(extended)
        return List([*self._basic(extended), *self._extension(extended, with_md5=True)])

    def _child(self, content: MessageContent) -> DovecotBodyStructure:
        return DovecotBodyStructure(content, self.envelope)

    def _multipart(self, extended: bool) -> List:
        children = [
            self._child(part)._write(extended) for part in self.content.body.nested
        ]
        subtype = self.fields.content_type[1] if self.fields.content_type else b""
        items: list[Value] = [Writeable.concat(children), String.build(subtype)]
        if extended:
            items.append(_params_list(self.fields.params, default_charset=False))
            items.extend(self._extension(extended, with_md5=False))
        return List(items)

    def _basic(self, extended: bool) -> list[Value]:
        fields = self.fields
        kind, sub = fields.content_type or (b"text", b"plain")
        body = bytes(self.content.body)
        items: list[Value] = [
            String.build(kind),
            String.build(sub),
            _params_list(fields.params, default_charset=fields.is_text),
            String.build(fields.content_id),
            String.build(fields.description),
            String.build(fields.encoding or b"7bit"),
            Number(len(body)),
        ]
        if fields.is_message and self.content.body.nested:
            inner = self.content.body.nested[0]
            items += [self.envelope(inner), self._child(inner)._write(extended)]
        if fields.is_text or fields.is_message:
            items.append(Number(body.count(b"\n")))
        return items

    def _extension(self, extended: bool, with_md5: bool) -> list[Value]:
        if not extended:
            return []
        fields = self.fields
        disposition: Value = Nil()
        if fields.disposition is not None:
            kind, params = fields.disposition
            disposition = List(
                [String.build(kind), _params_list(params, default_charset=False)]
            )
        language: Value = Nil()
        if fields.language:
            language = List([String.build(tag) for tag in fields.language])
        md5: list[Value] = [String.build(fields.md5)] if with_md5 else []
        return [*md5, disposition, language, String.build(fields.location)]


def _params_list(params: Sequence[tuple[bytes, bytes]], default_charset: bool) -> Value:
    """``("name" "value" ...)``, ``charset`` added to a text part without one."""
    items = [String.build(piece) for pair in params for piece in pair]
    if default_charset and not any(name.lower() == b"charset" for name, _ in params):
        items += [String.build(b"charset"), String.build(DEFAULT_CHARSET)]
    return List(items) if items else Nil()


def body_structure(
    content: MessageContent, envelope: Callable[[MessageContent], EnvelopeStructure]
) -> DovecotBodyStructure:
    """The structure of a message, *envelope* writing a nested message's ENVELOPE."""
    return DovecotBodyStructure(content, envelope)
