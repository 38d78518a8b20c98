"""What a transcript uses: the commands typed and the replies received.

For reference pages generated from the transcripts themselves, so that an
index of commands and reply codes can never claim what no dialogue shows.
"""

from __future__ import annotations

from telnetmail.core.model import Protocol, Role, Transcript, Turn

#: Each protocol's commands, from its RFCs and their registered extensions:
#: a page that types something else on purpose (``HELLO``) shows an error,
#: not a command to list.
COMMANDS: dict[Protocol, frozenset[str]] = {
    Protocol.SMTP: frozenset(
        [
            "HELO",
            "EHLO",
            "MAIL",
            "RCPT",
            "DATA",
            "BDAT",
            "RSET",
            "VRFY",
            "EXPN",
            "HELP",
            "NOOP",
            "QUIT",
            "STARTTLS",
            "AUTH",
            "ETRN",
        ]
    ),
    Protocol.POP3: frozenset(
        [
            "USER",
            "PASS",
            "APOP",
            "STAT",
            "LIST",
            "RETR",
            "DELE",
            "NOOP",
            "RSET",
            "QUIT",
            "TOP",
            "UIDL",
            "CAPA",
            "STLS",
            "AUTH",
            "UTF8",
        ]
    ),
    Protocol.IMAP: frozenset(
        [
            "CAPABILITY",
            "NOOP",
            "LOGOUT",
            "STARTTLS",
            "AUTHENTICATE",
            "LOGIN",
            "SELECT",
            "EXAMINE",
            "CREATE",
            "DELETE",
            "RENAME",
            "SUBSCRIBE",
            "UNSUBSCRIBE",
            "LIST",
            "LSUB",
            "STATUS",
            "APPEND",
            "CHECK",
            "CLOSE",
            "UNSELECT",
            "EXPUNGE",
            "SEARCH",
            "FETCH",
            "STORE",
            "COPY",
            "MOVE",
            "UID",
            "IDLE",
            "ENABLE",
            "NAMESPACE",
            "ID",
            "GETQUOTA",
            "GETQUOTAROOT",
            "SETQUOTA",
            "GETACL",
            "SETACL",
            "MYRIGHTS",
            "SORT",
            "THREAD",
        ]
    ),
}


def commands_used(transcript: Transcript) -> list[str]:
    """The protocol's commands typed, upper case, in order of first use."""
    known = (
        COMMANDS.get(transcript.protocol, frozenset())
        if transcript.protocol
        else frozenset()
    )
    found: list[str] = []
    for turn in transcript.turns:
        if turn.role is Role.CLIENT and turn.verb and turn.verb.upper() in known:
            _add(found, _command_name(turn))
    return found


def _command_name(turn: Turn) -> str:
    verb = turn.verb.upper() if turn.verb else ""
    if verb == "UID" and turn.args:
        return f"UID {turn.args.split()[0].upper()}"  # UID FETCH, UID STORE...
    return verb


def replies_seen(transcript: Transcript) -> list[str]:
    """Reply codes, statuses and IMAP response names received, in order of first use."""
    found: list[str] = []
    for turn in transcript.turns:
        if turn.role is Role.SERVER:
            reply = _reply_name(transcript.protocol, turn)
            if reply:
                _add(found, reply)
    return found


def _reply_name(protocol: Protocol | None, turn: Turn) -> str | None:
    if protocol is Protocol.IMAP and turn.tag == "*":
        return f"* {turn.status or turn.verb}"
    return turn.status


def _add(found: list[str], item: str) -> None:
    if item and item not in found:
        found.append(item)
