"""A foreign project: the wheel alone, in a fresh virtualenv, builds every way.

What an adopter does: build our wheel, ``pip install`` it (no extra) with
Sphinx and the themes into a new environment, and build a small project of
their own, reST and MyST pages, with each common theme and ``-j auto``, and
with every builder. The light install must bring none of the replay
(pexpect, aiosmtpd, pymap), and every build must be free of warnings (-W).
Slow (a venv and a pip install): it runs once per session.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THEMES = [
    "alabaster",
    "furo",
    "sphinx_rtd_theme",
    "pydata_sphinx_theme",
    "sphinx_book_theme",
]
PACKAGES = [
    "sphinx",
    "myst-parser",
    "furo",
    "sphinx-rtd-theme",
    "pydata-sphinx-theme",
    "sphinx-book-theme",
]
BUILDERS = ["html", "latex", "text", "epub", "man", "texinfo", "singlehtml"]

RST_PAGE = """\
Foreign project
===============

.. toctree::

   myst

.. transcript::
   :name: foreign-smtp
   :caption: A greeting

   telnet: > telnet mail.school.example smtp
   server: 220 mail.school.example ESMTP
   client: QUIT
   server: 221 2.0.0 Bye
"""

MYST_PAGE = """\
# A MyST page

```{transcript}
:name: foreign-pop3
:caption: A POP3 greeting

telnet: > telnet mail.school.example pop3
server: +OK ready
client: QUIT
server: +OK bye
```
"""

CONF = """\
project = "foreign"
version = release = "1.0"
copyright = "2026, a school"
extensions = ["myst_parser", "telnetmail"]
exclude_patterns = ["_build"]
html_theme = {theme!r}
"""


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with our wheel, Sphinx and the themes: no extra."""
    where = tmp_path_factory.mktemp("foreign")
    wheel = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", where, ROOT
    )
    assert wheel.returncode == 0, wheel.stderr
    built = next(where.glob("telnetmail-*.whl"))
    venv.create(where / "venv", with_pip=True)
    python = where / "venv" / "bin" / "python"
    install = run(python, "-m", "pip", "install", "-q", built, *PACKAGES)
    if install.returncode != 0:
        pytest.skip(f"cannot install into a fresh venv here: {install.stderr[-300:]}")
    return python


def project(where: Path, theme: str) -> Path:
    where.mkdir(parents=True)
    (where / "conf.py").write_text(CONF.format(theme=theme), encoding="utf-8")
    (where / "index.rst").write_text(RST_PAGE, encoding="utf-8")
    (where / "myst.md").write_text(MYST_PAGE, encoding="utf-8")
    return where


def test_the_light_install_brings_none_of_the_replay(environment: Path):
    missing = run(
        environment,
        "-c",
        "import importlib.util as u;"
        "print([m for m in ('pexpect', 'aiosmtpd', 'pymap') if u.find_spec(m)])",
    )
    assert missing.stdout.strip() == "[]", missing.stderr


@pytest.mark.parametrize("theme", THEMES)
def test_each_theme_builds_rst_and_myst_in_parallel_without_warnings(
    environment: Path, tmp_path: Path, theme: str
):
    source = project(tmp_path / "src", theme)
    build = run(
        environment,
        "-m",
        "sphinx",
        "-W",
        "-j",
        "auto",
        "-b",
        "html",
        "-d",
        tmp_path / "doctrees",
        source,
        tmp_path / "out",
    )
    assert build.returncode == 0, build.stderr
    page = (tmp_path / "out" / "myst.html").read_text(encoding="utf-8")
    assert "foreign-pop3" in page


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_builder_builds_without_warnings(
    environment: Path, tmp_path: Path, builder: str
):
    source = project(tmp_path / "src", "alabaster")
    # Doctrees beside the output, not in it: the epub would pack them.
    build = run(
        environment,
        "-m",
        "sphinx",
        "-W",
        "-b",
        builder,
        "-d",
        tmp_path / "doctrees",
        source,
        tmp_path / "out",
    )
    assert build.returncode == 0, build.stderr
