"""The embedded server leaves its host alone: pymap's classes and aiosmtpd's
logger are, for other code in the process, as they were before telnetmail
came (issue 15, item 9)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading

import pytest

from telnetmail.server.smtp import AIOSMTPD_LOG, quiet_client_mistakes

# Run in a fresh interpreter: the snapshot must be taken before anything of
# ours is imported, which other tests of this process have long done.
HOST = textwrap.dedent(
    """
    import logging, smtplib, sys
    from pymap.backend.dict import mailbox
    from pymap import message

    def snapshot():
        log = logging.getLogger("mail.log")
        return (
            mailbox.LoadedMessage,
            dict(vars(mailbox.LoadedMessage)),
            dict(vars(mailbox.Message)),
            dict(vars(message.BaseLoadedMessage)),
            list(log.handlers),
            list(log.filters),
            log.level,
            log.propagate,
        )

    before = snapshot()
    from telnetmail.server import MailServer
    assert snapshot() == before, "importing changed the host"
    with MailServer() as server:
        with smtplib.SMTP("127.0.0.1", server.smtp_port) as client:
            assert client.docmd("HELLO")[0] == 500
    assert snapshot() == before, "running changed the host"
    print("unchanged")
    """
)


def run_host() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HOST], capture_output=True, text=True, timeout=60
    )


def test_importing_and_running_the_server_leaves_pymap_and_aiosmtpd_as_they_were() -> None:
    done = run_host()
    assert done.returncode == 0, done.stderr
    assert done.stdout == "unchanged\n"


def test_a_client_mistake_prints_nothing_to_stderr() -> None:
    # Without a handler anywhere, Python prints warnings to stderr (lastResort).
    assert run_host().stderr == ""


def test_only_the_servers_thread_is_quieted_and_only_while_it_serves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger(AIOSMTPD_LOG)
    # A session-wide server of other tests may be running, with its own filter.
    filters = list(log.filters)

    def serve() -> None:
        with quiet_client_mistakes():
            log.warning("ours: unrecognised")
            log.error("ours: a bug")
            other = threading.Thread(target=log.warning, args=("another server's",))
            other.start()
            other.join()
        log.warning("ours, after stopping")

    with caplog.at_level(logging.INFO, logger=AIOSMTPD_LOG):
        thread = threading.Thread(target=serve)
        thread.start()
        thread.join()
    assert [r.getMessage() for r in caplog.records] == [
        "ours: a bug",
        "another server's",
        "ours, after stopping",
    ]
    assert log.filters == filters
