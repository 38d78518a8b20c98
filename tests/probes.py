"""Protocol probes: small dialogues at the RFCs' edges, written from what the
real servers (Postfix 3.7, Dovecot 2.3 as the dovecot-postfix backend runs
them) answered, replayed in protocol mode against every backend.

A probe that passes on the real servers must pass on the embedded one:
when it does not, the embedded server has drifted from the servers it mimics
(``test_drift_probes.py`` says so, probe and line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telnetmail.replay.engine import Case


@dataclass(frozen=True)
class Probe:
    name: str
    #: The dialogue as a page writes it, one ``role: text`` line each.
    text: str
    after: tuple[str, ...] = ()
    #: What the probe is about, for reports.
    about: str = field(default="", compare=False)

    def case(self) -> Case:
        numbered = [
            (number, line.strip())
            for number, line in enumerate(self.text.strip().splitlines(), 1)
        ]
        options = {
            "name": self.name,
            "match": "protocol",
            "after": " ".join(self.after),
        }
        return Case.parse(
            f"probes/{self.name}", 1, [(n, t) for n, t in numbered if t], options
        )


SMTP = (
    "telnet: > telnet mx1.example.com smtp\nserver: 220 mx1.example.com ESMTP Postfix\n"
)
POP3 = "telnet: > telnet pop.example.com pop3\nserver: +OK Dovecot ready.\n"
POP3_LOGIN = (
    POP3
    + "client: USER MyUsername\nserver: +OK\nclient: PASS MyPassword\nserver: +OK Logged in.\n"
)
IMAP = "telnet: > telnet imap.example.com imap\nserver: * OK Dovecot ready.\n"
IMAP_LOGIN = IMAP + "client: a1 LOGIN MyUsername MyPassword\nserver: a1 OK Logged in\n"
# PERMANENTFLAGS left out (untagged responses a page omits are allowed):
# imap-select-permanentflags probes it alone.
IMAP_SELECT = (
    IMAP_LOGIN
    + """
client: a2 SELECT INBOX
server: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
server: * {count} EXISTS
server: * {count} RECENT
server: * OK [UNSEEN 1] First unseen.
server: * OK [UIDVALIDITY 1795780981] UIDs valid
server: * OK [UIDNEXT {next}] Predicted next UID
server: a2 OK [READ-WRITE] Select completed.
"""
)


TYPED_HEADERS = "client: From: sender@example.com\nclient: To: recipient@example.com\n"


def _mail(
    name: str,
    after: tuple[str, ...] = (),
    headers: str = TYPED_HEADERS,
    about: str = "a message delivered, for the probes that read one",
) -> Probe:
    return Probe(
        name,
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<recipient@example.com>
server: 250 2.1.5 Ok
client: DATA
server: 354 End data with <CR><LF>.<CR><LF>
"""
        + headers
        + """client: Subject: Probe
client:
client: One line.
client: .
server: 250 2.0.0 Ok: queued as 34C28210184
client: QUIT
server: 221 2.0.0 Bye
""",
        after,
        about,
    )


MAIL = _mail("probe-mail")
MAIL_2 = _mail("probe-mail-2", ("probe-mail",))
MAIL_WITHOUT_FROM = _mail(
    "probe-mail-without-from",
    headers="client: To: recipient@example.com\n",
    about="a message without From:, for the probe that reads it",
)

