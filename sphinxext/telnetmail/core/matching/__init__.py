"""Does what the server said agree with what the page shows?

Pure: no sockets, no pexpect. :mod:`.matcher` compares runs of server lines,
with one module of rules per protocol (:mod:`.smtp`, :mod:`.pop3`,
:mod:`.imap` and :mod:`.imapvalues`), messages compared in :mod:`.message`,
sizes in :mod:`.sizes`; :mod:`.plan` cuts a page into steps.
"""

from telnetmail.core.matching.base import Context, Mismatch, line_matches
from telnetmail.core.matching.matcher import CLOSED, ReplyMatcher, telnet_line_matches
from telnetmail.core.matching.plan import Expect, ExpectTelnet, Send, Step, plan
from telnetmail.core.matching.sizes import SizeLedger
from telnetmail.core.modes import Mode

__all__ = [
    "CLOSED",
    "Context",
    "Expect",
    "ExpectTelnet",
    "Mismatch",
    "Mode",
    "ReplyMatcher",
    "Send",
    "SizeLedger",
    "Step",
    "line_matches",
    "plan",
    "telnet_line_matches",
]
