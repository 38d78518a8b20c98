"""Parallel by default: ``-j auto`` reports as ``-j 1`` does, in page order."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_check_command import RIGHT, numbered, page

from telnetmail.replay.defaults import MOST_JOBS, resolve_jobs
from telnetmail.replay.runner import UNITS_PER_CHILD, children_for

COURSE = Path(__file__).resolve().parent.parent / "course"
SPHINXEXT = COURSE.parent / "sphinxext"


def check_output(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "check", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Durations differ from run to run; everything else must not.
    return [re.sub(r"\d+\.\d+ s", "T s", line) for line in result.stdout.splitlines()]


def test_auto_reports_the_same_lines_in_the_same_order_as_one_job():
    pages = [str(COURSE / "telnet-mail.rst"), str(COURSE / "smtp.rst")]
    assert check_output(*pages, "-j", "auto") == check_output(*pages, "-j", "1")


def test_auto_is_one_worker_per_cpu_and_capped():
    assert 1 <= resolve_jobs("auto") <= MOST_JOBS
    assert resolve_jobs(3) == 3


@pytest.mark.parametrize("wrong", [0, -2, "many"])
def test_jobs_must_be_auto_or_a_number_from_one(wrong):
    with pytest.raises(ValueError):
        resolve_jobs(wrong)


def test_a_one_page_check_starts_no_worker_process():
    # smtp.rst: 15 dialogues alone and one page walk; cheaper in-process.
    assert children_for(16, jobs=resolve_jobs("auto")) == 0
    assert children_for(2 * UNITS_PER_CHILD - 1, jobs=4) == 0


def test_worker_processes_join_as_work_grows_up_to_jobs_less_the_parent():
    assert children_for(2 * UNITS_PER_CHILD, jobs=4) == 1
    assert children_for(3 * UNITS_PER_CHILD, jobs=4) == 2
    assert children_for(10 * UNITS_PER_CHILD, jobs=4) == 3
    assert children_for(10 * UNITS_PER_CHILD, jobs=1) == 0


def test_worker_processes_run_the_telnetmail_their_parent_imported(tmp_path):
    # As a Sphinx project's conf.py does: the package on sys.path, named
    # nowhere else. A copy, which tells each process that imports it, so
    # that a worker importing the installed package instead shows.
    copy = tmp_path / "lib"
    shutil.copytree(
        SPHINXEXT / "telnetmail", copy / "telnetmail",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    imported = tmp_path / "imported-by"
    with (copy / "telnetmail" / "__init__.py").open("a", encoding="utf-8") as init:
        init.write(
            "\nimport os as _os\n"
            f"with open({str(imported)!r}, 'a') as _told:\n"
            "    _told.write(f'{_os.getpid()} {__file__}\\n')\n"
        )
    pages = tmp_path / "pages"
    pages.mkdir()
    page(pages, numbered(RIGHT, 2 * UNITS_PER_CHILD))
    script = (
        f"import sys; sys.path.insert(0, {str(copy)!r}); "
        "from telnetmail.cli import main; "
        f"raise SystemExit(main(['check', '-j', '2', '-q', {str(pages)!r}]))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"{2 * UNITS_PER_CHILD} passed, 0 failed" in result.stdout
    told = imported.read_text(encoding="utf-8").splitlines()
    processes = {line.split()[0] for line in told}
    assert len(processes) == 2  # the check and its one worker process
    assert all(line.split()[1].startswith(str(copy)) for line in told)
