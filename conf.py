"""Sphinx configuration for the telnetmail course.

The source directory is the repository root (Read the Docs runs Sphinx from
here); the course lives in ``course/`` and everything else is excluded.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Build from a plain checkout too, without installing the package first.
sys.path.insert(0, str(Path(__file__).parent / "sphinxext"))

from telnetmail import __version__  # noqa: E402  (found through the path above)

project = "Telnet Mail"
author = "I docenti e gli sviluppatori di telnetmail"
copyright = "2026, " + author
language = "it"
# The course is released with the extension that verifies it.
version = release = __version__
# The theme's own strings and Sphinx's that its Italian catalog lacks
# ("continues on next page" in the PDF): locale/it/LC_MESSAGES/sphinx.po.
locale_dirs = ["locale"]

root_doc = "course/index"
extensions = ["telnetmail"]

exclude_patterns = [
    "_build",
    # A wheel built from the checkout (the metadata tests build one) copies
    # the course's pages into build/lib.
    "build",
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
latex_elements = {
    # One-sided, and a chapter starts on the next page, left or right: no
    # blank pages before chapters.
    "extraclassoptions": "openany,oneside",
    # The course has no index entries: no empty "Indice" page at the end.
    "printindex": "",
    # Not the first toctree's caption ("Lezioni"), which Sphinx would take.
    "preamble": r"\addto\captionsitalian{\renewcommand{\contentsname}{Indice}}",
}

epub_description = (
    "Un corso per parlare SMTP, POP3 e IMAP a mano con telnet: ogni dialogo "
    "è verificato contro un server di posta."
)
epub_identifier = "https://telnetmail.readthedocs.io/"
epub_scheme = "URL"
epub_uid = "telnetmail"
epub_contributor = author
