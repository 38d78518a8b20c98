"""The replay's defaults, in a module that imports nothing.

The Sphinx extension declares its config values with them at every build;
importing the engine (pexpect, the servers) for a number would cost an
html build the replay it never runs.
"""

#: Seconds of silence before a missing reply fails.
DEFAULT_TIMEOUT = 3.0
