"""How a transcript is compared with a server: the one list of match modes.

A leaf module, so that the front ends can offer the modes as choices
(the pytest plugin, at every pytest start) without loading the matchers.
"""

from __future__ import annotations

import enum


class Mode(enum.StrEnum):
    """``protocol``: the RFCs' freedoms allowed; ``exact``: character for character."""

    PROTOCOL = "protocol"
    EXACT = "exact"
