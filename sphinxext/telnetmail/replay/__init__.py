"""Replaying transcripts through a real telnet client against a mail server.

:mod:`~telnetmail.replay.session` drives telnet under pexpect,
:mod:`~telnetmail.replay.backends` provides the servers, and
:mod:`~telnetmail.replay.engine` walks each transcript, comparing what
arrives with :mod:`telnetmail.core.matching`. The command line, the Sphinx
builder and the pytest plugin all use the engine.
"""
