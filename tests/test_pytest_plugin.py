"""The pytest plugin: transcripts of .rst pages as test items, when asked for.

Each test writes pages into a fresh folder and runs pytest there (in this
process unless the test is about the process itself), against the embedded
server and the real telnet (ours if absent).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

# Once installed, load the plugin by its entry point's name: by module name it
# would be registered twice (pytest refuses). ``-p`` also covers
# PYTEST_DISABLE_PLUGIN_AUTOLOAD.
INSTALLED = bool(entry_points(group="pytest11", name="telnetmail"))
PLUGIN = ["-p", "telnetmail" if INSTALLED else "telnetmail.pytest_plugin"]

from walkpages import DELETE, READ, SEND

HELLO = """\
Hello
=====

.. transcript::
   :name: hello-smtp

   telnet: > telnet mx1.example.com smtp
   telnet: Trying 192.0.2.2...
   telnet: Connected to mx1.example.com.
   telnet: Escape character is '^]'.
   server: 220 mx1.example.com ESMTP
   client: HELO client.example.com
   server: 250 mx1.example.com
   client: QUIT
   server: 221 Bye

.. transcript::
   :name: hello-pop3

   telnet: > telnet pop.example.com pop3
   server: +OK ready
   client: QUIT
   server: +OK bye
"""

def children() -> set[str]:
    """Process ids of this process's children (Linux), as text."""
    found: set[str] = set()
    for task in Path("/proc/self/task").glob("*/children"):
        found.update(task.read_text().split())
    return found


@pytest.fixture(autouse=True)
def nothing_left_running() -> Iterator[None]:
    """No telnet still running, no server thread still serving, after a run."""
    threads, processes = set(threading.enumerate()), children()
    yield
    assert set(threading.enumerate()) <= threads
    assert children() <= processes


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(*PLUGIN, "-v", "-rs", *args)


def replay(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """A run that asks for transcripts, each alone (no walk item per page)."""
    return run(pytester, "--transcripts", "--transcript-no-walk", *args)


def test_each_page_is_also_walked_by_an_item_of_its_own(pytester):
    pytester.makefile(".rst", hello=HELLO)
    result = run(pytester, "--transcripts", "hello.rst")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["hello.rst::walk PASSED*"])


def test_a_page_that_fails_only_when_walked_fails_its_walk_item(pytester):
    # Alone, read starts after send; walked, after delete too: no message left.
    pytester.makefile(".rst", page=SEND + "\n" + DELETE + "\n" + READ)
    result = run(pytester, "--transcripts", "page.rst")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "page.rst::walk FAILED*",
            "*page.rst:*: transcript 'read' (protocol, walked in page order; isolated it passed)*",
        ]
    )


def test_each_transcript_of_a_named_page_is_an_item_named_by_its_name(pytester):
    pytester.makefile(".rst", hello=HELLO)
    result = replay(pytester, "hello.rst")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["hello.rst::hello-smtp PASSED*", "hello.rst::hello-pop3 PASSED*"]
    )


def test_a_transcript_without_a_name_is_named_by_its_line(pytester):
    pytester.makefile(".rst", hello=HELLO.replace("   :name: hello-pop3\n", ""))
    result = replay(pytester, "hello.rst")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["hello.rst::17 PASSED*"])


def test_one_transcript_runs_alone_by_its_node_id(pytester):
    pytester.makefile(".rst", hello=HELLO)
    result = replay(pytester, "hello.rst::hello-pop3")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["hello.rst::hello-pop3 PASSED*"])


def test_a_folder_named_on_the_command_line_gives_its_pages(pytester):
    pytester.mkdir("course")
    pytester.path.joinpath("course", "hello.rst").write_text(HELLO)
    result = replay(pytester, "course")
    result.assert_outcomes(passed=2)


def test_a_wrong_server_line_fails_with_the_page_line_and_the_diff(pytester):
    pytester.makefile(
        ".rst", hello=HELLO.replace("250 mx1.example.com", "354 mx1.example.com")
    )
    result = replay(pytester, "hello.rst")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ transcript hello-smtp _*",
            "hello.rst:13: transcript 'hello-smtp' (protocol, isolated): reply code 250 where the page shows 354",
            "  page:",
            "  >   13 | 354 mx1.example.com",
            "  server:",
            "         | 250 *",
        ]
    )
    # The diff is the whole report: no Python traceback.
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*pytest_plugin.py*")


def test_after_finds_its_prerequisite_in_another_page(pytester):
    pytester.makefile(".rst", send=SEND, read=READ)
    result = replay(pytester, "send.rst", "read.rst", "--transcript-match=protocol")
    result.assert_outcomes(passed=2)


