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
