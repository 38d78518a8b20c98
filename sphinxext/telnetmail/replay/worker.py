"""One worker of a run: a backend of its own, and the units it is handed.

A unit is one case verified alone, or one page walked. The same worker runs
in the process that asked for the run and in each worker process of a
parallel one (:mod:`~telnetmail.replay.processes`): both build the units
from the same :class:`Assignment`, so a unit is known by its index.
"""

from __future__ import annotations

from dataclasses import dataclass

from telnetmail.replay.backends import make_backend
from telnetmail.replay.engine import Case, Outcome, Verifier
from telnetmail.replay.saved import ChainStates
from telnetmail.replay.walk import PageWalk

#: What a worker does: verify one case alone, or walk one page.
Unit = Case | list[Case]


def named_cases(cases: list[Case]) -> dict[str, Case]:
    """Cases by name; a duplicated name keeps its first case."""
    named: dict[str, Case] = {}
    for case in cases:
        named.setdefault(case.name, case)
    return named


def pages_of(cases: list[Case]) -> list[list[Case]]:
    """The cases page by page, in the order the pages first come, each page's
    in its own line order (solutions of exercises where the page puts them)."""
    pages: dict[str, list[Case]] = {}
    for case in cases:
        pages.setdefault(case.path, []).append(case)
    return [sorted(page, key=lambda case: case.lineno) for page in pages.values()]


@dataclass(frozen=True)
class Assignment:
    """A whole run's work and settings, as :func:`~telnetmail.replay.runner.run_cases` got them."""

    cases: list[Case]
    walk: bool
    paste: bool
    backend: str
    server_name: str
    timeout: float
    telnet: str

    def units(self) -> list[Unit]:
        """Each case alone, in order; then, with ``walk``, each page."""
        return [*self.cases, *(pages_of(self.cases) if self.walk else [])]


class Worker:
    """Runs units of an assignment, one after another, on its own backend.

    Its :class:`ChainStates` last as long as it does: a chain replayed for
    one unit is not replayed again for a later one."""

    def __init__(self, assignment: Assignment) -> None:
        self.units = assignment.units()
        self.named = named_cases(assignment.cases)
        self.backend = make_backend(assignment.backend, assignment.server_name)
        self.verifier = Verifier(
            self.backend,
            timeout=assignment.timeout,
            telnet=assignment.telnet,
            paste=assignment.paste,
            chain_states=ChainStates(self.backend),
        )

    def start(self) -> None:
        self.backend.start()

    def run(self, index: int) -> list[Outcome]:
        """The outcomes of unit ``index``: one, or a page's in page order."""
        unit = self.units[index]
        if isinstance(unit, list):
            return PageWalk(self.verifier, self.named).run(unit)
        return [self.verifier.verify(unit, self.named)]

    def interrupt(self) -> None:
        """Leave the unit being run at once: with the servers gone, its
        telnet session ends instead of waiting for its timeout."""
        self.backend.stop()

    def stop(self) -> None:
        self.backend.stop()
