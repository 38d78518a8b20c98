"""IMAP's protocol-mode rules (RFC 3501): tags, statuses, codes, data.

Tags and statuses must agree, and response codes the page shows. Untagged
data may come in any order within its command's response, and untagged
responses the page does not show are allowed (servers add their own),
except ``* BYE``, which closes the connection. Untagged lines the page shows
after a tagged completion must arrive after it, before the page's next
client line. The greeting is compared as soon as it arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnetmail.core.matching.base import (
    Failure,
    Mismatch,
    enforce_turn_names,
)
from telnetmail.core.matching.imapvalues import compare_data
from telnetmail.core.matching.rules import Rules
from telnetmail.core.model import Line, Turn

if TYPE_CHECKING:
    from telnetmail.core.matching.base import Context
    from telnetmail.core.matching.matcher import ReplyMatcher

#: Response codes whose value is the server's to choose.
VOLATILE_CODES = frozenset({"UIDVALIDITY", "HIGHESTMODSEQ", "MAILBOXID"})
#: Response codes carrying a UIDVALIDITY (the server's) and UIDs (compared).
UID_CODES = frozenset({"APPENDUID", "COPYUID"})
#: Response codes whose value is a set: shown flags all, capabilities offered.
SET_CODES = frozenset({"PERMANENTFLAGS", "CAPABILITY"})

#: Commands after which message numbers no longer name the same messages.
RENUMBERING = frozenset({"SELECT", "EXAMINE", "EXPUNGE", "CLOSE", "UNSELECT", "MOVE"})


class ImapRules(Rules):
    def __init__(self, matcher: ReplyMatcher) -> None:
        super().__init__(matcher)
        #: Where the run reads: the page's history is fixed for the run.
        self.where = position(matcher)
        self.matched: dict[int, Turn] = {}
        #: The page's turns cut at each completion: untagged data belongs
        #: between the completions that surround it on the page.
        self.segment_of: dict[int, int] = {}
        segment = 0
        for turn in self.expected:
            self.segment_of[id(turn)] = segment
            if is_completion(turn):
                segment += 1
        self.greeting = not matcher.history
        #: Received turns taken so far, completions among them, and the
        #: untagged ones the page does not show.
        self.taken = 0
        self.completions = 0
        self.unmatched: list[Turn] = []

    def check(self, received: list[Turn]) -> bool:
        # Complete turns never change as more lines come: each is taken once.
        for index in range(self.taken, len(received)):
            turn = received[index]
            if not turn.complete:
                break
            self.take(turn, first=index == 0)
            self.taken = index + 1
        return len(self.matched) == len(self.expected)

    def take(self, turn: Turn, first: bool) -> None:
        if self.greeting and first:
            self.check_greeting(turn)
        elif is_completion(turn):
            self.check_completion(turn, self.unmatched)
            self.completions += 1
        elif not self.match_untagged(turn, self.completions):
            if turn.status == "BYE":
                raise self.fail(
                    self.expected[-1].lines[-1],
                    f"the server sends {turn.lines[0].text!r} and closes the "
                    f"connection, which the page does not show",
                )
            if is_asked_for(turn):
                raise self.unshown_answer(turn)
            self.unmatched.append(turn)

    def unshown_answer(self, turn: Turn) -> Mismatch:
        """An asked-for response matches none the page shows: the nearest shown
        one of its kind differs, or the page leaves it out."""
        for expected in self.expected:
            if (
                id(expected) not in self.matched
                and expected.tag == "*"
                and expected.verb == turn.verb
                and self.segment_of[id(expected)] == self.completions
            ):
                failure = compare_imap(expected, turn, self.context, self)
                if failure is not None:
                    return self.fail(*failure)
        command = turn.answers
        assert command is not None
        return self.fail(
            self.completion_of(command),
            f"the server answers {command.lines[0].text!r} with "
            f"{turn.lines[0].text!r}, which the page leaves out",
        )

    def completion_of(self, command: Turn | None) -> Line:
        """Where a response to ``command`` should stand: before its completion."""
        for expected in self.expected:
            if command is not None and expected.tag == command.tag:
                return expected.lines[0]
        return self.expected[-1].lines[-1]

    def awaited(self) -> Line | None:
        waiting = [turn for turn in self.expected if id(turn) not in self.matched]
        return waiting[0].lines[0] if waiting else None

    def check_greeting(self, turn: Turn) -> None:
        expected = self.expected[0]
        failure = compare_imap(expected, turn, self.context, self)
        if failure is not None:
            raise self.fail(*failure)
        self.matched[id(expected)] = turn

    def check_completion(self, turn: Turn, unmatched: list[Turn]) -> None:
        expected = self.counterpart(turn)
        if expected is None:
            raise self.fail(
                self.expected[-1].lines[-1],
                f"the server sends {turn.lines[0].text!r}, which the page does not show",
            )
        for earlier in self.expected[: self.expected.index(expected)]:
            if id(earlier) not in self.matched and earlier.tag == "*":
                raise self.missing(earlier, unmatched, turn)
        failure = compare_imap(expected, turn, self.context, self)
        if failure is not None:
            raise self.fail(*failure)
        self.matched[id(expected)] = turn

    def missing(
        self, expected: Turn, unmatched: list[Turn], completion: Turn
    ) -> Mismatch:
        """A response the page shows never came: say what came instead."""
        near = next(
            (
                t
                for t in unmatched
                if (t.verb, t.status) == (expected.verb, expected.status)
            ),
            None,
        )
        if near is None:
            return self.fail(
                expected.lines[0],
                f"the server does not send this response: it completes the command "
                f"with {completion.lines[0].text!r}",
            )
        failure = compare_imap(expected, near, self.context, self)
        if failure is not None:
            return self.fail(*failure)  # the difference itself: a value, a body line
        return self.fail(
            expected.lines[0],
            f"the server does not send this response: it has {near.lines[0].text!r}",
        )

    def counterpart(self, turn: Turn) -> Turn | None:
        for expected in self.expected:
            if id(expected) in self.matched:
                continue
            if turn.status == "+" and expected.status == "+":
                return expected
            if turn.tag == expected.tag and turn.tag != "*":
                return expected
        return None

    def match_untagged(self, turn: Turn, completions: int) -> bool:
        for expected in self.expected:
            if (
                id(expected) in self.matched
                or expected.tag != "*"
                or self.segment_of[id(expected)] != completions
            ):
                continue
            if compare_imap(expected, turn, self.context, self) is None:
                self.matched[id(expected)] = turn
                return True
            if expected.verb == "EXPUNGE" == turn.verb:
                return False  # each renumbers the next: they keep their order
        return False


#: The data a command asks for (RFC 3501 §6): its responses are its answer,
#: and a page may not leave one out (the others a server adds on its own).
ASKED: dict[str, frozenset[str]] = {
    "FETCH": frozenset({"FETCH"}),
    "STORE": frozenset({"FETCH"}),
    "SEARCH": frozenset({"SEARCH"}),
    "SORT": frozenset({"SORT"}),
    "STATUS": frozenset({"STATUS"}),
    "LIST": frozenset({"LIST"}),
    "LSUB": frozenset({"LSUB"}),
    "EXPUNGE": frozenset({"EXPUNGE"}),
    "MOVE": frozenset({"EXPUNGE"}),
    "CAPABILITY": frozenset({"CAPABILITY"}),
    "NAMESPACE": frozenset({"NAMESPACE"}),
}


def command_verb(command: Turn | None) -> str:
    """The command's name, ``UID`` set aside (``UID FETCH`` asks as ``FETCH``)."""
    if command is None:
        return ""
    verb = (command.verb or "").upper()
    if verb == "UID":
        verb = (command.args.split() or [""])[0].upper()
    return verb


