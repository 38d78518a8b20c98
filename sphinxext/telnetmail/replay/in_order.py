"""Deliver in the order Postfix accepted: the gate before Dovecot's LDA.

Postfix hands its messages to the delivery agent in parallel and in no set
order: when its queue manager falls behind (a loaded machine), it takes new
mail from the incoming queue in directory order, and two messages accepted
one after the other in an SMTP session land in the mailbox in either order.
A course page that reads "message 1" then fails at random.

Postfix's ``pipe(8)`` runs this script (``python -I -S in_order.py SPOOL
QUEUE_ID LDA ARGS...``, standard library only) as the mailboxes' owner. It
waits until every message queued before its own has left the queue
(delivered, or deferred), then becomes the LDA. When a message was queued
comes from its queue id and its queue file: a (short) queue id begins with
the microseconds of the moment Postfix queued the message, in hexadecimal,
and the file's last write, a moment later, gives the second. In one SMTP
session a message is queued only after the previous one was accepted, so
that is the dialogue's order. (Long queue ids would carry the whole time, but
the id is in the message's headers: every message would be longer than the
course shows.)

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
#: How far the file's modification time may lag the moment in its queue id
#: (file times follow a coarse clock), in microseconds.
SLACK = 20_000


def queued_at(queue_id: str, modified_ns: int) -> int:
    """When the message was queued, in microseconds since the epoch.

    The latest moment, up to the file's last write (and the clock's slack),
    whose microseconds are those in the queue id.
    """
    microseconds = int(queue_id[:5], 16)
    latest = modified_ns // 1000 + SLACK
    return latest - (latest - microseconds) % 1_000_000


def pending(spool: str) -> dict[str, int]:
    """The messages waiting for delivery or being delivered, and when each was queued.

    Only those cleanup has finished writing: it sets a queue file's
    owner-execute bit once the message is complete. A file still being
    written (another session, typing slowly) has not been accepted yet.
    """
    found = {}
    for queue in PENDING:
        try:
            entries = list(os.scandir(os.path.join(spool, queue)))
        except OSError:
            continue
        for entry in entries:
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # delivered and removed while we looked
            if stat.S_ISREG(status.st_mode) and status.st_mode & stat.S_IXUSR:
                try:
                    found[entry.name] = queued_at(entry.name, status.st_mtime_ns)
                except ValueError:
                    continue  # not a queue id: not a message
    return found


def earlier(spool: str, queue_id: str) -> list[str]:
    """The messages queued before ``queue_id`` that are still waiting or being delivered."""
    times = pending(spool)
    if queue_id not in times:
        return []
    mine = (times[queue_id], queue_id)
    return sorted(other for other, at in times.items() if (at, other) < mine)


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
    try:
        in_order = wait_for_earlier(spool, queue_id)
    except Exception:  # noqa: BLE001 - the order is never worth a message
        in_order = False
    if not in_order:
        print(
            f"{queue_id}: earlier mail still queued, delivering anyway", file=sys.stderr
        )
    os.execv(lda[0], lda)


if __name__ == "__main__":
    main(sys.argv)
