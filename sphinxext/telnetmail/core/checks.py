"""Static consistency checks: what a page can get wrong by itself.

The dialects already report what they see line by line (a reply never
terminated, a tag never sent, an IMAP literal of the wrong size). The checks
here compare turns with each other: the sizes a transcript shows of one
message, in :mod:`telnetmail.core.sizes`.
"""

from __future__ import annotations

from telnetmail.core import sizes
from telnetmail.core.model import Diagnostic, Transcript


def check(transcript: Transcript) -> list[Diagnostic]:
    return sizes.check_session(transcript)
