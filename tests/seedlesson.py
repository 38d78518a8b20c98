"""The original seed lesson, verbatim, cut into its three telnet sessions."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).parent / "data" / "seed-telnet-mail.txt"


def seed_sessions() -> dict[str, list[tuple[int, str]]]:
    """``{"SMTP": [(lineno, text), ...], "POP3": ..., "IMAP": ...}``."""
    sessions: dict[str, list[tuple[int, str]]] = {}
    current: list[tuple[int, str]] | None = None
    for lineno, text in enumerate(SEED.read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith("TELNET e "):
            current = sessions.setdefault(text.split()[-1], [])
        elif current is not None:
            current.append((lineno, text))
    return sessions


def role_lines(session: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """``(lineno, role, content)`` of every non-blank line, read by hand."""
    found = []
    for lineno, text in session:
        if text.strip():
            role, _, content = text.partition(":")
            found.append(
                (lineno, role, content[1:] if content.startswith(" ") else content)
            )
    return found
