"""Green means true: pages that show something false fail at the diverging line.

One class of blind spot per group (issue 9, items 1 to 8 and 10), each with
a wrong page that must fail where it diverges, and a right page, differing
only where the RFCs allow, that must pass. Canned server output, no sockets:
the same pages run against real servers in ``test_replay_soundness.py``.
"""

from __future__ import annotations

from matchkit import replay

SMTP_HEAD = "server: 220 mx ESMTP\nclient: HELO client.example.com\nserver: 250 mx\n"
POP3_HEAD = (
    "server: +OK ready\nclient: USER u\nserver: +OK\nclient: PASS p\nserver: +OK in\n"
)
IMAP_HEAD = "server: * OK ready\nclient: a1 LOGIN u p\nserver: a1 OK in\n"

MESSAGE = [
    "Return-Path: <sender@example.com>",
    "Received: from client.example.com (localhost [127.0.0.1])",
    "\tby mx1.example.com (Postfix) with SMTP id 36DC72148F2",
    "\tfor <recipient@example.com>; Mon, 30 Nov 2026 16:08:05 +0000 (UTC)",
    "From: sender@example.com",
    "Subject: Hi",
    "",
    "Hello.",
]
SIZE = sum(len(line) + 2 for line in MESSAGE)
TYPED = (("from", "sender@example.com"), ("subject", "Hi"))


def page_lines(lines: list[str]) -> str:
    """The message as a page shows it: a tab shown as one space (one octet)."""
    return "".join(f"server: {line.replace(chr(9), ' ')}\n" for line in lines)


# -- 1. a shown message is compared whole ----------------------------------------


def retr_page(shown: list[str], size: int = SIZE) -> str:
    return (
        POP3_HEAD
        + f"client: RETR 1\nserver: +OK {size} octets\n"
        + page_lines(shown)
        + "server: .\n"
    )


RETR_OUTPUT = ["+OK ready", "+OK", "+OK in", f"+OK {SIZE} octets", *MESSAGE, "."]


def test_a_retr_shown_whole_passes():
    assert replay(retr_page(MESSAGE), RETR_OUTPUT, sent=[TYPED]) is None


def test_a_retr_shown_with_the_header_alone_fails_at_its_last_line():
    header = MESSAGE[:6]
    size = sum(len(line) + 2 for line in header)
    mismatch = replay(retr_page(header, size), RETR_OUTPUT, sent=[TYPED])
    assert mismatch.lineno == 13  # Subject: Hi, the last line shown
    assert "leaves out the empty line" in mismatch.reason


def test_a_retr_without_its_last_body_line_fails():
    shown = MESSAGE[:-1]
    size = sum(len(line) + 2 for line in shown)
    mismatch = replay(retr_page(shown, size), RETR_OUTPUT, sent=[TYPED])
    assert mismatch.lineno == 14  # the empty line, the last one shown
    assert "goes on after this line" in mismatch.reason


def test_top_n_0_shows_the_header_and_its_empty_line():
    page = (
        POP3_HEAD
        + "client: TOP 1 0\nserver: +OK\n"
        + page_lines(MESSAGE[:7])
        + "server: .\n"
    )
    output = ["+OK ready", "+OK", "+OK in", "+OK", *MESSAGE[:7], "."]
    assert replay(page, output, sent=[TYPED]) is None
    without_empty = page.replace("server: \nserver: .", "server: .")
    mismatch = replay(without_empty, output, sent=[TYPED])
    assert mismatch.lineno == 13
    assert "leaves out the empty line" in mismatch.reason


# -- 2. every field of a structured response ---------------------------------------

ENVELOPE = (
    '* 1 FETCH (ENVELOPE ("Mon, 30 Nov 2026 16:08:05 +0000" "Hi" '
    '((NIL NIL "sender" "example.com")) ((NIL NIL "sender" "example.com")) '
    '((NIL NIL "sender" "example.com")) NIL NIL NIL NIL '
    '"<20261130160805.36DC72148F2@mx1.example.com>"))'
)


def envelope_page(line: str) -> str:
    return (
        IMAP_HEAD
        + "client: a2 EXAMINE INBOX\nserver: a2 OK [READ-ONLY] done\n"
        + f"client: a3 FETCH 1 ENVELOPE\nserver: {line}\nserver: a3 OK done\n"
    )


