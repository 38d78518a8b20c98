"""Read a transcript written as ``role: text`` lines into the model.

The parser works in two passes. The first reads each source line's role and
content (:func:`read_lines`), and the ``telnet HOST PORT`` command. The second
hands the client and server lines to the protocol's dialect
(:mod:`telnetmail.core.smtp`, ``pop3``, ``imap``), which cuts each line into
spans and groups lines into turns. Static consistency checks run last.
Nothing here raises on bad input: every problem becomes a
:class:`~telnetmail.core.model.Diagnostic` naming its source line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from telnetmail.core import checks, imap, openssl, pop3, protected, smtp, volatile
from telnetmail.core.lexing import Exchange, excerpt
from telnetmail.core.model import (
    Category,
    Connection,
    Diagnostic,
    Line,
    Protocol,
    Role,
    Span,
    SpanKind,
    Transcript,
    Turn,
    is_placeholder,
)
from telnetmail.core.services import SERVICES
from telnetmail.core.volatile import Mark

ROLE_NAMES: dict[str, Role] = {
    "client": Role.CLIENT,
    "server": Role.SERVER,
    "telnet": Role.TELNET,
    # RFC example sessions write C: and S:.
    "c": Role.CLIENT,
    "s": Role.SERVER,
}

# An optional shell prompt ending in > $ # or %, then the telnet command.
_TELNET_COMMAND = re.compile(
    r"(?P<prompt>(?:.*?[>$#%])?\s*)"
    r"(?P<command>telnet(?:\.exe)?(?:\s+-\S+)*\s+(?P<host>[^\s-]\S*)"
    r"(?:\s+(?P<port>\S+))?)\s*$",
    re.IGNORECASE,
)

_EXCHANGES: dict[Protocol, type[Exchange]] = {
    Protocol.SMTP: smtp.SmtpExchange,
    Protocol.POP3: pop3.Pop3Exchange,
    Protocol.IMAP: imap.ImapExchange,
}


def parse_transcript(
    source: str, *, first_lineno: int = 1, protocol: str | None = None
) -> Transcript:
    """Parse ``source``, whose first line is line ``first_lineno`` of its file."""
    numbered = enumerate(source.splitlines(), start=first_lineno)
    return parse_lines(numbered, protocol=protocol)


def parse_lines(
    numbered: Iterable[tuple[int, str]], *, protocol: str | None = None
) -> Transcript:
    """Parse ``(lineno, text)`` pairs; ``protocol`` overrides what the port says."""
    transcript = Transcript(lines=[])
    # Looked up once, not at every line: an enum member read off its class
    # takes a slow lookup in Python 3.11 (EnumType.__getattr__).
    telnet = Role.TELNET
    for line in _read_roles(numbered, transcript.diagnostics):
        if line.role is telnet:
            _read_telnet_line(transcript, line)
        transcript.lines.append(line)
    if not transcript.readable:
        return transcript
    transcript.protocol = _choose_protocol(transcript, protocol)
    if transcript.protocol is None:
        _report_unknown_protocol(transcript)
        return transcript
    turns, found = analyse(transcript.protocol, transcript.lines)
    # Few pages mark volatile values: the others skip walking their turns.
    marked = [line for line in transcript.lines if line.marks]
    refused = protected.refuse_marks(transcript.protocol, turns) if marked else []
    if refused:
        # Read the lines again, so that no turn's content keeps a dropped mark.
        turns, found = analyse(transcript.protocol, transcript.lines)
        found += refused
    for line in marked:
        if line.marks:  # unless every mark on it was refused
            line.mark_volatile_spans()
    transcript.turns = turns
    transcript.diagnostics += found
    transcript.diagnostics += checks.check(transcript)
    transcript.diagnostics.sort(key=lambda diagnostic: diagnostic.lineno)
    return transcript


def analyse(
    protocol: Protocol, lines: list[Line]
) -> tuple[list[Turn], list[Diagnostic]]:
    """Cut the client and server lines into the protocol's turns."""
    telnet = Role.TELNET  # once, not at every line (see parse_lines)
    talk = [line for line in lines if line.role is not telnet]
    return _EXCHANGES[protocol].analyse(talk)