def is_asked_for(turn: Turn) -> bool:
    """Whether an untagged response is the data its command asked for."""
    return (turn.verb or "") in ASKED.get(command_verb(turn.answers), frozenset())


def is_completion(turn: Turn) -> bool:
    """A tagged reply, or a ``+`` continuation request: it ends a response."""
    return turn.tag not in (None, "*") or turn.status == "+"


def compare_imap(
    expected: Turn, received: Turn, context: Context, rules: ImapRules
) -> Failure | None:
    """Compare two IMAP responses; None when they agree."""
    first = expected.lines[0]
    if (expected.tag == "*") != (received.tag == "*"):
        return first, "an untagged response where the page shows a tagged one"
    if expected.status != received.status:
        return (
            first,
            (
                f"{received.status or received.verb} where the page shows "
                f"{expected.status or expected.verb}"
            ),
        )
    if expected.status is not None:
        reason = compare_codes(expected.response_code, received.response_code)
        if reason is not None:
            return first, reason
        return enforce_turn_names(expected, received, context)
    if expected.verb != received.verb:
        return first, f"* {received.verb} where the page shows * {expected.verb}"
    return compare_data(expected, received, context, rules.where, rules.matcher.sizes)


def position(matcher: ReplyMatcher) -> tuple[str, int]:
    """The mailbox selected and how often numbers changed meaning, from the page."""
    mailbox, epoch = "", 0
    for line in matcher.history:
        if line.role != "client":
            continue
        words = line.text.split()
        verb = words[1].upper() if len(words) > 1 else ""
        if verb == "UID" and len(words) > 2:
            verb = words[2].upper()  # UID MOVE, UID EXPUNGE renumber too
        if verb in RENUMBERING:
            epoch += 1
        if verb in ("SELECT", "EXAMINE") and len(words) > 2:
            mailbox = words[2].strip('"').upper()
    return mailbox, epoch


def compare_codes(shown: str | None, got: str | None) -> str | None:
    """A response code the page shows must come, with its value."""
    if shown is None:
        return None  # codes the page omits are not required
    if got is None:
        return f"no [{shown}] response code"
    shown_name, _, shown_value = shown.partition(" ")
    got_name, _, got_value = got.partition(" ")
    name = shown_name.upper()
    if name != got_name.upper():
        return f"response code [{got}] where the page shows [{shown}]"
    if name in VOLATILE_CODES:
        return None
    if name in UID_CODES:
        same = shown_value.split()[1:] == got_value.split()[1:]
    elif name in SET_CODES:
        shown_set, got_set = word_set(shown_value), word_set(got_value)
        same = (
            shown_set == got_set if name == "PERMANENTFLAGS" else shown_set <= got_set
        )
    else:
        same = shown_value.split() == got_value.split()
    return None if same else f"[{got}] where the page shows [{shown}]"


def word_set(text: str) -> set[str]:
    return {word.upper() for word in text.strip("() ").split()}
