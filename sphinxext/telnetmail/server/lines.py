"""Reading command lines with a length limit, without holding long lines in memory."""

from __future__ import annotations

import asyncio

__all__ = ["IMAP_LINE_LIMIT", "LineTooLong", "read_line"]

# Longest IMAP command line (or literal header line) we read: Dovecot's
# default imap_max_line_length is 64 KiB too. Here, not in imap.py: the IMAP
# listener needs it before imap.py (and pymap) is imported.
IMAP_LINE_LIMIT = 64 * 1024


class LineTooLong(Exception):
    """A line went past the limit; it has been read and thrown away."""


async def read_line(reader: asyncio.StreamReader, limit: int) -> bytes:
    """The next line, line end included.

    Raises :class:`LineTooLong` once a longer line has been discarded (to its
    end, so the session stays in step), and :class:`EOFError` (as
    ``IncompleteReadError``) if the client goes away first. The reader's own
    buffer limit bounds memory: a 1 MB line is dropped chunk by chunk.
    """
    too_long = False
    while True:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as exc:
            await reader.read(exc.consumed)
            too_long = True
            continue
        if too_long or len(line) > limit:
            raise LineTooLong()
        return line
