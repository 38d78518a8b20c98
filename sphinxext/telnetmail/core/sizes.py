"""Message sizes a page shows, and whether they agree wherever a message is shown.

Every size a page shows of one message must agree with every other: POP3
``+OK n octets``, ``LIST`` and the message ``RETR`` shows; IMAP
``RFC822.SIZE``, the ``BODY[]`` literal, and the ``BODY[HEADER]`` and
``BODY[TEXT]`` literals, whose sum is the whole; ``STAT`` and the sum of a
full ``LIST``. A message is "the same" when it has the same number in the
same mailbox of the same user with nothing in between that could renumber
it (``EXPUNGE``, ``CLOSE``, ``MOVE``, a ``DELE`` committed by ``QUIT``).

Sizes counted from content shown (a ``RETR`` reply, an IMAP literal) are
trusted over numbers written (``RFC822.SIZE``, ``LIST``), so a warning
points at the number that contradicts what the page shows. Across
transcripts (:func:`check_related`), a transcript's ``:after:`` chain and
the transcripts that start right after it are compared the same way.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from telnetmail.core.chain import replay_order
from telnetmail.core.model import (
    Category,
    Diagnostic,
    Protocol,
    Role,
    SpanKind,
    Transcript,
    Turn,
    is_placeholder,
    octets,
)


class Part(enum.StrEnum):
    WHOLE = "whole"
    HEADER = "header"
    TEXT = "text"


class Message(NamedTuple):
    """A message as a session names it."""

    protocol: Protocol
    user: str | None
    mailbox: str
    number: int


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class Shown(NamedTuple):
    """One size a page shows of one message."""

    message: Message
    #: Bumped by whatever may renumber the mailbox: sizes compare within one.
    epoch: int
    part: Part
    size: int
    lineno: int
    #: How a warning quotes it: ``RFC822.SIZE gives message 1 450 octets``.
    says: str
    #: How a sum quotes it: ``BODY[HEADER] {395}``.
    name: str = ""
    #: How the size was counted, when that needs saying.
    note: str = ""
    #: Counted from content the page shows, not a number written on it.
    measured: bool = False
    #: First line of the reply that shows it.
    reply: int = 0


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class Tally(NamedTuple):
    """What ``STAT`` or a full ``LIST`` says of a whole POP3 maildrop."""

    user: str | None
    epoch: int
    lineno: int
    verb: str  # STAT or LIST
    messages: int  # how many (``count`` would hide the tuple's method)
    total: int
    #: LIST: each message's number and size.
    entries: tuple[tuple[int, int], ...] = ()


@dataclass
class Sizes:
    """The sizes one transcript shows, and the state it leaves behind."""

    shown: list[Shown] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    #: Each mailbox's epoch when the session ends (absent: never changed).
    final: dict[tuple[str | None, str], int] = field(default_factory=dict)
    final_tally: int = 0
    #: Whether it may have added, removed or renumbered any message.
    changes: bool = False

    def epoch(self, message: Message) -> int:
        return self.final.get((message.user, message.mailbox), 0)

    def bump(self, user: str | None, mailbox: str) -> None:
        self.final[(user, mailbox)] = self.final.get((user, mailbox), 0) + 1
        self.changes = True


# -- reading the sizes a transcript shows --------------------------------------


def _verb(turn: Turn | None) -> str:
    return (turn.verb or "").upper() if turn else ""


def _unquote(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] == '"' else word


def _mailbox(word: str) -> str:
    name = _unquote(word)
    return "INBOX" if name.upper() == "INBOX" else name  # RFC 3501 §5.1


def _measurable(turn: Turn) -> bool:
    return turn.complete and not any(is_placeholder(c.text) for c in turn.payload)


_OCTETS = re.compile(r"\+OK\s+(\d+)\s+octets\b", re.IGNORECASE)
_TWO_NUMBERS = re.compile(r"(?:\+OK\s+)?(\d+)\s+(\d+)\b", re.IGNORECASE)
#: Commands after which STAT and LIST count other messages (RFC 1939 §5).
_POP3_MAILDROP = frozenset({"DELE", "RSET"})


class _Pop3Reader:
    def __init__(self) -> None:
        self.sizes = Sizes()
        self.user: str | None = None
        self.deleting = False  # a DELE not undone by RSET: QUIT commits it

    def message(self, number: str) -> Message:
        return Message(Protocol.POP3, self.user, "", int(number))

    def read(self, turns: list[Turn]) -> Sizes:
        # Looked up once, not at every turn: an enum member read off its
        # class takes a slow lookup in Python 3.11 (EnumType.__getattr__).
        client = Role.CLIENT
        for turn in turns:
            if turn.role is client:
                self.command(turn)
            elif turn.status == "+OK":
                self.reply(turn)
        return self.sizes

    def command(self, turn: Turn) -> None:
        verb = _verb(turn)
        if verb in ("USER", "APOP") and turn.args:
            self.user = turn.args.split()[0]
        elif verb in _POP3_MAILDROP:
            self.sizes.final_tally += 1
            self.deleting = verb == "DELE" or (self.deleting and verb != "RSET")
        elif verb == "QUIT" and self.deleting:
            # Numbers hold for the whole session (RFC 1939 §6); QUIT renumbers.
            self.sizes.bump(self.user, "")

    def reply(self, turn: Turn) -> None:
        verb, first = _verb(turn.answers), turn.lines[0]
        if verb == "RETR" and turn.answers and turn.answers.args.isdigit():
            self.retrieved(turn, turn.answers.args)
        elif verb == "LIST" and turn.answers and turn.answers.args:
            match = _TWO_NUMBERS.match(first.text)
            if match:
                self.listed(first.lineno, match[1], int(match[2]))
        elif verb == "LIST" and turn.complete:
            self.listing(turn)
        elif verb == "STAT":
            match = _TWO_NUMBERS.match(first.text)
            if match:
                self.tally(first.lineno, "STAT", int(match[1]), int(match[2]))

    def retrieved(self, turn: Turn, number: str) -> None:
        first, message = turn.lines[0], self.message(number)
        epoch = self.sizes.epoch(message)
        if turn.payload and _measurable(turn):
            size = octets(line.text for line in turn.payload)
            self.sizes.shown.append(
                Shown(
                    message,
                    epoch,
                    Part.WHOLE,
                    size,
                    first.lineno,
                    f"RETR {number} shows {size} octets",
                    measured=True,
                    note="each line ends with CRLF, dot-stuffing undone",
                    reply=first.lineno,
                )
            )
        said = _OCTETS.match(first.text)
        if said:
            self.sizes.shown.append(
                Shown(
                    message,
                    epoch,
                    Part.WHOLE,
                    int(said[1]),
                    first.lineno,
                    f"RETR {number} says {said[1]} octets",
                    reply=first.lineno,
                )
            )

    def listed(self, lineno: int, number: str, size: int) -> None:
        message = self.message(number)
        self.sizes.shown.append(
            Shown(
                message,
                self.sizes.epoch(message),
                Part.WHOLE,
                size,
                lineno,
                f"LIST gives message {number} {size} octets",
                reply=lineno,
            )
        )

    def listing(self, turn: Turn) -> None:
        entries: list[tuple[int, int]] = []
        for line in turn.payload:
            match = _TWO_NUMBERS.fullmatch(line.text.strip())
            if match:
                self.listed(line.lineno, match[1], int(match[2]))
                entries.append((int(match[1]), int(match[2])))
        total = sum(size for _, size in entries)
        self.tally(turn.lines[0].lineno, "LIST", len(entries), total, tuple(entries))

    def tally(
        self,
        lineno: int,
        verb: str,
        count: int,
        total: int,
        entries: tuple[tuple[int, int], ...] = (),
    ) -> None:
        self.sizes.tallies.append(
            Tally(
                self.user, self.sizes.final_tally, lineno, verb, count, total, entries
            )
        )


_FETCHED = re.compile(r"\* (\d+) FETCH\b", re.IGNORECASE)
_RFC822_SIZE = re.compile(r"\bRFC822\.SIZE (\d+)", re.IGNORECASE)
_LITERAL_ITEM = re.compile(
    r"(?P<item>[\w.]+(?:\[[^\]]*\])?(?:<\d+>)?) \{(?P<size>\d+)\+?\}$"
)
#: Items whose literal is a whole message or one of its two halves (RFC 3501
#: §6.4.5); any other section, or a partial ``<origin>``, is not.
_PARTS: dict[str, Part] = {
    "BODY[]": Part.WHOLE,
    "RFC822": Part.WHOLE,
    "BODY[HEADER]": Part.HEADER,
    "RFC822.HEADER": Part.HEADER,
    "BODY[TEXT]": Part.TEXT,
    "RFC822.TEXT": Part.TEXT,
}
#: Commands that may renumber the selected mailbox.
_IMAP_RENUMBER = frozenset({"EXPUNGE", "CLOSE", "MOVE"})
#: Untagged responses that renumber the selected mailbox.
_IMAP_RENUMBERED = frozenset({"EXPUNGE", "VANISHED"})


class _ImapReader:
    def __init__(self) -> None:
        self.sizes = Sizes()
        self.user: str | None = None
        self.selected: str | None = None
        self.selecting: dict[str, str] = {}  # tag -> mailbox being selected

    def read(self, turns: list[Turn]) -> Sizes:
        client = Role.CLIENT  # once, not at every turn (see _Pop3Reader.read)
        for turn in turns:
            if turn.role is client:
                self.command(turn)
            elif turn.tag == "*":
                self.untagged(turn)
            elif turn.tag in self.selecting and turn.status is not None:
                mailbox = self.selecting.pop(turn.tag)
                self.selected = mailbox if turn.status == "OK" else None
        return self.sizes

    def command(self, turn: Turn) -> None:
        verb, args = _verb(turn), turn.args.split()
        if verb == "UID" and args:
            verb, args = args[0].upper(), args[1:]
        if verb == "LOGIN" and args:
            self.user = _unquote(args[0])
        elif verb in ("SELECT", "EXAMINE") and args:
            self.selected = None  # a SELECT deselects, even one that fails
            self.selecting[turn.tag or ""] = _mailbox(args[0])
        elif verb in ("APPEND", "DELETE") and args:
            self.sizes.bump(self.user, _mailbox(args[0]))
        elif verb == "RENAME" and len(args) >= 2:
            self.sizes.bump(self.user, _mailbox(args[0]))
            self.sizes.bump(self.user, _mailbox(args[1]))
        if verb in ("COPY", "MOVE") and len(args) >= 2:
            self.sizes.bump(self.user, _mailbox(args[-1]))
        if verb in _IMAP_RENUMBER and self.selected is not None:
            self.sizes.bump(self.user, self.selected)
        if verb in ("CLOSE", "UNSELECT"):
            self.selected = None

    def untagged(self, turn: Turn) -> None:
        if _verb(turn) in _IMAP_RENUMBERED and self.selected is not None:
            self.sizes.bump(self.user, self.selected)
        fetched = _FETCHED.match(turn.lines[0].text)
        if fetched is None or self.selected is None:
            return
        message = Message(Protocol.IMAP, self.user, self.selected, int(fetched[1]))
        measured = _measurable(turn)
        for lineno, said in _structure(turn):
            self.fetched(message, lineno, said, measured, turn.first_lineno)

    def fetched(
        self, message: Message, lineno: int, said: str, measured: bool, reply: int
    ) -> None:
        epoch, number = self.sizes.epoch(message), message.number
        for size in _RFC822_SIZE.finditer(said):
            self.sizes.shown.append(
                Shown(
                    message,
                    epoch,
                    Part.WHOLE,
                    int(size[1]),
                    lineno,
                    f"RFC822.SIZE gives message {number} {size[1]} octets",
                    reply=reply,
                )
            )
        # Searched only where a literal can end the line: the pattern, tried
        # at every position, costs the square of the line's length.
        literal = _LITERAL_ITEM.search(said) if said.endswith(("}", "}\n")) else None
        part = _PARTS.get(literal["item"].upper()) if literal else None
        if literal and part and measured:
            item, octets = literal["item"], literal["size"]
            self.sizes.shown.append(
                Shown(
                    message,
                    epoch,
                    part,
                    int(octets),
                    lineno,
                    f"{item} {{{octets}}} of message {number}",
                    name=f"{item} {{{octets}}}",
                    measured=True,
                    reply=reply,
                )
            )


def _structure(turn: Turn) -> Iterator[tuple[int, str]]:
    """Each line of a response without the literals' content: what it says itself."""
    data = SpanKind.DATA  # once, not at every span (see _Pop3Reader.read)
    for line in turn.lines:
        said = "".join([span.text for span in line.spans if span.kind is not data])
        if said:
            yield line.lineno, said