SMTP_PROBES = [
    Probe(
        "smtp-mail-before-helo",
        SMTP
        + """
client: MAIL FROM:<sender@example.com>
server: 503 5.5.1 Error: send HELO/EHLO first
client: QUIT
server: 221 2.0.0 Bye
""",
        about="command out of order: MAIL before HELO",
    ),
    Probe(
        "smtp-unknown-command",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: FROB
server: 500 5.5.2 Error: command not recognized
client: QUIT
server: 221 2.0.0 Bye
""",
        about="unknown command",
    ),
    Probe(
        "smtp-helo-without-argument",
        SMTP
        + """
client: HELO
server: 501 Syntax: HELO hostname
client: QUIT
server: 221 2.0.0 Bye
""",
        about="bad argument: HELO without a name",
    ),
    Probe(
        "smtp-mail-without-argument",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL
server: 501 5.5.4 Syntax: MAIL FROM:<address>
client: QUIT
server: 221 2.0.0 Bye
""",
        about="bad argument: MAIL without FROM",
    ),
    Probe(
        "smtp-rcpt-before-mail",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: RCPT TO:<recipient@example.com>
server: 503 5.5.1 Error: need MAIL command
client: QUIT
server: 221 2.0.0 Bye
""",
        about="command out of order: RCPT before MAIL",
    ),
    Probe(
        "smtp-data-before-rcpt",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: DATA
server: 554 5.5.1 Error: no valid recipients
client: QUIT
server: 221 2.0.0 Bye
""",
        about="command out of order: DATA before any RCPT (RFC 5321 §3.3 allows 503 or 554)",
    ),
    Probe(
        "smtp-data-before-mail",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: DATA
server: 503 5.5.1 Error: need RCPT command
client: QUIT
server: 221 2.0.0 Bye
""",
        about="command out of order: DATA before MAIL",
    ),
    Probe(
        "smtp-nested-mail",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: MAIL FROM:<sender@example.com>
server: 503 5.5.1 Error: nested MAIL command
client: QUIT
server: 221 2.0.0 Bye
""",
        about="command out of order: a second MAIL",
    ),
    Probe(
        "smtp-rset",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RSET
server: 250 2.0.0 Ok
client: RCPT TO:<recipient@example.com>
server: 503 5.5.1 Error: need MAIL command
client: QUIT
server: 221 2.0.0 Bye
""",
        about="RSET ends the transaction",
    ),
    Probe(
        "smtp-relay-refused",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<someone@example.org>
server: 554 5.7.1 <someone@example.org>: Relay access denied
client: QUIT
server: 221 2.0.0 Bye
""",
        about="no relaying, even for loopback",
    ),
    Probe(
        "smtp-unknown-user",
        SMTP
        + """
client: HELO client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<nobody@example.com>
server: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table
client: QUIT
server: 221 2.0.0 Bye
""",
        about="unknown user of a local domain",
    ),
    Probe(
        "smtp-noop-vrfy",
        SMTP
        + """
client: NOOP
server: 250 2.0.0 Ok
client: VRFY recipient@example.com
server: 252 2.0.0 recipient@example.com
client: QUIT
server: 221 2.0.0 Bye
""",
        about="NOOP and VRFY before HELO",
    ),
]

