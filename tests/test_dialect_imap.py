"""IMAP structure: tags, responses, response codes, literals on both sides."""

from __future__ import annotations

from telnetmail.core.model import Category, Role, SpanKind, Tone
from telnetmail.core.parser import parse_transcript


def imap(source: str):
    return parse_transcript(source, protocol="imap")


def spans(line):
    return [(span.kind, span.text) for span in line.spans]


def test_command_is_tag_verb_and_arguments():
    transcript = imap("C: a1 LOGIN MyUsername MyPassword")
    turn = transcript.turns[0]
    assert (turn.tag, turn.verb, turn.args) == ("a1", "LOGIN", "MyUsername MyPassword")
    assert spans(transcript.lines[0])[:3] == [
        (SpanKind.TAG, "a1"),
        (SpanKind.TEXT, " "),
        (SpanKind.VERB, "LOGIN"),
    ]


def test_tagged_completion_with_response_code():
    transcript = imap("C: a3 EXAMINE INBOX\nS: a3 OK [READ-ONLY] Select completed.")
    reply = transcript.turns[1]
    assert (reply.tag, reply.status, reply.response_code) == ("a3", "OK", "READ-ONLY")
    assert reply.answers is transcript.turns[0]
    assert (SpanKind.RESPONSE_CODE, "[READ-ONLY]") in spans(transcript.lines[1])


def test_status_words_give_the_tone():
    transcript = imap(
        "C: a OK\nS: a OK done\nC: b X\nS: b NO nope\nC: c Y\nS: c BAD what"
    )
    server = [line for line in transcript.lines if line.role is Role.SERVER]
    assert [line.tone for line in server] == [
        Tone.POSITIVE,
        Tone.TRANSIENT,
        Tone.NEGATIVE,
    ]


def test_untagged_data_has_its_keyword_and_belongs_to_the_pending_command():
    transcript = imap(
        "C: a2 SELECT INBOX\nS: * 1 EXISTS\nS: * FLAGS (\\Seen)\nS: a2 OK"
    )
    exists, flags = transcript.turns[1], transcript.turns[2]
    assert (exists.tag, exists.verb, flags.verb) == ("*", "EXISTS", "FLAGS")
    assert exists.answers is transcript.turns[0]
    assert (SpanKind.KEYWORD, "EXISTS") in spans(transcript.lines[1])


def test_untagged_status_with_code():
    turn = imap("S: * OK [UIDVALIDITY 1257842737] UIDs valid").turns[0]
    assert (turn.tag, turn.status, turn.response_code) == (
        "*",
        "OK",
        "UIDVALIDITY 1257842737",
    )


def test_a_tagged_reply_whose_tag_was_never_sent_is_reported():
    transcript = imap("C: a1 NOOP\nS: a1 OK\nS: a9 OK done")
    [diagnostic] = transcript.diagnostics
    assert (diagnostic.lineno, diagnostic.category) == (3, Category.CONSISTENCY)
    assert "'a9'" in diagnostic.message


def test_a_line_that_is_no_response_is_a_protocol_error():
    transcript = imap("C: a1 NOOP\nS: hello world")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 2
    assert "'*', '+' or a command's tag" in diagnostic.message


def test_untagged_client_text_is_still_a_command_for_the_server_to_reject():
    transcript = imap("C: LOGIN user pass\nS: LOGIN BAD Error in IMAP command")
    assert transcript.diagnostics == []
    assert transcript.turns[1].answers is transcript.turns[0]


def test_server_literal_of_the_right_size_is_content_then_the_response_goes_on():
    transcript = imap(
        "C: a4 FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {14}\nS: Hello\nS: World\nS: )\nS: a4 OK"
    )
    fetch = transcript.turns[1]
    assert [line.text for line in fetch.payload] == ["Hello", "World"]
    assert len(fetch.lines) == 4
    assert spans(transcript.lines[1])[-1] == (SpanKind.LITERAL, "{14}")
    assert transcript.lines[2].spans[0].kind is SpanKind.DATA
    assert transcript.diagnostics == []


def test_server_literal_of_the_wrong_size_is_reported_at_its_announcement():
    transcript = imap(
        "C: a4 FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {12}\nS: Hello\nS: World\nS: )\nS: a4 OK"
    )
    [diagnostic] = transcript.diagnostics
    assert (diagnostic.lineno, diagnostic.category) == (2, Category.CONSISTENCY)
    assert (
        "{12}" in diagnostic.message
        and "2 lines shown hold 14 octets" in diagnostic.message
    )
    assert transcript.turns[-1].status == "OK"


def test_a_literal_may_end_inside_a_line_that_closes_the_response():
    transcript = imap(
        "C: a FETCH 1 BODY[1]\nS: * 1 FETCH (BODY[1] {3}\nS: abc)\nS: a OK"
    )
    assert transcript.diagnostics == []
    assert [line.text for line in transcript.turns[1].payload] == ["abc"]
    assert spans(transcript.lines[2]) == [(SpanKind.DATA, "abc"), (SpanKind.TEXT, ")")]


