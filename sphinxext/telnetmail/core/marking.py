"""Mark the values of a recorded session that vary from run to run.

Only the server's lines are marked, only with the kinds the verifier knows
(:data:`telnetmail.core.volatile.KINDS`), and only where a mark is allowed:
dates, queue ids, message ids, UIDVALIDITY and mailbox ids, POP3 unique
ids, Dovecot's timings. A value that two marks show is captured under one
name, so the page also says that it is the same value twice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from telnetmail.core.model import Protocol
from telnetmail.core.recording import PageLine
from telnetmail.core.volatile import KINDS


@dataclass(frozen=True)
class Rule:
    """Where a value of ``kind`` stands: the regex's group ``v``."""

    pattern: re.Pattern[str]
    kind: str
    protocol: Protocol | None = None
    after: str | None = None  # only in the reply to this command (POP3 UIDL)


def _rule(
    regex: str, kind: str, protocol: Protocol | None = None, after: str | None = None
) -> Rule:
    return Rule(re.compile(regex), kind, protocol, after)


RULES: tuple[Rule, ...] = (
    _rule(rf"(?P<v>{KINDS['date']})", "date"),
    _rule(r"queued as (?P<v>[A-Za-z0-9]+)", "queue-id"),
    _rule(r"\bwith E?SMTPS?A? id (?P<v>[A-Za-z0-9]+)", "queue-id"),
    _rule(r"\bwith LMTPS? id (?P<v>\S+?)(?:;|$)", "word"),
    _rule(r"^Message-I[Dd]: *(?P<v><[^<>\s]+@[^<>\s]+>)", "message-id"),
    _rule(r'"(?P<v><[^<>\s"]+@[^<>\s"]+>)"', "message-id", Protocol.IMAP),
    _rule(r"\bUIDVALIDITY (?P<v>\d+)", "uidvalidity", Protocol.IMAP),
    _rule(r"\[(?:APPEND|COPY)UID (?P<v>\d+) ", "uidvalidity", Protocol.IMAP),
    _rule(r"\bMAILBOXID \((?P<v>[^()\s]+)\)", "word", Protocol.IMAP),
    _rule(r"\bHIGHESTMODSEQ (?P<v>\d+)", "number", Protocol.IMAP),
    _rule(r"\((?P<v>\d+\.\d+(?: \+ \d+\.\d+)+ secs)\)", "text", Protocol.IMAP),
    _rule(
        r"^\+OK .*?(?P<v><[^<>\s]+@[^<>\s]+>)", "message-id", Protocol.POP3, "greeting"
    ),
    _rule(r"^\d+ (?P<v>\S+)$", "word", Protocol.POP3, "UIDL"),
    _rule(r"^\+OK \d+ (?P<v>\S+)$", "word", Protocol.POP3, "UIDL"),
)

#: Kinds whose value, shown twice in one session, is one value: captured.
CAPTURED = {"queue-id": "coda", "message-id": "msgid"}


def mark_session(
    protocol: Protocol, lines: list[PageLine], typed: frozenset[str] = frozenset()
) -> list[PageLine]:
    """``lines`` with their volatile values marked.

    A server line equal to one a client typed (``typed``, and the session's
    own client lines) is message content the sender wrote: left as it is.
    """
    typed = typed | {text for role, text in lines if role == "client"}
    found: list[list[tuple[int, int, str]]] = []
    command = "greeting"
    for role, text in lines:
        if role == "client":
            command = _verb(text)
        spans = value_spans(protocol, text, command) if role == "server" else []
        found.append([] if text in typed else spans)
    names = _capture_names(lines, found)
    return [
        (role, _marked(text, spans, names))
        for (role, text), spans in zip(lines, found, strict=True)
    ]


def _verb(text: str) -> str:
    words = text.split()
    return words[0].upper() if words else ""


def value_spans(
    protocol: Protocol, text: str, command: str, taken: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int, str]]:
    """Where ``text`` shows values that vary, and their kinds, outside ``taken``.

    ``command`` is the verb the client typed last (``UIDL``), or ``greeting``.
    """
    held = list(taken)
    spans: list[tuple[int, int, str]] = []
    for rule in RULES:
        if rule.protocol not in (None, protocol):
            continue
        if rule.after is not None and rule.after != command:
            continue
        for match in rule.pattern.finditer(text):
            start, end = match.span("v")
            busy = held + [(s, e) for s, e, _ in spans]
            if start < end and not any(s < end and start < e for s, e in busy):
                spans.append((start, end, rule.kind))
    return sorted(spans)


def _capture_names(
    lines: list[PageLine], found: list[list[tuple[int, int, str]]]
) -> dict[tuple[str, str], str]:
    seen: Counter[tuple[str, str]] = Counter()
    for (_, text), spans in zip(lines, found, strict=True):
        seen.update((kind, text[s:e]) for s, e, kind in spans if kind in CAPTURED)
    names: dict[tuple[str, str], str] = {}
    numbers: Counter[str] = Counter()
    for key, count in seen.items():
        if count > 1:
            numbers[key[0]] += 1
            names[key] = f"{CAPTURED[key[0]]}{numbers[key[0]]}"
    return names


def _marked(
    text: str, spans: list[tuple[int, int, str]], names: dict[tuple[str, str], str]
) -> str:
    named = [
        (start, end, kind, names.get((kind, text[start:end])))
        for start, end, kind in spans
    ]
    return with_marks(text, named)


def with_marks(text: str, marks: list[tuple[int, int, str, str | None]]) -> str:
    """``text`` with each ``(start, end, kind, name)`` written as a mark."""
    out: list[str] = []
    last = 0
    for start, end, kind, name in sorted(marks):
        value = text[start:end]
        label = f"{kind}@{name}" if name else kind
        out += [text[last:start], f"{{{{{label}:{value}}}}}"]
        last = end
    out.append(text[last:])
    return "".join(out)


def unmarked(text: str) -> str:
    """The text with each mark's example left out: two recordings of one
    session agree on this when they differ only inside marks."""
    return re.sub(r"\{\{([a-z-]+)(?:@[\w-]+)?:.*?\}\}", r"{{\1}}", text)
