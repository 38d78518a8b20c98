"""Volatile marks on protocol data are refused at their line and dropped."""

from __future__ import annotations

import pytest

from telnetmail.core.model import Category
from telnetmail.core.parser import parse_transcript
from telnetmail.core.volatile import Mark

IMAP_SESSION = """\
S: * OK ready
C: a1 LOGIN me secret
S: a1 OK done
C: a2 SELECT INBOX
{select}
S: a2 OK [READ-WRITE] done
C: a3 FETCH 1 (FLAGS RFC822.SIZE)
{fetch}
S: a3 OK done"""

POP3_SESSION = """\
S: +OK ready
C: {command}
{reply}"""


def imap(select: str = "S: * 2 EXISTS", fetch: str = "S: * 1 FETCH (FLAGS ())"):
    return parse_transcript(
        IMAP_SESSION.format(select=select, fetch=fetch), protocol="imap"
    )


def refused(transcript) -> list[tuple[int, Category]]:
    return [
        (d.lineno, d.category)
        for d in transcript.diagnostics
        if d.category is Category.VOLATILE
    ]


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("S: {{number:220}} mx ready", "the reply code"),
        ("S: 220 mx ready\nC: NOOP\nS: 250 {{word:2.0.0}} Ok", "enhanced status code"),
        ("S: {{word:220 mx}} ready", "the reply code"),
    ],
)
def test_smtp_codes_cannot_be_marked(source, what):
    transcript = parse_transcript(source, protocol="smtp")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.category is Category.VOLATILE
    assert diagnostic.lineno == source.count("\n") + 1
    assert what in diagnostic.message


@pytest.mark.parametrize(
    ("select", "what"),
    [
        ("S: * {{number:2}} EXISTS", "a message number or count"),
        ("S: * 2 {{word:EXISTS}}", "the response type"),
        ("S: {{word:*}} 2 EXISTS", "the untagged marker"),
        (r"S: * FLAGS ({{word:\Seen}} \Deleted)", "a flag"),
        (r"S: * OK [PERMANENTFLAGS ({{word:\Deleted}})] ok", "a flag"),
        ("S: * OK [{{word:UIDNEXT}} 3] next", "a response-code name"),
        ("S: * OK [UNSEEN {{number:1}}] first unseen", "a count"),
        ("S: * {{word:OK}} [UIDNEXT 3] next", "the status"),
    ],
)
def test_imap_select_data_cannot_be_marked(select, what):
    transcript = imap(select=select)
    [diagnostic] = transcript.diagnostics
    assert (diagnostic.lineno, diagnostic.category) == (5, Category.VOLATILE)
    assert what in diagnostic.message


@pytest.mark.parametrize(
    ("fetch", "what"),
    [
        ("S: * {{number:1}} FETCH (FLAGS ())", "a message number"),
        ("S: * 1 FETCH (FLAGS () RFC822.SIZE {{number:450}})", "a size"),
        (r"S: * 1 FETCH (FLAGS ({{word:\Seen}}))", "a flag"),
        ("S: * 1 FETCH (BODY[] {{{number:4}}}\nS: Hi\nS: )", "a literal's size"),
    ],
)
def test_imap_fetch_data_cannot_be_marked(fetch, what):
    [diagnostic] = imap(fetch=fetch).diagnostics
    assert (diagnostic.lineno, diagnostic.category) == (8, Category.VOLATILE)
    assert what in diagnostic.message


def test_an_imap_tag_and_status_cannot_be_marked():
    transcript = parse_transcript(
        "S: * OK ready\nC: a1 NOOP\nS: {{word:a1}} {{word:OK}} done", protocol="imap"
    )
    assert refused(transcript) == [(3, Category.VOLATILE), (3, Category.VOLATILE)]