def envelope_output(line: str) -> list[str]:
    return ["* OK ready", "a1 OK in", "a2 OK [READ-ONLY] done", line, "a3 OK done"]


def test_an_envelope_date_the_server_made_up_must_be_marked():
    other = ENVELOPE.replace("16:08:05", "09:15:00").replace("160805", "091500")
    mismatch = replay(envelope_page(ENVELOPE), envelope_output(other))
    assert mismatch.lineno == 7
    assert "ENVELOPE" in mismatch.reason
    marked = ENVELOPE.replace(
        '"Mon, 30 Nov 2026 16:08:05 +0000"',
        '"{{date:Mon, 30 Nov 2026 16:08:05 +0000}}"',
    ).replace(
        '"<20261130160805.36DC72148F2@mx1.example.com>"',
        '"{{message-id:<20261130160805.36DC72148F2@mx1.example.com>}}"',
    )
    assert replay(envelope_page(marked), envelope_output(other)) is None


def test_an_envelope_subject_is_compared():
    other = ENVELOPE.replace('"Hi"', '"Ciao"')
    mismatch = replay(envelope_page(ENVELOPE), envelope_output(other))
    assert mismatch.lineno == 7
    assert mismatch.reason.startswith("ENVELOPE (")


def test_a_status_item_is_compared_even_uidvalidity():
    page = IMAP_HEAD + (
        "client: a2 STATUS INBOX (MESSAGES UIDVALIDITY)\n"
        "server: * STATUS INBOX (MESSAGES 1 UIDVALIDITY 1257842737)\n"
        "server: a2 OK done\n"
    )
    output = [
        "* OK ready",
        "a1 OK in",
        "* STATUS INBOX (MESSAGES 1 UIDVALIDITY 99)",
        "a2 OK done",
    ]
    mismatch = replay(page, output)
    assert mismatch.lineno == 5
    assert (
        mismatch.reason == "UIDVALIDITY 99 where the page shows UIDVALIDITY 1257842737"
    )
    marked = page.replace(
        "UIDVALIDITY 1257842737)", "UIDVALIDITY {{uidvalidity:1257842737}})"
    )
    assert replay(marked, output) is None


def test_internaldate_is_compared_unless_marked():
    page = IMAP_HEAD + (
        "client: a2 FETCH 1 INTERNALDATE\n"
        'server: * 1 FETCH (INTERNALDATE "30-Nov-2026 16:08:05 +0000")\n'
        "server: a2 OK done\n"
    )
    output = [
        "* OK ready",
        "a1 OK in",
        '* 1 FETCH (INTERNALDATE "01-Dec-2026 09:00:00 +0000")',
        "a2 OK done",
    ]
    assert replay(page, output).lineno == 5
    marked = page.replace(
        '"30-Nov-2026 16:08:05 +0000"', '"{{text:30-Nov-2026 16:08:05 +0000}}"'
    )
    assert replay(marked, output) is None


# -- 3. a FETCH response shows the items the client asked for -------------------


def fetch_page(command: str, shown: str) -> str:
    return IMAP_HEAD + f"client: a2 {command}\nserver: {shown}\nserver: a2 OK done\n"


def test_an_item_asked_for_and_left_out_fails():
    output = [
        "* OK ready",
        "a1 OK in",
        "* 1 FETCH (FLAGS (\\Seen) RFC822.SIZE 120)",
        "a2 OK done",
    ]
    page = fetch_page("FETCH 1 (FLAGS RFC822.SIZE)", "* 1 FETCH (FLAGS (\\Seen))")
    mismatch = replay(page, output)
    assert mismatch.lineno == 5
    assert mismatch.reason == (
        "the server returns RFC822.SIZE, which the client asked for and the page leaves out"
    )


def test_a_macro_asks_for_each_of_its_items():
    output = [
        "* OK ready",
        "a1 OK in",
        '* 1 FETCH (FLAGS () INTERNALDATE "30-Nov-2026 16:08:05 +0000" RFC822.SIZE 120)',
        "a2 OK done",
    ]
    page = fetch_page("FETCH 1 FAST", "* 1 FETCH (FLAGS () RFC822.SIZE 120)")
    assert "INTERNALDATE" in replay(page, output).reason


