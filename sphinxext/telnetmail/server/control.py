"""The practice server's control channel: how ``telnetmail reset`` reaches
a running ``telnetmail serve``.

Only the same user on the same machine can reach it. Each server writes a
descriptor, ``PID.json``, into a private folder of the user's (mode 0700,
refused if anyone else owns it or can enter it), and listens on a Unix
socket beside it; where Python has no Unix sockets (Windows), on a loopback
TCP port that asks for a secret token read from the descriptor (mode 0600).
On Linux the server also checks the peer's user id (``SO_PEERCRED``).

The exchange is one JSON line each way: ``{"reset": NAME or null}``, then
``{"ok": bool, "message": TEXT, "usage": bool}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import stat
import struct
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Seconds a request may take: preparing a class's state types for everyone.
REQUEST_TIMEOUT = 60.0

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class ControlError(Exception):
    """No running server to talk to, or one that cannot be trusted."""


def control_dir() -> Path:
    """The user's private folder of server descriptors, made if need be."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        folder = Path(runtime) / "telnetmail"
    else:
        folder = Path(tempfile.gettempdir()) / f"telnetmail-{_user_id()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    _refuse_unless_private(folder)
    return folder


def _user_id() -> str:
    if hasattr(os, "getuid"):
        return str(os.getuid())
    import getpass

    return getpass.getuser()


def _refuse_unless_private(folder: Path) -> None:
    """Another user could have made the folder first, to listen in our place."""
    if not hasattr(os, "getuid"):
        return  # Windows: the temp folder is the user's own
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise ControlError(f"{folder} is not a folder of yours: not using it")
    if info.st_mode & 0o077:
        raise ControlError(
            f"{folder} is open to other users (mode {stat.S_IMODE(info.st_mode):o}): "
            f"not using it; remove it, or chmod 700 it"
        )


@dataclass(frozen=True)
class Descriptor:
    """How to reach one running server."""

    pid: int
    path: Path
    unix: str = ""
    port: int = 0
    token: str = ""
    #: Its mail ports, to tell servers apart: ``{"smtp": 2525, ...}``.
    ports: dict[str, int] | None = None

    def connect(self, timeout: float) -> socket.socket:
        if self.unix:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # type: ignore[attr-defined,unused-ignore]
            sock.settimeout(timeout)
            try:
                sock.connect(self.unix)
            except OSError:
                sock.close()
                raise
            return sock
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)


class ControlListener:
    """Serves requests to a running ``telnetmail serve`` in a thread of its own."""

    def __init__(self, handle: Handler, ports: dict[str, int]) -> None:
        self.handle = handle
        self.ports = ports
        self.folder = control_dir()
        self.descriptor_path = self.folder / f"{os.getpid()}.json"
        self.unix_path = self.folder / f"{os.getpid()}.sock"
        self.token = ""
        self.sock: socket.socket | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        described: dict[str, Any] = {"pid": os.getpid(), "ports": self.ports}
        if hasattr(socket, "AF_UNIX"):
            self.unix_path.unlink(missing_ok=True)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(str(self.unix_path))
            described["unix"] = str(self.unix_path)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            self.token = secrets.token_hex(16)
            described |= {"port": sock.getsockname()[1], "token": self.token}
        sock.listen(8)
        self.sock = sock
        _write_private(self.descriptor_path, json.dumps(described))
        self.thread = threading.Thread(
            target=self._serve, name="telnetmail-control", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self.thread is not None:
            self.thread.join(5)
        self.descriptor_path.unlink(missing_ok=True)
        self.unix_path.unlink(missing_ok=True)

    def _serve(self) -> None:
        while (listening := self.sock) is not None:
            try:
                client, _ = listening.accept()
            except OSError:
                return  # closed by stop()
            with client:
                client.settimeout(REQUEST_TIMEOUT)
                with contextlib.suppress(OSError, ValueError):
                    self._answer(client)

    def _answer(self, client: socket.socket) -> None:
        if not _same_user(client):
            return
        request = json.loads(_read_line(client))
        if self.token and not secrets.compare_digest(
            str(request.get("token", "")), self.token
        ):
            return
        reply = self.handle(request)
        client.sendall(json.dumps(reply).encode() + b"\n")


def _same_user(client: socket.socket) -> bool:
    """On Linux, the peer's user id; elsewhere the folder's mode decides."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None or client.family != getattr(socket, "AF_UNIX", None):
        return True
    credentials = client.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def _read_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def running_servers() -> list[Descriptor]:
    """The user's practice servers that are running now; stale descriptors go."""
    found = []
    for path in sorted(control_dir().glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            descriptor = Descriptor(
                pid=int(data["pid"]),
                path=path,
                unix=str(data.get("unix", "")),
                port=int(data.get("port", 0)),
                token=str(data.get("token", "")),
                ports=data.get("ports"),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _alive(descriptor):
            found.append(descriptor)
        else:  # its server died without cleaning up (SIGKILL)
            path.unlink(missing_ok=True)
            if descriptor.unix:
                Path(descriptor.unix).unlink(missing_ok=True)
    return found


def _alive(descriptor: Descriptor) -> bool:
    try:
        with descriptor.connect(timeout=2.0):
            return True
    except OSError:
        return False


def request(descriptor: Descriptor, message: dict[str, Any]) -> dict[str, Any]:
    """Send ``message`` to a running server; its reply."""
    with descriptor.connect(timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(
            json.dumps({**message, "token": descriptor.token}).encode() + b"\n"
        )
        reply = _read_line(sock)
    if not reply:
        raise ControlError(f"the server (pid {descriptor.pid}) did not answer")
    answer: dict[str, Any] = json.loads(reply)
    return answer
