"""Real Postfix and Dovecot for a test module: its skip mark and its backend.

A module of tests written for the embedded server runs them again on this
backend by importing them with these (``pytestmark = needs_real_servers``,
and ``backend`` imported as the module's fixture).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telnetmail.replay.dovecot_postfix import (
    DovecotPostfixBackend,
    missing_requirements,
    requirement_message,
)

MISSING = missing_requirements()
needs_real_servers = pytest.mark.skipif(bool(MISSING), reason=requirement_message(MISSING))


@pytest.fixture(scope="module")
def backend() -> Iterator[DovecotPostfixBackend]:
    """One private Postfix and Dovecot pair for the whole module."""
    started = DovecotPostfixBackend()
    started.start()
    yield started
    started.stop()
