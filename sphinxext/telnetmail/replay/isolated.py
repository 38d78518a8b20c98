"""A backend run in a child process of its own, started without ``os.fork()``.

The pytest plugin replays in pytest's own process. Were the embedded server
there, its event loop's thread would be alive whenever pexpect forks telnet,
and Python 3.12+ warns about each such fork (``DeprecationWarning: ...
forkpty() ... multi-threaded``): rightly, a fork of a threaded process may
deadlock. So the backend lives in a fresh interpreter
(:mod:`~telnetmail.replay.children`), and the process that forks telnet
keeps no thread of ours. Process-wide settings
a backend makes (signal handlers, a child subreaper) stay in the child too.

The parent writes one command a line (``start``, ``reset``, ``settle``,
``save``, ``put_back N``) to the child's stdin; the child answers each with one JSON line.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from typing import IO, Any

from telnetmail.core.model import Protocol
from telnetmail.core.services import TLS_LISTENERS
from telnetmail.replay.backends import (
    Backend,
    BackendUnavailable,
    Restorable,
    make_backend,
)
from telnetmail.replay.children import answers_channel, end, spawn
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME
from telnetmail.replay.requirements import Unavailable


class IsolatedBackend:
    """Another backend, by name, in a child process."""

    def __init__(self, name: str, server_name: str = DEFAULT_SERVER_NAME) -> None:
        self.name = name
        self.server_name = server_name
        self._child: subprocess.Popen[str] | None = None
        self._ports: dict[str, int] = {}

    def start(self) -> None:
        self._child = spawn(
            "telnetmail.replay.isolated", self.name, self.server_name, text=True
        )
        try:
            self._ports = self._ask("start")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            end([child])

    def reset(self) -> None:
        self._ask("reset")

    def settle(self) -> None:
        self._ask("settle")

    def save(self) -> object | None:
        # The child keeps the mailboxes; we keep their number.
        number: int | None = self._ask("save")
        return number

    def put_back(self, saved: object) -> None:
        self._ask(f"put_back {saved}")

    def port_for(self, protocol: Protocol) -> int:
        return self._ports[str(protocol)]

    def tls_port(self, listener: str) -> int:
        if listener not in self._ports:
            raise BackendUnavailable(f"the {self.name} backend has no {listener}")
        return self._ports[listener]

    def _ask(self, command: str) -> Any:
        child = self._child
        if child is None or child.stdin is None or child.stdout is None:
            raise RuntimeError(f"the {self.name} backend is not started")
        try:
            child.stdin.write(command + "\n")
            child.stdin.flush()
            answer = child.stdout.readline()
        except OSError:
            answer = ""
        if not answer:
            raise BackendUnavailable(f"the {self.name} backend's process ended")
        reply = json.loads(answer)
        if reply["kind"] == "unavailable":
            raise BackendUnavailable(reply["value"])
        if reply["kind"] == "error":
            raise RuntimeError(f"the {self.name} backend failed: {reply['value']}")
        return reply["value"]


def serve(
    name: str,
    commands: IO[str],
    answers: IO[str],
    server_name: str = DEFAULT_SERVER_NAME,
) -> None:
    """The child: run the backend, answering each command until stdin ends."""
    backend: Backend | None = None
    saved: list[object] = []  # what ``save`` kept, by the number it answered
    try:
        for line in commands:
            try:
                if backend is None:
                    backend = make_backend(name, server_name)
                reply = {"kind": "ok", "value": run(backend, line.strip(), saved)}
            except Unavailable as missing:
                reply = {"kind": "unavailable", "value": str(missing)}
            except Exception as error:  # noqa: BLE001 (told to the parent, which raises it)
                reply = {"kind": "error", "value": f"{type(error).__name__}: {error}"}
            answers.write(json.dumps(reply) + "\n")
            answers.flush()
    finally:
        if backend is not None:
            backend.stop()


def run(backend: Backend, command: str, saved: list[object]) -> Any:
    if command == "start":
        backend.start()
        ports = {str(protocol): backend.port_for(protocol) for protocol in Protocol}
        for listener in TLS_LISTENERS:
            with contextlib.suppress(BackendUnavailable):
                ports[listener] = backend.tls_port(listener)
        return ports
    if command == "reset":
        return backend.reset()
    if command == "settle":
        return backend.settle()
    if command == "save":
        mailboxes = backend.save() if isinstance(backend, Restorable) else None
        if mailboxes is None:
            return None
        saved.append(mailboxes)
        return len(saved) - 1
    if command.startswith("put_back "):
        assert isinstance(backend, Restorable)
        return backend.put_back(saved[int(command.split()[1])])
    raise ValueError(f"unknown command {command!r}")


def main() -> None:
    answers = os.fdopen(answers_channel(), "w", encoding="utf-8")
    serve(sys.argv[1], sys.stdin, answers, *sys.argv[2:3])


if __name__ == "__main__":
    main()