POP3_PROBES = [
    Probe(
        "pop3-before-login",
        POP3
        + """
client: STAT
server: -ERR Unknown command.
client: PASS MyPassword
server: -ERR No username given.
client: QUIT
server: +OK Logging out
""",
        about="commands out of order: STAT and PASS before USER",
    ),
    Probe(
        "pop3-wrong-password",
        POP3
        + """
client: USER MyUsername
server: +OK
client: PASS WrongPassword
server: -ERR [AUTH] Authentication failed.
client: QUIT
server: +OK Logging out
""",
        about="a wrong password",
    ),
    Probe(
        "pop3-unknown-command",
        POP3_LOGIN
        + """
client: FROB
server: -ERR Unknown command: FROB
client: QUIT
server: +OK Logging out.
""",
        ("probe-mail",),
        "unknown command",
    ),
    Probe(
        "pop3-bad-arguments",
        POP3_LOGIN
        + """
client: RETR x
server: -ERR Invalid message number: x
client: RETR 9
server: -ERR There's no message 9.
client: LIST 2
server: -ERR There's no message 2.
client: QUIT
server: +OK Logging out.
""",
        ("probe-mail",),
        "bad arguments: not a number, no such message",
    ),
    Probe(
        "pop3-dele-twice",
        POP3_LOGIN
        + """
client: DELE 1
server: +OK Marked to be deleted.
client: DELE 1
server: -ERR Message is deleted.
client: RETR 1
server: -ERR Message is deleted.
client: LIST
server: +OK 0 messages:
server: .
client: STAT
server: +OK 0 0
client: QUIT
server: +OK Logging out, messages deleted.
""",
        ("probe-mail",),
        "DELE twice; a deleted message is gone from RETR, LIST and STAT",
    ),
    Probe(
        "pop3-quit-deleted",
        POP3_LOGIN
        + """
client: STAT
server: +OK 0 0
client: QUIT
server: +OK Logging out.
""",
        ("pop3-dele-twice",),
        "QUIT applies DELE",
    ),
    Probe(
        "pop3-rset",
        POP3_LOGIN
        + """
client: DELE 1
server: +OK Marked to be deleted.
client: RSET
server: +OK
client: STAT
server: +OK 1 404
client: LIST
server: +OK 1 messages:
server: 1 404
server: .
client: QUIT
server: +OK Logging out.
""",
        ("probe-mail",),
        "RSET undeletes",
    ),
    Probe(
        "pop3-uidl-top",
        POP3_LOGIN
        + """
client: STAT
server: +OK 2 808
client: UIDL
server: +OK
server: 1 {{word:000000016b097169}}
server: 2 {{word:000000026b097169}}
server: .
client: TOP 2 0
server: +OK
server: Return-Path: <sender@example.com>
server: Received: from client.example.com (localhost [127.0.0.1])
server:  by mx1.example.com (Postfix) with SMTP id 36DC72148F2
server:  for <recipient@example.com>; Mon, 30 Nov 2026 16:08:05 +0000 (UTC)
server: From: sender@example.com
server: To: recipient@example.com
server: Subject: Probe
server: Message-Id: <20261130160805.36DC72148F2@mx1.example.com>
server: Date: Mon, 30 Nov 2026 16:08:05 +0000 (UTC)
server:
server: .
client: QUIT
server: +OK Logging out.
""",
        ("probe-mail-2",),
        "UIDL lists every message; TOP n 0 gives the header alone",
    ),
    Probe(
        "pop3-missing-from-added",
        POP3_LOGIN
        + """
client: RETR 1
server: +OK 404 octets
server: Return-Path: <sender@example.com>
server: Received: from client.example.com (localhost [127.0.0.1])
server: 	by mx1.example.com (Postfix) with SMTP id 594EE20C312
server: 	for <recipient@example.com>; Fri, 27 Nov 2026 12:31:39 +0000 (UTC)
server: To: recipient@example.com
server: Subject: Probe
server: Message-Id: <20261127123139.594EE20C312@mx1.example.com>
server: Date: Fri, 27 Nov 2026 12:31:39 +0000 (UTC)
server: From: sender@example.com
server:
server: One line.
server: .
client: QUIT
server: +OK Logging out.
""",
        ("probe-mail-without-from",),
        "a missing From: is added (the envelope sender), after Message-Id and Date",
    ),
]

