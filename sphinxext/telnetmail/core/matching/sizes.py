"""Sizes a page shows, checked against the server's when the session ends.

A size (``LIST``, ``STAT``, ``+OK n octets``, ``RFC822.SIZE``) depends on
the whole stored message, server-added fields included. The page's size
must be the server's, but for one allowance: the octets by which the
server-added fields the page shows for that message differ from those the
server sent, measured on a comparison of the same message in the same
session. A size whose message the session never shows must be the
server's exactly. No tolerance is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Which message: (mailbox, renumbering epoch, message number).
MessageKey = tuple[str, int, int]


@dataclass
class SizeClaim:
    #: The messages whose sizes add up to this one (one, or all for STAT).
    keys: list[MessageKey]
    shown: int
    got: int
    lineno: int
    what: str


@dataclass
class SizeLedger:
    claims: list[SizeClaim] = field(default_factory=list)
    #: Per message: server-added octets as sent, minus as the page shows them.
    deltas: dict[MessageKey, int] = field(default_factory=dict)

    def claim(
        self, keys: list[MessageKey], shown: int, got: int, lineno: int, what: str
    ) -> None:
        self.claims.append(SizeClaim(keys, shown, got, lineno, what))

    def observe(self, key: MessageKey, delta: int) -> None:
        self.deltas[key] = delta

    def verdict(self) -> tuple[int, str] | None:
        """The first size that is wrong for the message the page shows."""
        for claim in self.claims:
            delta = sum(self.deltas.get(key, 0) for key in claim.keys)
            right = claim.got - delta
            if claim.shown != right:
                return claim.lineno, self.explain(claim, right, delta)
        return None

    @staticmethod
    def explain(claim: SizeClaim, right: int, delta: int) -> str:
        if delta == 0:
            return (
                f"{claim.what} is {claim.got} octets where the page shows {claim.shown}"
            )
        return (
            f"{claim.what} should be {right} octets for the message the page shows "
            f"(the server's {claim.got}, less {delta} octets of its own fields), "
            f"where the page shows {claim.shown}"
        )
