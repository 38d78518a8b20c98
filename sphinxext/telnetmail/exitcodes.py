"""Exit codes shared by every ``telnetmail`` subcommand.

A module of its own, so that ``commands/`` need not import ``cli`` upward.
"""

from __future__ import annotations

EXIT_OK = 0
#: Some transcripts failed: the pages and the server disagree.
EXIT_FAILED = 1
#: Usage, parse or environment errors: nothing could be judged.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as shells report death by SIGINT
