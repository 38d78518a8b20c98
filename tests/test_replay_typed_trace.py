"""``Received`` fields the sender typed are the sender's, and are compared.

A page may play a relay: it types the ``Received:`` field of the server it
stands for, then reads the message back. The server adds its own trace
field above (not compared: its content is the server's to choose), and keeps
the typed one below, as typed (RFC 5321 §4.4). Real telnet, the embedded
server, a right page and wrong ones.
"""

from __future__ import annotations

import pytest

from telnetmail.core.rstscan import scan
from telnetmail.replay.backends import EmbeddedBackend
from telnetmail.replay.engine import Case, Status, Verifier
from telnetmail.replay.report import describe
from telnetmail.replay.runner import named_cases

RELAY = """\
.. transcript::
   :name: relay

   telnet: > telnet mx1.example.com smtp
   server: 220 mx1.example.com ESMTP Postfix
   client: HELO relay.example.org
   server: 250 mx1.example.com
   client: MAIL FROM:<anna@example.org>
   server: 250 2.1.0 Ok
   client: RCPT TO:<recipient@example.com>
   server: 250 2.1.5 Ok
   client: DATA
   server: 354 End data with <CR><LF>.<CR><LF>
   client: Received: from laptop (dsl-7.example.net [192.0.2.7])
   client:  by relay.example.org with ESMTPSA id R1
   client:  for <recipient@example.com>; Mon, 30 Nov 2026 10:00:00 +0100
   client: From: anna@example.org
   client: Subject: Two hops
   client:
   client: Hello.
   client: .
   server: 250 2.0.0 Ok: queued as 4F2A3000001
   client: QUIT
   server: 221 2.0.0 Bye

.. transcript::
   :name: trace
   :after: relay

   telnet: > telnet pop.example.com pop3
   server: +OK Dovecot ready.
   client: USER MyUsername
   server: +OK
   client: PASS MyPassword
   server: +OK Logged in.
   client: TOP 1 0
   server: +OK
   server: Return-Path: <anna@example.org>
   server: Received: from relay.example.org (localhost [127.0.0.1])
   server:  by mx1.example.com (Postfix) with SMTP id 4F2A3000001
   server:  for <recipient@example.com>; Mon, 30 Nov 2026 09:00:05 +0000 (UTC)
   server: Received: from laptop (dsl-7.example.net [192.0.2.7])
   server:  by relay.example.org with ESMTPSA id R1
   server:  for <recipient@example.com>; Mon, 30 Nov 2026 10:00:00 +0100
   server: From: anna@example.org
   server: Subject: Two hops
   server: Message-Id: <20261130090005.4F2A3000001@mx1.example.com>
   server: Date: Mon, 30 Nov 2026 09:00:05 +0000 (UTC)
   server:
   server: .
   client: QUIT
   server: +OK Logging out.
"""

TYPED_BY = "   server:  by relay.example.org with ESMTPSA id R1\n"
ADDED_BY = "   server:  by mx1.example.com (Postfix) with SMTP id 4F2A3000001\n"


@pytest.fixture(scope="module")
def verifier():
    backend = EmbeddedBackend()
    backend.start()
    yield Verifier(backend, timeout=1.0, telnet="python")
    backend.stop()


def trace_outcome(verifier: Verifier, page: str):
    """Replay the ``trace`` dialogue of *page* after its ``relay``."""
    cases = named_cases(
        [Case.parse("page.rst", b.lineno, b.content, b.options) for b in scan(page)]
    )
    return verifier.verify(cases["trace"], cases)


def without(page: str, first: str, after: str) -> str:
    """*page* without its lines from the one starting with *first* to the one
    before the line starting with *after*."""
    return page[: page.index(first)] + page[page.index(after) :]


def line_of(page: str, text: str) -> int:
    return page.splitlines().index(text.rstrip("\n")) + 1


def test_the_typed_trace_shown_as_typed_passes(verifier):
    outcome = trace_outcome(verifier, RELAY)
    assert outcome.status is Status.PASSED, describe(outcome)


def test_the_servers_own_trace_may_differ(verifier):
    # The server's Received is its own: another server writes another one.
    page = RELAY.replace(ADDED_BY, "   server:  by mx9.example.com (Exim) id X\n")
    outcome = trace_outcome(verifier, page)
    assert outcome.status is Status.PASSED, describe(outcome)


def test_a_typed_trace_shown_otherwise_fails_at_that_line(verifier):
    wrong = "   server:  by relay.example.org with ESMTPSA id R2\n"
    page = RELAY.replace(TYPED_BY, wrong)
    outcome = trace_outcome(verifier, page)
    assert outcome.status is Status.FAILED
    assert outcome.lineno == line_of(page, wrong)
    assert "the Received field the sender typed differs" in outcome.message


def test_a_typed_trace_left_out_fails(verifier):
    page = without(RELAY, "   server: Received: from laptop", "   server: From: anna")
    outcome = trace_outcome(verifier, page)
    assert outcome.status is Status.FAILED
    # The server's own, shown last, stands where the typed one must be.
    assert "the Received field the sender typed differs" in outcome.message


def test_a_page_without_the_trace_fails(verifier):
    page = without(RELAY, "   server: Received: from relay", "   server: From: anna")
    outcome = trace_outcome(verifier, page)
    assert outcome.status is Status.FAILED
    assert "the sender typed 1 Received field(s)" in outcome.message


def test_a_typed_trace_shown_above_the_servers_fails(verifier):
    # The server adds its own above what the sender typed, never below.
    added = RELAY.index("   server: Received: from relay.example.org")
    typed = RELAY.index("   server: Received: from laptop")
    after = RELAY.index("   server: From: anna@example.org")
    page = RELAY[:added] + RELAY[typed:after] + RELAY[added:typed] + RELAY[after:]
    outcome = trace_outcome(verifier, page)
    assert outcome.status is Status.FAILED
    assert "the Received field the sender typed differs" in outcome.message
