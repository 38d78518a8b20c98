"""Matching: what a page shows against what a server says, rule by rule."""

from __future__ import annotations

import pytest
from matchkit import replay

# -- SMTP ------------------------------------------------------------------------

SMTP_PAGE = """\
telnet: > telnet mx1.example.com smtp
telnet: Trying 192.0.2.2...
telnet: Connected to mx1.example.com.
telnet: Escape character is '^]'.
server: 220 mx1.example.com ESMTP server ready
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL from: <sender@example.com>
server: 250 Sender <sender@example.com> Ok
client: DATA
server: 354 Ok Send data ending with <CRLF>.<CRLF>
client: Subject: x
client:
client: Hi.
client: .
server: 250 Message received
client: QUIT
server: 221 mx1.example.com closing
telnet: Connection closed by foreign host.
"""

POSTFIX = [
    "Trying 127.0.0.1...",
    "Connected to 127.0.0.1.",
    "Escape character is '^]'.",
    "220 mx1.example.com ESMTP Postfix",
    "250 mx1.example.com",
    "250 2.1.0 Ok",
    "354 End data with <CR><LF>.<CR><LF>",
    "250 2.0.0 Ok: queued as 36DC72148F2",
    "221 2.0.0 Bye",
    "Connection closed by foreign host.",
]


def test_smtp_other_texts_and_addresses_pass_in_protocol_mode():
    assert replay(SMTP_PAGE, POSTFIX) is None


def test_smtp_other_texts_fail_in_exact_mode_at_the_first_differing_line():
    mismatch = replay(SMTP_PAGE, POSTFIX, mode="exact")
    assert mismatch.lineno == 2  # telnet's "Trying 192.0.2.2..." is exact too


def test_smtp_a_wrong_reply_code_fails_at_its_line():
    output = POSTFIX[:5] + ["550 5.1.0 Sender rejected"] + POSTFIX[6:]
    mismatch = replay(SMTP_PAGE, output)
    assert mismatch.lineno == 9
    assert mismatch.reason == "reply code 550 where the page shows 250"
    assert mismatch.received == ["550 5.1.0 Sender rejected"]


def test_smtp_354_shown_as_250_fails():
    page = SMTP_PAGE.replace("server: 354 Ok Send data", "server: 250 Ok Send data")
    mismatch = replay(page, POSTFIX)
    assert (mismatch.lineno, mismatch.reason) == (
        11,
        "reply code 354 where the page shows 250",
    )


def test_smtp_enhanced_codes_are_compared_when_both_show_one():
    page = SMTP_PAGE.replace("250 Sender <sender@example.com> Ok", "250 2.1.5 Ok")
    mismatch = replay(page, POSTFIX)
    assert mismatch.reason == "enhanced status code 2.1.0 where the page shows 2.1.5"


def test_smtp_the_server_answering_a_line_the_page_shows_no_reply_for():
    page = SMTP_PAGE.replace("server: 354 Ok Send data ending with <CRLF>.<CRLF>\n", "")
    mismatch = replay(page, POSTFIX)
    assert mismatch.reason == "reply code 354 where the page shows 250"


EHLO_PAGE = """\
server: 220 mx1.example.com ESMTP
client: EHLO client.example.com
server: 250-mx1.example.com
server: 250-SIZE 10240000
server: 250 8BITMIME
"""


def test_smtp_ehlo_extensions_shown_must_be_announced_in_any_order():
    output = [
        "220 mx",
        "250-mx1.example.com",
        "250-8BITMIME",
        "250-PIPELINING",
        "250 SIZE 10240000",
    ]
    assert replay(EHLO_PAGE, output) is None


def test_smtp_ehlo_extension_not_announced_fails_at_its_line():
    output = ["220 mx", "250-mx1.example.com", "250 SIZE 10240000"]
    mismatch = replay(EHLO_PAGE, output)
    assert mismatch.lineno == 5
    assert "'8BITMIME'" in mismatch.reason


def test_smtp_one_line_reply_where_the_page_shows_several_fails():
    mismatch = replay(EHLO_PAGE, ["220 mx", "250 mx1.example.com"])
    assert mismatch.reason == "a one-line reply, unlike the page's"


def test_smtp_a_missing_reply_is_silence_reported_at_the_awaited_line():
    mismatch = replay(
        "server: 220 mx\nclient: NOOP\nserver: 250 ok\nserver: 250 again",
        ["220 mx", "250 ok"],
    )
    assert mismatch.lineno == 4
    assert "nothing more" in mismatch.reason
    assert mismatch.received == ["250 ok"]


