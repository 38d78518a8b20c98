"""Helpers for tests of real Sphinx builds."""

from __future__ import annotations

import re


def warnings(app) -> str:
    """The build's warnings without colours, file names stripped of their folder."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    return re.sub(r"^\S*/(?=[^/\s]+\.rst:)", "", text, flags=re.M)
