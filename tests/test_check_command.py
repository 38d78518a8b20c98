"""``telnetmail check`` as users run it: a real process, real telnet, real servers."""

from __future__ import annotations

import os
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from telnetmail.cli import build_parser
from telnetmail.commands.check import Latch, Terminated
from telnetmail.commands.check import check as run_check
from telnetmail.commands.check import collect, report_related_sizes
from telnetmail.ext.builder import TranscriptsBuilder
from telnetmail.replay.backends import BACKENDS
from telnetmail.replay.children import STOP_GRACE
from telnetmail.replay.dovecot_postfix import missing_requirements, requirement_message
from telnetmail.replay.engine import Status
from telnetmail.replay.runner import UNITS_PER_CHILD

ROOT = Path(__file__).resolve().parent.parent
SEED_PAGE = ROOT / "course" / "telnet-mail.rst"

RIGHT = """\
Right
=====

.. transcript::
   :name: noop

   telnet: > telnet mx1.example.com smtp
   server: 220 mx1.example.com ESMTP
   client: NOOP
   server: 250 Ok
   client: QUIT
   server: 221 Bye
"""

WRONG = RIGHT.replace(":name: noop", ":name: wrong-noop").replace(
    "server: 250 Ok", "server: 500 Ok"
)

SILENT = RIGHT.replace(":name: noop", ":name: silent").replace(
    "server: 250 Ok", "server: 250 Ok\n   server: 250 A line that never comes"
)

MALFORMED = RIGHT.replace("client: NOOP", "NOOP")


#: Set in the environment of every check run here, which its children
#: inherit: it tells our telnet processes from anyone else's.
MARKER = f"TELNETMAIL_TEST_RUN={os.getpid()}"


def marked_environment() -> dict[str, str]:
    name, value = MARKER.split("=")
    return {**os.environ, name: value}


def check(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telnetmail", "check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env=marked_environment(),
    )


def page(tmp_path: Path, text: str, name: str = "page.rst") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def numbered(text: str, count: int) -> str:
    """A page of ``count`` copies of the one transcript of page ``text``, named apart."""
    title, transcript = text.split("\n\n", 1)
    copies = (
        re.sub(r":name: (\S+)", rf":name: \1-{index}", transcript)
        for index in range(count)
    )
    return title + "\n\n" + "\n".join(copies)


def telnet_processes() -> list[str]:
    """Command lines of telnet clients (ours or the real one) started by our checks."""
    return marked_processes("127.0.0.1")


def worker_processes() -> list[str]:
    """Command lines of the worker processes of our checks' parallel runs."""
    return marked_processes("telnetmail.replay.processes")


def marked_processes(word: str) -> list[str]:
    """Command lines holding ``word`` of processes started by our checks."""
    return list(marked_pids(word).values())


