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
    "build",  # setuptools' copies of the package (pip wheel .), course pages included
    "dist",
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

html_theme = "furo"
html_title = "Telnet Mail"

latex_documents = [
    (root_doc, "telnetmail.tex", "Telnet Mail", author, "manual"),
]