def test_smtp_an_extra_reply_fails_at_once():
    page = "server: 220 mx\nclient: NOOP\nserver: 250 ok\nclient: QUIT\nserver: 221 bye"
    mismatch = replay(page, ["220 mx", "250 ok", "250 surprise", "221 bye"])
    assert mismatch.lineno == 5
    assert mismatch.reason == "reply code 250 where the page shows 221"


def test_smtp_volatile_values_pass_exact_mode_and_captures_must_reappear():
    page = (
        "server: 220 mx\nclient: NOOP\n"
        "server: 250 queued as {{queue-id@q:ABC}}\nclient: NOOP\nserver: 250 id {{queue-id@q:ABC}}"
    )
    assert (
        replay(page, ["220 mx", "250 queued as 9F3", "250 id 9F3"], mode="exact")
        is None
    )
    mismatch = replay(page, ["220 mx", "250 queued as 9F3", "250 id 7C1"], mode="exact")
    assert mismatch.lineno == 5


# -- POP3 ------------------------------------------------------------------------

POP3_PAGE = """\
server: +OK InterMail POP3 server ready.
client: USER MyUsername
server: +OK please send PASS command
client: PASS MyPassword
server: +OK MyUsername is welcome here
client: LIST
server: +OK 1 messages
server: 1 223
server: .
client: RETR 1
server: +OK 223 octets
server: Return-Path: sender@example.com
server: Received: from client.example.com ([192.0.2.1])
server:        by mx1.example.com with ESMTP
server: From: sender@example.com
server: To: recipient@example.com
server: Subject: Test message
server:
server: This is a test message.
server: .
client: QUIT
server: +OK bye
"""

DOVECOT_RETR = [
    "+OK Dovecot ready.",
    "+OK",
    "+OK Logged in.",
    "+OK 1 messages:",
    "1 500",
    ".",
    "+OK 500 octets",
    "Return-Path: <sender@example.com>",
    "X-Original-To: recipient@example.com",
    "Delivered-To: recipient@example.com",
    "Received: from client.example.com (localhost [127.0.0.1])",
    "\tby mx1.example.com (Postfix) with SMTP id 36DC72148F2",
    "\tfor <recipient@example.com>; Fri, 27 Nov 2026 11:40:02 +0000 (UTC)",
    "From: sender@example.com",
    "To: recipient@example.com",
    "Subject: Test message",
    "Message-Id: <20261127114002.36DC72148F2@mx1.example.com>",
    "Date: Fri, 27 Nov 2026 11:40:02 +0000 (UTC)",
    "",
    "This is a test message.",
    ".",
    "+OK Logging out.",
]


def test_pop3_server_added_fields_and_sizes_pass_in_protocol_mode():
    assert replay(POP3_PAGE, DOVECOT_RETR) is None


TYPED = (
    ("from", "sender@example.com"),
    ("to", "recipient@example.com"),
    ("subject", "Test message"),
)


def test_pop3_headers_in_another_order_than_typed_fail():
    page = POP3_PAGE.replace(
        "server: To: recipient@example.com\nserver: Subject: Test message",
        "server: Subject: Test message\nserver: To: recipient@example.com",
    )
    mismatch = replay(page, DOVECOT_RETR, sent=[TYPED])
    assert mismatch.lineno == 15
    assert (
        mismatch.reason
        == "header fields From, To, Subject where the page shows From, Subject, To"
    )


def test_pop3_message_id_typed_by_the_sender_is_compared():
    typed_id = (*TYPED, ("message-id", "<1@example.com>"))
    mismatch = replay(POP3_PAGE, DOVECOT_RETR, sent=[typed_id])
    assert "Message-Id" in mismatch.reason


def test_a_message_id_typed_in_another_message_does_not_count_for_this_one():
    other = (("subject", "Another one"), ("message-id", "<2@example.com>"))
    assert replay(POP3_PAGE, DOVECOT_RETR, sent=[other, TYPED]) is None


def test_a_from_the_server_added_is_ignored_when_the_sender_typed_none():
    without_from = (
        POP3_PAGE.replace("server: From: sender@example.com\n", "")
        .replace("1 223", "1 197")
        .replace("+OK 223 octets", "+OK 197 octets")
    )
    sent = [(("to", "recipient@example.com"), ("subject", "Test message"))]
    assert replay(without_from, DOVECOT_RETR, sent=sent) is None


