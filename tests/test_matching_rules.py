"""The matcher's rules, one behaviour each: a wrong page fails where it differs.

Each test shows a wrong page (or server output) that must fail at a precise
line with a precise reason, and where the RFCs leave the server a choice, a
page that differs only there and must pass. ``replay`` runs the engine's own
walk; ``untagged`` asks the IMAP rules about one untagged response, whose
reason a replay sums up as "the server does not send this response".
"""

from __future__ import annotations

import pytest

from matchkit import replay
from telnetmail.core.matching import Context, Expect, Mode, ReplyMatcher, plan
from telnetmail.core.matching.imap import compare_imap
from telnetmail.core.model import Line, Role
from telnetmail.core.parser import parse_transcript


def failure(page: str, output: list[str], **options) -> tuple[int, str] | None:
    """Where and why replaying ``page`` against ``output`` fails, or None."""
    mismatch = replay(page, output, **options)
    return mismatch and (mismatch.lineno, mismatch.reason)


def untagged(page: str, received: str, sent=()) -> tuple[int, str] | None:
    """The page's last untagged response against the server's ``received``."""
    transcript = parse_transcript(page)
    step = [step for step in plan(transcript) if isinstance(step, Expect)][-1]
    context = Context(Mode.PROTOCOL, sent=tuple(sent))
    matcher = ReplyMatcher(transcript.protocol, step.history, step.turns, context)
    matcher.received = [Line(Role.SERVER, received, 0)]
    [got] = matcher.received_turns()
    shown = [turn for turn in step.turns if turn.tag == "*"][-1]
    failure = compare_imap(shown, got, context, matcher.rules)
    if failure is None:
        return None
    where, reason = failure
    return (where if isinstance(where, int) else where.lineno), reason


def imap(command: str, *response: str) -> str:
    """A page: the greeting, one command and its response, completed."""
    lines = ["server: * OK ready", f"client: a1 {command}"]
    lines += [f"server: {line}" for line in response]
    return "\n".join([*lines, "server: a1 OK done"])


# -- IMAP untagged data ---------------------------------------------------------------


def test_search_results_are_a_set_of_numbers():
    page = imap("SEARCH UNSEEN", "* SEARCH 2 3")
    assert untagged(page, "* SEARCH 3 2") is None
    assert untagged(page, "* SEARCH 3") == (3, "messages 3 where the page shows 2 3")
    assert untagged(page, "* SEARCH") == (3, "messages (none) where the page shows 2 3")


def test_an_empty_search_shown_must_be_empty():
    page = imap("SEARCH DELETED", "* SEARCH")
    assert untagged(page, "* SEARCH") is None
    assert untagged(page, "* SEARCH 4") == (3, "messages 4 where the page shows (none)")


def test_capabilities_shown_must_be_announced_in_any_case():
    page = imap("CAPABILITY", "* CAPABILITY IMAP4rev1 IDLE")
    assert untagged(page, "* CAPABILITY idle SASL-IR imap4REV1") is None
    assert untagged(page, "* CAPABILITY IMAP4rev1 SASL-IR") == (
        3,
        "the server does not announce IDLE",
    )


def test_capabilities_missing_are_all_named_in_order():
    page = imap("CAPABILITY", "* CAPABILITY UNSELECT IMAP4rev1 IDLE")
    assert untagged(page, "* CAPABILITY IMAP4rev1") == (
        3,
        "the server does not announce IDLE, UNSELECT",
    )


def test_enabled_extensions_shown_must_be_enabled():
    page = imap("ENABLE CONDSTORE", "* ENABLED CONDSTORE")
    assert untagged(page, "* ENABLED condstore") is None
    assert untagged(page, "* ENABLED") == (3, "the server does not announce CONDSTORE")


STATUS = imap("STATUS INBOX (MESSAGES UNSEEN)", "* STATUS INBOX (MESSAGES 2 UNSEEN 1)")


def test_status_items_agree_in_any_order_and_inbox_in_any_case():
    assert untagged(STATUS, '* STATUS "inbox" (UNSEEN 1 MESSAGES 2)') is None


def test_status_an_item_with_another_value_fails():
    assert untagged(STATUS, "* STATUS INBOX (MESSAGES 2 UNSEEN 0)") == (
        3,
        "UNSEEN 0 where the page shows UNSEEN 1",
    )


def test_status_an_item_the_server_leaves_out_fails():
    assert untagged(STATUS, "* STATUS INBOX (UNSEEN 1)") == (
        3,
        "MESSAGES NIL where the page shows MESSAGES 2",
    )


def test_status_of_another_mailbox_fails():
    assert untagged(STATUS, "* STATUS Sent (MESSAGES 2 UNSEEN 1)") == (
        3,
        "mailbox Sent where the page shows INBOX",
    )


def test_status_names_other_than_inbox_keep_their_case():
    # RFC 3501 §5.1: only INBOX is case-insensitive.
    page = imap("STATUS Sent (MESSAGES)", "* STATUS Sent (MESSAGES 2)")
    assert untagged(page, '* STATUS "Sent" (MESSAGES 2)') is None
    assert untagged(page, "* STATUS SENT (MESSAGES 2)") == (
        3,
        "mailbox SENT where the page shows Sent",
    )


LIST = imap('LIST "" "*"', r'* LIST (\HasNoChildren) "/" "Sent"')


def test_list_attributes_are_a_set():
    assert untagged(LIST, r'* LIST (\hasnochildren) "/" Sent') is None
    assert untagged(LIST, r'* LIST (\HasChildren) "/" Sent') == (
        3,
        r"mailbox attributes (\HasChildren) where the page shows (\HasNoChildren)",
    )


def test_list_the_hierarchy_delimiter_is_compared():
    assert untagged(LIST, r'* LIST (\HasNoChildren) "." Sent') == (
        3,
        "hierarchy delimiter . where the page shows /",
    )
    assert untagged(LIST, r"* LIST (\HasNoChildren) NIL Sent") == (
        3,
        "hierarchy delimiter NIL where the page shows /",
    )


def test_list_the_mailbox_name_keeps_its_case_but_inbox():
    assert untagged(LIST, r'* LIST (\HasNoChildren) "/" sent') == (
        3,
        "mailbox sent where the page shows Sent",
    )
    inbox = imap('LIST "" "*"', r'* LIST () "/" INBOX')
    assert untagged(inbox, r'* LIST () "/" Inbox') is None


def test_list_with_a_missing_value_is_compared_whole():
    assert untagged(LIST, r'* LIST (\HasNoChildren) "/"') == (3, "the data differs")


@pytest.mark.parametrize(
    ("command", "shape"),
    [("SELECT INBOX", "* FLAGS {}"), ("FETCH 1 (FLAGS)", "* 1 FETCH (FLAGS {})")],
)
def test_flags_are_a_set_in_any_case(command, shape):
    page = imap(command, shape.format(r"(\Seen \Deleted)"))
    assert untagged(page, shape.format(r"(\deleted \SEEN)")) is None
    for other in (r"(\Seen)", r"(\Seen \Deleted \Flagged)", "()"):
        assert untagged(page, shape.format(other)) == (
            3,
            f"FLAGS {other} where the page shows (\\Seen \\Deleted)",
        )


def test_an_untagged_response_of_another_type_fails():
    page = imap("SELECT INBOX", "* 3 EXISTS")
    assert untagged(page, "* 3 RECENT") == (3, "* RECENT where the page shows * EXISTS")
    assert untagged(page, "* 4 EXISTS") == (3, "message 4 where the page shows 3")


def test_other_data_is_compared_value_by_value():
    page = imap("NAMESPACE", '* NAMESPACE (("" "/")) NIL NIL')
    assert untagged(page, '* NAMESPACE (("" "/")) nil NIL') is None
    assert untagged(page, '* NAMESPACE (("" ".")) NIL NIL') == (3, "the data differs")
    assert untagged(page, '* NAMESPACE (("" "/")) NIL') == (3, "the data differs")
    assert untagged(page, '* NAMESPACE (("" "/")) "x" NIL') == (3, "the data differs")


# -- Named captures in protocol mode ---------------------------------------------------

QUEUED = """\
server: 220 mx
client: NOOP
server: 250 2.0.0 Ok: queued as {{queue-id@q:ABC}}
client: NOOP
server: 250 done {{queue-id@q:ABC}} now"""


def test_a_named_value_is_found_between_its_words_where_the_server_words_otherwise():
    assert (
        replay(QUEUED, ["220 mx", "250 Ok queued as 9F3", "250 all done 9F3 now"])
        is None
    )