def opened(protocol: Protocol, lines: list[Line]) -> Exchange | None:
    """The client and server lines read, left open for more server lines
    (:meth:`Exchange.resumed`); None where that cannot be."""
    talk = [line for line in lines if line.role is not Role.TELNET]
    return _EXCHANGES[protocol].opened(talk)


def outstanding(protocol: Protocol, lines: list[Line]) -> int:
    """How many commands the client lines send that no server line answers yet."""
    talk = [line for line in lines if line.role is not Role.TELNET]
    return _EXCHANGES[protocol].outstanding(talk)


class _Written(NamedTuple):
    """A source line's role and content, before the separator is settled."""

    lineno: int
    role: Role
    content: str  # everything after the colon
    rfc_style: bool  # written C: / S:, as RFC example sessions are


def _read_roles(
    numbered: Iterable[tuple[int, str]], diagnostics: list[Diagnostic]
) -> list[Line]:
    written = _read_written(numbered, diagnostics)
    if any(item.rfc_style for item in written):
        indents = _rfc_indents(written)
        texts = [_strip_separator(*pair) for pair in zip(written, indents, strict=True)]
    else:
        # The course's own style: one space after the colon, nothing to align.
        texts = [
            content[1:] if content[:1] == " " else content
            for _, _, content, _ in written
        ]
    lines = []
    for (lineno, role, _, _), text in zip(written, texts, strict=True):
        marks: list[Mark] = []
        if "{{" in text:  # most lines hold no volatile mark: skip the call
            try:
                text, marks = volatile.extract(text)
            except volatile.VolatileError as error:
                diagnostics.append(Diagnostic(lineno, str(error), Category.PROTOCOL))
        lines.append(Line(role, text, lineno, marks=marks))
    return lines


def _read_written(
    numbered: Iterable[tuple[int, str]], diagnostics: list[Diagnostic]
) -> list[_Written]:
    """Each source line's role and content; RFC-style wrapped lines joined."""
    written: list[_Written] = []
    for lineno, raw in numbered:
        written_text = raw.lstrip()
        if not written_text:
            continue  # blank lines between turns are layout
        name, colon, content = written_text.partition(":")
        # Only ASCII letters lower into a role name (the Kelvin sign lowers
        # to k, in none): the word needs no check of its own.
        role = ROLE_NAMES.get(name.lower()) if colon else None
        if role is not None:
            if "\n" in content:  # a role line ends at a newline left inside it
                content = content.partition("\n")[0]
            # Made as the tuple it is: the named tuple's own __new__ is a
            # Python call, for every line of every page.
            item = (lineno, role, content, len(name) == 1)
            written.append(_as_written(_Written, item))
        elif written and written[-1].rfc_style and raw[:1].isspace():
            # RFCs wrap a long line onto indented lines without a prefix.
            last = written[-1]
            written[-1] = last._replace(content=f"{last.content} {raw.strip()}")
        else:
            diagnostics.append(
                Diagnostic(
                    lineno,
                    f"expected 'client:', 'server:' or 'telnet:' (or 'C:', 'S:') "
                    f"at the start of the line, got {excerpt(raw.strip())}",
                    Category.SYNTAX,
                )
            )
    return written


_as_written = tuple.__new__


def _rfc_indents(written: list[_Written]) -> list[int]:
    """The alignment after ``C:``/``S:`` of each line, taken per run of lines.

    RFC examples align content with a run of spaces, and may change it along
    the way (RFC 3501 §8 goes from 3 to 4). A line's separator is the
    shortest run on the lines before it or on the lines after it, whichever
    is longer: deeper indentation is content only between shallower lines.
    Narration and empty lines do not count.
    """
    runs = [
        len(item.content) - len(item.content.lstrip(" "))
        if item.rfc_style and item.content.strip() and not is_placeholder(item.content)
        else None
        for item in written
    ]
    before = _running_min(runs)
    after = _running_min(runs[::-1])[::-1]
    # On a counted line both running minimums are set, and neither exceeds it.
    return [
        max(before[i] or 1, after[i] or 1) if run is not None else 1
        for i, run in enumerate(runs)
    ]


