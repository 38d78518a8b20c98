"""Deliver in the order Postfix accepted: the gate before Dovecot's LDA.

Postfix hands its messages to the delivery agent in parallel and in no set
order: when its queue manager falls behind (a loaded machine), it takes new
mail from the incoming queue in directory order, and two messages accepted
one after the other in an SMTP session land in the mailbox in either order.
A course page that reads "message 1" then fails at random.

Postfix's ``pipe(8)`` runs this script (``python -I -S in_order.py SPOOL
QUEUE_ID LDA ARGS...``, standard library only) as the mailboxes' owner. It
waits until every message accepted before its own has left the queue
(delivered, or deferred), then becomes the LDA. The order comes from the
queue ids: with ``enable_long_queue_ids``, an id begins with the time its
queue file was created (6 characters of seconds and 4 of microseconds, in an
alphabet sorted as ASCII), so ids compare as the messages' ages. In one
session a message's queue file is created only after the previous message
was accepted, so that is the dialogue's order.

Waiting never blocks for good: after ``MAX_WAIT`` seconds the message is
delivered anyway (the order is lost, never the mail).
"""

from __future__ import annotations

import os
import stat
import sys
import time

#: The queues holding accepted mail not yet delivered (not deferred, not held).
PENDING = ("incoming", "active")
#: Seconds to wait for earlier messages before delivering anyway.
MAX_WAIT = 5.0
#: Seconds between looks at the queue.
POLL = 0.001


def accepted(spool: str) -> list[str]:
    """Ids of the messages in the pending queues that cleanup has finished writing.

    Cleanup sets a queue file's owner-execute bit once the message is complete:
    a file still being written (another session, typing slowly) is not counted.
    """
    found = []
    for queue in PENDING:
        try:
            entries = list(os.scandir(os.path.join(spool, queue)))
        except OSError:
            continue
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue  # delivered and removed while we looked
            if stat.S_ISREG(mode) and mode & stat.S_IXUSR:
                found.append(entry.name)
    return found


def earlier(spool: str, queue_id: str) -> list[str]:
    """The messages accepted before ``queue_id`` that are still waiting or being delivered."""
    return [other for other in accepted(spool) if other < queue_id]


def wait_for_earlier(spool: str, queue_id: str, max_wait: float = MAX_WAIT) -> bool:
    """Wait until no earlier message is pending; False if ``max_wait`` ran out first."""
    deadline = time.monotonic() + max_wait
    while earlier(spool, queue_id):
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL)
    return True


def main(argv: list[str]) -> None:
    spool, queue_id, *lda = argv[1:]
    if not wait_for_earlier(spool, queue_id):
        print(f"{queue_id}: earlier mail still queued, delivering anyway", file=sys.stderr)
    os.execv(lda[0], lda)


if __name__ == "__main__":
    main(sys.argv)
