"""Volatile values: shown as their example, matched by kind, captured by name."""

from __future__ import annotations

import pytest

from telnetmail.core import volatile
from telnetmail.core.model import Category, SpanKind
from telnetmail.core.parser import parse_transcript


def test_a_mark_shows_its_example_in_place():
    shown, marks = volatile.extract("250 Ok: queued as {{queue-id:36DC72148F2}}")
    assert shown == "250 Ok: queued as 36DC72148F2"
    assert marks == [volatile.Mark(18, 29, "queue-id")]


def test_a_named_mark_records_its_name():
    _, [mark] = volatile.extract("id {{queue-id@qid:ABC}}")
    assert (mark.kind, mark.name) == ("queue-id", "qid")


def test_an_unknown_kind_is_an_error_listing_the_known_ones():
    with pytest.raises(
        volatile.VolatileError, match="unknown volatile kind 'colour'.*queue-id"
    ):
        volatile.extract("{{colour:red}}")


def test_text_without_marks_is_unchanged():
    assert volatile.extract("* 1 FETCH (BODY[] {443}") == (
        "* 1 FETCH (BODY[] {443}",
        [],
    )


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("date", "Tue, 20 Jan 2004 22:33:36 +0200"),
        ("date", "27 Nov 2026 11:40:02 +0000 (UTC)"),
        ("date", "Tue,  1 Dec 2026 01:17:49 +0000 (UTC)"),  # Postfix, day 1 to 9
        ("date", "17-Jul-1996 02:44:25 -0700"),
        ("queue-id", "36DC72148F2"),
        ("message-id", "<20040120203404.CCCC18555.mx1.example.com@client.example.com>"),
        ("uidvalidity", "1764243602"),
        ("address", "127.0.0.1"),
    ],
)
def test_a_mark_accepts_any_value_of_its_kind(kind, value):
    shown, marks = volatile.extract(f"x {{{{{kind}:example}}}} y")
    assert volatile.pattern(shown, marks, {}).fullmatch(f"x {value} y")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("date", "yesterday"),
        ("number", "12a"),
        ("queue-id", "two words"),
        ("uidvalidity", "-1"),
    ],
)
def test_a_mark_refuses_a_value_of_another_kind(kind, value):
    shown, marks = volatile.extract(f"x {{{{{kind}:example}}}} y")
    assert not volatile.pattern(shown, marks, {}).fullmatch(f"x {value} y")


def test_text_around_marks_must_match_exactly():
    shown, marks = volatile.extract("250 Ok: queued as {{queue-id:A1}}")
    assert not volatile.pattern(shown, marks, {}).fullmatch("250 OK: queued as B2")


def test_a_captured_value_must_reappear_under_the_same_name():
    captured: dict[str, str] = {}
    first_text, first_marks = volatile.extract("queued as {{queue-id@qid:A1}}")
    match = volatile.pattern(first_text, first_marks, captured).fullmatch(
        "queued as 9F3"
    )
    volatile.capture(match, first_marks, captured)
    assert captured == {"qid": "9F3"}
    later_text, later_marks = volatile.extract("id {{queue-id@qid:A1}}")
    assert volatile.pattern(later_text, later_marks, captured).fullmatch("id 9F3")
    assert not volatile.pattern(later_text, later_marks, captured).fullmatch("id 7C1")


def test_the_parser_shows_examples_and_styles_marks_as_volatile_spans():
    transcript = parse_transcript(
        "S: 220 mx ready {{date:Tue, 20 Jan 2004 22:33:36 +0200}}"
    )
    line = transcript.lines[0]
    assert line.text == "220 mx ready Tue, 20 Jan 2004 22:33:36 +0200"
    assert line.spans[-1] == line.spans[-1].__class__(
        SpanKind.VOLATILE, "Tue, 20 Jan 2004 22:33:36 +0200"
    )
    assert transcript.diagnostics == []


def test_sizes_are_checked_on_the_text_shown():
    transcript = parse_transcript(
        "C: a FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {10}\nS: id {{queue-id:ABCDE}}\nS: )\nS: a OK",
        protocol="imap",
    )
    assert transcript.diagnostics == []


def test_an_unknown_kind_in_a_transcript_is_reported_at_its_line():
    transcript = parse_transcript(
        "S: 220 ready\nS: 250 {{nonsense:1}}", protocol="smtp"
    )
    [diagnostic] = transcript.diagnostics
    assert (diagnostic.lineno, diagnostic.category) == (2, Category.PROTOCOL)