def test_two_literals_in_one_response():
    transcript = imap(
        "C: a FETCH 1 (BODY[HEADER] BODY[TEXT])\n"
        "S: * 1 FETCH (BODY[HEADER] {4}\nS: ab\nS:  BODY[TEXT] {3}\nS: x\nS: )\nS: a OK"
    )
    assert transcript.diagnostics == []
    assert [line.text for line in transcript.turns[1].payload] == ["ab", "x"]


def test_a_literal_counts_octets_not_characters():
    transcript = imap(
        "C: a FETCH 1 BODY[]\nS: * 1 FETCH (BODY[] {8}\nS: città\nS: )\nS: a OK"
    )
    assert transcript.diagnostics == []


def test_client_literal_after_the_servers_continuation():
    transcript = imap(
        "C: a APPEND INBOX {9}\nS: + Ready\nC: Hi\nC: you\nC:\nS: a OK [APPENDUID 1 2] Done"
    )
    append = transcript.turns[0]
    assert [line.text for line in append.payload] == ["Hi", "you"]
    assert transcript.lines[1].tone is Tone.INTERMEDIATE
    assert transcript.turns[-1].answers is append
    assert transcript.diagnostics == []


def test_client_literal_of_the_wrong_size_is_reported():
    transcript = imap("C: a APPEND INBOX {99}\nS: + Ready\nC: Hi\nC: you\nC:\nS: a OK")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 1
    assert "{99}" in diagnostic.message


def test_synchronizing_literal_sent_before_the_continuation_is_reported():
    transcript = imap("C: a APPEND INBOX {4}\nC: Hi\nC:\nS: a OK")
    [diagnostic] = transcript.diagnostics
    assert diagnostic.lineno == 2
    assert "{4+}" in diagnostic.message


def test_non_synchronizing_literal_needs_no_continuation():
    transcript = imap("C: a APPEND INBOX {4+}\nC: Hi\nC:\nS: a OK")
    assert transcript.diagnostics == []


def test_a_refused_literal_is_not_sent():
    transcript = imap(
        "C: a APPEND Nowhere {4}\nS: a NO [TRYCREATE] No mailbox\nC: b LOGOUT"
    )
    assert transcript.turns[-1].verb == "LOGOUT"
    assert transcript.diagnostics == []


def test_idle_is_ended_by_done_which_is_not_a_command():
    transcript = imap(
        "C: a IDLE\nS: + idling\nS: * 2 EXISTS\nC: DONE\nS: a OK Idle completed."
    )
    idle = transcript.turns[0]
    assert [line.text for line in idle.lines] == ["a IDLE", "DONE"]
    assert transcript.turns[-1].answers is idle


def test_rfc_3501_example_session_parses_cleanly_with_wrapped_lines_joined():
    transcript = parse_transcript(RFC3501_EXAMPLE)
    assert transcript.protocol == "imap"
    assert transcript.diagnostics == []
    fetch_full = next(turn for turn in transcript.turns if turn.verb == "FETCH")
    assert fetch_full.lines[0].text.endswith('"7BIT" 3028 92))')
    header = next(turn for turn in transcript.turns if turn.payload)
    assert len(header.payload) == 9


RFC3501_EXAMPLE = r"""
   S:   * OK IMAP4rev1 Service Ready
   C:   a001 login mrc secret
   S:   a001 OK LOGIN completed
   C:   a002 select inbox
   S:   * 18 EXISTS
   S:   * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
   S:   * 2 RECENT
   S:   * OK [UNSEEN 17] Message 17 is the first unseen message
   S:   * OK [UIDVALIDITY 3857529045] UIDs valid
   S:   a002 OK [READ-WRITE] SELECT completed
   C:   a003 fetch 12 full
   S:   * 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700"
         RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"
         "IMAP4rev1 WG mtg summary and minutes"
         (("Terry Gray" NIL "gray" "cac.washington.edu"))
         (("Terry Gray" NIL "gray" "cac.washington.edu"))
         (("Terry Gray" NIL "gray" "cac.washington.edu"))
         ((NIL NIL "imap" "cac.washington.edu"))
         ((NIL NIL "minutes" "CNRI.Reston.VA.US")
         ("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL
         "<B27397-0100000@cac.washington.edu>")
          BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028
          92))
   S:   a003 OK FETCH completed
   C:   a004 fetch 12 body[header]
   S:   * 12 FETCH (BODY[HEADER] {342}
   S:   Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
   S:   From: Terry Gray <gray@cac.washington.edu>
   S:   Subject: IMAP4rev1 WG mtg summary and minutes
   S:   To: imap@cac.washington.edu
   S:   cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>
   S:   Message-Id: <B27397-0100000@cac.washington.edu>
   S:   MIME-Version: 1.0
   S:   Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
   S:
   S:   )
   S:   a004 OK FETCH completed
   C:   a005 store 12 +flags \deleted
   S:   * 12 FETCH (FLAGS (\Seen \Deleted))
   S:   a005 OK +FLAGS completed
   C:   a006 logout
   S:   * BYE IMAP4rev1 server terminating connection
   S:   a006 OK LOGOUT completed
"""