IMAP_PROBES = [
    Probe(
        "imap-before-login",
        IMAP
        + """
client: a1 SELECT INBOX
server: a1 BAD Error in IMAP command received by server.
client: a2 LOGOUT
server: * BYE Logging out
server: a2 OK Logout completed.
""",
        about="command out of order: SELECT before LOGIN",
    ),
    Probe(
        "imap-wrong-password",
        IMAP
        + """
client: a1 LOGIN MyUsername WrongPassword
server: a1 NO [AUTHENTICATIONFAILED] Authentication failed.
client: a2 LOGOUT
server: * BYE Logging out
server: a2 OK Logout completed.
""",
        about="a wrong password",
    ),
    Probe(
        "imap-unknown-command",
        IMAP_LOGIN
        + """
client: a2 FROB
server: a2 BAD Error in IMAP command FROB: Unknown command.
client: a3 LOGOUT
server: * BYE Logging out
server: a3 OK Logout completed.
""",
        about="unknown command",
    ),
    Probe(
        "imap-fetch-before-select",
        IMAP_LOGIN
        + """
client: a2 FETCH 1 FLAGS
server: a2 BAD No mailbox selected.
client: a3 LOGOUT
server: * BYE Logging out
server: a3 OK Logout completed.
""",
        ("probe-mail",),
        "command out of order: FETCH before SELECT",
    ),
    Probe(
        "imap-bad-arguments",
        IMAP_SELECT.format(count=1, next=2)
        + """
client: a3 FETCH x FLAGS
server: a3 BAD Error in IMAP command FETCH: Invalid messageset.
client: a4 FETCH 1 FROB
server: a4 BAD Error in IMAP command FETCH: Unknown parameter: FROB.
client: a5 SELECT Nowhere
server: a5 NO Mailbox doesn't exist: Nowhere.
client: a6 LOGOUT
server: * BYE Logging out
server: a6 OK Logout completed.
""",
        ("probe-mail",),
        "bad arguments: a bad sequence set, an unknown item, no such mailbox",
    ),
    Probe(
        "imap-select-permanentflags",
        IMAP_LOGIN
        + """
client: a2 SELECT INBOX
server: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
server: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.
server: a2 OK [READ-WRITE] Select completed.
client: a3 LOGOUT
server: * BYE Logging out
server: a3 OK Logout completed.
""",
        ("probe-mail",),
        "SELECT: the flags a client may store, \\* for new keywords",
    ),
    Probe(
        "imap-examine-then-store",
        IMAP_LOGIN
        + """
client: a2 EXAMINE INBOX
server: * 1 EXISTS
server: a2 OK [READ-ONLY] Examine completed.
client: a3 STORE 1 +FLAGS (\\Deleted)
server: a3 OK Store ignored with read-only mailbox.
client: a4 FETCH 1 FLAGS
server: * 1 FETCH (FLAGS (\\Recent))
server: a4 OK Fetch completed.
client: a5 LOGOUT
server: * BYE Logging out
server: a5 OK Logout completed.
""",
        ("probe-mail",),
        "EXAMINE is read-only: STORE changes nothing",
    ),
    Probe(
        "imap-examine-body-keeps-unseen",
        IMAP_LOGIN
        + """
client: a2 EXAMINE INBOX
server: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
server: * OK [PERMANENTFLAGS ()] Read-only mailbox.
server: * 1 EXISTS
server: * 1 RECENT
server: * OK [UNSEEN 1] First unseen.
server: * OK [UIDVALIDITY 1795780986] UIDs valid
server: * OK [UIDNEXT 2] Predicted next UID
server: a2 OK [READ-ONLY] Examine completed.
client: a3 FETCH 1 BODY[TEXT]
server: * 1 FETCH (BODY[TEXT] {11}
server: One line.
server: )
server: a3 OK Fetch completed.
client: a4 FETCH 1 FLAGS
server: * 1 FETCH (FLAGS (\\Recent))
server: a4 OK Fetch completed.
client: a5 LOGOUT
server: * BYE Logging out
server: a5 OK Logout completed.
""",
        ("probe-mail",),
        "EXAMINE is read-only: BODY[] sets no \\Seen",
    ),
    Probe(
        "imap-body-sets-seen",
        IMAP_SELECT.format(count=1, next=2)
        + """
client: a3 FETCH 1 FLAGS
server: * 1 FETCH (FLAGS (\\Recent))
server: a3 OK Fetch completed.
client: a4 FETCH 1 BODY[TEXT]
server: * 1 FETCH (FLAGS (\\Seen \\Recent) BODY[TEXT] {11}
server: One line.
server: )
server: a4 OK Fetch completed.
client: a5 FETCH 1 FLAGS
server: * 1 FETCH (FLAGS (\\Seen \\Recent))
server: a5 OK Fetch completed.
client: a6 LOGOUT
server: * BYE Logging out
server: a6 OK Logout completed.
""",
        ("probe-mail",),
        "BODY[...] after SELECT sets \\Seen",
    ),
    Probe(
        "imap-peek-keeps-unseen",
        IMAP_SELECT.format(count=1, next=2)
        + """
client: a3 FETCH 1 BODY.PEEK[TEXT]
server: * 1 FETCH (BODY[TEXT] {11}
server: One line.
server: )
server: a3 OK Fetch completed.
client: a4 FETCH 1 FLAGS
server: * 1 FETCH (FLAGS (\\Recent))
server: a4 OK Fetch completed.
client: a5 LOGOUT
server: * BYE Logging out
server: a5 OK Logout completed.
""",
        ("probe-mail",),
        "BODY.PEEK[...] leaves \\Seen unset",
    ),
    Probe(
        "imap-store-expunge",
        IMAP_SELECT.format(count=2, next=3)
        + """
client: a3 STORE 1 +FLAGS (\\Deleted)
server: * 1 FETCH (FLAGS (\\Deleted \\Recent))
server: a3 OK Store completed.
client: a4 EXPUNGE
server: * 1 EXPUNGE
server: a4 OK Expunge completed.
client: a5 SEARCH ALL
server: * SEARCH 1
server: a5 OK Search completed.
client: a6 LOGOUT
server: * BYE Logging out
server: a6 OK Logout completed.
""",
        ("probe-mail-2",),
        "STORE \\Deleted, EXPUNGE renumbers",
    ),
]

