"""The course built as Read the Docs builds it: replayed first, then published
with each dialogue's proof, by a user who is not root, with no telnet and
no Postfix on PATH."""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

#: Who runs the build when the tests run as root: nobody.
NOBODY = [
    shutil.which("setpriv") or "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
]


def as_read_the_docs(command: str) -> list[str]:
    """A command of .readthedocs.yaml, with this venv's python."""
    words = shlex.split(command)
    assert words[0] == "python"
    return [sys.executable, *words[1:]]


@pytest.fixture
def project() -> Iterator[Path]:
    """The repository's files Read the Docs builds from, owned by the builder
    (in a folder of its own: pytest's are root's only)."""
    with tempfile.TemporaryDirectory(prefix="telnetmail-rtd-") as folder:
        yield checkout(Path(folder))


def checkout(tmp_path: Path) -> Path:
    source = tmp_path / "checkout"
    source.mkdir()
    shutil.copytree(ROOT / "course", source / "course")
    for name in ("conf.py", ".readthedocs.yaml"):
        shutil.copy(ROOT / name, source / name)
    if as_nobody():
        for path in [tmp_path, *tmp_path.rglob("*")]:
            os.chown(path, 65534, 65534)
    return source


def nobody_can_run_python() -> bool:
    """Whether this interpreter is usable by nobody (not when it lives in
    root's home, as a pyenv of root's does): pexpect must find it to spawn
    our telnet client."""
    probe = f"import os; raise SystemExit(not os.access({sys.executable!r}, os.X_OK))"
    done = subprocess.run([*NOBODY, sys.executable, "-c", probe], check=False)
    return done.returncode == 0


@functools.cache
def as_nobody() -> bool:
    """Root runs the build as nobody when nobody can; else as itself, still
    without telnet or Postfix on PATH."""
    return os.geteuid() == 0 and nobody_can_run_python()


def apt_packages(cwd: Path) -> Path:
    """A folder holding the programs .readthedocs.yaml's apt_packages give."""
    config = yaml.safe_load((cwd / ".readthedocs.yaml").read_text(encoding="utf-8"))
    folder = cwd.parent / "apt-bin"
    folder.mkdir(exist_ok=True)
    for package in config["build"].get("apt_packages", []):
        program = shutil.which(package)
        assert program, f"{package} is not installed here"
        link = folder / package
        if not link.exists():
            link.symlink_to(program)
    return folder


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    prefix = NOBODY if as_nobody() else []
    env = {
        # The venv and the apt packages asked for (openssl): no telnet, no
        # postfix, no dovecot to be found.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{apt_packages(cwd)}",
        "HOME": str(cwd.parent),
        "LC_ALL": "C.UTF-8",
    }
    return subprocess.run(
        prefix + command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_read_the_docs_verifies_then_publishes_every_dialogue_proved(
    project: Path,
) -> None:
    config = yaml.safe_load((project / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert "replay" in config["python"]["install"][0]["extra_requirements"]
    probe = "import os, shutil; print(os.geteuid(), shutil.which('telnet'))"
    who = run([sys.executable, "-c", probe], project).stdout.split()
    assert who[1] == "None"
    assert who[0] != "0" or not as_nobody()
    for command in config["build"]["jobs"]["pre_build"]:
        done = run(as_read_the_docs(command), project)
        assert done.returncode == 0, done.stdout + done.stderr
    outdir = project / "_readthedocs" / "html"
    # As Read the Docs runs it, fail_on_warning making it -W.
    html_build = [
        sys.executable, "-m", "sphinx", "-T", "-W", "--keep-going", "-b", "html",
        "-d", "_build/doctrees", "-D", "language=it", ".", str(outdir),
    ]  # fmt: skip
    done = run(html_build, project)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = proved = 0
    for page in (outdir / "course").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        shown += text.count('<div class="transcript ')
        proved += len(
            re.findall(
                r'<p class="transcript-proof transcript-proof-passed">✓ verificato con'
                r" il server di prova \(telnetmail [^)]+\), \d\d/\d\d/\d{4}</p>",
                text,
            )
        )
    assert shown >= 40
    assert proved == shown