def test_a_named_value_must_reappear_even_where_the_text_is_not_compared():
    assert failure(
        QUEUED, ["220 mx", "250 Ok queued as 9F3", "250 all done 7C1 now"]
    ) == (
        5,
        "the value named 'q' is not in the server's line '250 all done 7C1 now'",
    )


def test_a_named_value_not_between_the_pages_words_fails_where_it_is_captured():
    assert failure(QUEUED, ["220 mx", "250 Ok queued:9F3", "250 done 9F3 now"]) == (
        3,
        "the value named 'q' is not in the server's line '250 Ok queued:9F3'",
    )


def test_a_named_value_must_be_of_its_kind():
    page = "server: 220 mx\nclient: NOOP\nserver: 250 as {{number@n:12}} ok"
    assert replay(page, ["220 mx", "250 queued as 345 ok"]) is None
    assert replay(page, ["220 mx", "250 queued as 3x5 ok"]).lineno == 3


def test_a_named_value_at_the_end_of_a_line_ends_at_a_space():
    page = (
        "server: 220 mx\nclient: NOOP\nserver: 250 id {{number@n:12}}\n"
        "client: NOOP\nserver: 250 again {{number@n:12}}"
    )
    assert replay(page, ["220 mx", "250 the id 345", "250 once again 345"]) is None
    assert replay(page, ["220 mx", "250 the id 345", "250 once again 3456"]).lineno == 5
    assert (
        replay(page, ["220 mx", "250 the id 345", "250 once again 345.0"]).lineno == 5
    )


def test_a_named_value_at_the_start_of_a_line_begins_after_a_space():
    page = (
        "server: * OK ready\nclient: a1 NOOP\nserver: a1 OK [UIDNEXT 4] {{number@n:12}} left\n"
        "client: a2 NOOP\nserver: a2 OK [UIDNEXT 4] {{number@n:12}} left"
    )
    assert (
        replay(
            page, ["* OK hi", "a1 OK [UIDNEXT 4] 7 left", "a2 OK [UIDNEXT 4] 7 left"]
        )
        is None
    )
    mismatch = replay(
        page, ["* OK hi", "a1 OK [UIDNEXT 4] 7 left", "a2 OK [UIDNEXT 4] x7 left"]
    )
    assert mismatch.lineno == 5


def test_named_values_on_every_line_of_a_multiline_reply():
    page = (
        "server: 220 mx\nclient: HELP\nserver: 214-mx greets {{host@h:me}}\n"
        "server: 214 id {{number@s:10}}\nclient: NOOP\nserver: 250 {{host@h:me}} {{number@s:10}}"
    )
    ok = ["220 mx", "214-mx greets c.example", "214 id 99", "250 c.example 99"]
    assert replay(page, ok) is None
    wrong = ["220 mx", "214-mx greets c.example", "214 id 99", "250 c.example 98"]
    assert replay(page, wrong).lineno == 6


# -- POP3 ----------------------------------------------------------------------------

TRACED = """\
server: +OK ready
client: RETR 1
server: +OK 92 octets
server: Received: from c.example
server: \tby mx id {{queue-id@q:ABC}}
server: Subject: Hi
server:
server: Hello.
server: .
client: TOP 1 0
server: +OK
server: Received: from c.example
server: \tby mx id {{queue-id@q:ABC}}
server: Subject: Hi
server:
server: .
"""

RETR_TRACED = [
    "+OK hi",
    "+OK 124 octets",
    "Return-Path: <a@b>",
    "Received: from c.example (localhost)",
    "\tby mx id 9F3",
    "Subject: Hi",
    "",
    "Hello.",
    ".",
]
TOP_TRACED = [
    "+OK",
    "Return-Path: <a@b>",
    "Received: from c.example (localhost)",
    "\tby mx id 9F3",
    "Subject: Hi",
    "",
    ".",
]


def test_a_size_allows_only_for_the_server_added_fields_it_shows_otherwise():
    # 124 less the 32 octets by which Return-Path and Received differ.
    assert replay(TRACED, RETR_TRACED + TOP_TRACED) is None
    page = TRACED.replace("+OK 92 octets", "+OK 124 octets")
    assert failure(page, RETR_TRACED + TOP_TRACED) == (
        3,
        "message 1 should be 92 octets for the message the page shows (the "
        "server's 124, less 32 octets of its own fields), where the page shows 124",
    )


def test_a_named_value_in_a_server_added_field_must_reappear():
    top = [line.replace("9F3", "7C1") for line in TOP_TRACED]
    assert failure(TRACED, RETR_TRACED + top) == (
        13,
        "the value named 'q' is not in the server's line '\\tby mx id 7C1'",
    )


def test_a_server_added_field_with_a_named_value_must_be_there():
    top = [line for line in TOP_TRACED if not line.startswith(("Received", "\t"))]
    assert failure(TRACED, RETR_TRACED + top) == (
        12,
        "the server's message has no Received field here",
    )


def test_a_second_server_added_field_of_a_name_is_the_servers_second():
    page = pop3(
        "client: TOP 1 0",
        "server: +OK",
        "server: Received: from c.example",
        "server: Received: by {{host@h:mx}}",
        "server: Subject: Hi",
        "server:",
        "server: .",
    )
    one = ["+OK", "+OK", "Received: from c.example", "Subject: Hi", "", "."]
    assert failure(page, one) == (
        5,
        "the server's message has no Received field here",
    )
    two = one[:3] + ["Received: by relay.example"] + one[3:]
    assert replay(page, two) is None


POP3 = "server: +OK ready\n"


def pop3(*lines: str) -> str:
    return POP3 + "\n".join(lines)


def test_stat_count_and_size_are_compared():
    page = pop3("client: STAT", "server: +OK 2 640")
    assert replay(page, ["+OK", "+OK 2 640 octets"]) is None
    assert failure(page, ["+OK", "+OK 2 641"]) == (
        3,
        "the maildrop is 641 octets where the page shows 640",
    )


def test_stat_with_no_count_fails():
    assert failure(pop3("client: STAT", "server: +OK 2 640"), ["+OK", "+OK"]) == (
        3,
        "STAT answers nothing where the page shows 2",
    )


def test_list_of_one_message_compares_number_and_size():
    page = pop3("client: LIST 2", "server: +OK 2 320")
    assert replay(page, ["+OK", "+OK 2 320"]) is None
    assert replay(page, ["+OK", "+OK 1 320"]).reason == (
        "LIST answers 1 where the page shows 2"
    )
    assert failure(page, ["+OK", "+OK 2 321"]) == (
        3,
        "message 2 is 321 octets where the page shows 320",
    )


def test_a_status_line_without_numbers_is_the_servers_to_word():
    page = pop3("client: LIST 2", "server: +OK scan listing follows")
    assert replay(page, ["+OK", "+OK 2 320"]) is None


def test_stat_total_allows_for_the_fields_of_every_message_shown():
    page = pop3(
        "client: RETR 1",
        "server: +OK 92 octets",
        *TRACED.splitlines()[3:9],
        "client: STAT",
        "server: +OK 1 92",
    )
    assert replay(page, RETR_TRACED + ["+OK 1 124"]) is None
    assert failure(page, RETR_TRACED + ["+OK 1 125"]) == (
        11,
        "the maildrop should be 93 octets for the message the page shows (the "
        "server's 125, less 32 octets of its own fields), where the page shows 92",
    )


def test_uidl_of_one_message_compares_number_and_unique_id():
    page = pop3("client: UIDL 1", "server: +OK 1 whqtswO00WBw418f9t5JxYwZ")
    assert replay(page, ["+OK", "+OK 1 whqtswO00WBw418f9t5JxYwZ"]) is None
    assert failure(page, ["+OK", "+OK 1 QhdPYR:00WBw1Ph7x7"]) == (
        3,
        "the unique id differs: the server has '+OK 1 QhdPYR:00WBw1Ph7x7'",
    )


def test_a_unique_id_marked_volatile_may_differ():
    page = pop3("client: UIDL 1", "server: +OK 1 {{word:whqtswO00WBw418f9t5JxYwZ}}")
    assert replay(page, ["+OK", "+OK 1 QhdPYR:00WBw1Ph7x7"]) is None


UIDL = pop3("client: UIDL", "server: +OK", "server: 1 a1", "server: 2 b2", "server: .")


def test_uidl_listing_compares_each_unique_id():
    assert replay(UIDL, ["+OK", "+OK unique-id listing", "1 a1", "2 b2", "."]) is None
    assert failure(UIDL, ["+OK", "+OK", "1 a1", "2 c3", "."]) == (
        5,
        "the unique id differs: the server has '2 c3'",
    )


