"""Mutation testing of one module: how many of mutmut's mutants do its tests kill?

    python bench/mutation_module.py sphinxext/telnetmail/server/pop3.py \\
        tests/test_server_pop3.py tests/test_server_pop3_rules.py

Uses mutmut's mutation operators (``pip install "mutmut<3"``) but drives
the runs itself: mutmut 2.5's own runner rewrites the module in the working
tree and its cache fails on some mutants. Here each worker owns a copy of
the tree (sources first on PYTHONPATH, so the editable install is not used),
runs the tests against one mutant at a time, and the survivors are printed
as diffs. A run that takes ten times the clean run counts as killed
(mutmut's "timeout"). Lines marked ``# pragma: no mutate`` are left alone.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mutmut import Context, RelativeMutationID, list_mutations, mutate

ROOT = Path(__file__).resolve().parent.parent


def copy_tree(target: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", "mutants")
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def run_tests(tree: Path, tests: list[str], timeout: float) -> str:
    """"passed", "failed" or "timeout" for the tests in *tree*."""
    env = {**os.environ, "PYTHONPATH": str(tree / "sphinxext")}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    try:
        result = subprocess.run(
            [*command, *tests], cwd=tree, env=env, capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "passed" if result.returncode == 0 else "failed"


def mutants(source: str, module: str) -> list[tuple[RelativeMutationID, str]]:
    found = []
    for mutation_id in list_mutations(Context(source=source, filename=module)):
        context = Context(source=source, filename=module, mutation_id=mutation_id)
        mutated, count = mutate(context)
        if count:
            found.append((mutation_id, mutated))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="the module to mutate, relative to the repo")
    parser.add_argument("tests", nargs="+", help="pytest arguments: the guarding tests")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    source = (ROOT / args.module).read_text()
    todo = mutants(source, args.module)
    with tempfile.TemporaryDirectory() as folder:
        trees = [copy_tree(Path(folder) / f"tree{n}") for n in range(args.jobs)]
        start = time.monotonic()
        if run_tests(trees[0], args.tests, 600) != "passed":
            print("the tests fail without any mutant", file=sys.stderr)
            return 2
        timeout = max(30.0, 10 * (time.monotonic() - start))

        def attempt(job: tuple[int, tuple[RelativeMutationID, str]]) -> tuple[str, str]:
            number, (_, mutated) = job
            tree = trees[number % args.jobs]
            (tree / args.module).write_text(mutated)
            return run_tests(tree, args.tests, timeout), mutated

        # One job per tree at a time: map over chunks of len(trees).
        verdicts: list[tuple[str, str]] = []
        with ThreadPoolExecutor(args.jobs) as pool:
            for first in range(0, len(todo), args.jobs):
                chunk = list(enumerate(todo))[first : first + args.jobs]
                verdicts += pool.map(attempt, chunk)
    survivors = [mutated for verdict, mutated in verdicts if verdict == "passed"]
    for mutated in survivors:
        diff = difflib.unified_diff(source.splitlines(), mutated.splitlines(), n=0)
        changed = [line for line in diff if line[:3] not in ("+++", "---")]
        print("\n".join(line for line in changed if line[:1] in "+-"))
        print()
    killed = len(todo) - len(survivors)
    print(f"{args.module}: {killed}/{len(todo)} mutants killed"
          f" ({100 * killed / len(todo):.1f}%), {len(survivors)} survived")
    return 0


if __name__ == "__main__":
    sys.exit(main())