def marked_pids(word: str) -> dict[int, str]:
    """Processes started by our checks, whose command line holds ``word``: by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if word in command and MARKER.encode() in environment:
            found[int(entry.name)] = command
    return found


def test_the_course_passes_and_exits_0():
    result = check("course")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED  seed-smtp" in result.stdout
    # Each dialogue alone, and each page walked as a student types it.
    assert re.match(
        r"(\d+) passed, 0 failed, 0 skipped; walked: \1 passed, 0 failed, 0 skipped",
        result.stdout.strip().splitlines()[-1],
    )


def test_a_wrong_page_exits_1_naming_file_line_and_diff(tmp_path):
    path = page(tmp_path, WRONG)
    result = check(str(path))
    assert result.returncode == 1
    assert (
        f"{path}:10: FAIL transcript 'wrong-noop' (protocol, isolated): reply code 250 where the page shows 500"
        in result.stdout
    )
    assert ">   10 | 500 Ok" in result.stdout


def test_a_page_that_cannot_be_read_exits_2_before_replaying(tmp_path):
    path = page(tmp_path, MALFORMED)
    result = check(str(path))
    assert result.returncode == 2
    assert f"{path}:9: error: expected 'client:'" in result.stderr
    assert "passed" not in result.stdout


def test_a_missing_path_exits_2(tmp_path):
    result = check(str(tmp_path / "nowhere.rst"))
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr


def test_a_folder_is_searched_for_pages(tmp_path):
    page(tmp_path, RIGHT, "a.rst")
    (tmp_path / "sub").mkdir()
    page(tmp_path / "sub", WRONG, "b.rst")
    result = check(str(tmp_path))
    assert result.returncode == 1
    assert "1 passed, 1 failed, 0 skipped" in result.stdout


def test_junit_xml_and_output_report_every_transcript(tmp_path):
    path = page(tmp_path, RIGHT + "\n" + WRONG.split("=====\n", 1)[1])
    junit, output = tmp_path / "junit.xml", tmp_path / "output.txt"
    wrong_line = path.read_text().splitlines().index("   server: 500 Ok") + 1
    result = check(str(path), "--junit-xml", str(junit), "--output", str(output))
    assert result.returncode == 1
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    # Each transcript alone, then the page walked.
    assert (suite.get("tests"), suite.get("failures")) == ("4", "2")
    for name in ("wrong-noop", "wrong-noop [walked]"):
        failure = suite.find(f"testcase[@name='{name}']/failure")
        assert "reply code 250 where the page shows 500" in failure.get("message")
    assert f"{path}:{wrong_line}: [failed] wrong-noop" in output.read_text()
    assert f"{path}:{wrong_line}: [failed] wrong-noop [walked]" in output.read_text()


def test_parallel_workers_give_the_same_results(tmp_path):
    for index in range(4):
        page(
            tmp_path,
            RIGHT.replace(":name: noop", f":name: noop-{index}"),
            f"p{index}.rst",
        )
    page(tmp_path, WRONG, "wrong.rst")
    result = check(str(tmp_path), "-j", "3")
    assert result.returncode == 1
    assert "4 passed, 1 failed, 0 skipped" in result.stdout


def test_our_own_telnet_client_can_replace_the_real_one():
    result = check(str(SEED_PAGE), "--telnet", "python")
    assert result.returncode == 0, result.stdout


def test_silence_fails_after_the_timeout_and_leaves_no_telnet_running(tmp_path):
    path = page(tmp_path, SILENT)
    started = time.monotonic()
    result = check(str(path), "--timeout", "0.5")
    assert result.returncode == 1
    assert "the server says nothing more" in result.stdout
    assert time.monotonic() - started < 20
    assert telnet_processes() == []


# SIGTERM and SIGHUP (a CI timeout, docker stop, a closed terminal) as Ctrl-C.
@pytest.mark.parametrize(
    ("signum", "said"),
    [
        (signal.SIGINT, "interrupted"),
        (signal.SIGTERM, "stopped by SIGTERM"),
        (signal.SIGHUP, "stopped by SIGHUP"),
    ],
)
def test_ctrl_c_stops_the_check_and_reaps_everything(tmp_path, signum, said):
    path = page(tmp_path, SILENT)
    process = subprocess.Popen(
        [sys.executable, "-m", "telnetmail", "check", str(path), "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=marked_environment(),
    )
    with reaped(process):
        deadline = time.monotonic() + 20
        while not telnet_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert telnet_processes(), "telnet never started"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 128 + signum, stderr
    assert said in stderr and "Traceback" not in stderr
    assert telnet_processes() == []


@contextmanager
def reaped(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """``process``, killed and reaped on the way out if it is still running
    (a failed assertion must not leave a check behind)."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def start_parallel_silence(tmp_path: Path) -> subprocess.Popen[str]:
    """A check with worker processes, each worker held in a silent dialogue."""
    path = page(tmp_path, numbered(SILENT, 2 * UNITS_PER_CHILD))
    process = subprocess.Popen(
        [sys.executable, "-m", "telnetmail", "check", str(path), "-j", "2"]
        + ["--no-walk", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=marked_environment(),
    )
    deadline = time.monotonic() + 20
    while len(telnet_processes()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    return process


def wait_until_gone(find: Callable[[], list[str]], seconds: float = 20) -> list[str]:
    """Nothing as soon as ``find()`` lists nothing; what it still lists after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := find()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name
)
def test_a_signal_stops_a_parallel_check_and_reaps_its_workers(tmp_path, signum):
    with reaped(start_parallel_silence(tmp_path)) as process:
        assert len(telnet_processes()) == 2, "both workers never started a dialogue"
        assert len(worker_processes()) == 1
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    # Reaped by the check itself: gone by the time it exits.
    assert worker_processes() == []
    assert telnet_processes() == []


def test_a_stopped_worker_process_is_killed_rather_than_waited_for(tmp_path):
    with reaped(start_parallel_silence(tmp_path)) as process:
        try:
            assert len(telnet_processes()) == 2, "both workers never started a dialogue"
            (worker,) = marked_pids("telnetmail.replay.processes")
            os.kill(worker, signal.SIGSTOP)  # deaf to the SIGTERM that ends a run
            process.send_signal(signal.SIGTERM)
            # The grace a worker has to end, then its kill: not the 60 s timeout.
            _, stderr = process.communicate(timeout=STOP_GRACE + 10)
        finally:
            for left in marked_pids("telnetmail.replay.processes"):
                os.kill(left, signal.SIGKILL)  # a stopped one hears nothing else
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert worker_processes() == []
    assert wait_until_gone(telnet_processes, seconds=10) == []


def test_worker_processes_and_their_telnet_end_when_the_check_is_killed(tmp_path):
    process = start_parallel_silence(tmp_path)
    try:
        assert len(telnet_processes()) == 2, "both workers never started a dialogue"
    finally:
        process.kill()  # SIGKILL: no cleanup of its own
        process.wait()
    try:
        # Well before the dialogues' 60 s timeout would end them anyway.
        assert wait_until_gone(worker_processes, seconds=10) == []
        assert wait_until_gone(telnet_processes, seconds=10) == []
    finally:
        process.communicate()  # the workers shared its stderr


def test_a_worker_process_that_dies_stops_the_check_with_exit_2_saying_so(tmp_path):
    with reaped(start_parallel_silence(tmp_path)) as process:
        assert len(telnet_processes()) == 2, "both workers never started a dialogue"
        (worker,) = marked_pids("telnetmail.replay.processes")
        os.kill(worker, signal.SIGKILL)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 2, stderr
    assert "telnetmail check: a worker process ended (exit status -9)" in stderr
    assert "Traceback" not in stderr
    assert wait_until_gone(telnet_processes) == []


def test_a_signal_whose_exception_python_dropped_still_stops_the_check():
    # Python drops an exception raised in some places (an at-fork hook while
    # pexpect forks a telnet): the latch raises it again at the next chance.
    latch = Latch()
    with pytest.raises(Terminated):
        latch.interrupt(signal.SIGTERM, None)  # the exception that gets lost
    assert latch.interrupt(signal.SIGHUP, None) is None  # repeats: cleanup goes on
    with pytest.raises(Terminated) as stopped:
        latch.raise_if_signalled()
    assert stopped.value.signum == signal.SIGTERM


def test_no_thread_of_the_servers_outlives_a_check(tmp_path):
    before = set(threading.enumerate())
    args = build_parser().parse_args(["check", str(page(tmp_path, RIGHT)), "-q"])
    assert run_check(args) == 0
    assert set(threading.enumerate()) - before == set()


def test_save_actual_writes_each_session_as_a_page_would(tmp_path):
    path = page(tmp_path, RIGHT)
    saved = tmp_path / "actual"
    result = check(str(path), "--save-actual", str(saved), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    session = (saved / "page" / "noop.txt").read_text(encoding="utf-8")
    assert session.startswith("telnet: > telnet mx1.example.com smtp\ntelnet: Trying ")
    assert "client: NOOP\nserver: 250 " in session


def test_sizes_that_disagree_across_transcripts_are_warned_before_replaying(
    tmp_path, capsys
):
    source = (ROOT / "tests" / "roots" / "test-sizes" / "index.rst").read_text()
    path = page(tmp_path, source)
    report_related_sizes(list(collect([path], "protocol")))
    assert capsys.readouterr().err == (
        f"{path}:32: warning: RFC822.SIZE gives message 1 30 octets, but "
        "BODY[HEADER] {15} and BODY[TEXT] {4} make 19 octets "
        "(lines 46 and 52 of transcript 'header-text')\n"
    )

def test_a_name_defined_on_two_pages_exits_2_showing_both_before_replaying(tmp_path):
    first = page(tmp_path, RIGHT, "a.rst")
    # The second "noop" fails if replayed: nothing may run at all.
    again = page(tmp_path, WRONG.replace(":name: wrong-noop", ":name: noop"), "b.rst")
    result = check(str(tmp_path))
    assert result.returncode == 2
    assert (
        f"{again}:4: error: duplicate transcript name 'noop', also at {first}:4"
        in result.stderr
    )
    assert "PASSED" not in result.stdout
    assert "FAIL" not in result.stdout


def test_a_page_given_both_itself_and_through_its_folder_is_read_once(tmp_path):
    path = page(tmp_path, RIGHT)
    result = check(str(path), str(tmp_path), str(path))
    assert result.returncode == 0, result.stderr
    assert "1 passed, 0 failed, 0 skipped" in result.stdout


class SpacedReplies(socketserver.StreamRequestHandler):
    """An SMTP server whose reply texts end in spaces and tabs."""

    def handle(self) -> None:
        self.wfile.write(b"220 mx1.example.com ESMTP   \r\n")
        for line in self.rfile:
            if line.strip().upper() == b"QUIT":
                self.wfile.write(b"221 Bye \t \r\n")
                return
            self.wfile.write(b"250 Ok  \r\n")


class SpacedBackend:
    """A replay backend serving :class:`SpacedReplies` on a free loopback port."""

    name = "spaced"

    def start(self) -> None:
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SpacedReplies)
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()  # joins the handlers' threads
        self.thread.join()

    def reset(self) -> None:
        pass

    def settle(self) -> None:
        pass

    def port_for(self, protocol: object) -> int:
        return self.server.server_address[1]


def test_save_actual_keeps_the_trailing_spaces_the_server_sent(tmp_path, monkeypatch):
    monkeypatch.setitem(BACKENDS, SpacedBackend.name, lambda server_name: SpacedBackend())
    monkeypatch.chdir(tmp_path)
    path = page(tmp_path, RIGHT)
    args = build_parser().parse_args(
        ["check", str(path), "-q", "--save-actual", "actual"]
    )
    args.backend = SpacedBackend.name  # not among --backend's choices
    assert run_check(args) == 0
    session = (tmp_path / "actual" / "page" / "noop.txt").read_bytes()
    assert session.endswith(
        b"Escape character is '^]'.\n"
        b"server: 220 mx1.example.com ESMTP   \n"
        b"client: NOOP\n"
        b"server: 250 Ok  \n"
        b"client: QUIT\n"
        b"server: 221 Bye \t \n"
        b"telnet: Connection closed by foreign host.\n"
    )


#: A tab after "NOOP a", in a line indented 3 and prefixed "client: ": it
#: stands at column 17 of the source line, so docutils makes it 7 spaces.
TABBED = RIGHT.replace(":name: noop", ":name: tabbed").replace(
    "client: NOOP", "client: NOOP a\tb"
)


def test_a_tab_in_a_client_line_types_the_same_via_check_and_the_builder(
    tmp_path, make_app, monkeypatch
):
    path = page(tmp_path, TABBED, "index.rst")
    (tmp_path / "conf.py").write_text('extensions = ["telnetmail"]\n')
    result = check(str(path), "--save-actual", "actual", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    saved = (tmp_path / "actual" / "index" / "tabbed.txt").read_text(encoding="utf-8")
    via_check = [line for line in saved.splitlines() if line.startswith("client:")]

    # The builder keeps no outcomes: record each as it is reported.
    outcomes = []
    monkeypatch.setattr(TranscriptsBuilder, "report", lambda _, o: outcomes.append(o))
    make_app("transcripts", srcdir=tmp_path).build()
    alone, walked = outcomes
    assert walked.actual == alone.actual
    outcome = alone
    assert outcome.status is Status.PASSED, outcome.message
    via_builder = [
        f"{role}: {text}" for role, text in outcome.actual if role == "client"
    ]

    assert via_check == via_builder == ["client: NOOP a       b", "client: QUIT"]


# -- the server's name ---------------------------------------------------------

# Exact: in protocol mode a greeting's text is the server's to choose.
SCHOOL = """\
School
======

.. transcript::
   :name: greeting
   :match: exact

   telnet: > telnet mail.school.example smtp
   server: 220 mail.school.example ESMTP Postfix
   client: QUIT
   server: 221 2.0.0 Bye
"""
REAL_SERVERS_MISSING = missing_requirements()


@pytest.mark.parametrize(
    "backend",
    [
        "embedded",
        pytest.param(
            "dovecot-postfix",
            marks=pytest.mark.skipif(
                bool(REAL_SERVERS_MISSING),
                reason=requirement_message(REAL_SERVERS_MISSING),
            ),
        ),
    ],
)
def test_a_page_written_for_another_server_verifies_when_the_option_names_it(
    tmp_path, backend
):
    path = page(tmp_path, SCHOOL)
    told = check("--backend", backend, "--server-name", "mail.school.example", str(path))
    assert told.returncode == 0, told.stdout + told.stderr
    # The default name is the course's: the same page then fails, on the greeting.
    untold = check("--backend", backend, str(path))
    assert untold.returncode == 1, untold.stdout + untold.stderr
    assert "220 mx1.example.com" in untold.stdout


#: A one-page check in an interpreter of its own, printing which of the
#: modules that only some checks need it loaded.
ONE_PAGE_CHECK_LOADS = (
    "import sys\n"
    "from telnetmail.cli import main\n"
    "assert main(['check', '-j', '1', '--no-walk', '-q', sys.argv[1]]) == 0\n"
    "wanted_by_some = ('xml.etree.ElementTree', 'sysconfig', 'tempfile')\n"
    "print(*sorted(name for name in wanted_by_some if name in sys.modules))\n"
)


def test_a_one_page_check_loads_only_what_it_uses():
    # The JUnit writer's XML, what starting a worker process needs
    # (sysconfig), what making a TLS certificate needs (tempfile): each is
    # loaded when asked for, so a check asking for none starts sooner.
    done = subprocess.run(
        [sys.executable, "-c", ONE_PAGE_CHECK_LOADS, str(ROOT / "course" / "smtp.rst")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == ""