def test_uidl_listing_of_other_messages_fails_at_its_first_line():
    assert failure(UIDL, ["+OK", "+OK", "1 a1", "."]) == (
        4,
        "the listing has messages 1 where the page shows 1 2",
    )


def test_an_empty_listing_shown_must_be_empty():
    page = pop3("client: LIST", "server: +OK", "server: .")
    assert replay(page, ["+OK", "+OK 0 messages", "."]) is None
    assert failure(page, ["+OK", "+OK", "1 120", "."]) == (
        4,
        "the listing has messages 1 where the page shows (none)",
    )


LISTING = pop3(
    "client: LIST", "server: +OK", "server: 1 120", "server: 2 200", "server: ."
)


def test_list_sizes_are_each_the_servers():
    assert replay(LISTING, ["+OK", "+OK 2 messages", "1 120", "2 200", "."]) is None
    assert failure(LISTING, ["+OK", "+OK", "1 120", "2 201", "."]) == (
        5,
        "message 2 is 201 octets where the page shows 200",
    )


def test_capa_capabilities_shown_must_be_offered():
    page = pop3(
        "client: CAPA", "server: +OK", "server: TOP", "server: UIDL", "server: ."
    )
    assert (
        replay(
            page,
            ["+OK", "+OK Capability list follows", "uidl", "SASL PLAIN", "TOP", "."],
        )
        is None
    )
    assert failure(page, ["+OK", "+OK", "TOP", "USER", "."]) == (
        5,
        "the server does not offer 'UIDL'",
    )


def test_err_texts_are_the_servers_to_word():
    page = pop3("client: RETR 9", "server: -ERR no such message")
    assert replay(page, ["+OK", "-ERR [SYS/PERM] Message not found"]) is None
    assert replay(page, ["+OK", "+OK 12 octets", "x", "."]).reason == (
        "+OK where the page shows -ERR"
    )


def test_a_reply_the_page_does_not_show_fails_after_the_last_shown():
    page = pop3("client: NOOP", "client: NOOP", "server: +OK")
    assert failure(page, ["+OK", "+OK", "+OK"]) == (
        4,
        "the server sends the reply '+OK' to 'NOOP', which the page does not show "
        "after this line",
    )


def test_retr_shown_with_the_header_only_fails():
    page = pop3(
        "client: RETR 1",
        "server: +OK 92 octets",
        "server: Subject: Hi",
        "server: .",
    )
    assert failure(
        page, ["+OK", "+OK 24 octets", "Subject: Hi", "", "Hello.", "."]
    ) == (
        4,
        "the page leaves out the empty line that ends the header, and what "
        "follows it, which the server sends",
    )


def test_top_with_no_lines_shows_the_header_and_its_empty_line():
    page = pop3(
        "client: TOP 1 0", "server: +OK", "server: Subject: Hi", "server:", "server: ."
    )
    assert replay(page, ["+OK", "+OK", "Subject: Hi", "", "."]) is None
    assert failure(page, ["+OK", "+OK", "Subject: Hi", "", "Hello.", "."]) == (
        5,
        "the body goes on after this line: the server has 'Hello.'",
    )


def test_a_body_shown_longer_than_the_servers_fails_at_the_first_extra_line():
    page = pop3(
        "client: RETR 1",
        "server: +OK 24 octets",
        "server: Subject: Hi",
        "server:",
        "server: Hello.",
        "server: Bye.",
        "server: .",
    )
    assert failure(
        page, ["+OK", "+OK 24 octets", "Subject: Hi", "", "Hello.", "."]
    ) == (7, "the body ends before this line")


def test_a_header_field_value_is_compared():
    page = pop3(
        "client: RETR 1",
        "server: +OK 24 octets",
        "server: Subject: Hi",
        "server:",
        "server: Hello.",
        "server: .",
    )
    assert failure(
        page, ["+OK", "+OK 24 octets", "Subject: Ho", "", "Hello.", "."]
    ) == (
        4,
        "the Subject field differs: the server has 'Subject: Ho'",
    )


def test_a_typed_field_the_page_leaves_out_fails_at_the_first_field():
    page = pop3(
        "client: RETR 1",
        "server: +OK 24 octets",
        "server: Subject: Hi",
        "server:",
        "server: Hello.",
        "server: .",
    )
    output = ["+OK", "+OK 24 octets", "To: b@c", "Subject: Hi", "", "Hello.", "."]
    assert failure(page, output) == (
        4,
        "header fields To, Subject where the page shows Subject",
    )


def test_a_message_shown_with_no_field_the_server_has_fails_at_its_first_line():
    page = pop3(
        "client: RETR 1",
        "server: +OK 8 octets",
        "server:",
        "server: Hello.",
        "server: .",
    )
    output = ["+OK", "+OK 8 octets", "Subject: Hi", "", "Hello.", "."]
    assert failure(page, output) == (
        5,
        "header fields Subject where the page shows (none)",
    )


# -- IMAP FETCH ----------------------------------------------------------------------


def test_fetch_of_another_message_fails():
    page = imap("FETCH 1 (FLAGS)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 2 FETCH (FLAGS (\Seen))") == (
        3,
        "message 2 where the page shows 1",
    )


def test_fetch_an_item_shown_must_be_in_the_response():
    page = imap("FETCH 1 (FLAGS)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, "* 1 FETCH (UID 4)") == (
        3,
        "no FLAGS in the server's FETCH response",
    )


def test_fetch_an_item_asked_for_must_be_shown():
    page = imap("FETCH 1 (FLAGS RFC822.SIZE)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (FLAGS (\Seen) RFC822.SIZE 44)") == (
        3,
        "the server returns RFC822.SIZE, which the client asked for and the page "
        "leaves out",
    )


def test_fetch_items_asked_for_in_lower_case_must_be_shown():
    page = imap("fetch 1 (flags rfc822.size)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (FLAGS (\Seen) RFC822.SIZE 44)") is not None


def test_fetch_a_single_item_asked_without_parentheses_must_be_shown():
    page = imap("FETCH 1 UID", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (FLAGS (\Seen) UID 7)") == (
        3,
        "the server returns UID, which the client asked for and the page leaves out",
    )


def test_fetch_items_the_server_adds_unasked_may_be_left_out():
    page = imap("STORE 1 +FLAGS (\\Seen)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (FLAGS (\Seen) UID 7 MODSEQ (4))") is None
    page = imap("FETCH 1 (RFC822.SIZE)", "* 1 FETCH (RFC822.SIZE 44)")
    assert untagged(page, r"* 1 FETCH (RFC822.SIZE 44 FLAGS (\Seen))") is None


def test_uid_fetch_may_leave_out_the_uid_but_not_what_it_asked_for():
    page = imap("UID FETCH 7 (FLAGS)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (UID 7 FLAGS (\Seen))") is None
    page = imap("uid fetch 7 (FLAGS UID)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (UID 7 FLAGS (\Seen))") == (
        3,
        "the server returns UID, which the client asked for and the page leaves out",
    )


