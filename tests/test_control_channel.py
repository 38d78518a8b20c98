"""The practice server's control channel, in-process: a Unix socket where
there are Unix sockets, a loopback port with a token where there are not."""

from __future__ import annotations

import dataclasses
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from telnetmail.server.control import (
    ControlError,
    ControlListener,
    control_dir,
    request,
    running_servers,
)


@pytest.fixture(autouse=True)
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


def echo(message: dict) -> dict:
    return {"ok": True, "message": f"asked {message.get('reset')}"}


@pytest.fixture
def listener() -> Iterator[ControlListener]:
    started = ControlListener(echo, {"smtp": 2525})
    started.start()
    yield started
    started.stop()


def test_a_request_reaches_the_running_server_and_gets_its_answer(listener) -> None:
    [found] = running_servers()
    assert found.ports == {"smtp": 2525}
    assert request(found, {"reset": "seed-imap"}) == {
        "ok": True,
        "message": "asked seed-imap",
    }


def test_only_the_user_can_enter_the_folder_or_read_the_descriptor(listener) -> None:
    folder = control_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(listener.descriptor_path.stat().st_mode) == 0o600


def test_a_stopped_server_leaves_no_descriptor(listener) -> None:
    listener.stop()
    assert list(control_dir().iterdir()) == []
    assert running_servers() == []


def test_without_unix_sockets_a_loopback_port_asks_for_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(socket, "AF_UNIX")
    started = ControlListener(echo, {})
    started.start()
    try:
        [found] = running_servers()
        assert found.port and found.token and not found.unix
        assert request(found, {"reset": None})["ok"] is True
        forged = dataclasses.replace(found, token="0" * 32)
        with pytest.raises(ControlError, match="did not answer"):
            request(forged, {"reset": None})
    finally:
        started.stop()


def test_a_folder_someone_else_could_enter_is_refused(private: Path) -> None:
    folder = private / "telnetmail"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(ControlError, match="open to other users"):
        control_dir()