def test_after_replays_a_prerequisite_that_is_deselected(pytester):
    pytester.makefile(".rst", send=SEND, read=READ)
    result = replay(pytester, "send.rst", "read.rst", "-k", "read")
    result.assert_outcomes(passed=1, deselected=1)


def test_after_fails_when_its_prerequisite_is_not_collected(pytester):
    pytester.makefile(".rst", send=SEND, read=READ)
    result = replay(pytester, "read.rst")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*:after: names 'send', which no transcript is named*"]
    )


def test_an_unreadable_transcript_is_skipped_with_the_reason_at_its_line(pytester):
    pytester.makefile(".rst", hello=HELLO.replace("   client: QUIT\n", "   QUIT\n", 1))
    result = replay(pytester, "hello.rst")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] hello.rst:4: the transcript cannot be read*",
            "hello.rst:14: expected 'client:', 'server:' *",
        ]
    )


def test_a_plain_run_collects_no_page(pytester):
    pytester.makefile(".rst", hello=HELLO)
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    result = run(pytester)
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*hello.rst*")


def test_a_folder_named_collects_no_page_unless_asked(pytester):
    # `pytest .` in a project that has telnetmail installed.
    pytester.makefile(".rst", hello=HELLO)
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    result = run(pytester, ".")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*hello.rst*")


def test_a_page_named_collects_nothing_unless_asked(pytester):
    pytester.makefile(".rst", hello=HELLO)
    result = run(pytester, "hello.rst")
    result.assert_outcomes()
    result.stdout.no_fnmatch_line("*hello-smtp*")


def test_pages_under_testpaths_are_not_collected_unless_asked(pytester):
    pytester.makeini("[pytest]\ntestpaths = .\n")
    pytester.makefile(".rst", hello=HELLO)
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    run(pytester).assert_outcomes(passed=1)
    replay(pytester).assert_outcomes(passed=3)


def test_the_ini_glob_asks_for_the_pages_it_matches(pytester):
    pytester.makeini("[pytest]\ntranscripts_glob = *.txt\n")
    pytester.makefile(".txt", hello=HELLO)
    pytester.makefile(".rst", other=HELLO.replace("hello-", "other-"))
    result = run(pytester)
    result.assert_outcomes(passed=3)  # and the page's walk
    result.stdout.fnmatch_lines(["hello.txt::hello-smtp PASSED*"])
    result.stdout.no_fnmatch_line("*other.rst*")


def test_the_ini_glob_chooses_the_pages_of_transcripts(pytester):
    pytester.makeini("[pytest]\ntranscripts_glob = *.txt\n")
    pytester.makefile(".rst", hello=HELLO)
    replay(pytester).assert_outcomes()


def test_transcripts_collects_every_page_found(pytester):
    pytester.makefile(".rst", hello=HELLO)
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    result = replay(pytester)
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["hello.rst::hello-smtp PASSED*"])


def test_a_page_ignored_by_a_conftest_is_not_collected_even_with_transcripts(pytester):
    pytester.makeconftest('collect_ignore = ["roots"]')
    pytester.mkdir("roots")
    pytester.path.joinpath("roots", "hello.rst").write_text(HELLO)
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    replay(pytester).assert_outcomes(passed=1)


def test_match_option_applies_to_transcripts_without_match(pytester):
    pytester.makefile(".rst", hello=HELLO)
    result = replay(pytester, "hello.rst", "--transcript-match=exact")
    # Our server's greeting is not the page's, character for character.
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*transcript 'hello-smtp' (exact, isolated)*"])


def test_the_python_telnet_can_replace_the_real_one(pytester):
    pytester.makefile(".rst", hello=HELLO)
    replay(pytester, "hello.rst", "--transcript-telnet=python").assert_outcomes(passed=2)


def test_a_name_defined_again_on_another_page_is_a_collection_error(pytester):
    # Another page's "send", which sends nothing: read's :after: must not
    # pick either of them silently.
    other = HELLO.replace(":name: hello-smtp", ":name: send")
    pytester.makefile(".rst", send=SEND, other=other, read=READ)
    result = replay(pytester, "send.rst", "other.rst", "read.rst")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting other.rst*",
            "other.rst:4: duplicate transcript name 'send', also at send.rst:1",
        ]
    )
    result.stdout.no_fnmatch_line("*PASSED*")
    result.stdout.no_fnmatch_line("*Traceback*")