def test_search_results_and_status_counts_cannot_be_marked():
    transcript = parse_transcript(
        "S: * OK ready\nC: a1 SEARCH ALL\nS: * SEARCH 1 {{number:2}}\nS: a1 OK done\n"
        "C: a2 STATUS x (MESSAGES)\nS: * STATUS x (MESSAGES {{number:1}})\nS: a2 OK",
        protocol="imap",
    )
    assert refused(transcript) == [(3, Category.VOLATILE), (6, Category.VOLATILE)]


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("STAT", "S: +OK {{number:2}} 320"),
        ("STAT", "S: +OK 2 {{number:320}}"),
        ("LIST 1", "S: +OK 1 {{number:120}}"),
        ("LIST", "S: +OK\nS: 1 {{number:120}}\nS: ."),
        ("LIST", "S: +OK\nS: {{number:1}} 120\nS: ."),
        ("UIDL", "S: +OK\nS: {{number:1}} whqtswO00WBw418f9t5JxYwZ\nS: ."),
        ("RETR 1", "S: +OK {{number:4}} octets\nS: Hi\nS: ."),
        ("NOOP", "S: {{word:+OK}}"),
        ("RETR 1", "S: +OK\nS: Hi\nS: {{word:.}}"),
    ],
)
def test_pop3_counts_sizes_and_status_cannot_be_marked(command, reply):
    transcript = parse_transcript(
        POP3_SESSION.format(command=command, reply=reply), protocol="pop3"
    )
    marked = next(n for n, line in enumerate(reply.splitlines(), 3) if "{{" in line)
    assert refused(transcript) == [(marked, Category.VOLATILE)]


def test_the_refused_mark_is_dropped_and_its_example_kept():
    transcript = parse_transcript("S: {{number:220}} mx ready", protocol="smtp")
    line = transcript.lines[0]
    assert (line.text, line.marks) == ("220 mx ready", [])


def test_a_listing_keeps_no_dropped_mark_in_its_content():
    transcript = parse_transcript(
        POP3_SESSION.format(command="LIST", reply="S: +OK\nS: 1 {{number:120}}\nS: ."),
        protocol="pop3",
    )
    listing = transcript.turns[-1]
    assert [content.marks for content in listing.payload] == [()]


def test_the_warning_says_the_example_is_compared_as_written():
    [diagnostic] = parse_transcript(
        "S: {{number:220}} mx ready", protocol="smtp"
    ).diagnostics
    assert "'220'" in diagnostic.message and "compared as written" in diagnostic.message


@pytest.mark.parametrize(
    ("source", "protocol"),
    [
        (
            "S: 220 {{host:mx1.example.com}} ESMTP {{date:Tue, 20 Jan 2004 22:34:24 +0200}}",
            "smtp",
        ),
        (
            "S: 220 mx\nC: DATA\nS: 250 2.0.0 Ok: queued as {{queue-id@q:36DC72148F2}}",
            "smtp",
        ),
        ("S: * OK [UIDVALIDITY {{uidvalidity:1795782621}}] UIDs valid", "imap"),
        (
            "S: * OK ready\nC: a1 NOOP\nS: a1 OK done ({{text:0.001 + 0.000 secs}}).",
            "imap",
        ),
        (
            "S: * OK ready\nC: a1 FETCH 1 INTERNALDATE\n"
            'S: * 1 FETCH (INTERNALDATE "{{date:17-Jul-1996 02:44:25 -0700}}")\nS: a1 OK',
            "imap",
        ),
        ("S: +OK {{host:pop.example.com}} ready", "pop3"),
        (
            "S: +OK\nC: RETR 1\nS: +OK\n"
            "S: Message-Id: {{message-id:<1@mx.example.com>}}\nS: .",
            "pop3",
        ),
    ],
)
def test_values_that_vary_from_run_to_run_may_be_marked(source, protocol):
    transcript = parse_transcript(source, protocol=protocol)
    assert transcript.diagnostics == []
    assert any(line.marks for line in transcript.lines)


def test_marks_in_message_content_are_the_senders_data_not_protocol():
    transcript = parse_transcript(
        "S: * OK ready\nC: a1 FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {13}\n"
        r"S: X: {{word:\Seen}}"
        "\nS: )\nS: a1 OK",
        protocol="imap",
    )
    assert transcript.diagnostics == []
    assert transcript.lines[3].marks == [Mark(3, 8, "word")]
