"""SMTP's protocol-mode rules (RFC 5321): codes, enhanced codes, extensions.

The text after a reply code is the server's to word; the code, the
enhanced status code when both sides show one, and the shape of a
multi-line reply are protocol. After ``EHLO``, every extension the page
shows must be announced (in any order; others are allowed).
"""

from __future__ import annotations

import re

from telnetmail.core.matching.base import Failure
from telnetmail.core.matching.rules import InOrder
from telnetmail.core.model import ContentLine, Line, Turn

_ENHANCED = re.compile(r"\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)")


class SmtpRules(InOrder):
    def compare_start(self, expected: Turn, received: Turn) -> str | None:
        if expected.status != received.status:
            return (
                f"reply code {received.status} where the page shows {expected.status}"
            )
        return compare_enhanced(expected.lines[0].text, received.lines[0].text)

    def compare(self, expected: Turn, received: Turn) -> Failure | None:
        if (len(expected.lines) > 1) != (len(received.lines) > 1):
            shape = "multi-line" if len(received.lines) > 1 else "one-line"
            return expected.lines[0], f"a {shape} reply, unlike the page's"
        for shown, got in zip(expected.lines[1:], received.lines[1:]):
            reason = compare_enhanced(shown.text, got.text)
            if reason is not None:
                return shown, reason
        command = expected.answers
        if command is None or (command.verb or "").upper() != "EHLO":
            return None  # other multi-line replies: text, the server's to word
        return compare_offers(
            [(line, line.text[4:]) for line in expected.lines[1:]],
            [line.text[4:] for line in received.lines[1:]],
            "the server's reply has no line for",
        )


def compare_offers(
    shown: list[tuple[Line | ContentLine, str]], got: list[str], missing: str
) -> Failure | None:
    """Extensions (EHLO) or capabilities (CAPA): each shown must be offered, with
    the same parameters in any order (``SIZE 10240000``, ``SASL PLAIN LOGIN``).
    Others are allowed; an implementation's name is its own to word."""
    offered = {keyword(text): parameters(text) for text in got}
    for line, text in shown:
        name = keyword(text)
        if name not in offered:
            return line.lineno, f"{missing} {name!r}"
        if name != "IMPLEMENTATION" and parameters(text) != offered[name]:
            words = " ".join(sorted(offered[name]))
            return line.lineno, f"{name} {words} where the page shows {text.strip()}"
    return None


def parameters(text: str) -> set[str]:
    return {word.upper() for word in text.split()[1:]}


def compare_enhanced(expected: str, received: str) -> str | None:
    """Enhanced status codes (RFC 3463) agree when both lines carry one."""
    shown, got = _ENHANCED.match(expected), _ENHANCED.match(received)
    if shown and got and shown[1] != got[1]:
        return f"enhanced status code {got[1]} where the page shows {shown[1]}"
    return None


def keyword(text: str) -> str:
    """The first word, in capitals: an extension's or a listing's name."""
    return (text.split() or [""])[0].upper()