def read_sizes(transcript: Transcript) -> Sizes:
    """The sizes a transcript shows, with the mailbox state they belong to."""
    if transcript.protocol is Protocol.POP3:
        return _Pop3Reader().read(transcript.turns)
    if transcript.protocol is Protocol.IMAP:
        return _ImapReader().read(transcript.turns)
    sizes = Sizes()
    # An SMTP session that sends a message changes some maildrop.
    sizes.changes = any(_verb(turn) in ("DATA", "BDAT") for turn in transcript.turns)
    return sizes


# -- comparing them --------------------------------------------------------------


class Seen(NamedTuple):
    """A size with the session that shows it (its index and how to name it)."""

    session: int
    shown: Shown


class Found(NamedTuple):
    """A diagnostic, and which of the sessions compared its line belongs to."""

    session: int
    diagnostic: Diagnostic


class _Sessions:
    """How the sessions compared are named in a warning."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = labels

    def where(self, seen: Seen, about: Seen) -> str:
        """Where ``seen`` is, as read from the line that ``about`` is on."""
        if seen.session == about.session:
            return f"line {seen.shown.lineno}"
        return f"line {seen.shown.lineno} of transcript {self.labels[seen.session]}"

    def where_both(self, pair: list[Seen], about: Seen) -> str:
        first, second = pair
        if first.session != second.session:
            return f"{self.where(first, about)} and {self.where(second, about)}"
        lines = f"lines {first.shown.lineno} and {second.shown.lineno}"
        if first.session == about.session:
            return lines
        return f"{lines} of transcript {self.labels[first.session]}"


def _evidence(sessions: _Sessions, reference: list[Seen], wrong: Seen) -> str:
    """The sizes ``wrong`` disagrees with, said with where they are."""
    if len(reference) == 2:
        return f"{_sum(reference)} ({sessions.where_both(reference, wrong)})"
    [seen] = reference
    shown = seen.shown
    if seen.session == wrong.session and shown.reply == wrong.shown.reply:
        return f"the message shown is {shown.size} octets" + (
            f" ({shown.note})" if shown.note else ""
        )
    notes = "; ".join(filter(None, [sessions.where(seen, wrong), shown.note]))
    return f"{shown.says} ({notes})"


def _sum(halves: list[Seen]) -> str:
    header, text = (seen.shown for seen in halves)
    return f"{header.name} and {text.name} make {header.size + text.size} octets"


def _halves(facts: list[Seen]) -> list[Seen]:
    """The first header and the first text shown, when both are."""
    found = [
        next((seen for seen in facts if seen.shown.part is part), None)
        for part in (Part.HEADER, Part.TEXT)
    ]
    return [seen for seen in found if seen is not None] if all(found) else []


def _reference(facts: list[Seen]) -> list[Seen]:
    """What the others must agree with: content shown before numbers written."""
    wholes = [seen for seen in facts if seen.shown.part is Part.WHOLE]
    measured = [seen for seen in wholes if seen.shown.measured]
    return measured[:1] or _halves(facts) or wholes[:1]


def _compare_message(facts: list[Seen], sessions: _Sessions) -> Iterator[Found]:
    reference = _reference(facts)
    size = sum(seen.shown.size for seen in reference)
    for seen in facts:
        shown = seen.shown
        if shown.part is Part.WHOLE and seen not in reference and shown.size != size:
            yield _found(seen, shown.says, _evidence(sessions, reference, seen))
    for part in (Part.HEADER, Part.TEXT):
        same = [seen for seen in facts if seen.shown.part is part]
        for seen in same[1:]:
            if seen.shown.size != same[0].shown.size:
                yield _found(seen, seen.shown.says, _evidence(sessions, same[:1], seen))
    halves = _halves(facts)
    if len(reference) == 1 and halves:
        yield from _compare_halves(halves, reference[0], sessions)


def _compare_halves(
    halves: list[Seen], whole: Seen, sessions: _Sessions
) -> Iterator[Found]:
    """With a whole size known, the header and text shown must add up to it."""
    if sum(seen.shown.size for seen in halves) != whole.shown.size:
        later = max(halves, key=lambda seen: (seen.session, seen.shown.lineno))
        yield _found(later, _sum(halves), _evidence(sessions, [whole], later))


def _found(seen: Seen, says: str, evidence: str) -> Found:
    return Found(
        seen.session,
        Diagnostic(seen.shown.lineno, f"{says}, but {evidence}", Category.CONSISTENCY),
    )


def _compare_tallies(
    tallies: list[tuple[int, Tally]], known: dict[int, int], labels: Sequence[str]
) -> Iterator[Found]:
    """STAT against a full LIST, each listed size taken as the page shows it best."""
    listings = [(i, t) for i, t in tallies if t.verb == "LIST"]
    if not listings:
        return
    index, listing = listings[0]
    count = listing.messages
    total = sum(known.get(number, size) for number, size in listing.entries)
    for session, stat in tallies:
        if stat.verb == "STAT" and (stat.messages, stat.total) != (count, total):
            where = f"line {listing.lineno}"
            if session != index:
                where += f" of transcript {labels[index]}"
            yield Found(
                session,
                Diagnostic(
                    stat.lineno,
                    f"STAT says {stat.messages} messages, {stat.total} octets, but "
                    f"LIST shows {count} messages, {total} octets ({where})",
                    Category.CONSISTENCY,
                ),
            )


Known = dict[tuple[str | None, int], int]


def compare_messages(
    facts: Iterable[Seen], labels: Sequence[str]
) -> tuple[list[Found], Known]:
    """Compare sizes known to be of one mailbox state, message by message.

    Also gives the size of each message, by what the page shows best.
    """
    sessions = _Sessions(labels)
    by_message: dict[Message, list[Seen]] = {}
    for seen in facts:
        by_message.setdefault(seen.shown.message, []).append(seen)
    found: list[Found] = []
    known: Known = {}
    for message, group in by_message.items():
        found += _compare_message(group, sessions)
        reference = _reference(group)
        known[(message.user, message.number)] = sum(s.shown.size for s in reference)
    return found, known


def compare_tallies(
    tallies: Iterable[tuple[int, Tally]], known: Known, labels: Sequence[str]
) -> list[Found]:
    """STAT against a full LIST of one maildrop state, user by user."""
    by_user: dict[str | None, list[tuple[int, Tally]]] = {}
    for session, tally in tallies:
        by_user.setdefault(tally.user, []).append((session, tally))
    found: list[Found] = []
    for user, group in by_user.items():
        sizes = {number: size for (who, number), size in known.items() if who == user}
        found += _compare_tallies(group, sizes, labels)
    return found


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class SizeReading(NamedTuple):
    """A transcript's sizes, what its own check says of them, and what they
    were read from: kept on the transcript (:func:`reading`)."""

    protocol: Protocol | None
    #: The turns read, for :meth:`reads`.
    turns: tuple[Turn, ...]
    sizes: Sizes
    #: What :func:`check_session` says, by line.
    diagnostics: tuple[Diagnostic, ...]
    #: The lines it says it at: the check across transcripts leaves them out.
    warned: frozenset[int]

    def reads(self, transcript: Transcript) -> bool:
        """Whether this is a reading of the transcript as it is now.

        A parse never changes a turn once made, so the very same turns (or
        equal ones) in the same protocol show the same sizes; a transcript
        given other turns or another protocol is read again.
        """
        return self.protocol is transcript.protocol and self.turns == tuple(
            transcript.turns
        )


def reading(transcript: Transcript) -> SizeReading:
    """The transcript's sizes, read once: its parse checks them, and the check
    across a build's pages compares them again with other transcripts'."""
    kept = transcript.size_reading
    if kept is None or not kept.reads(transcript):
        sizes = read_sizes(transcript)
        found = _check_sizes(sizes)
        kept = SizeReading(
            transcript.protocol,
            tuple(transcript.turns),
            sizes,
            tuple(found),
            frozenset(diagnostic.lineno for diagnostic in found),
        )
        transcript.size_reading = kept
    return kept


def check_session(transcript: Transcript) -> list[Diagnostic]:
    """Sizes within one transcript, each mailbox state on its own."""
    return list(reading(transcript).diagnostics)


def _check_sizes(sizes: Sizes) -> list[Diagnostic]:
    if not sizes.shown and not sizes.tallies:
        return []  # most sessions show no size: every SMTP one
    found: list[Found] = []
    known: Known = {}
    for epoch in sorted({shown.epoch for shown in sizes.shown}):
        facts = [Seen(0, shown) for shown in sizes.shown if shown.epoch == epoch]
        mismatches, sized = compare_messages(facts, [""])
        found += mismatches
        # POP3 numbers hold until QUIT (RFC 1939 §6): they size every tally.
        known = known or sized
    for epoch in sorted({tally.epoch for tally in sizes.tallies}):
        tallies = [(0, tally) for tally in sizes.tallies if tally.epoch == epoch]
        found += compare_tallies(tallies, known, [""])
    return sorted((item.diagnostic for item in found), key=lambda d: d.lineno)


class Placed(NamedTuple):
    """A transcript where a page shows it, for comparing it with others."""

    #: Its ``:name:``, or where it is when it has none.
    label: str
    #: The page (file or document) that shows it.
    page: str
    after: tuple[str, ...]
    transcript: Transcript


def check_pages(placed: Sequence[Placed]) -> list[tuple[Placed, Diagnostic]]:
    """Sizes across the transcripts of some pages.

    On each page, the transcripts with the same, non-empty ``:after:`` list
    start from one state: they are compared with each other and with their
    chain. Without ``:after:`` a transcript starts from an empty store, so
    whatever it shows of a message is its own.
    """
    named: dict[str, Placed] = {}
    for item in placed:
        named.setdefault(item.label, item)
    afters = {label: item.after for label, item in named.items()}
    groups: dict[tuple[str, tuple[str, ...]], list[Placed]] = {}
    for item in placed:
        if item.after and item.transcript.protocol:
            groups.setdefault((item.page, item.after), []).append(item)
    found: dict[tuple[int, int, str], tuple[Placed, Diagnostic]] = {}
    for (_, after), siblings in groups.items():
        order = replay_order(after, afters)
        if order is None or any(name not in named for name in order):
            continue  # the :after: problem is reported on its own
        chain = [named[name] for name in order]
        everyone = [*chain, *siblings]
        for session, diagnostic in check_related(chain, siblings):
            where = everyone[session]
            key = (id(where), diagnostic.lineno, diagnostic.message)
            found.setdefault(key, (where, diagnostic))
    return list(found.values())


def check_related(chain: Sequence[Placed], starting: Sequence[Placed]) -> list[Found]:
    """Sizes across transcripts that see one mailbox state.

    ``chain`` is an ``:after:`` chain in replay order, ``starting`` the
    transcripts that each start right after it (a transcript and its
    siblings). What a chain transcript shows still holds at the end of the
    chain when nothing after it changed the mailbox; what a starting
    transcript shows holds for the others until it changes the mailbox
    itself. Sessions are numbered chain first; a mismatch already found
    within one transcript is not repeated.
    """
    everyone = [*chain, *starting]
    labels = [repr(item.label) for item in everyone]
    readings = [reading(item.transcript) for item in everyone]
    seen = [read.sizes for read in readings]
    facts: list[Seen] = []
    tallies: list[tuple[int, Tally]] = []
    for index, sizes in enumerate(seen):
        in_chain = index < len(chain)
        if in_chain and any(later.changes for later in seen[index + 1 : len(chain)]):
            continue
        facts += [
            Seen(index, shown)
            for shown in sizes.shown
            if shown.message.user is not None
            and shown.epoch == (sizes.epoch(shown.message) if in_chain else 0)
        ]
        tallies += [
            (index, tally)
            for tally in sizes.tallies
            if tally.user is not None
            and tally.epoch == (sizes.final_tally if in_chain else 0)
        ]
    found, known = compare_messages(facts, labels)
    found += compare_tallies(tallies, known, labels)
    return _across(found, [read.warned for read in readings])


def _across(found: list[Found], own: Sequence[frozenset[int]]) -> list[Found]:
    """Leave out what each transcript's own check already says at that line."""
    return [item for item in found if item.diagnostic.lineno not in own[item.session]]
