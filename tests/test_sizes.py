"""Sizes of one message agree wherever a page or its :after: chain shows it."""

from __future__ import annotations

from telnetmail.core.model import Category, Protocol
from telnetmail.core.parser import parse_lines, parse_transcript
from telnetmail.core.sizes import Placed, check_pages, check_session

LOGIN = "S: * OK ready\nC: a1 LOGIN me secret\nS: a1 OK\nC: a2 SELECT INBOX\nS: a2 OK\n"

HEADER = "C: h FETCH 1 BODY.PEEK[HEADER]\nS: * 1 FETCH (BODY[HEADER] {15}\nS: Subject: Hi\nS: \nS: )\nS: h OK\n"
TEXT = "C: t FETCH 1 BODY[TEXT]\nS: * 1 FETCH (BODY[TEXT] {4}\nS: Hi\nS: )\nS: t OK\n"
WHOLE = "C: w FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {19}\nS: Subject: Hi\nS: \nS: Hi\nS: )\nS: w OK\n"


def size(value: int, number: int = 1) -> str:
    return (
        f"C: s FETCH {number} RFC822.SIZE\n"
        f"S: * {number} FETCH (RFC822.SIZE {value})\nS: s OK\n"
    )


def imap(*parts: str):
    return parse_transcript(LOGIN + "".join(parts), protocol="imap")


def lineno(transcript, needle: str) -> int:
    return next(line.lineno for line in transcript.lines if needle in line.text)


def consistency(transcript) -> list[int]:
    return [
        d.lineno for d in transcript.diagnostics if d.category is Category.CONSISTENCY
    ]


# -- within one transcript ------------------------------------------------------


def test_header_and_text_literals_add_up_to_rfc822_size():
    assert imap(HEADER, TEXT, size(19)).diagnostics == []


def test_an_rfc822_size_other_than_header_plus_text_warns_at_its_line():
    transcript = imap(HEADER, TEXT, size(30))
    assert consistency(transcript) == [lineno(transcript, "RFC822.SIZE 30")]
    [diagnostic] = transcript.diagnostics
    assert "RFC822.SIZE gives message 1 30 octets" in diagnostic.message
    assert "BODY[HEADER] {15} and BODY[TEXT] {4} make 19 octets" in diagnostic.message


def test_an_rfc822_size_before_the_literals_is_the_one_that_warns():
    transcript = imap(size(30), HEADER, TEXT)
    assert consistency(transcript) == [lineno(transcript, "RFC822.SIZE 30")]


def test_rfc822_size_agrees_with_the_whole_body_literal():
    transcript = imap(WHOLE, size(25))
    assert consistency(transcript) == [lineno(transcript, "RFC822.SIZE 25")]
    assert "BODY[] {19} of message 1" in transcript.diagnostics[0].message


def test_header_and_text_that_do_not_make_the_whole_warn_at_the_later_one():
    text = TEXT.replace("{4}", "{5}").replace("S: Hi\n", "S: Hi!\n")
    transcript = imap(WHOLE, HEADER, text)
    assert consistency(transcript) == [lineno(transcript, "BODY[TEXT] {5}")]


def test_a_partial_fetch_is_not_a_whole_message():
    partial = WHOLE.replace("BODY[] {19}", "BODY[]<0> {19}")
    assert imap(partial, size(99)).diagnostics == []


def test_header_fields_are_not_the_whole_header():
    fields = HEADER.replace("BODY[HEADER]", "BODY[HEADER.FIELDS (SUBJECT)]")
    assert imap(fields, TEXT, size(99)).diagnostics == []


def test_another_message_number_is_another_message():
    assert imap(HEADER, TEXT, size(99, number=2)).diagnostics == []


def test_after_expunge_the_same_number_may_be_another_message():
    expunge = "C: e EXPUNGE\nS: * 1 EXPUNGE\nS: e OK\n"
    assert imap(HEADER, TEXT, expunge, size(99)).diagnostics == []