def test_uid_store_asks_for_no_item():
    page = imap("UID STORE 7 +FLAGS (\\Seen)", r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (UID 7 FLAGS (\Seen))") is None


@pytest.mark.parametrize(
    ("macro", "left_out"),
    [("FAST", "INTERNALDATE"), ("ALL", "ENVELOPE"), ("FULL", "BODY")],
)
def test_fetch_macros_ask_for_their_items(macro, left_out):
    items = {
        "FLAGS": r"FLAGS (\Seen)",
        "INTERNALDATE": 'INTERNALDATE "17-Jul-1996 02:44:25 -0700"',
        "RFC822.SIZE": "RFC822.SIZE 44",
        "ENVELOPE": 'ENVELOPE (NIL "Hi" NIL NIL NIL NIL NIL NIL NIL NIL)',
        "BODY": 'BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 8 1)',
    }
    names = {"FAST": 3, "ALL": 4, "FULL": 5}[macro]
    server = "* 1 FETCH (" + " ".join(list(items.values())[:names]) + ")"
    shown = server.replace(" " + items[left_out], "")
    page = imap(f"FETCH 1 {macro.lower()}", shown)
    assert untagged(page, server) == (
        3,
        f"the server returns {left_out}, which the client asked for and the page "
        "leaves out",
    )


def test_fetch_peek_and_partial_items_are_answered_by_their_response_names():
    page = imap(
        "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.100>)", "* 1 FETCH (UID 1)"
    )
    assert untagged(page, '* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)]<0> "x")') == (
        3,
        "the server returns BODY[HEADER.FIELDS (SUBJECT)]<0>, which the client "
        "asked for and the page leaves out",
    )


def test_fetch_a_command_that_cannot_be_read_asks_for_nothing_known():
    page = imap('FETCH 1 (FLAGS "', r"* 1 FETCH (FLAGS (\Seen))")
    assert untagged(page, r"* 1 FETCH (FLAGS (\Seen) UID 4)") is None


ENVELOPE = (
    '* 1 FETCH (ENVELOPE ("{{date:Fri, 27 Nov 2026 11:40:02 +0000}}" "Hi" '
    '(("A" NIL "a" "b.example")) NIL NIL NIL NIL NIL NIL '
    '"{{message-id:<1@b.example>}}"))'
)


def envelope(
    date="Mon, 30 Nov 2026 10:00:00 +0100",
    subject='"Hi"',
    sender=None,
    rest="NIL",
    mid="<7@mx.example>",
):
    sender = sender or '(("A" NIL "a" "b.example"))'
    return (
        f'* 1 FETCH (ENVELOPE ("{date}" {subject} {sender} NIL NIL NIL NIL NIL '
        f'{rest} "{mid}"))'
    )


def test_envelope_dates_and_ids_marked_volatile_may_differ():
    page = imap("FETCH 1 ENVELOPE", ENVELOPE)
    assert untagged(page, envelope()) is None


def test_envelope_a_volatile_value_must_be_of_its_kind():
    page = imap("FETCH 1 ENVELOPE", ENVELOPE)
    assert untagged(page, envelope(date="yesterday")) is not None
    assert untagged(page, envelope(mid="no id")) is not None


def test_envelope_strings_are_compared_exactly():
    page = imap("FETCH 1 ENVELOPE", ENVELOPE)
    assert untagged(page, envelope(subject='"hi"')) == (
        3,
        "ENVELOPE (Mon, 30 Nov 2026 10:00:00 +0100 hi ((A NIL a b.example)) NIL NIL "
        "NIL NIL NIL NIL <7@mx.example>) where the page shows (Fri, 27 Nov 2026 "
        "11:40:02 +0000 Hi ((A NIL a b.example)) NIL NIL NIL NIL NIL NIL "
        "<1@b.example>)",
    )
    assert untagged(page, envelope(subject="NIL")) is not None


def test_envelope_nil_where_the_page_shows_a_value_fails():
    page = imap("FETCH 1 ENVELOPE", ENVELOPE)
    assert untagged(page, envelope(rest='"<0@x.example>"')) is not None


def test_envelope_address_lists_are_compared_whole():
    page = imap("FETCH 1 ENVELOPE", ENVELOPE)
    two = '(("A" NIL "a" "b.example") ("B" NIL "c" "d.example"))'
    assert untagged(page, envelope(sender=two)) is not None
    assert untagged(page, envelope(sender='(("A" NIL "a" "B.example"))')) is not None
    assert untagged(page, envelope(sender="NIL")) is not None


def test_envelope_a_named_date_must_reappear():
    shown = ENVELOPE.replace("{{date:", "{{date@d:")
    page = imap("FETCH 1:2 ENVELOPE", shown, shown.replace("* 1", "* 2"))
    second = envelope().replace("* 1", "* 2")
    assert replay(page, ["* OK hi", envelope(), second, "a1 OK done"]) is None
    other = second.replace("Mon, 30 Nov", "Tue, 1 Dec")
    mismatch = replay(page, ["* OK hi", envelope(), other, "a1 OK done"])
    assert mismatch.lineno == 4


def test_internaldate_is_compared_unless_marked():
    page = imap(
        "FETCH 1 INTERNALDATE", '* 1 FETCH (INTERNALDATE "17-Jul-1996 02:44:25 -0700")'
    )
    assert untagged(page, '* 1 FETCH (INTERNALDATE "18-Jul-1996 02:44:25 -0700")') == (
        3,
        "INTERNALDATE 18-Jul-1996 02:44:25 -0700 where the page shows "
        "17-Jul-1996 02:44:25 -0700",
    )
    marked = page.replace('"17-Jul', '"{{date:17-Jul').replace('0700")', '0700}}")')
    assert (
        untagged(marked, '* 1 FETCH (INTERNALDATE "18-Jul-1996 02:44:25 -0700")')
        is None
    )


def test_atoms_agree_in_any_case_but_numbers_and_nil_do_not_bend():
    page = imap(
        "FETCH 1 (BODYSTRUCTURE)",
        '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 8 1))',
    )
    assert (
        untagged(
            page, '* 1 FETCH (bodystructure ("TEXT" "PLAIN" nil NIL NIL "7BIT" 8 1))'
        )
        is None
    )
    assert (
        untagged(
            page, '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 9 1))'
        )
        is not None
    )
    assert (
        untagged(
            page, '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 8))'
        )
        is not None
    )
    assert (
        untagged(
            page, '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 8 NIL))'
        )
        is not None
    )
    assert untagged(page, '* 1 FETCH (BODYSTRUCTURE "TEXT")') is not None


HEADER = """\
server: * OK ready
client: a1 SELECT INBOX
server: a1 OK [READ-WRITE] done
client: a2 FETCH 1 (BODY[HEADER])
server: * 1 FETCH (BODY[HEADER] {32}
server: Received: by mx
server: Subject: Hi
server:
server: )
server: a2 OK done
"""

HEADER_SENT = [
    "* OK hi",
    "a1 OK [READ-WRITE] x",
    "* 1 FETCH (BODY[HEADER] {64}",
    "Received: by mx.example.com",
    "X-Original-To: a@b",
    "Subject: Hi",
    "",
    ")",
    "a2 OK y",
]


def size_after(command: str) -> str:
    """HEADER, then ``command``, then the RFC822.SIZE of message 1 as 40."""
    return HEADER + (
        f"client: a3 {command}\nserver: a3 OK done\n"
        "client: a4 FETCH 1 (RFC822.SIZE)\nserver: * 1 FETCH (RFC822.SIZE 40)\n"
        "server: a4 OK done\n"
    )


SIZE_SENT = [*HEADER_SENT, "a3 OK done", "* 1 FETCH (RFC822.SIZE 72)", "a4 OK z"]


def test_rfc822_size_allows_for_the_server_fields_of_the_header_shown():
    # The server's Received and X-Original-To are 32 octets more than the page's.
    assert replay(size_after("NOOP"), SIZE_SENT) is None
    wrong = size_after("NOOP").replace("RFC822.SIZE 40", "RFC822.SIZE 72")
    assert failure(wrong, SIZE_SENT) == (
        14,
        "RFC822.SIZE of message 1 should be 40 octets for the message the page "
        "shows (the server's 72, less 32 octets of its own fields), where the page "
        "shows 72",
    )


@pytest.mark.parametrize(
    "command",
    [
        "SELECT INBOX",
        "examine Archive",
        "EXPUNGE",
        "UID EXPUNGE 4",
        "uid move 4 Trash",
        "CLOSE",
        "UNSELECT",
    ],
)
def test_after_renumbering_a_size_is_the_servers_exactly(command):
    assert failure(size_after(command), SIZE_SENT) == (
        14,
        "RFC822.SIZE of message 1 is 72 octets where the page shows 40",
    )


def test_a_size_of_another_message_is_the_servers_exactly():
    page = (
        size_after("NOOP")
        .replace("a4 FETCH 1", "a4 FETCH 2")
        .replace("* 1 FETCH (RFC822.SIZE 40)", "* 2 FETCH (RFC822.SIZE 40)")
    )
    sent = [*HEADER_SENT, "a3 OK done", "* 2 FETCH (RFC822.SIZE 72)", "a4 OK z"]
    assert replay(page, sent).reason == (
        "RFC822.SIZE of message 2 is 72 octets where the page shows 40"
    )


def test_body_header_shown_without_its_empty_line_fails():
    page = HEADER.replace("server: Subject: Hi\nserver:\n", "server: Subject: Hi\n")
    assert failure(page.replace("{32}", "{30}"), HEADER_SENT) == (
        7,
        "the header ends with an empty line, which the page leaves out",
    )


TEXT = """\
server: * OK ready
client: a1 SELECT INBOX
server: a1 OK [READ-WRITE] done
client: a2 FETCH 1 (BODY[TEXT])
server: * 1 FETCH (BODY[TEXT] {8}
server: Hello.
server: )
server: a2 OK done
"""
TEXT_SENT = [
    "* OK hi",
    "a1 OK [READ-WRITE] x",
    "* 1 FETCH (BODY[TEXT] {8}",
    "Hello.",
    ")",
    "a2 OK y",
]


@pytest.mark.parametrize(
    "item", ["BODY[TEXT]", "RFC822.TEXT", "BODY[1]", "BODY[1.2]", "BINARY[1]"]
)
def test_a_text_part_is_compared_line_by_line(item):
    page = TEXT.replace("BODY[TEXT]", item)
    sent = [line.replace("BODY[TEXT]", item) for line in TEXT_SENT]
    assert replay(page, sent) is None
    wrong = [line.replace("Hello.", "Hallo.") for line in sent]
    assert failure(page, wrong) == (
        6,
        "the body differs: the server has 'Hallo.'",
    )


def test_a_text_part_tells_nothing_of_the_server_fields():
    page = TEXT + (
        "client: a3 FETCH 1 (RFC822.SIZE)\nserver: * 1 FETCH (RFC822.SIZE 40)\n"
        "server: a3 OK done\n"
    )
    mismatch = replay(page, [*TEXT_SENT, "* 1 FETCH (RFC822.SIZE 41)", "a3 OK z"])
    assert (
        mismatch.reason
        == "RFC822.SIZE of message 1 is 41 octets where the page shows 40"
    )


@pytest.mark.parametrize("item", ["BODY[]", "RFC822", "BINARY[]"])
def test_a_whole_message_is_compared_with_its_header(item):
    page = TEXT.replace("BODY[TEXT] {8}", f"{item} {{23}}").replace(
        "server: Hello.", "server: Subject: Hi\nserver:\nserver: Hello."
    )
    sent = [
        "* OK hi",
        "a1 OK [READ-WRITE] x",
        f"* 1 FETCH ({item} {{23}}",
        "Subject: Ho",
        "",
        "Hello.",
        ")",
        "a2 OK y",
    ]
    assert failure(page, sent) == (
        6,
        "the Subject field differs: the server has 'Subject: Ho'",
    )


@pytest.mark.parametrize("item", ["BODY[HEADER]", "RFC822.HEADER"])
def test_a_header_part_is_compared_as_fields(item):
    page = HEADER.replace("BODY[HEADER]", item)
    sent = [
        line.replace("BODY[HEADER]", item).replace("Subject: Hi", "Subject: Ho")
        for line in HEADER_SENT
    ]
    assert failure(page, sent) == (
        7,
        "the Subject field differs: the server has 'Subject: Ho'",
    )


def test_a_header_fields_section_is_a_value_compared_whole():
    page = (
        TEXT.replace("BODY[TEXT]", "BODY[HEADER.FIELDS (SUBJECT)]")
        .replace("{8}", "{15}")
        .replace("server: Hello.", "server: Subject: Hi\nserver:")
    )
    sent = [
        "* OK hi",
        "a1 OK [READ-WRITE] x",
        "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}",
        "Subject: Hi",
        "",
        ")",
        "a2 OK y",
    ]
    assert replay(page, sent) is None
    sent[3] = "Subject: Ho"
    assert replay(page, sent).lineno == 5


# -- IMAP statuses and response codes ---------------------------------------------------


def completion(shown: str, got: str):
    """The page's tagged completion ``shown`` against the server's ``got``."""
    return failure(
        f"server: * OK ready\nclient: a1 NOOP\nserver: {shown}", ["* OK hi", got]
    )


def test_permanentflags_are_a_set_equal_to_the_servers():
    shown = r"a1 OK [PERMANENTFLAGS (\Seen \Deleted)] x"
    assert completion(shown, r"a1 OK [PERMANENTFLAGS (\deleted \Seen)] y") is None
    assert completion(shown, r"a1 OK [PERMANENTFLAGS (\Seen \Deleted \*)] y") == (
        3,
        r"[PERMANENTFLAGS (\Seen \Deleted \*)] where the page shows "
        r"[PERMANENTFLAGS (\Seen \Deleted)]",
    )
    assert completion(shown, r"a1 OK [PERMANENTFLAGS (\Seen)] y") is not None


def test_capability_codes_shown_must_be_offered_among_others():
    shown = "a1 OK [CAPABILITY IMAP4rev1 IDLE] x"
    assert completion(shown, "a1 OK [CAPABILITY IMAP4rev1 SASL-IR idle] y") is None
    assert completion(shown, "a1 OK [CAPABILITY IMAP4rev1 SASL-IR] y") == (
        3,
        "[CAPABILITY IMAP4rev1 SASL-IR] where the page shows [CAPABILITY IMAP4rev1 IDLE]",
    )


def test_appenduid_leaves_the_uidvalidity_to_the_server_but_compares_the_uid():
    shown = "a1 OK [APPENDUID 38505 3955] x"
    assert completion(shown, "a1 OK [APPENDUID 1764243602 3955] y") is None
    assert completion(shown, "a1 OK [APPENDUID 38505 3956] y") == (
        3,
        "[APPENDUID 38505 3956] where the page shows [APPENDUID 38505 3955]",
    )
    assert completion(shown, "a1 OK [APPENDUID 3955] y") is not None


def test_copyuid_leaves_the_uidvalidity_to_the_server_but_compares_both_uid_sets():
    shown = "a1 OK [COPYUID 38505 304,319:320 3956:3958] x"
    assert completion(shown, "a1 OK [COPYUID 99 304,319:320 3956:3958] y") is None
    assert (
        completion(shown, "a1 OK [COPYUID 38505 304,319:320 3957:3959] y") is not None
    )
    assert completion(shown, "a1 OK [COPYUID 38505 304,319 3956:3958] y") is not None


@pytest.mark.parametrize(
    "code", ["UIDVALIDITY 3857529045", "HIGHESTMODSEQ 4", "MAILBOXID (F2212ea87)"]
)
def test_codes_whose_value_is_the_servers_need_only_be_there(code):
    name, _, value = code.partition(" ")
    assert (
        completion(f"a1 OK [{code}] x", f"a1 OK [{name} 1{value.strip('()')}] y")
        is None
    )
    assert completion(f"a1 OK [{code}] x", "a1 OK y") == (
        3,
        f"no [{code}] response code",
    )


def test_other_codes_compare_their_value_and_their_name_in_any_case():
    assert completion("a1 OK [UIDNEXT 4] x", "a1 OK [uidnext 4] y") is None
    assert completion("a1 OK [UIDNEXT 4] x", "a1 OK [UIDNEXT 5] y") == (
        3,
        "[UIDNEXT 5] where the page shows [UIDNEXT 4]",
    )
    assert completion("a1 OK [READ-ONLY] x", "a1 OK [READ-WRITE] y") == (
        3,
        "response code [READ-WRITE] where the page shows [READ-ONLY]",
    )


def test_codes_the_page_leaves_out_are_allowed():
    assert completion("a1 OK x", "a1 OK [ALERT] y") is None


def test_a_tagged_status_other_than_the_pages_fails():
    assert completion("a1 OK x", "a1 NO [TRYCREATE] y") == (
        3,
        "NO where the page shows OK",
    )
    assert completion("a1 NO x", "a1 BAD y") == (3, "BAD where the page shows NO")


GREETING = "server: * OK [CAPABILITY IMAP4rev1 IDLE] ready\nclient: a1 NOOP\nserver: a1 OK done"


def test_the_greeting_is_compared_with_its_codes():
    assert (
        replay(GREETING, ["* OK [CAPABILITY IDLE IMAP4rev1 X] hi", "a1 OK x"]) is None
    )
    assert completion_of_greeting("* PREAUTH [CAPABILITY IDLE IMAP4rev1] hi") == (
        1,
        "PREAUTH where the page shows OK",
    )
    assert completion_of_greeting("* OK hi") == (
        1,
        "no [CAPABILITY IMAP4rev1 IDLE] response code",
    )
    assert completion_of_greeting("* BYE too many") == (
        1,
        "BYE where the page shows OK",
    )


def completion_of_greeting(got: str):
    return failure(GREETING, [got, "a1 OK x"])


APPEND = """\
server: * OK ready
client: a1 APPEND INBOX {5}
server: + Ready for literal data
client: hello
server: a1 OK [APPENDUID 38505 3955] APPEND completed"""


def test_a_continuation_request_is_read_as_the_page_shows_it():
    assert replay(APPEND, ["* OK hi", "+ OK", "a1 OK [APPENDUID 1 3955] done"]) is None
    assert failure(APPEND, ["* OK hi", "+ OK", "a1 OK [APPENDUID 1 3956] done"]) == (
        5,
        "[APPENDUID 1 3956] where the page shows [APPENDUID 38505 3955]",
    )


def test_a_completion_where_the_page_shows_a_continuation_fails():
    assert failure(APPEND, ["* OK hi", "a1 NO [TRYCREATE] no"]) == (
        3,
        "the server sends 'a1 NO [TRYCREATE] no', which the page does not show",
    )


TWO = "server: * OK ready\nclient: a1 NOOP\nserver: a1 OK done\nclient: a2 NOOP\nserver: a2 OK done"


def test_a_completion_of_another_tag_fails():
    assert failure(TWO, ["* OK hi", "a2 OK x", "a1 OK"]) == (
        3,
        "the server sends 'a2 OK x', which the page does not show",
    )
    assert failure(TWO, ["* OK hi", "a1 OK x", "a3 OK"]) == (
        5,
        "the server sends 'a3 OK', which the page does not show",
    )


def test_a_bye_the_page_does_not_show_fails():
    assert failure(TWO, ["* OK hi", "* BYE shutting down", "a1 OK"]) == (
        3,
        "the server sends '* BYE shutting down' and closes the connection, which the "
        "page does not show",
    )


AFTER = TWO.replace("server: a1 OK done\n", "server: a1 OK done\nserver: * 2 EXISTS\n")


def test_untagged_data_shown_after_a_completion_comes_after_it():
    assert replay(AFTER, ["* OK hi", "a1 OK", "* 2 EXISTS", "a2 OK"]) is None
    mismatch = replay(AFTER, ["* OK hi", "a1 OK", "* 3 EXISTS", "a2 OK"])
    assert mismatch.lineno == 4


UNTAGGED = "server: * OK ready\nclient: a1 NOOP\nserver: * 1 EXISTS\nserver: * 1 RECENT\nserver: a1 OK done"


def test_untagged_data_shown_must_all_come_before_the_completion():
    assert (
        replay(UNTAGGED, ["* OK", "* 1 RECENT", "* 1 EXPUNGE", "* 1 EXISTS", "a1 OK"])
        is None
    )
    assert failure(UNTAGGED, ["* OK hi", "* 1 EXISTS", "a1 OK"]) == (
        4,
        "the server does not send this response: it completes the command with 'a1 OK'",
    )


def test_a_multiline_response_that_differs_inside_fails_at_the_line_inside():
    sent = [line.replace("Hello.", "Hallo.") for line in TEXT_SENT]
    mismatch = replay(TEXT, sent)
    assert mismatch.lineno == 6
    assert mismatch.received == sent[2:-1]  # told before the tagged reply comes
    assert mismatch.expected == [
        (5, "* 1 FETCH (BODY[TEXT] {8}"),
        (6, "Hello."),
        (7, ")"),
        (8, "a2 OK done"),
    ]


# -- SMTP ---------------------------------------------------------------------------

ENHANCED = "server: 220 mx\nclient: NOOP\nserver: 250 2.0.0 Ok"


def test_smtp_enhanced_codes_agree_when_both_sides_show_one():
    assert replay(ENHANCED, ["220 mx", "250 2.0.0 fine"]) is None
    assert replay(ENHANCED, ["220 mx", "250 fine"]) is None
    assert replay(ENHANCED, ["220 mx", "250 2.0.0Ok"]) is None  # no code: text
    assert failure(ENHANCED, ["220 mx", "250 2.1.0 fine"]) == (
        3,
        "enhanced status code 2.1.0 where the page shows 2.0.0",
    )


def test_smtp_an_enhanced_code_may_end_the_line():
    page = "server: 220 mx\nclient: NOOP\nserver: 250 2.0.0"
    assert replay(page, ["220 mx", "250 2.1.0"]).reason == (
        "enhanced status code 2.1.0 where the page shows 2.0.0"
    )


def test_smtp_enhanced_codes_are_compared_on_every_line_of_a_reply():
    page = "server: 220 mx\nclient: NOOP\nserver: 250-2.0.0 a\nserver: 250 2.0.0 b"
    assert replay(page, ["220 mx", "250-2.0.0 one", "250 2.0.0 two"]) is None
    assert failure(page, ["220 mx", "250-2.0.0 a", "250 2.1.0 b"]) == (
        4,
        "enhanced status code 2.1.0 where the page shows 2.0.0",
    )


def test_smtp_a_multiline_reply_where_the_page_shows_one_line_fails():
    assert failure(ENHANCED, ["220 mx", "250-2.0.0 a", "250 2.0.0 b"]) == (
        3,
        "a multi-line reply, unlike the page's",
    )


def test_smtp_ehlo_keywords_and_parameters_agree_in_any_case():
    page = "server: 220 mx\nclient: EHLO c\nserver: 250-mx\nserver: 250-SIZE 100\nserver: 250 8BITMIME"
    assert (
        replay(page, ["220 mx", "250-mx.example", "250-8bitmime", "250 size 100"])
        is None
    )
    assert failure(page, ["220 mx", "250-mx", "250-8BITMIME", "250 SIZE 999"]) == (
        4,
        "SIZE 999 where the page shows SIZE 100",
    )
    assert failure(page, ["220 mx", "250-mx", "250-SIZE 100", "250 PIPELINING"]) == (
        5,
        "the server's reply has no line for '8BITMIME'",
    )


def test_smtp_the_first_line_of_an_ehlo_reply_names_no_extension():
    page = "server: 220 mx\nclient: EHLO c\nserver: 250-mx\nserver: 250 SIZE"
    assert replay(page, ["220 mx", "250-SIZE", "250 mx"]) is not None


def test_smtp_a_reply_to_a_command_the_page_shows_no_reply_for_fails():
    page = "server: 220 mx\nclient: NOOP\nclient: NOOP\nserver: 250 a"
    assert failure(page, ["220 mx", "250 a", "250 b"]) == (
        4,
        "the server sends the reply '250 b' to 'NOOP', which the page does not show "
        "after this line",
    )


def test_smtp_silence_is_reported_at_the_first_reply_still_awaited():
    page = "server: 220 mx\nclient: NOOP\nclient: RSET\nserver: 250 a\nserver: 250 b"
    assert failure(page, ["220 mx", "250 a"]) == (
        5,
        "the server says nothing more, where the page shows more",
    )


def test_smtp_silence_before_any_reply_is_reported_at_the_first():
    page = "server: 220 mx\nclient: NOOP\nserver: 250 a"
    mismatch = replay(page, ["220 mx"])
    assert (mismatch.lineno, mismatch.received) == (3, [])


# -- exact mode ----------------------------------------------------------------------


def test_exact_mode_compares_every_character():
    page = "server: 220 mx ready\nclient: NOOP\nserver: 250 2.0.0 Ok"
    assert replay(page, ["220 mx ready", "250 2.0.0 Ok"], mode="exact") is None
    mismatch = replay(page, ["220 mx ready", "250 2.0.0 OK"], mode="exact")
    assert (mismatch.lineno, mismatch.reason) == (3, "the line differs")
    assert mismatch.received == ["250 2.0.0 OK"]
    assert mismatch.expected == [(3, "250 2.0.0 Ok")]


def test_exact_mode_silence_is_reported_at_the_next_line_shown():
    page = "server: 220 mx\nclient: EHLO c\nserver: 250-mx\nserver: 250-SIZE\nserver: 250 HELP"
    assert failure(page, ["220 mx", "250-mx"], mode="exact") == (
        4,
        "the server says nothing more, where the page shows more",
    )


def test_exact_mode_named_values_hold_across_lines():
    page = "server: 220 {{host@h:mx}} ready\nclient: NOOP\nserver: 250 {{host@h:mx}} ok"
    assert (
        replay(page, ["220 a.example ready", "250 a.example ok"], mode="exact") is None
    )
    assert failure(page, ["220 a.example ready", "250 b.example ok"], mode="exact") == (
        3,
        "the line differs",
    )


def test_a_marked_value_may_stand_next_to_a_tab_the_server_sends():
    page = "server: 220 mx\nclient: NOOP\nserver: 250 at  {{time:10:00}}"
    assert replay(page, ["220 mx", "250 at\t10:30"], mode="exact") is None
    assert replay(page, ["220 mx", "250 at\tten"], mode="exact").lineno == 3


# -- telnet's lines --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "received"),
    [
        ("Trying 192.0.2.2...", "Trying ::1..."),
        ("Connected to mx1.example.com.", "Connected to 127.0.0.1."),
        (
            "telnet: Unable to connect to remote host: Connection refused",
            "telnet: Unable to connect to remote host: No route to host",
        ),
        (
            "telnet: could not resolve mx.example/smtp: Name or service not known",
            "telnet: could not resolve mx.invalid/smtp: Temporary failure",
        ),
    ],
)
def test_telnet_lines_agree_in_shape_but_not_in_exact_mode(page, received):
    from telnetmail.core.matching import telnet_line_matches

    line = Line(Role.TELNET, page, 1)
    assert telnet_line_matches(line, received, Mode.PROTOCOL)
    assert not telnet_line_matches(line, received, Mode.EXACT)
    assert telnet_line_matches(line, page, Mode.EXACT)
    assert not telnet_line_matches(line, "Trying 10.0.0.1 ...", Mode.PROTOCOL)


