"""Mutation testing of the matcher: how many broken rules do its tests notice?

Runs mutmut 3 on ``sphinxext/telnetmail/core/matching/*.py`` against the pure
tests of the matcher (``[tool.mutmut]`` in pyproject.toml), then prints
``killed K of N (P%)``: a mutant is killed when a test fails (or hangs) with
it; N counts every mutant, those no test reaches included. Results are kept
in ``mutants/`` and only mutants of changed code are run again.

Run from the repository's root (``make mutation`` installs mutmut first):

    .venv/bin/python bench/mutation.py [--max-children 2] [--fresh] [--survivors] [NAME ...]
    .venv/bin/python bench/mutation.py --no-run --survivors   (report only)

NAME is a mutant name or a glob (``'telnetmail.core.matching.smtp*'``).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = [sys.executable, "-m", "mutmut"]
#: mutmut's words for a mutant some test noticed.
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
#: mutmut's exit codes for "survived" and "no tests".
SURVIVING = {0, 5, 33}


def refresh_copies() -> None:
    """mutmut copies the package once: drop copies the sources have outgrown."""
    copies = ROOT / "mutants" / "src"
    for copy in copies.rglob("*") if copies.is_dir() else ():
        source = ROOT / "src" / copy.relative_to(copies)
        mutated = "matching" in copy.parts  # mutmut keeps these up to date
        if copy.is_file() and copy.suffix == ".py" and not mutated:
            if source.is_file() and filecmp.cmp(source, copy, shallow=False):
                continue
            copy.unlink()


def recheck_survivors() -> None:
    """Mark the mutants no test killed as not checked, so new tests meet them."""
    for meta in (ROOT / "mutants" / "src").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        for key, code in codes.items():
            if code in SURVIVING:
                codes[key] = None
        meta.write_text(json.dumps(data, indent=4))


def results() -> tuple[Counter[str], list[str]]:
    """How many mutants have each status, and those not killed, from mutmut."""
    listing = subprocess.run(
        [*MUTMUT, "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses: Counter[str] = Counter()
    survivors = []
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[status] += 1
            if status in ("survived", "no tests"):
                survivors.append(f"{name}: {status}")
    return statuses, survivors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutants to run (names or globs)")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--no-run", action="store_true", help="report the last run")
    parser.add_argument("--fresh", action="store_true", help="forget every result")
    parser.add_argument("--survivors", action="store_true", help="list them")
    args = parser.parse_args()
    if not (ROOT / "src").exists():
        (ROOT / "src").symlink_to("sphinxext")
    if args.fresh:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    if not args.no_run:
        refresh_copies()
        recheck_survivors()
        run = [*MUTMUT, "run", "--max-children", str(args.max_children), *args.names]
        subprocess.run(run, cwd=ROOT, check=False)
    statuses, survivors = results()
    total = sum(statuses.values())
    killed = sum(statuses[status] for status in KILLED)
    if args.survivors:
        print("\n".join(survivors))
    print(", ".join(f"{status} {count}" for status, count in sorted(statuses.items())))
    print(f"killed {killed} of {total} ({100 * killed / max(total, 1):.1f}%)")
    return 0 if statuses["not checked"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