def test_another_mailbox_is_another_message():
    other = "C: a3 SELECT Archivio\nS: a3 OK\n"
    assert imap(HEADER, TEXT, other, size(99)).diagnostics == []


def test_a_narrated_literal_has_no_size_to_compare():
    narrated = WHOLE.replace(
        "S: Subject: Hi\nS: \nS: Hi\n", "S: <the 19 octets of message 1>\n"
    )
    assert consistency(imap(narrated, size(99))) == []


def test_pop3_list_and_retr_of_one_message_agree_in_a_session():
    transcript = parse_transcript(
        "S: +OK\nC: LIST 1\nS: +OK 1 4\nC: RETR 1\nS: +OK 4 octets\nS: Hi\nS: .",
        protocol="pop3",
    )
    assert transcript.diagnostics == []


def test_pop3_stat_is_the_sum_of_the_sizes_retr_shows_when_list_is_wrong():
    # LIST says 9 where RETR shows 4: STAT 1 4 is right, LIST is the wrong line.
    transcript = parse_transcript(
        "S: +OK\nC: LIST\nS: +OK\nS: 1 9\nS: .\nC: RETR 1\nS: +OK\nS: Hi\nS: .\n"
        "C: STAT\nS: +OK 1 4",
        protocol="pop3",
    )
    assert consistency(transcript) == [4]


def test_a_transcript_read_in_another_protocol_is_checked_in_that_one():
    # The parse keeps the sizes it read: they are its protocol's only.
    transcript = parse_transcript(
        "S: +OK\nC: LIST 1\nS: +OK 1 9\nC: RETR 1\nS: +OK\nS: Hi\nS: .",
        protocol="pop3",
    )
    assert consistency(transcript) == [3]
    transcript.protocol = Protocol.SMTP
    assert check_session(transcript) == []


# -- across transcripts -----------------------------------------------------------

DELIVERY = "S: 220 mx\nC: DATA\nS: 354 go\nC: Subject: Hi\nC:\nC: Hi\nC: .\nS: 250 Ok\n"


def placed(label: str, source: str, protocol: str, after=(), page="page.rst", first=1):
    numbered = list(enumerate(source.splitlines(), start=first))
    return Placed(label, page, tuple(after), parse_lines(numbered, protocol=protocol))


def sibling_pages(first: str, second: str):
    """Two IMAP transcripts after one delivery, the second from line 100."""
    return [
        placed("delivery", DELIVERY, "smtp"),
        placed("one", LOGIN + first, "imap", after=["delivery"], first=20),
        placed("two", LOGIN + second, "imap", after=["delivery"], first=100),
    ]


def warnings(found) -> list[tuple[str, int]]:
    return [(where.label, diagnostic.lineno) for where, diagnostic in found]


def test_siblings_after_one_state_agree_on_a_message_size():
    # RFC822.SIZE is line 26 of 'one'; the literals are in 'two'.
    found = check_pages(sibling_pages(size(30), HEADER + TEXT))
    assert warnings(found) == [("one", 26)]
    message = found[0][1].message
    assert "make 19 octets" in message and "of transcript 'two'" in message


def test_siblings_that_agree_pass():
    assert check_pages(sibling_pages(size(19), HEADER + TEXT)) == []


def test_a_transcript_given_other_turns_is_compared_by_them():
    # The parse keeps each transcript's sizes for the check across pages:
    # kept sizes of the turns it had must not stand for the turns it has.
    pages = sibling_pages(size(19), HEADER + TEXT)
    assert check_pages(pages) == []
    wrong = placed("one", LOGIN + size(30), "imap", after=["delivery"], first=20)
    pages[1].transcript.turns = wrong.transcript.turns
    assert warnings(check_pages(pages)) == [("one", 26)]