def test_items_the_server_adds_unasked_may_be_left_out():
    output = [
        "* OK ready",
        "a1 OK in",
        "* 1 FETCH (UID 7 RFC822.SIZE 120 FLAGS (\\Seen))",
        "a2 OK done",
    ]
    page = fetch_page("UID FETCH 7 RFC822.SIZE", "* 1 FETCH (RFC822.SIZE 120)")
    assert replay(page, output) is None


# -- 4. untagged responses after the tagged reply -----------------------------------


def test_an_untagged_line_shown_after_the_completion_must_arrive():
    page = IMAP_HEAD + "client: a2 NOOP\nserver: a2 OK done\nserver: * 2 EXISTS\n"
    mismatch = replay(page, ["* OK ready", "a1 OK in", "a2 OK done"])
    assert mismatch.lineno == 6
    assert "nothing more" in mismatch.reason
    assert replay(page, ["* OK ready", "a1 OK in", "a2 OK done", "* 2 EXISTS"]) is None


def test_an_untagged_line_shown_after_the_completion_that_came_before_it_fails():
    page = IMAP_HEAD + "client: a2 NOOP\nserver: a2 OK done\nserver: * 2 EXISTS\n"
    mismatch = replay(page, ["* OK ready", "a1 OK in", "* 2 EXISTS", "a2 OK done"])
    assert mismatch.lineno == 6


def test_an_unshown_bye_fails():
    page = IMAP_HEAD + "client: a2 LOGOUT\nserver: a2 OK bye\n"
    mismatch = replay(
        page, ["* OK ready", "a1 OK in", "* BYE Logging out", "a2 OK bye"]
    )
    assert mismatch.lineno == 5
    assert "* BYE Logging out" in mismatch.reason


# -- 6. named captures hold in protocol mode ---------------------------------------


def test_a_named_capture_holds_in_reply_texts_protocol_mode_does_not_compare():
    page = SMTP_HEAD + (
        "client: NOOP\nserver: 250 2.0.0 Ok: queued as {{queue-id@q:4F2A3000001}}\n"
        "client: NOOP\nserver: 250 2.0.0 Ok: id {{queue-id@q:4F2A3000001}}\n"
    )
    good = ["220 mx", "250 mx", "250 2.0.0 Ok: queued as 9F3", "250 2.0.0 Ok: id 9F3"]
    assert replay(page, good) is None
    bad = good[:3] + ["250 2.0.0 Ok: id 7A1"]
    mismatch = replay(page, bad)
    assert mismatch.lineno == 7
    assert "'q'" in mismatch.reason


def test_a_named_capture_holds_inside_a_server_added_field():
    marked = (
        MESSAGE[:2]
        + ["\tby mx1.example.com (Postfix) with SMTP id {{queue-id@q:36DC72148F2}}"]
        + MESSAGE[3:]
    )
    page = (
        SMTP_HEAD
        + "client: NOOP\nserver: 250 queued as {{queue-id@q:36DC72148F2}}\n"
        + "client: QUIT\nserver: 221 bye\n"
    )
    assert (
        replay(page, ["220 mx", "250 mx", "250 queued as 36DC72148F2", "221 bye"])
        is None
    )
    pop = retr_page(marked)
    output = ["+OK ready", "+OK", "+OK in", f"+OK {SIZE} octets", *MESSAGE, "."]
    # The capture comes from another transcript: the context carries it.
    from matchkit import Playback
    from telnetmail.core.matching import Context, Mode
    from telnetmail.core.parser import parse_transcript
    from telnetmail.replay.engine import Walk

    for queue_id, passes in (("36DC72148F2", True), ("AAAAAAAAAAA", False)):
        context = Context(Mode.PROTOCOL, {"q": queue_id}, (TYPED,))
        walk = Walk(Playback(output), parse_transcript(pop), context, 0, None)
        try:
            walk.run()
            failed = None
        except Exception as error:  # noqa: BLE001 - the Mismatch
            failed = error
        assert (failed is None) is passes, failed


# -- 7. sizes --------------------------------------------------------------------


