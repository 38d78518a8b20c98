"""The verifier as issue #14 found it, and now, on the same pages (prints, never fails; not in CI).

Issue #14 set its targets against the verifier of commit 5cbed0e, the day
it was filed: its course (60 dialogues then, 137 now) took 3.8 s. The
course has grown since, so the fair comparison runs both verifiers on that
commit's own pages: the verifier then, from that commit's files (``git
archive`` into a temporary folder), and the verifier now, from this
checkout. Each run is a new ``telnetmail check -j 1`` process, timed from
start to exit; the page walk, which did not exist then, is left out now.
Rounds are interleaved, so both see the same load; medians end the report.

A verdict may differ: a page that the verifier then failed for a bug fixed
since (Postfix's one-digit day, ``Tue,  1 Dec``) still counts its time.

Run: .venv/bin/python bench/then_and_now.py [--commit C] [--rounds N]
     [--backend NAME ...] [--quick]   (``--quick``: one round of one page)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
FILED_AT = "5cbed0e"


def unpack(commit: str, into: Path) -> None:
    """The commit's package and course, as files in *into*."""
    archive = subprocess.run(
        ["git", "-C", str(HERE), "archive", "--format=tar", commit, "sphinxext", "course"],
        check=True,
        capture_output=True,
    ).stdout
    tar_path = into / "then.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    tar_path.unlink()


def compiled(tree: Path) -> None:
    # The machine may set PYTHONDONTWRITEBYTECODE: without byte-code each
    # run would compile every module anew, which no installed copy does.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(tree / "sphinxext")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def timed_check(tree: Path, options: list[str], pages: list[Path]) -> tuple[float, str]:
    """Wall seconds of one check by the package in *tree*, and its last line."""
    env = {**os.environ, "PYTHONPATH": str(tree / "sphinxext")}
    command = [sys.executable, "-m", "telnetmail", "check", "-j", "1", *options]
    begin = time.perf_counter()
    done = subprocess.run(
        [*command, *map(str, pages)], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - begin
    if done.returncode not in (0, 1):  # 1: some dialogue failed, still timed
        raise SystemExit(f"bench: the check failed to run:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1]


def compare(then: Path, backend: str, rounds: int, quick: bool) -> None:
    course = then / "course"
    pages = [course / "telnet-mail.rst"] if quick else sorted(course.glob("*.rst"))
    backend_option = ["--backend", backend]
    times: dict[str, list[float]] = {"then": [], "now": []}
    verdicts: dict[str, str] = {}
    for _ in range(rounds):
        seconds, verdicts["then"] = timed_check(then, backend_option, pages)
        times["then"].append(seconds)
        seconds, verdicts["now"] = timed_check(HERE, [*backend_option, "--no-walk"], pages)
        times["now"].append(seconds)
    before, after = statistics.median(times["then"]), statistics.median(times["now"])
    print(f"{backend}: {len(pages)} pages of {FILED_AT}'s course, {rounds} rounds (medians)")
    print(f"  then {before:6.2f} s   ({verdicts['then']})")
    print(f"  now  {after:6.2f} s   ({verdicts['now']})")
    print(f"  now/then {after / before:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default=FILED_AT)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--backend", action="append", choices=("embedded", "dovecot-postfix")
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    backends = args.backend or ["embedded", "dovecot-postfix"]
    if args.quick:
        args.rounds, backends = 1, args.backend or ["embedded"]
    with tempfile.TemporaryDirectory(prefix="then-") as folder:
        then = Path(folder)
        unpack(args.commit, then)
        compiled(then)
        compiled(HERE)
        for backend in backends:
            compare(then, backend, args.rounds, args.quick)


if __name__ == "__main__":
    main()