def test_telnet_lines_of_another_shape_must_be_equal():
    from telnetmail.core.matching import telnet_line_matches

    line = Line(Role.TELNET, "telnet> quit", 1)
    assert telnet_line_matches(line, "telnet> quit", Mode.PROTOCOL)
    assert not telnet_line_matches(line, "telnet> close", Mode.PROTOCOL)


def test_telnet_lines_with_marks_compare_around_them():
    from telnetmail.core import volatile
    from telnetmail.core.matching import telnet_line_matches

    text, marks = volatile.extract("Trying {{address:192.0.2.2}}...")
    line = Line(Role.TELNET, text, 1, marks=marks)
    assert telnet_line_matches(line, "Trying 127.0.0.1...", Mode.PROTOCOL)
    assert not telnet_line_matches(line, "Trying mx.example...", Mode.PROTOCOL)


def test_telnet_says_otherwise_at_its_line():
    page = (
        "telnet: > telnet mx smtp\ntelnet: Trying 192.0.2.2...\n"
        "telnet: Connected to mx.\nserver: 220 mx"
    )
    refused = "telnet: Unable to connect to remote host: Connection refused"
    assert failure(page, ["Trying 127.0.0.1...", refused]) == (
        3,
        "telnet says otherwise",
    )


# -- marks inside IMAP data ---------------------------------------------------------