def test_a_list_size_is_the_servers_less_the_server_added_fields_the_page_changes():
    shown = MESSAGE[:1] + MESSAGE[4:]  # no Received: the page leaves it out
    size = sum(len(line) + 2 for line in shown)
    page = (
        POP3_HEAD
        + f"client: LIST\nserver: +OK 1 messages\nserver: 1 {size}\nserver: .\n"
        + f"client: RETR 1\nserver: +OK {size} octets\n"
        + page_lines(shown)
        + "server: .\n"
    )
    output = [
        "+OK ready",
        "+OK",
        "+OK in",
        "+OK 1 messages",
        f"1 {SIZE}",
        ".",
        f"+OK {SIZE} octets",
        *MESSAGE,
        ".",
    ]
    assert replay(page, output, sent=[TYPED]) is None
    wrong = page.replace(f"server: 1 {size}", f"server: 1 {SIZE}")
    mismatch = replay(wrong, output, sent=[TYPED])
    assert mismatch.lineno == 8
    assert mismatch.reason.startswith(f"message 1 should be {size} octets")


def test_rfc822_size_without_the_message_shown_is_the_servers():
    page = fetch_page("FETCH 1 RFC822.SIZE", "* 1 FETCH (RFC822.SIZE 450)")
    output = ["* OK ready", "a1 OK in", "* 1 FETCH (RFC822.SIZE 425)", "a2 OK done"]
    mismatch = replay(page, output)
    assert mismatch.lineno == 5
    assert (
        mismatch.reason
        == "RFC822.SIZE of message 1 is 425 octets where the page shows 450"
    )


# -- 8. every reply accounted for ----------------------------------------------------


def test_a_reply_left_out_in_the_middle_fails_where_it_should_stand():
    page = SMTP_HEAD + (
        "client: MAIL FROM:<a@example.com>\n"
        "client: RCPT TO:<nobody@example.com>\n"
        "server: 250 2.1.0 Ok\n"
        "client: QUIT\nserver: 221 2.0.0 Bye\n"
    )
    output = [
        "220 mx",
        "250 mx",
        "250 2.1.0 Ok",
        "550 5.1.1 User unknown",
        "221 2.0.0 Bye",
    ]
    mismatch = replay(page, output)
    assert mismatch.lineno == 6
    assert "550 5.1.1 User unknown" in mismatch.reason
    assert "RCPT TO:<nobody@example.com>" in mismatch.reason


def test_a_reply_left_out_at_the_end_fails_at_the_last_line():
    page = SMTP_HEAD + "client: QUIT\n"
    mismatch = replay(
        page,
        ["220 mx", "250 mx", "221 2.0.0 Bye", "Connection closed by foreign host."],
    )
    assert mismatch.lineno == 4
    assert "after the page's last line" in mismatch.reason


def test_a_session_the_student_abandons_may_stop_early():
    assert replay(SMTP_HEAD, ["220 mx", "250 mx"]) is None


def test_telnets_closing_line_may_be_left_out():
    page = SMTP_HEAD + "client: QUIT\nserver: 221 Bye\n"
    assert (
        replay(
            page, ["220 mx", "250 mx", "221 Bye", "Connection closed by foreign host."]
        )
        is None
    )


def test_an_untagged_completion_left_out_at_the_end_fails():
    page = IMAP_HEAD + "client: a2 LOGOUT\nserver: * BYE bye\n"
    mismatch = replay(page, ["* OK ready", "a1 OK in", "* BYE bye", "a2 OK done"])
    assert "a2 OK done" in mismatch.reason


# -- 10. smaller defects ------------------------------------------------------------


def test_a_wrong_line_in_the_second_literal_is_reported_at_that_line():
    page = IMAP_HEAD + (
        "client: a2 FETCH 1 (BODY[HEADER] BODY[TEXT])\n"
        "server: * 1 FETCH (BODY[HEADER] {13}\n"
        "server: Subject: Hi\n"
        "server:  BODY[TEXT] {15}\n"
        "server: Hello.\n"
        "server: Bye..\n"
        "server: )\n"
        "server: a2 OK done\n"
    )
    output = [
        "* OK ready",
        "a1 OK in",
        "* 1 FETCH (BODY[HEADER] {13}",
        "Subject: Hi",
        " BODY[TEXT] {15}",
        "Hello.",
        "Ciao.",
        ")",
        "a2 OK done",
    ]
    mismatch = replay(page, output)
    assert mismatch.lineno == 9  # Bye.., in the second literal
    assert "'Ciao.'" in mismatch.reason


def test_a_wrong_greeting_is_reported_when_it_arrives():
    page = IMAP_HEAD
    mismatch = replay(page, ["* BYE too many connections"])
    assert mismatch.lineno == 1
    assert mismatch.reason == "BYE where the page shows OK"