def test_pop3_a_changed_body_line_fails_at_that_line():
    page = POP3_PAGE.replace(
        "server: This is a test message.", "server: This is a message."
    )
    mismatch = replay(page, DOVECOT_RETR)
    assert mismatch.lineno == 19
    assert (
        mismatch.reason == "the body differs: the server has 'This is a test message.'"
    )


def test_pop3_err_where_the_page_shows_ok_fails_at_once():
    output = DOVECOT_RETR[:2] + ["-ERR [AUTH] Authentication failed."]
    mismatch = replay(POP3_PAGE, output)
    assert (mismatch.lineno, mismatch.reason) == (5, "-ERR where the page shows +OK")


def test_pop3_a_listing_with_other_message_numbers_fails():
    output = DOVECOT_RETR[:4] + ["1 500", "2 300", "."] + DOVECOT_RETR[6:]
    mismatch = replay(POP3_PAGE, output)
    assert mismatch.lineno == 8
    assert mismatch.reason == "the listing has messages 1 2 where the page shows 1"


def test_pop3_sizes_are_compared_in_exact_mode():
    mismatch = replay(POP3_PAGE, DOVECOT_RETR, mode="exact")
    assert mismatch.lineno == 1


def test_pop3_stat_count_is_protocol_data():
    page = "server: +OK hi\nclient: STAT\nserver: +OK 2 640"
    assert replay(page, ["+OK ready", "+OK 2 640"]) is None
    assert (
        replay(page, ["+OK ready", "+OK 1 320"]).reason
        == "STAT answers 1 where the page shows 2"
    )


def test_pop3_stat_total_is_the_servers_when_no_message_is_shown():
    page = "server: +OK hi\nclient: STAT\nserver: +OK 2 640"
    mismatch = replay(page, ["+OK ready", "+OK 2 1001"])
    assert mismatch.lineno == 3
    assert mismatch.reason == "the maildrop is 1001 octets where the page shows 640"


# -- IMAP ------------------------------------------------------------------------

IMAP_PAGE = r"""
server: * OK Dovecot ready.
client: a1 LOGIN MyUsername MyPassword
server: a1 OK Logged in.
client: a2 LIST "" "*"
server: * LIST (\HasNoChildren) "." "INBOX"
server: a2 OK List completed.
client: a3 EXAMINE INBOX
server: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
server: * OK [PERMANENTFLAGS ()] Read-only mailbox.
server: * 1 EXISTS
server: * 1 RECENT
server: * OK [UNSEEN 1] First unseen.
server: * OK [UIDVALIDITY 1257842737] UIDs valid
server: * OK [UIDNEXT 2] Predicted next UID
server: a3 OK [READ-ONLY] Select completed.
client: a4 FETCH 1 BODY[]
server: * 1 FETCH (BODY[] {82}
server: Return-Path: sender@example.com
server: From: sender@example.com
server: Subject: Hi
server:
server: Hello.
server: )
server: a4 OK Fetch completed.
client: a5 LOGOUT
server: * BYE Logging out
server: a5 OK Logout completed.
"""

DOVECOT_IMAP = [
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot ready.",
    "a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT] Logged in",
    '* LIST (\\HasNoChildren) "." INBOX',
    "a2 OK List completed (0.001 + 0.000 secs).",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* OK [PERMANENTFLAGS ()] Read-only mailbox.",
    "* 1 EXISTS",
    "* 1 RECENT",
    "* OK [UNSEEN 1] First unseen.",
    "* OK [UIDVALIDITY 1764243602] UIDs valid",
    "* OK [UIDNEXT 2] Predicted next UID",
    "* OK [HIGHESTMODSEQ 1] Highest",
    "a3 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).",
    "* 1 FETCH (BODY[] {121}",
    "Return-Path: <sender@example.com>",
    "Delivered-To: recipient@example.com",
    "From: sender@example.com",
    "Subject: Hi",
    "",
    "Hello.",
    ")",
    "a4 OK Fetch completed (0.001 + 0.000 secs).",
    "* BYE Logging out",
    "a5 OK Logout completed (0.001 + 0.000 secs).",
]


def test_imap_dovecot_differences_the_rfc_allows_pass():
    # Extra codes, unquoted INBOX, another UIDVALIDITY, an extra untagged
    # HIGHESTMODSEQ, other texts and sizes.
    assert replay(IMAP_PAGE, DOVECOT_IMAP) is None


def test_imap_the_same_differences_fail_in_exact_mode():
    assert replay(IMAP_PAGE, DOVECOT_IMAP, mode="exact").lineno == 2


