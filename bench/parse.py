"""The pure core's parse of the whole course, standalone (prints, never fails).

Collects every transcript block of ``course/`` with the project's own page
scanner once, then times ``parse_lines`` over all of them: the median of
``--rounds`` passes (each pass parses every block once), in processor time
(on a shared machine, waiting for a processor is no one's code), and the
first pass alone, which fills the per-text caches as a build's parse does. ``--profile``
prints cProfile's heaviest functions of one more pass instead.

Run: .venv/bin/python bench/parse.py [--rounds N] [--profile] [--quick]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from pathlib import Path

from telnetmail.core.model import Transcript
from telnetmail.core.mystscan import scan_page
from telnetmail.core.parser import parse_lines
from telnetmail.replay.pages import pages

ROOT = Path(__file__).resolve().parent.parent


def blocks() -> list[tuple[list[tuple[int, str]], str | None]]:
    """Each course transcript's numbered lines and its :protocol: option."""
    found = []
    for page in pages([ROOT / "course"]):
        for block in scan_page(page.name, page.read_text(encoding="utf-8")):
            protocol = block.options.get("protocol") or None
            found.append((list(block.content), protocol))
    return found


def parse_all(
    found: list[tuple[list[tuple[int, str]], str | None]],
) -> list[Transcript]:
    # Kept, as a build's domain keeps them for its writers: what the garbage
    # collector then walks is part of the parse's cost.
    return [parse_lines(numbered, protocol=protocol) for numbered, protocol in found]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=20)
    options.add_argument("--profile", action="store_true")
    options.add_argument("--quick", action="store_true", help="two rounds")
    args = options.parse_args()
    rounds = 2 if args.quick else args.rounds
    found = blocks()
    lines = sum(len(numbered) for numbered, _ in found)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(parse_all, found)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    start = time.process_time()
    parse_all(found)  # the first pass fills the per-text caches, as a build's
    first = time.process_time() - start
    times = []
    for _ in range(rounds):
        start = time.process_time()
        parse_all(found)
        times.append(time.process_time() - start)
    print(f"{len(found)} transcripts, {lines} lines")
    print(f"first parse of the course (as in a build): {first * 1e3:.2f} ms")
    print(
        f"parse of the course: median {statistics.median(times) * 1e3:.2f} ms "
        f"(min {min(times) * 1e3:.2f}, max {max(times) * 1e3:.2f}, {rounds} rounds)"
    )


if __name__ == "__main__":
    main()