def test_a_count_the_status_text_states_is_compared():
    page = (
        POP3_HEAD + "client: LIST\nserver: +OK 3 messages:\nserver: 1 120\nserver: .\n"
    )
    output = ["+OK ready", "+OK", "+OK in", "+OK 1 messages:", "1 120", "."]
    mismatch = replay(page, output)
    assert mismatch.lineno == 7
    assert mismatch.reason == "1 messages where the page shows 3 messages"
    assert (
        replay(page.replace("+OK 3 messages:", "+OK scan listing follows"), output)
        is None
    )


def test_stat_after_dele_counts_the_messages_left():
    shown = MESSAGE[:1] + MESSAGE[4:]  # message 2 shown without its Received
    size = sum(len(line) + 2 for line in shown)
    page = (
        POP3_HEAD
        + "client: DELE 1\nserver: +OK\n"
        + f"client: RETR 2\nserver: +OK {size} octets\n"
        + page_lines(shown)
        + f"server: .\nclient: STAT\nserver: +OK 1 {size}\n"
    )
    output = [
        "+OK ready",
        "+OK",
        "+OK in",
        "+OK",
        f"+OK {SIZE} octets",
        *MESSAGE,
        ".",
        f"+OK 1 {SIZE}",
    ]
    assert replay(page, output, sent=[TYPED]) is None


def test_a_server_line_that_is_no_reply_fails():
    page = SMTP_HEAD + "client: NOOP\nserver: 250 Ok\n"
    mismatch = replay(page, ["220 mx", "250 mx", "NOOP", "250 Ok"])
    assert mismatch.lineno == 5
    assert mismatch.reason.startswith("the server sends what is not a reply")


def test_an_extension_parameter_is_compared():
    page = "server: 220 mx\nclient: EHLO c\nserver: 250-mx\nserver: 250 SIZE 20000000\n"
    mismatch = replay(page, ["220 mx", "250-mx", "250-PIPELINING", "250 SIZE 10240000"])
    assert mismatch.lineno == 4
    assert mismatch.reason == "SIZE 10240000 where the page shows SIZE 20000000"
    assert replay(page, ["220 mx", "250-mx", "250 SIZE 20000000"]) is None


def test_a_capability_parameter_is_compared_in_any_order():
    page = POP3_HEAD.split("client: USER")[0] + (
        "client: CAPA\nserver: +OK\nserver: SASL PLAIN LOGIN\nserver: .\n"
    )
    assert replay(page, ["+OK ready", "+OK", "SASL LOGIN PLAIN", "."]) is None
    mismatch = replay(page, ["+OK ready", "+OK", "SASL PLAIN", "."])
    assert mismatch.lineno == 4


def test_expunge_responses_keep_their_order():
    page = IMAP_HEAD + (
        "client: a2 EXPUNGE\nserver: * 2 EXPUNGE\nserver: * 3 EXPUNGE\nserver: a2 OK done\n"
    )
    right = ["* OK ready", "a1 OK in", "* 2 EXPUNGE", "* 3 EXPUNGE", "a2 OK done"]
    assert replay(page, right) is None
    # Messages 3 then 2: not the same two messages as 2 then (old) 4.
    wrong = ["* OK ready", "a1 OK in", "* 3 EXPUNGE", "* 2 EXPUNGE", "a2 OK done"]
    assert replay(page, wrong).lineno == 5  # the 3 the server sent first


def test_a_mark_over_a_whole_structure_hides_nothing():
    marked = ENVELOPE.replace("(ENVELOPE (", "(ENVELOPE {{text:(").replace('.com>"))', '.com>")}})')
    other = ENVELOPE.replace('"Hi"', '"Ciao"')
    assert replay(envelope_page(marked), envelope_output(other)).lineno == 7


def test_a_mark_on_a_value_the_server_does_not_choose_hides_nothing():
    page = fetch_page("FETCH 1 UID", "* 1 FETCH (UID {{number:7}})")
    output = ["* OK ready", "a1 OK in", "* 1 FETCH (UID 1)", "a2 OK done"]
    assert replay(page, output).reason == "UID 1 where the page shows 7"


def test_a_mark_in_typed_content_hides_nothing():
    shown = MESSAGE[:-1] + ["{{text:Ciao.}}"]
    mismatch = replay(retr_page(shown, SIZE - 1), RETR_OUTPUT, sent=[TYPED])
    assert mismatch.lineno == 15
    assert "'Hello.'" in mismatch.reason