def test_imap_untagged_responses_may_come_in_any_order():
    output = DOVECOT_IMAP[:4] + list(reversed(DOVECOT_IMAP[4:12])) + DOVECOT_IMAP[12:]
    assert replay(IMAP_PAGE, output) is None


def test_imap_read_write_where_the_page_shows_read_only_fails():
    output = [line.replace("[READ-ONLY]", "[READ-WRITE]") for line in DOVECOT_IMAP]
    mismatch = replay(IMAP_PAGE, output)
    assert mismatch.lineno == 16
    assert (
        mismatch.reason == "response code [READ-WRITE] where the page shows [READ-ONLY]"
    )


def test_imap_a_wrong_status_fails_at_once():
    output = DOVECOT_IMAP[:1] + ["a1 NO [AUTHENTICATIONFAILED] Authentication failed."]
    mismatch = replay(IMAP_PAGE, output)
    assert (mismatch.lineno, mismatch.reason) == (4, "NO where the page shows OK")


def test_imap_a_count_the_server_does_not_have_fails_showing_what_it_has():
    output = [line.replace("* 1 EXISTS", "* 2 EXISTS") for line in DOVECOT_IMAP]
    mismatch = replay(IMAP_PAGE, output)
    assert mismatch.lineno == 11
    assert (
        mismatch.reason == "message 2 where the page shows 1"
    )


def test_imap_flags_are_compared_as_sets():
    output = [
        line.replace(
            "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "(\\Seen \\Draft \\Answered \\Flagged \\Deleted)",
        )
        for line in DOVECOT_IMAP
    ]
    assert replay(IMAP_PAGE, output) is None
    output = [line.replace("\\Draft)", "\\Draft $Forwarded)") for line in DOVECOT_IMAP]
    assert replay(IMAP_PAGE, output).lineno == 9


def test_imap_a_response_code_the_page_shows_must_be_there():
    output = [
        line.replace("* OK [UNSEEN 1] First unseen.", "* OK First unseen.")
        for line in DOVECOT_IMAP
    ]
    mismatch = replay(IMAP_PAGE, output)
    assert mismatch.lineno == 13


def test_imap_the_mailbox_name_in_list_is_compared():
    output = [line.replace('"." INBOX', '"." Archive') for line in DOVECOT_IMAP]
    mismatch = replay(IMAP_PAGE, output)
    assert mismatch.lineno == 6
    assert mismatch.reason == "mailbox Archive where the page shows INBOX"


def test_imap_fetch_body_compares_the_typed_message():
    output = [
        line.replace("Hello.", "Goodbye.").replace("{121}", "{123}")
        for line in DOVECOT_IMAP
    ]
    mismatch = replay(IMAP_PAGE, output)
    assert mismatch.lineno == 23
    assert mismatch.reason == "the body differs: the server has 'Goodbye.'"


def test_imap_a_missing_tagged_reply_is_silence():
    mismatch = replay(IMAP_PAGE, DOVECOT_IMAP[:-1])
    assert mismatch.lineno == 28
    assert mismatch.received == ["* BYE Logging out"]


def test_imap_a_reply_for_a_tag_the_page_does_not_expect_fails():
    page = "server: * OK hi\nclient: a1 NOOP\nserver: a1 OK done"
    mismatch = replay(page, ["* OK hi", "a1 BAD what"])
    assert mismatch.reason == "BAD where the page shows OK"


# -- telnet ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "received"),
    [
        ("Trying 192.0.2.2...", "Trying 127.0.0.1..."),
        ("Connected to mx1.example.com.", "Connected to localhost."),
        ("Escape character is '^]'.", "Escape character is '^]'."),
        ("Connection closed by foreign host.", "Connection closed by foreign host."),
    ],
)
def test_telnet_lines_agree_in_shape(page, received):
    from telnetmail.core.matching import Mode, telnet_line_matches
    from telnetmail.core.model import Line, Role

    assert telnet_line_matches(Line(Role.TELNET, page, 1), received, Mode.PROTOCOL)
    assert not telnet_line_matches(
        Line(Role.TELNET, page, 1), "Connection refused", Mode.PROTOCOL
    )


def test_a_tab_from_the_server_counts_as_the_spaces_a_page_shows():
    page = "server: 220 mx\nclient: NOOP\nserver: 250-first\nserver: 250     folded"
    assert replay(page, ["220 mx", "250-first", "250 \tfolded"], mode="exact") is None
    assert (
        replay(page, ["220 mx", "250-first", "250 \t folded"], mode="exact").lineno == 4
    )