def _running_min(runs: list[int | None]) -> list[int | None]:
    """At each position, the smallest run so far (None before the first)."""
    smallest: int | None = None
    result: list[int | None] = []
    for run in runs:
        if run is not None:
            smallest = run if smallest is None else min(smallest, run)
        result.append(smallest)
    return result


def _strip_separator(item: _Written, rfc_indent: int) -> str:
    if item.rfc_style and is_placeholder(item.content):
        return item.content.strip()
    width = rfc_indent if item.rfc_style else 1
    spaces = len(item.content) - len(item.content.lstrip(" "))
    # One space (or the RFC's run) separates; any further spaces are content.
    return item.content[min(width, spaces) :]


def _read_telnet_line(transcript: Transcript, line: Line) -> None:
    # Most telnet lines are telnet's own messages ("Trying ...", "Connected
    # to ..."): told apart by the command's word, without trying a pattern
    # along the line. Only ASCII letters case-fold to those of "telnet", so
    # lower() finds every spelling the pattern accepts; openssl's is exact.
    text = line.text
    match = _TELNET_COMMAND.match(text) if "telnet" in text.lower() else None
    tls = None
    if match is None:
        match = openssl.is_openssl(text) if "openssl" in text else None
        if match is None:
            return
        try:
            tls = openssl.parse_openssl(match["command"])
        except ValueError as exc:
            # Unreadable: replayed over telnet, it would prove nothing.
            problem = Diagnostic(line.lineno, str(exc), Category.SYNTAX)
            transcript.diagnostics.append(problem)
            return
    if transcript.connection is not None:
        transcript.diagnostics.append(
            Diagnostic(
                line.lineno,
                "one telnet session per transcript: start a new transcript "
                "for this 'telnet' command",
                Category.SYNTAX,
            )
        )
        return
    if tls is not None:
        connection = Connection(tls.host, tls.port, line.lineno, tls)
    else:
        connection = Connection(match["host"], match["port"], line.lineno)
    transcript.connection = connection
    line.spans = [
        span
        for span in (
            Span(SpanKind.PROMPT, match["prompt"]),
            Span(SpanKind.COMMAND, match["command"]),
            Span(SpanKind.TEXT, line.text[match.end("command") :]),
        )
        if span.text
    ]


def protocol_of_port(port: str | None) -> Protocol | None:
    """The protocol a telnet port argument names, if it is a known one."""
    if port is None:
        return None
    return SERVICES.get(port.lower())


def _choose_protocol(transcript: Transcript, option: str | None) -> Protocol | None:
    if option:
        return Protocol(option.lower())
    tls = transcript.connection.openssl if transcript.connection else None
    if tls is not None and tls.starttls is not None:
        return tls.starttls
    if transcript.connection is not None:
        by_port = protocol_of_port(transcript.connection.port)
        if by_port is not None:
            return by_port
    return _sniff_protocol(transcript.lines)


_GREETINGS: tuple[tuple[re.Pattern[str], Protocol], ...] = (
    (re.compile(r"\d{3}(?:[ -]|$)"), Protocol.SMTP),
    (re.compile(r"[+-](?:OK|ERR)\b", re.IGNORECASE), Protocol.POP3),
    (re.compile(r"\* (?:OK|PREAUTH|BYE)\b", re.IGNORECASE), Protocol.IMAP),
)


def _sniff_protocol(lines: list[Line]) -> Protocol | None:
    """Tell the protocol by the server's first line, as RFC examples need."""
    first = next(
        (
            line
            for line in lines
            if line.role is Role.SERVER and not line.is_placeholder
        ),
        None,
    )
    if first is None:
        return None
    for pattern, protocol in _GREETINGS:
        if pattern.match(first.text):
            return protocol
    return None


def _report_unknown_protocol(transcript: Transcript) -> None:
    talk = [line for line in transcript.lines if line.role is not Role.TELNET]
    if not talk:
        return  # telnet alone (a refused connection): no protocol to speak of
    port = transcript.connection.port if transcript.connection else None
    where = f"port {port!r}" if port else "the transcript"
    transcript.diagnostics.append(
        Diagnostic(
            talk[0].lineno,
            f"cannot tell the protocol from {where}: use a known port "
            f"(smtp, pop3, imap, 25, 110, 143) or the ':protocol:' option",
            Category.PROTOCOL,
        )
    )