def test_a_narrated_message_is_not_compared_but_its_size_is():
    page = POP3_HEAD + (
        f"client: RETR 1\nserver: +OK {SIZE} octets\n"
        "server: <the server sends message 1>\nserver: .\n"
    )
    assert replay(page, RETR_OUTPUT, sent=[TYPED]) is None
    wrong = page.replace(f"+OK {SIZE} octets", f"+OK {SIZE + 5} octets")
    assert replay(wrong, RETR_OUTPUT, sent=[TYPED]).lineno == 7


def test_a_top_shown_empty_is_reported_at_its_status_line():
    page = POP3_HEAD + "client: TOP 1 0\nserver: +OK\nserver: .\n"
    output = ["+OK ready", "+OK", "+OK in", "+OK", *MESSAGE[:7], "."]
    assert replay(page, output, sent=[TYPED]).lineno == 7


def test_a_response_the_command_asked_for_may_not_be_left_out():
    page = IMAP_HEAD + "client: a2 SEARCH ALL\nserver: a2 OK done\n"
    output = ["* OK ready", "a1 OK in", "* SEARCH 1 2", "a2 OK done"]
    mismatch = replay(page, output)
    assert mismatch.lineno == 5
    assert mismatch.reason == (
        "the server answers 'a2 SEARCH ALL' with '* SEARCH 1 2', which the page leaves out"
    )


def test_one_fetch_response_of_two_left_out_fails():
    page = IMAP_HEAD + "client: a2 FETCH 1:2 FLAGS\nserver: * 1 FETCH (FLAGS ())\nserver: a2 OK done\n"
    output = ["* OK ready", "a1 OK in", "* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS ())", "a2 OK done"]
    assert replay(page, output).lineno == 6


def test_responses_a_server_adds_on_its_own_may_be_left_out():
    page = IMAP_HEAD + "client: a2 SELECT INBOX\nserver: * 2 EXISTS\nserver: a2 OK done\n"
    output = ["* OK ready", "a1 OK in", "* FLAGS (\\Seen)", "* 2 EXISTS", "* 0 RECENT", "a2 OK done"]
    assert replay(page, output) is None


def test_a_status_item_asked_for_may_not_be_left_out():
    page = IMAP_HEAD + (
        "client: a2 STATUS INBOX (MESSAGES UNSEEN)\n"
        "server: * STATUS INBOX (MESSAGES 2)\nserver: a2 OK done\n"
    )
    output = ["* OK ready", "a1 OK in", "* STATUS INBOX (MESSAGES 2 UNSEEN 1)", "a2 OK done"]
    assert "UNSEEN" in replay(page, output).reason


def test_a_listing_count_and_total_the_status_text_states_are_checked():
    page = POP3_HEAD + (
        "client: LIST\nserver: +OK 2 messages (800 octets)\n"
        "server: 1 400\nserver: 2 400\nserver: .\n"
    )
    right = ["+OK ready", "+OK", "+OK in", "+OK 2 messages:", "1 400", "2 400", "."]
    assert replay(page, right) is None
    wrong_total = right[:4] + ["1 400", "2 398", "."]
    mismatch = replay(page.replace("2 400\nserver: .", "2 398\nserver: ."), wrong_total)
    assert mismatch.lineno == 7
    assert mismatch.reason == "the listing's total is 798 octets where the page shows 800"
    no_count = right[:3] + ["+OK scan listing follows", "1 400", "."]
    assert replay(page.replace("server: 2 400\n", ""), no_count).lineno == 7


def test_a_command_typed_last_without_its_reply_fails():
    page = SMTP_HEAD + "client: NOOP\n"
    mismatch = replay(page, ["220 mx", "250 mx", "250 2.0.0 Ok"])
    assert mismatch.lineno == 4
    assert "'250 2.0.0 Ok'" in mismatch.reason


def test_a_mark_on_a_response_code_value_the_server_does_not_choose_hides_nothing():
    page = IMAP_HEAD + (
        "client: a2 SELECT INBOX\n"
        "server: * OK [UIDNEXT {{number:9}}] Predicted next UID\n"
        "server: a2 OK done\n"
    )
    output = ["* OK ready", "a1 OK in", "* OK [UIDNEXT 3] Predicted next UID", "a2 OK done"]
    assert replay(page, output).lineno == 5
