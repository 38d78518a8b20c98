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


def untagged(page: str, received: str, sent=()) -> tuple[int, str] | None:
    """The page's last untagged response against the server's ``received``."""
    transcript = parse_transcript(page)
    step = [step for step in plan(transcript) if isinstance(step, Expect)][-1]
    context = Context(Mode.PROTOCOL, sent=tuple(sent))
    matcher = ReplyMatcher(transcript.protocol, step.history, step.turns, context)
    matcher.received = [Line(Role.SERVER, received, 0)]
    [got] = matcher.received_turns()
    shown = [turn for turn in step.turns if turn.tag == "*"][-1]
    failure = compare_imap(shown, got, context, matcher)
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
        'hierarchy delimiter . where the page shows /',
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


def test_flags_are_a_set_in_any_case():
    page = imap("SELECT INBOX", r"* FLAGS (\Seen \Deleted)")
    assert untagged(page, r"* FLAGS (\deleted \SEEN)") is None
    assert untagged(page, r"* FLAGS (\Seen)") == (
        3,
        r"FLAGS (\Seen) where the page shows (\Seen \Deleted)",
    )
    assert untagged(page, r"* FLAGS ()") == (
        3,
        r"FLAGS () where the page shows (\Seen \Deleted)",
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
    assert replay(QUEUED, ["220 mx", "250 Ok queued as 9F3", "250 all done 9F3 now"]) is None


def test_a_named_value_must_reappear_even_where_the_text_is_not_compared():
    mismatch = replay(QUEUED, ["220 mx", "250 Ok queued as 9F3", "250 all done 7C1 now"])
    assert (mismatch.lineno, mismatch.reason) == (
        5,
        "the value named 'q' is not in the server's line '250 all done 7C1 now'",
    )


def test_a_named_value_not_between_the_pages_words_fails_where_it_is_captured():
    mismatch = replay(QUEUED, ["220 mx", "250 Ok queued:9F3", "250 done 9F3 now"])
    assert (mismatch.lineno, mismatch.reason) == (
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
    assert replay(page, ["220 mx", "250 the id 345", "250 once again 345.0"]).lineno == 5


def test_a_named_value_at_the_start_of_a_line_begins_after_a_space():
    page = (
        "server: * OK ready\nclient: a1 NOOP\nserver: a1 OK [UIDNEXT 4] {{number@n:12}} left\n"
        "client: a2 NOOP\nserver: a2 OK [UIDNEXT 4] {{number@n:12}} left"
    )
    assert replay(page, ["* OK hi", "a1 OK [UIDNEXT 4] 7 left", "a2 OK [UIDNEXT 4] 7 left"]) is None
    mismatch = replay(page, ["* OK hi", "a1 OK [UIDNEXT 4] 7 left", "a2 OK [UIDNEXT 4] x7 left"])
    assert mismatch.lineno == 5


def test_named_values_on_every_line_of_a_multiline_reply():
    page = (
        "server: 220 mx\nclient: EHLO me\nserver: 250-mx greets {{host@h:me}}\n"
        "server: 250 SIZE {{number@s:10}}\nclient: NOOP\nserver: 250 {{host@h:me}} {{number@s:10}}"
    )
    ok = ["220 mx", "250-mx greets c.example", "250 SIZE 99", "250 c.example 99"]
    assert replay(page, ok) is None
    wrong = ["220 mx", "250-mx greets c.example", "250 SIZE 99", "250 c.example 98"]
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
    mismatch = replay(page, RETR_TRACED + TOP_TRACED)
    assert (mismatch.lineno, mismatch.reason) == (
        3,
        "message 1 should be 92 octets for the message the page shows (the "
        "server's 124, less 32 octets of its own fields), where the page shows 124",
    )


def test_a_named_value_in_a_server_added_field_must_reappear():
    top = [line.replace("9F3", "7C1") for line in TOP_TRACED]
    mismatch = replay(TRACED, RETR_TRACED + top)
    assert (mismatch.lineno, mismatch.reason) == (
        13,
        "the value named 'q' is not in the server's line '\\tby mx id 7C1'",
    )


def test_a_server_added_field_with_a_named_value_must_be_there():
    top = [line for line in TOP_TRACED if not line.startswith(("Received", "\t"))]
    mismatch = replay(TRACED, RETR_TRACED + top)
    assert (mismatch.lineno, mismatch.reason) == (
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
    mismatch = replay(page, one)
    assert (mismatch.lineno, mismatch.reason) == (
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
    mismatch = replay(page, ["+OK", "+OK 2 641"])
    assert (mismatch.lineno, mismatch.reason) == (
        3,
        "the maildrop is 641 octets where the page shows 640",
    )


def test_stat_with_no_count_fails():
    mismatch = replay(pop3("client: STAT", "server: +OK 2 640"), ["+OK", "+OK"])
    assert (mismatch.lineno, mismatch.reason) == (
        3,
        "STAT answers nothing where the page shows 2",
    )


def test_list_of_one_message_compares_number_and_size():
    page = pop3("client: LIST 2", "server: +OK 2 320")
    assert replay(page, ["+OK", "+OK 2 320"]) is None
    assert replay(page, ["+OK", "+OK 1 320"]).reason == (
        "LIST answers 1 where the page shows 2"
    )
    mismatch = replay(page, ["+OK", "+OK 2 321"])
    assert (mismatch.lineno, mismatch.reason) == (
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
    mismatch = replay(page, RETR_TRACED + ["+OK 1 125"])
    assert (mismatch.lineno, mismatch.reason) == (
        11,
        "the maildrop should be 93 octets for the message the page shows (the "
        "server's 125, less 32 octets of its own fields), where the page shows 92",
    )


def test_uidl_of_one_message_compares_number_and_unique_id():
    page = pop3("client: UIDL 1", "server: +OK 1 whqtswO00WBw418f9t5JxYwZ")
    assert replay(page, ["+OK", "+OK 1 whqtswO00WBw418f9t5JxYwZ"]) is None
    mismatch = replay(page, ["+OK", "+OK 1 QhdPYR:00WBw1Ph7x7"])
    assert (mismatch.lineno, mismatch.reason) == (
        3,
        "the unique id differs: the server has '+OK 1 QhdPYR:00WBw1Ph7x7'",
    )


def test_a_unique_id_marked_volatile_may_differ():
    page = pop3("client: UIDL 1", "server: +OK 1 {{word:whqtswO00WBw418f9t5JxYwZ}}")
    assert replay(page, ["+OK", "+OK 1 QhdPYR:00WBw1Ph7x7"]) is None


UIDL = pop3("client: UIDL", "server: +OK", "server: 1 a1", "server: 2 b2", "server: .")


def test_uidl_listing_compares_each_unique_id():
    assert replay(UIDL, ["+OK", "+OK unique-id listing", "1 a1", "2 b2", "."]) is None
    mismatch = replay(UIDL, ["+OK", "+OK", "1 a1", "2 c3", "."])
    assert (mismatch.lineno, mismatch.reason) == (
        5,
        "the unique id differs: the server has '2 c3'",
    )


def test_uidl_listing_of_other_messages_fails_at_its_first_line():
    mismatch = replay(UIDL, ["+OK", "+OK", "1 a1", "."])
    assert (mismatch.lineno, mismatch.reason) == (
        4,
        "the listing has messages 1 where the page shows 1 2",
    )


def test_an_empty_listing_shown_must_be_empty():
    page = pop3("client: LIST", "server: +OK", "server: .")
    assert replay(page, ["+OK", "+OK 0 messages", "."]) is None
    mismatch = replay(page, ["+OK", "+OK", "1 120", "."])
    assert (mismatch.lineno, mismatch.reason) == (
        4,
        "the listing has messages 1 where the page shows (none)",
    )


LISTING = pop3("client: LIST", "server: +OK", "server: 1 120", "server: 2 200", "server: .")


def test_list_sizes_are_each_the_servers():
    assert replay(LISTING, ["+OK", "+OK 2 messages", "1 120", "2 200", "."]) is None
    mismatch = replay(LISTING, ["+OK", "+OK", "1 120", "2 201", "."])
    assert (mismatch.lineno, mismatch.reason) == (
        5,
        "message 2 is 201 octets where the page shows 200",
    )


def test_capa_capabilities_shown_must_be_offered():
    page = pop3("client: CAPA", "server: +OK", "server: TOP", "server: UIDL", "server: .")
    assert replay(page, ["+OK", "+OK Capability list follows", "uidl", "SASL PLAIN", "TOP", "."]) is None
    mismatch = replay(page, ["+OK", "+OK", "TOP", "USER", "."])
    assert (mismatch.lineno, mismatch.reason) == (5, "the server does not offer 'UIDL'")


def test_err_texts_are_the_servers_to_word():
    page = pop3("client: RETR 9", "server: -ERR no such message")
    assert replay(page, ["+OK", "-ERR [SYS/PERM] Message not found"]) is None
    assert replay(page, ["+OK", "+OK 12 octets", "x", "."]).reason == (
        "+OK where the page shows -ERR"
    )


def test_a_reply_the_page_does_not_show_fails_after_the_last_shown():
    page = pop3("client: NOOP", "client: NOOP", "server: +OK")
    mismatch = replay(page, ["+OK", "+OK", "+OK"])
    assert (mismatch.lineno, mismatch.reason) == (
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
    mismatch = replay(page, ["+OK", "+OK 24 octets", "Subject: Hi", "", "Hello.", "."])
    assert (mismatch.lineno, mismatch.reason) == (
        4,
        "the page leaves out the empty line that ends the header, and what "
        "follows it, which the server sends",
    )


def test_top_with_no_lines_shows_the_header_and_its_empty_line():
    page = pop3(
        "client: TOP 1 0", "server: +OK", "server: Subject: Hi", "server:", "server: ."
    )
    assert replay(page, ["+OK", "+OK", "Subject: Hi", "", "."]) is None
    mismatch = replay(page, ["+OK", "+OK", "Subject: Hi", "", "Hello.", "."])
    assert (mismatch.lineno, mismatch.reason) == (
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
    mismatch = replay(page, ["+OK", "+OK 24 octets", "Subject: Hi", "", "Hello.", "."])
    assert (mismatch.lineno, mismatch.reason) == (7, "the body ends before this line")


def test_a_header_field_value_is_compared():
    page = pop3(
        "client: RETR 1",
        "server: +OK 24 octets",
        "server: Subject: Hi",
        "server:",
        "server: Hello.",
        "server: .",
    )
    mismatch = replay(page, ["+OK", "+OK 24 octets", "Subject: Ho", "", "Hello.", "."])
    assert (mismatch.lineno, mismatch.reason) == (
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
    mismatch = replay(page, output)
    assert (mismatch.lineno, mismatch.reason) == (
        4,
        "header fields To, Subject where the page shows Subject",
    )


def test_a_message_shown_with_no_field_the_server_has_fails_at_its_first_line():
    page = pop3(
        "client: RETR 1", "server: +OK 8 octets", "server:", "server: Hello.", "server: ."
    )
    output = ["+OK", "+OK 8 octets", "Subject: Hi", "", "Hello.", "."]
    mismatch = replay(page, output)
    assert (mismatch.lineno, mismatch.reason) == (
        5,
        "header fields Subject where the page shows (none)",
    )
