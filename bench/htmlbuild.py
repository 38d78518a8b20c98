"""The extension's share of ``make html`` (prints, never fails; target: 5% at most).

Builds the course from scratch (``sphinx-build -E -b html``, into a
temporary folder) in this process, ``--rounds`` times, with a profile hook
that counts as the extension's every stretch of time while one of
telnetmail's frames is on the stack: its directives, visitors, transforms
and event handlers, with all they call in turn (docutils' nodes too), and
its imports in the first round. The hook slows every Python call alike,
so the share is an estimate; the first round also pays every import.

Run: .venv/bin/python bench/htmlbuild.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from sphinx.cmd.build import build_main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = str(ROOT / "sphinxext" / "telnetmail")


class Inside:
    """A profile hook: wall time while any frame of telnetmail's code is on
    the stack (its imports, directives, visitors, transforms, handlers, and
    all they call), each stretch counted once however deep it nests."""

    def __init__(self) -> None:
        self.depth = 0
        self.since = 0.0
        self.seconds = 0.0

    def __call__(self, frame: FrameType, event: str, arg: object) -> None:
        if event not in ("call", "return"):
            return  # c_call and the like: inside a Python frame already seen
        if not frame.f_code.co_filename.startswith(PACKAGE):
            return
        if event == "call":
            if self.depth == 0:
                self.since = time.perf_counter()
            self.depth += 1
        else:
            self.depth -= 1
            if self.depth == 0:
                self.seconds += time.perf_counter() - self.since


def one_build() -> tuple[float, float]:
    """Seconds of the whole build, and of the extension's part."""
    inside = Inside()
    with tempfile.TemporaryDirectory() as out:
        begin = time.perf_counter()
        sys.setprofile(inside)
        try:
            status = build_main(["-E", "-q", "-b", "html", str(ROOT), out])
        finally:
            sys.setprofile(None)
        wall = time.perf_counter() - begin
    if status != 0:
        raise SystemExit(f"bench: the build failed ({status})")
    return wall, inside.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    shares, totals = [], []
    for _ in range(args.rounds):
        total, extension = one_build()
        shares.append(extension / total)
        totals.append(total)
        print(
            f"build {total:6.2f} s (hooked), extension {extension:5.2f} s: "
            f"{extension / total:.1%}"
        )
    print(
        f"median share {statistics.median(shares):.1%} of a "
        f"{statistics.median(totals):.2f} s build   (target: 5% at most)"
    )


if __name__ == "__main__":
    main()
