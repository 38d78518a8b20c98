"""The replay's defaults, in a module that imports nothing.

The Sphinx extension declares its config values with them at every build;
importing the engine (pexpect, the servers) for a number would cost an
html build the replay it never runs.
"""

import os

#: The course's server identity: the SMTP server's host name that pages
#: show (``telnet mx1.example.com smtp``, its 220 greeting and EHLO reply,
#: ``Received: ... by mx1.example.com``). The embedded server's default;
#: each backend answers with the name the configuration gives
#: (``transcript_server_name``, ``--server-name``), this one unless told.
DEFAULT_SERVER_NAME = "mx1.example.com"

#: Seconds of silence before a missing reply fails.
DEFAULT_TIMEOUT = 3.0

#: Workers ``auto`` never exceeds: each runs a mail server of its own.
MOST_JOBS = 4


def resolve_jobs(jobs: int | str) -> int:
    """``auto`` is one worker per CPU, at most :data:`MOST_JOBS`; else the number."""
    if jobs == "auto":
        return max(1, min(os.cpu_count() or 1, MOST_JOBS))
    count = int(jobs)
    if count < 1:
        raise ValueError(f"jobs must be 'auto' or a whole number from 1, not {jobs!r}")
    return count