def test_a_mark_after_non_ascii_text_still_covers_its_value():
    page = imap(
        "FETCH 1 ENVELOPE",
        '* 1 FETCH (ENVELOPE (NIL "Perché" NIL NIL NIL NIL NIL NIL NIL '
        '"{{message-id:<1@b.example>}}"))',
    )
    server = '* 1 FETCH (ENVELOPE (NIL "Perché" NIL NIL NIL NIL NIL NIL NIL "{}"))'
    assert untagged(page, server.format("<7@mx.example>")) is None
    assert untagged(page, server.format("no id")) is not None


def test_a_mark_after_a_literal_still_covers_its_value():
    page = TEXT.replace(
        "server: )", 'server:  INTERNALDATE "{{date:17-Jul-1996 02:44:25 -0700}}")'
    ).replace("(BODY[TEXT])", "(BODY[TEXT] INTERNALDATE)")

    def sent(date: str) -> list[str]:
        return [*TEXT_SENT[:4], f' INTERNALDATE "{date}")', TEXT_SENT[-1]]

    assert replay(page, sent("18-Jul-1996 02:44:25 -0700")) is None
    assert failure(page, sent("never")) == (
        5,
        "INTERNALDATE never where the page shows 17-Jul-1996 02:44:25 -0700",
    )