def test_a_name_defined_twice_on_one_page_is_a_collection_error(pytester):
    pytester.makefile(
        ".rst", hello=HELLO.replace(":name: hello-pop3", ":name: hello-smtp")
    )
    result = replay(pytester, "hello.rst")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["hello.rst:17: duplicate transcript name 'hello-smtp', also at hello.rst:4"]
    )


def test_without_the_replay_extra_asking_is_a_usage_error_naming_it(pytester):
    # As if pexpect, aiosmtpd and pymap were not installed.
    pytester.makeconftest(
        "import sys\n"
        "sys.modules.update(dict.fromkeys(['pexpect', 'aiosmtpd', 'pymap']))\n"
    )
    pytester.makefile(".rst", hello=HELLO)
    result = pytester.runpytest_subprocess(*PLUGIN, "--transcripts")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*pip install 'telnetmail[[]replay[]]'*"])
    result.stderr.no_fnmatch_line("*Traceback*")


def test_without_the_replay_extra_a_run_not_asking_is_untouched(pytester):
    pytester.makeconftest(
        "import sys\n"
        "sys.modules.update(dict.fromkeys(['pexpect', 'aiosmtpd', 'pymap']))\n"
    )
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=1)


def test_a_missing_telnet_client_is_a_usage_error(pytester):
    pytester.makefile(".rst", hello=HELLO)
    result = replay(pytester, "--transcript-telnet=no-such-telnet")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: no 'no-such-telnet' on PATH: *"])


# Counts the threads of the process (the kernel's count, as Python 3.12's
# fork warning does) each time the replay starts telnet.
THREAD_SPY = """
from pathlib import Path

from telnetmail.replay.terminal import TerminalChild

start = TerminalChild.__init__
seen = []


def counting(self, *args, **kwargs):
    status = Path("/proc/self/status").read_text()
    seen.append(next(line.split()[1] for line in status.splitlines()
                     if line.startswith("Threads:")))
    return start(self, *args, **kwargs)


TerminalChild.__init__ = counting


def pytest_unconfigure():
    Path("threads.txt").write_text(" ".join(seen))
"""


def test_telnet_is_forked_with_no_other_thread_alive(pytester):
    pytester.makeconftest(THREAD_SPY)
    pytester.makefile(".rst", send=SEND, read=READ)
    # On Python 3.12+, each fork with a thread alive would be a warning.
    result = pytester.runpytest_subprocess(
        *PLUGIN,
        "--transcripts",
        "--transcript-no-walk",
        "-W",
        "always::DeprecationWarning",
    )
    result.assert_outcomes(passed=2)
    result.stdout.no_fnmatch_line("*multi-threaded*")
    counts = pytester.path.joinpath("threads.txt").read_text().split()
    assert counts and set(counts) == {"1"}


# Modules the plugin may load when pytest starts and nobody asked for it.
LIGHT = {
    "telnetmail",
    "telnetmail.pytest_plugin",
    "telnetmail.core",
    "telnetmail.core.modes",
    "telnetmail.replay",
    "telnetmail.replay.defaults",
    "telnetmail.replay.options",
    "telnetmail.replay.requirements",
}


def test_not_asked_for_it_imports_only_what_its_options_need(pytester):
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    result = pytester.run(
        sys.executable, "-X", "importtime", "-m", "pytest", *PLUGIN, "--co", "-q"
    )
    assert result.ret == 0
    imported = {
        line.split("|")[-1].strip()
        for line in result.errlines
        if line.startswith("import time:")
    }
    ours = {name for name in imported if name.split(".")[0] == "telnetmail"}
    assert ours <= LIGHT
    assert not imported & {"pexpect", "aiosmtpd", "pymap", "sphinx", "docutils"}


# -- in parallel: pytest's own way, one backend per xdist worker ----------------

OTHER_PAGE = SEND.replace(":name: send", ":name: other-send")


def test_xdist_workers_replay_every_page_each_with_its_own_backend(pytester):
    pytester.makefile(".rst", hello=HELLO, page=SEND + "\n" + READ, other=OTHER_PAGE)
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "xdist", "-n", "2", "--transcripts")
    result.stdout.fnmatch_lines(["*2 workers*"])
    # hello: 2 + walk; page: send, read (after send) + walk; other: 1 + walk.
    result.assert_outcomes(passed=8)


def test_a_wrong_transcript_fails_under_xdist_as_it_does_alone(pytester):
    wrong = READ.replace("+OK 1 messages", "+OK 2 messages")
    pytester.makefile(".rst", page=SEND + "\n" + wrong, hello=HELLO)
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "xdist", "-n", "2", "--transcripts")
    result.assert_outcomes(passed=4, failed=2)  # read, alone and walked
    result.stdout.fnmatch_lines(["*page.rst:*2 messages*"])
