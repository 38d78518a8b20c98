"""POP3's protocol-mode rules (RFC 1939): statuses, numbers, sizes, messages.

The text after ``+OK``/``-ERR`` is the server's to word. Message numbers
and counts must agree; sizes are checked against the server's when the
session ends (:mod:`telnetmail.core.matching.sizes`); unique ids agree
unless marked volatile; a message is compared whole; the capabilities a
page shows after ``CAPA`` must be offered.
"""

from __future__ import annotations

import re

from telnetmail.core.matching.base import Failure, line_matches
from telnetmail.core.matching.message import compare_message
from telnetmail.core.matching.rules import InOrder
from telnetmail.core.matching.sizes import MessageKey
from telnetmail.core.matching.smtp import compare_offers, keyword
from telnetmail.core.model import ContentLine, Line, Turn

_OCTETS = re.compile(r"\+OK\s+(\d+)\s+octets\b", re.IGNORECASE)


def key(number: int | str) -> MessageKey:
    """POP3 numbers a session's messages once, at login: one maildrop, no epochs."""
    return ("", 0, int(number))


class Pop3Rules(InOrder):
    def compare_start(self, expected: Turn, received: Turn) -> str | None:
        if expected.status != received.status:
            return f"{received.status} where the page shows {expected.status}"
        return None

    def compare(self, expected: Turn, received: Turn) -> Failure | None:
        verb = (expected.answers.verb or "").upper() if expected.answers else ""
        if expected.status != "+OK":
            return None
        if len(expected.lines) == 1 and len(received.lines) == 1:
            return self.compare_status_line(expected, received, verb)
        if verb in ("LIST", "UIDL"):
            return self.compare_listing(expected, received, verb)
        if verb in ("RETR", "TOP"):
            return self.compare_retrieved(expected, received, verb)
        if verb == "CAPA":
            return compare_capabilities(expected, received)
        return None

    def compare_status_line(
        self, expected: Turn, received: Turn, verb: str
    ) -> Failure | None:
        """``STAT`` gives a count and a size, ``LIST n`` a number and a size."""
        if verb not in ("STAT", "LIST", "UIDL"):
            return None
        line = expected.lines[0]
        shown = line.text.split()[1:3]
        got = received.lines[0].text.split()[1:3]
        if not shown or not shown[0].isdigit():
            return None
        if shown[:1] != got[:1]:
            return (
                line,
                f"{verb} answers {(got or ['nothing'])[0]} where the page shows {shown[0]}",
            )
        if verb == "UIDL":
            return self.compare_unique_id(line, received.lines[0].text)
        if (
            len(shown) == 2
            and len(got) == 2
            and shown[1].isdigit()
            and got[1].isdigit()
        ):
            number = int(shown[0])
            keys = self.maildrop(number) if verb == "STAT" else [key(number)]
            what = "the maildrop" if verb == "STAT" else f"message {number}"
            self.claim_size(keys, int(shown[1]), int(got[1]), line.lineno, what)
        return None

    def maildrop(self, count: int) -> list[MessageKey]:
        """The messages ``STAT`` counts: all but those marked deleted (RFC 1939 §5)."""
        deleted: set[int] = set()
        for line in self.matcher.history:
            words = line.text.split() if line.role == "client" else []
            verb = words[0].upper() if words else ""
            if verb == "RSET":
                deleted.clear()
            elif verb == "DELE" and len(words) > 1 and words[1].isdigit():
                deleted.add(int(words[1]))
        numbers = (n for n in range(1, count + len(deleted) + 1) if n not in deleted)
        return [key(n) for n in numbers]

    def compare_unique_id(
        self, line: Line | ContentLine, received: str
    ) -> Failure | None:
        if line_matches(line, received, self.context):
            return None
        return line.lineno, f"the unique id differs: the server has {received!r}"

    def compare_listing(
        self, expected: Turn, received: Turn, verb: str
    ) -> Failure | None:
        counted = compare_count(expected.lines[0], received, verb)
        if counted is not None:
            return counted
        got = [keyword(c.text) for c in received.payload]
        shown = [keyword(c.text) for c in expected.payload]
        if got != shown:
            line = (
                expected.payload[0].lineno if expected.payload else expected.lines[-1]
            )
            return (
                line,
                (
                    f"the listing has messages {' '.join(got) or '(none)'} where "
                    f"the page shows {' '.join(shown) or '(none)'}"
                ),
            )
        total = _TOTAL.search(expected.lines[0].text)
        sizes = [c.text.split()[1:2] for c in received.payload]
        if (
            verb == "LIST"
            and total
            and all(size and size[0].isdigit() for size in sizes)
        ):
            self.claim_size(
                [key(number) for number in got if number.isdigit()],
                int(total[1]),
                sum(int(size[0]) for size in sizes),
                expected.lines[0].lineno,
                "the listing's total",
            )
        for shown_line, got_line in zip(expected.payload, received.payload):
            if verb == "UIDL":
                failure = self.compare_unique_id(shown_line, got_line.text)
                if failure is not None:
                    return failure
                continue
            pair = shown_line.text.split()[1:2], got_line.text.split()[1:2]
            if all(size and size[0].isdigit() for size in pair):
                number = shown_line.text.split()[0]
                self.claim_size(
                    [key(number)],
                    int(pair[0][0]),
                    int(pair[1][0]),
                    shown_line.lineno,
                    f"message {number}",
                )
        return None

    def compare_retrieved(
        self, expected: Turn, received: Turn, verb: str
    ) -> Failure | None:
        compared = compare_message(
            expected.payload,
            [c.text for c in received.payload],
            self.context,
            "full",
            fallback=expected.lines[0].lineno,
        )
        if compared.failure is not None:
            return compared.failure
        number = (expected.answers.args.split() or [""])[0] if expected.answers else ""
        if not number.isdigit():
            return None
        if compared.added_delta is not None:
            self.matcher.sizes.observe(key(number), compared.added_delta)
        shown = _OCTETS.match(expected.lines[0].text)
        got = _OCTETS.match(received.lines[0].text)
        if verb == "RETR" and shown and got:
            self.claim_size(
                [key(number)],
                int(shown[1]),
                int(got[1]),
                expected.lines[0].lineno,
                f"message {number}",
            )
        return None

    def claim_size(
        self, keys: list[MessageKey], shown: int, got: int, lineno: int, what: str
    ) -> None:
        self.matcher.sizes.claim(keys, shown, got, lineno, what)


_COUNT = re.compile(r"\b(\d+) messages?\b", re.IGNORECASE)
_TOTAL = re.compile(r"\((\d+) octets\)", re.IGNORECASE)


def compare_count(
    line: Line | ContentLine, received: Turn, verb: str
) -> Failure | None:
    """A count the status text states (``+OK 2 messages:``): the server's own
    count when it states one, else the entries of its listing."""
    shown = _COUNT.search(line.text)
    if shown is None:
        return None
    stated = _COUNT.search(received.lines[0].text)
    if stated is not None:
        count = int(stated[1])
    elif verb == "LIST" and received.payload is not None:
        count = len(received.payload)
    else:
        return None
    if int(shown[1]) != count:
        return line.lineno, f"{count} messages where the page shows {shown[0]}"
    return None


def compare_capabilities(expected: Turn, received: Turn) -> Failure | None:
    return compare_offers(
        [(content, content.text) for content in expected.payload],
        [content.text for content in received.payload],
        "the server does not offer",
    )
