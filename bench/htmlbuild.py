"""The extension's share of ``make html`` (prints, never fails; target: 5% at most).

Builds the course from scratch (``sphinx-build -E -b html``, into a
temporary folder) in this process, ``--rounds`` times each way, and counts
as the extension's the time while telnetmail's code runs: its directives,
visitors, transforms and event handlers, with all they call in turn
(docutils' nodes, Sphinx's helpers), and its imports in the first build.
Two ways of counting are printed side by side:

``hooked`` (the first way, in this process: its first build pays the imports)
    A profile hook counts every stretch of time while any frame of
    telnetmail's code is on the stack. The hook runs at every call and
    return (a C function's too), so it slows code by how many calls it
    makes, not by how long it takes: the build takes four times as long,
    and code made of many small calls (a parser's) weighs more than it does
    without the hook.
``sampled`` (the measure of the target)
    Each build runs as ``make html`` runs it, in a new process (so each pays
    the extension's imports) and without a hook; every millisecond of
    processor time the build is stopped and that time goes to what its
    stack shows (processor time: on a shared machine, waiting for a
    processor is no one's code); garbage collections are shared pro rata
    (see :class:`Sampler`). Two shares of the build's processor time:

    - ``stack``: any frame of telnetmail's code on the stack, as ``hooked``;
    - ``own``: the same, less the time docutils parses a block of the page's
      own text that one of our directives holds (an exercise's solution: its
      paragraphs and lists, ``RSTState.nested_parse``), which Sphinx parses
      at the same cost wherever it stands on the page. Our code called from
      inside that block (a transcript in a solution) counts again; all our
      code does itself counts, Sphinx's and docutils' work on our nodes too.
    - ``caused``: ``own`` made consistent with its own rule, both ways. Less
      the caption's text, which our directive has docutils parse inline
      (``RSTState.inline_text``) where ``code-block`` has it parsed as a
      block (excluded above): the page's text either way. Plus what
      Sphinx's code does with the reference tables ``transcript-index``
      makes, which no frame of ours is under: the writer turning them into
      HTML (about 1% of the build) and the search index collecting their
      words. (Not counted anywhere: the stemming of those words, Sphinx's
      pickling of our nodes' data, and what our objects add to collections.)

Run: .venv/bin/python bench/htmlbuild.py [--rounds N] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import CodeType, FrameType

from docutils import nodes
from docutils.parsers.rst.states import RSTState
from sphinx.cmd.build import build_main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = str(ROOT / "sphinxext" / "telnetmail")
#: A small project for --quick, with a transcript inside a solution.
QUICK_ROOT = ROOT / "tests" / "roots" / "test-extras"
#: How often the sampler looks at the build's stack, in seconds.
SAMPLE_EVERY = 0.001

#: Docutils parsing a block of the page's text: not ours, even when asked by us.
PAGE_TEXT: frozenset[CodeType] = frozenset({RSTState.nested_parse.__code__})
#: ... and a caption's text, parsed inline (``caused`` only).
PAGE_INLINE_TEXT: frozenset[CodeType] = frozenset({RSTState.inline_text.__code__})
#: The class the reference tables carry (telnetmail.ext.index).
INDEX_TABLE_CLASS = "transcript-index"


def is_ours(frame: FrameType) -> bool:
    return frame.f_code.co_filename.startswith(PACKAGE)


def walk_table(table: nodes.table, visitor: nodes.NodeVisitor) -> bool | None:
    """``table.walkabout``, with a frame on the stack that says whose table
    is walked (a writer or the search index visits it)."""
    if INDEX_TABLE_CLASS in table["classes"]:
        return _walk_index_table(table, visitor)
    return nodes.Node.walkabout(table, visitor)


def _walk_index_table(table: nodes.table, visitor: nodes.NodeVisitor) -> bool | None:
    return nodes.Node.walkabout(table, visitor)


#: Sphinx's code at work on what our code made: ours in ``caused``.
MADE_BY_US: frozenset[CodeType] = frozenset({_walk_index_table.__code__})


class Hook:
    """The first way: wall time while any frame of telnetmail's code is on
    the stack, each stretch counted once however deep it nests."""

    def __init__(self) -> None:
        self.depth = 0
        self.since = 0.0
        self.seconds = 0.0

    def __call__(self, frame: FrameType, event: str, arg: object) -> None:
        if event not in ("call", "return"):
            return  # c_call and the like: inside a Python frame already seen
        # Not is_ours(): the first way's hook is kept as it was, call for call.
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


def classify(frame: FrameType | None) -> tuple[bool, bool, bool]:
    """Whether the stack holds our code at all, whether the time is our own,
    and whether our code caused it (``caused``)."""
    own: bool | None = None
    caused: bool | None = None
    while frame is not None:
        if is_ours(frame):
            return True, own is not False, caused is not False
        code = frame.f_code
        if caused is None and code in MADE_BY_US:
            caused = True
        if code in PAGE_TEXT:
            own = False if own is None else own
            caused = False if caused is None else caused
        if caused is None and code in PAGE_INLINE_TEXT:
            caused = False
        frame = frame.f_back
    return False, False, caused is True


class Sampler:
    """The second way: every :data:`SAMPLE_EVERY` of processor time, a signal
    (``SIGPROF``) stops the build between two steps, and the processor time
    used since the last stop goes to what the build's stack shows.

    Processor time, not wall time: on a shared machine the build waits for a
    processor now and then, for as long as other work keeps it, and wall
    time would give that wait to whatever code happened to be running. The
    signal is handled in the build's own thread, which walks its own stack.

    A garbage collection stops the interpreter for as long as it takes
    (0.1-0.3 s for a full one, once the doctrees are in memory): whoever
    allocated last pays it all, by chance. Its time is timed on its own
    (``gc.callbacks``) and shared pro rata between the extension and the
    rest, which is what each pays on average. A stop that falls inside a
    collection (in a finalizer it runs, whose code may be anyone's) counts
    nothing: the next stop after it takes the time, less the collection.
    """

    def __init__(self) -> None:
        self.stack = 0.0
        self.own = 0.0
        self.caused = 0.0
        self.collecting = 0.0  # processor seconds of garbage collection so far
        self.collection_began = 0.0
        self.in_collection = False
        self.last = self.collected = 0.0

    def on_collection(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.collection_began = time.process_time()
            self.in_collection = True
        else:
            self.collecting += time.process_time() - self.collection_began
            self.in_collection = False

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.in_collection or (frame is not None and frame.f_code is _IN_CALLBACK):
            # A collection under way (the signal stops the finalizers and weak
            # references' callbacks it runs, whoever's code they are), or just
            # ended and not yet added: the next stop takes it, collection apart.
            return
        now, collecting = time.process_time(), self.collecting
        # Used since the last stop, less the collections.
        used = max(0.0, now - self.last - (collecting - self.collected))
        stack, own, caused = classify(frame)
        self.stack += used * stack
        self.own += used * own
        self.caused += used * caused
        self.last, self.collected = now, collecting

    def shares(self, used: float) -> tuple[float, float, float]:
        """The extension's shares (stack, own, caused) of ``used`` processor
        seconds, collections pro rata."""
        rest = used - self.collecting
        return self.stack / rest, self.own / rest, self.caused / rest


_IN_CALLBACK = Sampler.on_collection.__code__


def build(source: Path, out: str) -> None:
    status = build_main(["-E", "-q", "-b", "html", str(source), out])
    if status != 0:
        raise SystemExit(f"bench: the build failed ({status})")


def hooked_build(source: Path) -> tuple[float, float]:
    """Seconds of the whole build under the hook, and of the extension's part."""
    hook = Hook()
    with tempfile.TemporaryDirectory() as out:
        begin = time.perf_counter()
        sys.setprofile(hook)
        try:
            build(source, out)
        finally:
            sys.setprofile(None)
        wall = time.perf_counter() - begin
    return wall, hook.seconds


def sampled_build(source: Path) -> tuple[float, float, Sampler]:
    """Wall and processor seconds of the build, and the sampler that watched it."""
    sampler = Sampler()
    # On the table class alone: no other node's walk pays a call more.
    nodes.table.walkabout = walk_table  # type: ignore[method-assign]
    gc.callbacks.append(sampler.on_collection)
    previous = signal.signal(signal.SIGPROF, sampler.on_signal)
    with tempfile.TemporaryDirectory() as out:
        begin, sampler.last = time.perf_counter(), time.process_time()
        begin_cpu = sampler.last
        signal.setitimer(signal.ITIMER_PROF, SAMPLE_EVERY, SAMPLE_EVERY)
        try:
            build(source, out)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            wall, used = time.perf_counter() - begin, time.process_time() - begin_cpu
            signal.signal(signal.SIGPROF, previous)
            gc.callbacks.remove(sampler.on_collection)
            del nodes.table.walkabout
    return wall, used, sampler


def sampled_in_new_process(source: Path) -> tuple[float, ...]:
    """A sampled build in a process of its own, as ``make html`` runs one:
    it pays the extension's imports every time.

    Python there keeps its compiled bytecode as it does by default: with
    PYTHONDONTWRITEBYTECODE set (as in some shells), our package, installed
    from its sources, would be compiled again at every import, where
    Sphinx's came compiled by pip.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run(
        [sys.executable, __file__, "--sample-one", str(source)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    wall, used, collecting, stack, own, caused = map(float, result.stdout.split())
    return wall, used, collecting, stack, own, caused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="one round of a small test project"
    )
    parser.add_argument("--sample-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sample_one:
        wall, used, sampler = sampled_build(args.sample_one)
        print(wall, used, sampler.collecting, *sampler.shares(used))
        return
    source, rounds = (QUICK_ROOT, 1) if args.quick else (ROOT, args.rounds)
    hooked: list[float] = []
    stack: list[float] = []
    own: list[float] = []
    caused: list[float] = []
    walls: list[float] = []
    for _ in range(rounds):
        hooked_wall, hooked_seconds = hooked_build(source)
        wall, used, collecting, stack_share, own_share, caused_share = (
            sampled_in_new_process(source)
        )
        hooked.append(hooked_seconds / hooked_wall)
        walls.append(wall)
        stack.append(stack_share)
        own.append(own_share)
        caused.append(caused_share)
        print(
            f"hooked: build {hooked_wall:6.2f} s, extension {hooked_seconds:5.2f} s "
            f"{hooked[-1]:5.1%} | sampled: build {wall:5.2f} s, processor "
            f"{used:4.2f} s (collections {collecting:4.2f} s), extension "
            f"stack {stack_share:5.1%}, own {own_share:5.1%}, "
            f"caused {caused_share:5.1%}"
        )
    print(
        f"median share: hooked {statistics.median(hooked):.1%} | sampled "
        f"(a {statistics.median(walls):.2f} s build) stack "
        f"{statistics.median(stack):.1%}, own {statistics.median(own):.1%}, "
        f"caused {statistics.median(caused):.1%}"
        "   (target: sampled own 5% at most)"
    )


if __name__ == "__main__":
    main()
