"""Does the embedded server still answer as Postfix and Dovecot do?

Every probe of ``probes.py`` (RFC edge cases, written from the real servers'
answers) is replayed in protocol mode against the embedded server, and,
where the machine can run them, against the real ones: both must pass.
A known drift is an expected failure on the embedded server, strict, so
that fixing the server turns it into a failure that asks to drop the mark.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from probes import PREREQUISITES, PROBES, Probe

from telnetmail.replay.backends import Backend, EmbeddedBackend
from telnetmail.replay.dovecot_postfix import (
    DovecotPostfixBackend,
    missing_requirements,
    requirement_message,
)
from telnetmail.replay.engine import Outcome, Status, Verifier
from telnetmail.replay.report import describe
from telnetmail.replay.runner import named_cases

MISSING = missing_requirements()
TIMEOUT = 2.0

#: Where the embedded server answers otherwise than the real ones: probe
#: name -> the page line and what differs.
KNOWN_DRIFT: dict[str, str] = {}

CASES = named_cases([probe.case() for probe in [*PREREQUISITES, *PROBES]])


def _started(backend: Backend) -> Iterator[Backend]:
    backend.start()
    yield backend
    backend.stop()


@pytest.fixture(scope="module")
def embedded() -> Iterator[Backend]:
    yield from _started(EmbeddedBackend())


@pytest.fixture(scope="module")
def real() -> Iterator[Backend]:
    if MISSING:
        pytest.skip(requirement_message(MISSING))
    yield from _started(DovecotPostfixBackend())


def replay(backend: Backend, probe: Probe) -> Outcome:
    return Verifier(backend, timeout=TIMEOUT, telnet="auto").verify(
        CASES[probe.name], CASES
    )


def drift_marked(probe: Probe) -> pytest.param:
    marks = []
    if probe.name in KNOWN_DRIFT:
        marks.append(
            pytest.mark.xfail(
                reason=f"embedded drift: {KNOWN_DRIFT[probe.name]}", strict=True
            )
        )
    return pytest.param(probe, marks=marks, id=probe.name)


@pytest.mark.parametrize("probe", [pytest.param(p, id=p.name) for p in PROBES])
def test_the_real_servers_answer_as_the_probe_shows(real, probe):
    outcome = replay(real, probe)
    assert outcome.status is Status.PASSED, describe(outcome)


@pytest.mark.parametrize("probe", [drift_marked(p) for p in PROBES])
def test_the_embedded_server_answers_as_the_real_ones(embedded, probe):
    outcome = replay(embedded, probe)
    assert outcome.status is Status.PASSED, f"{probe.about}\n{describe(outcome)}"


@pytest.mark.parametrize("probe", [drift_marked(p) for p in PROBES])
def test_both_backends_give_the_same_verdict(embedded, real, probe):
    verdicts = {
        name: replay(backend, probe)
        for name, backend in (("embedded", embedded), ("dovecot-postfix", real))
    }
    statuses = {name: outcome.status for name, outcome in verdicts.items()}
    report = "\n".join(
        f"{name}: {describe(outcome)}" for name, outcome in verdicts.items()
    )
    assert len(set(statuses.values())) == 1, f"{probe.about}\n{report}"


def test_every_known_drift_names_a_probe():
    assert set(KNOWN_DRIFT) <= {probe.name for probe in PROBES}
