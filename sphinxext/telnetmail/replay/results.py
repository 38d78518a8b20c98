"""The proof of a replay, for the published pages: one JSON record per run.

``telnetmail check --results PATH`` and the ``transcripts`` builder
(``results.json`` in its output folder) write, for every dialogue, its
name, page, line and result, with the backend, its servers' versions and
the date. The html build reads such files (``transcript_results``) and
shows each dialogue's status under it (:mod:`telnetmail.ext.results`).
"""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path
from typing import Any

from telnetmail import __version__
from telnetmail.replay.engine import Outcome

#: Bump when the record's shape changes.
FORMAT = 1

#: How each backend's servers tell their versions.
_VERSION_COMMANDS: dict[str, list[tuple[str, list[str]]]] = {
    "dovecot-postfix": [
        ("Postfix", ["/usr/sbin/postconf", "-d", "-h", "mail_version"]),
        ("Dovecot", ["/usr/sbin/dovecot", "--version"]),
    ],
}


def server_versions(backend: str) -> list[dict[str, str]]:
    """The backend's servers with their versions (``Postfix 3.7.11``)."""
    if backend not in _VERSION_COMMANDS:
        return [{"name": "telnetmail", "version": __version__}]
    return [
        {"name": name, "version": _version(command)}
        for name, command in _VERSION_COMMANDS[backend]
    ]


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    words = done.stdout.split()
    return words[0] if words else "?"


def results_record(
    outcomes: list[Outcome],
    backend: str,
    root: Path | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """What a run proved, dialogue by dialogue; pages relative to ``root``
    (the current folder by default) when they are below it."""
    date = (today or datetime.datetime.now(datetime.UTC).date()).isoformat()
    servers = server_versions(backend)
    return {
        "format": FORMAT,
        "dialogues": [
            {
                "name": outcome.case.name,
                "named": outcome.case.name != outcome.case.location,
                "page": relative(outcome.case.path, root or Path.cwd()),
                "line": outcome.case.lineno,
                "result": str(outcome.status),
                # isolated (alone), or walked (in page order): see replay.walk
                "mode": str(outcome.walking),
                "backend": backend,
                "servers": servers,
                "date": date,
            }
            for outcome in outcomes
        ],
    }


def relative(page: str, root: Path) -> str:
    try:
        return Path(page).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return page


def write_results(
    path: Path, outcomes: list[Outcome], backend: str, root: Path | None = None
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = results_record(outcomes, backend, root)
    path.write_text(
        json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