def test_siblings_with_another_after_list_are_not_compared():
    pages = sibling_pages(size(30), HEADER + TEXT)
    pages.insert(1, placed("other", DELIVERY, "smtp"))
    pages[3] = pages[3]._replace(after=("delivery", "other"))
    assert check_pages(pages) == []


def test_siblings_on_other_pages_are_not_compared():
    pages = sibling_pages(size(30), HEADER + TEXT)
    pages[2] = pages[2]._replace(page="other.rst")
    assert check_pages(pages) == []


def test_a_sibling_that_expunged_first_shows_another_state():
    expunge = "C: e EXPUNGE\nS: * 1 EXPUNGE\nS: e OK\n"
    assert check_pages(sibling_pages(expunge + size(30), HEADER + TEXT)) == []


def test_transcripts_without_after_start_from_an_empty_store_each():
    pages = sibling_pages(size(30), HEADER + TEXT)
    pages = [pages[1]._replace(after=()), pages[2]._replace(after=())]
    assert check_pages(pages) == []


def test_another_user_has_other_messages():
    pages = sibling_pages(size(30), (HEADER + TEXT))
    other = LOGIN.replace("LOGIN me", "LOGIN you") + HEADER + TEXT
    pages[2] = placed("two", other, "imap", after=["delivery"], first=100)
    assert check_pages(pages) == []


def test_a_size_in_the_after_chain_is_compared_with_the_transcript_after_it():
    pages = [
        placed("delivery", DELIVERY, "smtp", page="a.rst"),
        placed("reader", LOGIN + size(30), "imap", after=["delivery"], page="a.rst"),
        placed("later", LOGIN + HEADER + TEXT, "imap", after=["reader"], page="b.rst"),
    ]
    assert warnings(check_pages(pages)) == [("reader", 7)]


def test_a_chain_transcript_that_expunges_after_reading_changes_the_numbers():
    expunge = "C: e EXPUNGE\nS: * 1 EXPUNGE\nS: e OK\n"
    pages = [
        placed("delivery", DELIVERY, "smtp"),
        placed("reader", LOGIN + size(30) + expunge, "imap", after=["delivery"]),
        placed("later", LOGIN + HEADER + TEXT, "imap", after=["reader"]),
    ]
    assert check_pages(pages) == []


def test_a_delivery_later_in_the_chain_ends_the_comparison():
    pages = [
        placed("reader", LOGIN + size(30), "imap"),
        placed("delivery", DELIVERY, "smtp"),
        placed("later", LOGIN + HEADER + TEXT, "imap", after=["reader", "delivery"]),
    ]
    assert check_pages(pages) == []


def test_pop3_siblings_compare_list_with_retr():
    pop3 = "S: +OK\nC: USER me\nS: +OK\nC: PASS secret\nS: +OK\n"
    pages = [
        placed("delivery", DELIVERY, "smtp"),
        placed(
            "list", pop3 + "C: LIST 1\nS: +OK 1 9", "pop3", after=["delivery"], first=10
        ),
        placed(
            "retr",
            pop3 + "C: RETR 1\nS: +OK\nS: Hi\nS: .",
            "pop3",
            after=["delivery"],
            first=30,
        ),
    ]
    assert warnings(check_pages(pages)) == [("list", 16)]


def test_a_pop3_session_that_quits_after_dele_renumbers_for_the_next():
    pop3 = "S: +OK\nC: USER me\nS: +OK\nC: PASS secret\nS: +OK\n"
    deleting = (
        pop3 + "C: RETR 1\nS: +OK\nS: Hi\nS: .\nC: DELE 1\nS: +OK\nC: QUIT\nS: +OK"
    )
    pages = [
        placed("deleting", deleting, "pop3"),
        placed("after", pop3 + "C: LIST 1\nS: +OK 1 9", "pop3", after=["deleting"]),
    ]
    assert check_pages(pages) == []


def test_a_mismatch_within_one_transcript_is_not_repeated_across():
    pages = sibling_pages(HEADER + TEXT + size(30), size(19))
    assert check_pages(pages) == []