# -- more of FETCH -------------------------------------------------------------------

TWO_LITERALS = """\
server: * OK ready
client: a1 SELECT INBOX
server: a1 OK [READ-WRITE] done
client: a2 FETCH 1 (BODY[HEADER] BODY[TEXT])
server: * 1 FETCH (BODY[HEADER] {15}
server: Subject: Hi
server:
server:  BODY[TEXT] {14}
server: Hello.
server: Bye.
server: )
server: a2 OK done
"""
TWO_LITERALS_SENT = [
    "* OK hi",
    "a1 OK [READ-WRITE] x",
    "* 1 FETCH (BODY[HEADER] {15}",
    "Subject: Hi",
    "",
    " BODY[TEXT] {14}",
    "Hello.",
    "Bye.",
    ")",
    "a2 OK y",
]


def test_a_wrong_line_in_a_second_literal_is_reported_at_that_line():
    assert replay(TWO_LITERALS, TWO_LITERALS_SENT) is None
    assert failure(
        TWO_LITERALS, [line.replace("Bye.", "Ciao") for line in TWO_LITERALS_SENT]
    ) == (
        10,
        "the body differs: the server has 'Ciao'",
    )
    assert failure(
        TWO_LITERALS, [line.replace("Hi", "Ho") for line in TWO_LITERALS_SENT]
    ) == (
        6,
        "the Subject field differs: the server has 'Subject: Ho'",
    )


def test_content_shown_as_a_quoted_string_is_compared_as_lines():
    page = TEXT.replace(
        "(BODY[TEXT] {8}\nserver: Hello.\nserver: )", '(BODY[TEXT] "Hello.")'
    )
    assert untagged(page, "* 1 FETCH (BODY[TEXT] {6}\r\nHello.)") is None
    assert untagged(page, '* 1 FETCH (BODY[TEXT] "Hallo.")') == (
        5,
        "the body differs: the server has 'Hallo.'",
    )


def test_a_text_part_keeps_the_allowance_the_header_measured():
    page = size_after("FETCH 1 (BODY[TEXT])").replace(
        "server: a3 OK done\n",
        "server: * 1 FETCH (BODY[TEXT] {8}\nserver: Hello.\nserver: )\nserver: a3 OK done\n",
    )
    sent = [*HEADER_SENT, "* 1 FETCH (BODY[TEXT] {8}", "Hello.", ")", "a3 OK done"]
    assert replay(page, [*sent, "* 1 FETCH (RFC822.SIZE 72)", "a4 OK z"]) is None


def test_status_does_not_renumber_messages():
    assert replay(size_after("STATUS Sent (MESSAGES)"), SIZE_SENT) is None


def test_fetch_items_in_another_order_are_compared_with_their_marks():
    shown = (
        r'* 1 FETCH (FLAGS (\Seen) INTERNALDATE "{{date:17-Jul-1996 02:44:25 -0700}}" '
        "RFC822.SIZE 44)"
    )
    page = imap("FETCH 1 FAST", shown)
    server = r'* 1 FETCH (RFC822.SIZE 44 INTERNALDATE "{}" FLAGS (\Seen))'
    assert untagged(page, server.format("18-Jul-1996 02:44:25 -0700")) is None
    assert untagged(page, server.format("never")) == (
        3,
        "INTERNALDATE never where the page shows 17-Jul-1996 02:44:25 -0700",
    )


def test_strings_compare_exactly_even_against_atoms():
    page = imap("ID NIL", '* ID ("name" "Dovecot")')
    assert untagged(page, "* ID (name Dovecot)") is None
    assert untagged(page, '* ID ("name" dovecot)') == (3, "the data differs")


def test_atoms_compare_in_any_case():
    page = imap("GETACL INBOX", "* ACL INBOX fred rwipslda")
    assert untagged(page, "* ACL INBOX FRED RWIPSLDA") is None
    assert untagged(page, "* ACL INBOX fred rwipsl") == (3, "the data differs")


def test_a_list_where_the_server_has_an_atom_differs():
    page = imap("FETCH 1 (BODYSTRUCTURE)", '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN"))')
    assert untagged(page, "* 1 FETCH (BODYSTRUCTURE TEXT)") is not None
    assert untagged(page, '* 1 FETCH (BODYSTRUCTURE "TEXT")') is not None


def test_untagged_data_shown_after_the_second_completion_comes_after_it():
    page = (
        "server: * OK ready\nclient: a1 NOOP\nclient: a2 NOOP\nserver: a1 OK done\n"
        "server: a2 OK done\nserver: * 3 EXISTS\nclient: a3 NOOP\nserver: a3 OK done"
    )
    assert replay(page, ["* OK", "a1 OK", "a2 OK", "* 3 EXISTS", "a3 OK"]) is None
    assert replay(page, ["* OK", "a1 OK", "* 3 EXISTS", "a2 OK", "a3 OK"]).lineno == 6


# -- more of named captures ------------------------------------------------------------


def test_a_named_value_is_followed_by_the_pages_next_word():
    page = "server: 220 mx\nclient: NOOP\nserver: 250 as {{number@n:12}} ok"
    assert replay(page, ["220 mx", "250 queued as 345 nope"]).lineno == 3


