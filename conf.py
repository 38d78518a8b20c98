"""Sphinx configuration for the telnetmail course.

The source directory is the repository root (Read the Docs runs Sphinx from
here); the course lives in ``course/`` and everything else is excluded.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Build from a plain checkout too, without installing the package first.
sys.path.insert(0, str(Path(__file__).parent / "sphinxext"))

project = "Telnet Mail"
author = "I docenti e gli sviluppatori di telnetmail"
copyright = "2026, " + author
language = "it"

root_doc = "course/index"
extensions = ["telnetmail"]

exclude_patterns = [
    "_build",
    ".venv",
    "venv",
    "README.md",
    "LICENSE",
    "tests",
    "sphinxext",
    "bench",
    "src",  # make mutation: a link to sphinxext
    "mutants",  # make mutation: mutmut's copies
    ".github",
    ".ci",
    "**/.pytest_cache",
]

# Each dialogue's proof, shown under it: the records of the replays found
# (make check's, and CI's against Postfix and Dovecot, an artifact to put in
# _build/results/). Read the Docs replays before it builds: .readthedocs.yaml.
transcript_results = [
    record
    for record in (
        "_build/transcripts/results.json",
        "_build/results/dovecot-postfix.json",
    )
    if (Path(__file__).parent / record).is_file()
]

html_theme = "furo"
html_title = "Telnet Mail"

latex_documents = [
    (root_doc, "telnetmail.tex", "Telnet Mail", author, "manual"),
]
