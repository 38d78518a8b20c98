"""The pages a check or the practice server reads its dialogues from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from telnetmail.core.mystscan import PAGE_SUFFIXES, scan_page

if TYPE_CHECKING:
    from telnetmail.replay.engine import Case

#: Folders never searched for pages.
SKIPPED_FOLDERS = frozenset(
    # build/ holds setuptools' copies of a package's files (pip wheel .)
    {"_build", "build", "dist", ".venv", "venv", ".git", "node_modules", ".tox"}
)

#: The course's own pages, shipped with the package: where ``telnetmail
#: serve --from`` and ``telnetmail reset`` find a dialogue by default.
COURSE = Path(__file__).resolve().parent.parent / "course"


class Unreadable(Exception):
    """A page that cannot be read as UTF-8 text; the message says which and why."""


def collect(paths: list[Path], default_match: str) -> Iterator[Case]:
    from telnetmail.replay.engine import Case

    for page in pages(paths):
        try:
            text = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise Unreadable(f"cannot read {page}: {reason(error)}") from None
        for block in scan_page(page.name, text):
            yield Case.parse(
                str(page), block.lineno, block.content, block.options, default_match
            )


def reason(error: OSError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (byte {error.start})"
    return error.strerror or str(error)


def pages(paths: list[Path]) -> Iterator[Path]:
    """Each page once, even when named both itself and through its folder:
    read twice, its every name would be a duplicate of itself."""
    seen: set[Path] = set()
    for page in _pages_under(paths):
        if page.resolve() not in seen:
            seen.add(page.resolve())
            yield page


def _pages_under(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        found = (page for suffix in PAGE_SUFFIXES for page in path.rglob(f"*{suffix}"))
        for page in sorted(found):
            if not SKIPPED_FOLDERS.intersection(page.relative_to(path).parts):
                yield page