def test_a_named_value_may_touch_the_words_around_it():
    page = (
        "server: 220 mx\nclient: NOOP\nserver: 250 id:{{number@n:12}}; ok\n"
        "client: NOOP\nserver: 250 again {{number@n:12}}"
    )
    assert (
        replay(page, ["220 mx", "250 the id:345; fine", "250 once again 345"]) is None
    )
    assert (
        replay(page, ["220 mx", "250 the id:345; fine", "250 once again 346"]).lineno
        == 5
    )


FOLDED = """\
server: +OK ready
client: TOP 1 0
server: +OK
server: Received: from c.example
server: \t{{queue-id@q:ABC}} queued
server: Received: from d.example
server: \t{{queue-id@q:ABC}}
server: Subject: Hi
server:
server: ."""


def test_a_named_value_at_the_start_of_a_folded_line():
    def top(first: str, second: str) -> list[str]:
        return [
            "+OK",
            "+OK",
            "Received: from c.example (localhost)",
            f"\t{first}",
            "Received: from d.example (localhost)",
            f"\t{second}",
            "Subject: Hi",
            "",
            ".",
        ]

    assert replay(FOLDED, top("9F3 queued here", "by mx 9F3 at noon")) is None
    assert failure(FOLDED, top("9F3 queued here", "by mx 7C1 at noon")) == (
        7,
        "the value named 'q' is not in the server's line '\\tby mx 7C1 at noon'",
    )
    mismatch = replay(FOLDED, top("queued 9F3 here", "by mx 9F3"))
    assert mismatch.lineno == 5


def test_a_named_value_alone_on_its_line_must_be_known_to_be_found():
    page = FOLDED.replace("server: \t{{queue-id@q:ABC}} queued\n", "server: \tby mx\n")
    top = [
        "+OK",
        "+OK",
        "Received: from c.example (localhost)",
        "\tby mx.example",
        "Received: from d.example (localhost)",
        "\tby mx 9F3",
        "Subject: Hi",
        "",
        ".",
    ]
    assert failure(page, top) == (
        7,
        "the value named 'q' is not in the server's line '\\tby mx 9F3'",
    )


# -- more of POP3 ----------------------------------------------------------------------


def test_stat_and_list_sizes_are_compared_with_text_after_them():
    page = pop3("client: STAT", "server: +OK 2 640 octets")
    assert replay(page, ["+OK", "+OK 2 641 octets"]).lineno == 3
    page = pop3("client: STAT", "server: +OK 2 640")
    assert replay(page, ["+OK", "+OK 2 641 octets"]).lineno == 3


def test_stat_shown_without_its_size_compares_the_count():
    page = pop3("client: STAT", "server: +OK 2")
    assert replay(page, ["+OK", "+OK 2 640"]) is None
    page = pop3("client: STAT", "server: +OK 2 messages")
    assert replay(page, ["+OK", "+OK 2 640"]) is None


RETR_ONE = pop3(
    "client: RETR 1",
    "server: +OK 92 octets",
    *TRACED.splitlines()[3:9],
)


def test_stat_allows_for_the_fields_of_each_message_it_counts():
    page = RETR_ONE + "\nclient: STAT\nserver: +OK 2 292"
    assert replay(page, [*RETR_TRACED, "+OK 2 324"]) is None
    assert replay(page, [*RETR_TRACED, "+OK 2 292"]).lineno == 11


def test_list_of_another_message_gets_no_allowance():
    page = RETR_ONE + "\nclient: LIST 2\nserver: +OK 2 168"
    assert replay(page, [*RETR_TRACED, "+OK 2 168"]) is None
    assert replay(page, [*RETR_TRACED, "+OK 2 200"]).lineno == 11


def test_a_listing_the_server_sends_empty_fails():
    page = pop3("client: LIST", "server: +OK", "server: 1 120", "server: .")
    assert failure(page, ["+OK", "+OK", "."]) == (
        4,
        "the listing has messages (none) where the page shows 1",
    )


def test_a_body_that_goes_on_fails_at_the_last_line_shown():
    page = pop3(
        "client: RETR 1",
        "server: +OK 30 octets",
        "server: Subject: Hi",
        "server:",
        "server: Hello.",
        "server: Bye.",
        "server: .",
    )
    output = ["+OK", "+OK 30 octets", "Subject: Hi", "", "Hello.", "Bye.", "PS", "."]
    assert failure(page, output) == (
        7,
        "the body goes on after this line: the server has 'PS'",
    )


def test_a_marked_value_in_a_body_line():
    page = pop3(
        "client: RETR 1",
        "server: +OK 37 octets",
        "server: Subject: Hi",
        "server:",
        "server: Sent at {{time:10:00}}.",
        "server: .",
    )
    output = ["+OK", "+OK 37 octets", "Subject: Hi", "", "Sent at 11:30.", "."]
    assert replay(page, output) is None
    output[4] = "Sent at noon."
    assert replay(page, output).lineno == 6


# -- and a few more edges ----------------------------------------------------------------


def test_a_named_value_compared_inside_data_must_reappear():
    shown = r'* {n} FETCH (FLAGS (\Seen) INTERNALDATE "{{{{date@d:17-Jul-1996 02:44:25 -0700}}}}")'
    page = imap("FETCH 1:2 (FLAGS INTERNALDATE)", shown.format(n=1), shown.format(n=2))
    server = r'* {n} FETCH (INTERNALDATE "{d}-Jul-1996 02:44:25 -0700" FLAGS (\Seen))'
    first = server.format(n=1, d=18)
    assert replay(page, ["* OK", first, server.format(n=2, d=18), "a1 OK"]) is None
    assert replay(page, ["* OK", first, server.format(n=2, d=19), "a1 OK"]).lineno == 4


def test_capability_codes_may_be_the_servers_whole_set():
    shown = "a1 OK [CAPABILITY IMAP4rev1 IDLE] x"
    assert completion(shown, "a1 OK [CAPABILITY IDLE imap4rev1] y") is None


def test_imap_silence_is_reported_at_the_first_response_still_awaited():
    assert failure(UNTAGGED, ["* OK", "* 1 RECENT"]) == (
        3,
        "the server says nothing more, where the page shows more",
    )


def test_imap_silence_after_responses_the_page_leaves_out():
    page = UNTAGGED.replace("server: * 1 RECENT\n", "")
    mismatch = replay(page, ["* OK", "* 1 EXISTS", "* 1 RECENT", "* OK [UIDNEXT 3] x"])
    assert mismatch.lineno == 4


def test_status_without_its_items_differs():
    assert untagged(STATUS, "* STATUS INBOX") == (3, "the data differs")
    assert untagged(STATUS, "* STATUS INBOX NIL") == (
        3,
        "MESSAGES NIL where the page shows MESSAGES 2",
    )


def test_fetch_uid_is_compared():
    page = imap("FETCH 1 (UID)", "* 1 FETCH (UID 7)")
    assert untagged(page, "* 1 FETCH (UID 8)") == (3, "UID 8 where the page shows 7")


def retr(status: str, *message: str) -> str:
    """A page: ``RETR 1`` answered by ``status`` and ``message``, then the dot."""
    return pop3(
        "client: RETR 1", *(f"server: {line}" for line in (status, *message, "."))
    )


HELLO_SENT = ["+OK", "+OK 24 octets", "Subject: Hi", "", "Hello.", "."]


def test_a_server_added_field_the_page_shows_may_be_missing():
    # The page's message is the server's 24 octets and its own Return-Path.
    page = retr("+OK 44 octets", "Return-Path: <a@b>", "Subject: Hi", "", "Hello.")
    assert replay(page, HELLO_SENT) is None


def test_a_retr_status_without_a_size_is_the_servers_to_word():
    assert (
        replay(retr("+OK message follows", "Subject: Hi", "", "Hello."), HELLO_SENT)
        is None
    )


def test_a_typed_field_is_compared_as_written_even_where_marked():
    page = pop3(
        "client: RETR 1",
        "server: +OK 68 octets",
        "server: Subject: Hi",
        "server: Date: {{date:Mon, 30 Nov 2026 10:00:00 +0100}}",
        "server:",
        "server: Hello.",
        "server: .",
    )
    sent = [(("subject", "Hi"), ("date", "Tue, 1 Dec 2026 09:00:00 +0000"))]

    def retr(date: str) -> list[str]:
        return [
            "+OK",
            "+OK 68 octets",
            "Subject: Hi",
            f"Date: {date}",
            "",
            "Hello.",
            ".",
        ]

    # What the sender typed does not vary: the mark stands for nothing.
    assert failure(page, retr("Tue, 1 Dec 2026 09:00:00 +0000"), sent=sent) == (
        5,
        "the Date field differs: the server has 'Date: Tue, 1 Dec 2026 09:00:00 +0000'",
    )