# The mistakes students make typing by hand: typos, lower case, numbers of
# messages that do not exist, commands out of order, a missing tag.
STUDENT_PROBES = [
    Probe(
        "student-smtp-mistakes",
        SMTP
        + """
client: mail from:<sender@example.com>
server: 503 5.5.1 Error: send HELO/EHLO first
client: helo client.example.com
server: 250 mx1.example.com
client: MAIL FROM:<sender@example.com>
server: 250 2.1.0 Ok
client: RCPT TO:<recipient@example.com
server: 501 5.1.3 Bad recipient address syntax
client: RCPT TO:<recipient@exämple.com>
server: 501 5.1.3 Bad recipient address syntax
client: RCPT
server: 501 5.5.4 Syntax: RCPT TO:<address>
client: rcpt to:<recipient@example.com>
server: 250 2.1.5 Ok
client: MAIL FROM:<sender@example.com>
server: 503 5.5.1 Error: nested MAIL command
client: AUTH PLAIN
server: 503 5.5.1 Error: authentication not enabled
client: quit
server: 221 2.0.0 Bye
""",
        about="student mistakes: no HELO, unclosed <, non-ASCII domain, lower case",
    ),
    Probe(
        "student-pop3-mistakes",
        POP3_LOGIN
        + """
client: stat
server: +OK 1 404
client: RETR 0
server: -ERR There's no message 0.
client: RETR 1 2
server: -ERR Noise after message number:  2
client: TOP 1
server: -ERR Noise after message number:
client: DELE
server: -ERR Invalid message number:
client: USER MyUsername
server: -ERR Unknown command: USER
client: quit
server: +OK Logging out.
""",
        ("probe-mail",),
        "student mistakes: message 0, noise, a missing argument, USER twice",
    ),
    Probe(
        "student-imap-empty-mailbox",
        IMAP_LOGIN
        + """
client: a2 select inbox
server: a2 OK [READ-WRITE] Select completed.
client: a3 FETCH 1 FLAGS
server: a3 BAD Error in IMAP command FETCH: Invalid messageset.
client: a4 FETCH 1:* FLAGS
server: a4 BAD Error in IMAP command FETCH: Invalid messageset.
client: a5 FECTH 1 FLAGS
server: a5 BAD Error in IMAP command FECTH: Unknown command.
client: a6 SELECT R&D
server: a6 NO Mailbox name is not valid mUTF-7.
client: FETCH 1 FLAGS
server: FETCH BAD Error in IMAP command 1: Unknown command.
client: a6 fetch
server: a6 BAD Error in IMAP command FETCH: Invalid arguments.
client: a7 LOGOUT
server: * BYE Logging out
server: a7 OK Logout completed.
""",
        about="student mistakes: FETCH in an empty mailbox, a typo, a bare &,"
        " a missing tag, a missing argument",
    ),
]

PREREQUISITES = [MAIL, MAIL_2, MAIL_WITHOUT_FROM]
PROBES = SMTP_PROBES + POP3_PROBES + IMAP_PROBES + STUDENT_PROBES
