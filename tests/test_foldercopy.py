"""A folder copied into memory is written back as it was: the same tree,
bytes, modes and times, owned by whom the caller says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from telnetmail.replay.foldercopy import FolderCopy


def tree(root: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Each entry below ``root`` (and ``root``): mode, mtime in ns, bytes (None: a folder)."""
    seen = {}
    for path in [root, *sorted(root.rglob("*"))]:
        status = path.lstat()
        content = None if path.is_dir() else path.read_bytes()
        seen[str(path.relative_to(root))] = (status.st_mode, status.st_mtime_ns, content)
    return seen


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    (root / "Maildir" / "cur").mkdir(parents=True)
    (root / "Maildir" / "tmp").mkdir(mode=0o700)
    (root / "Maildir" / "cur" / "1.M1:2,S").write_bytes(b"Subject: x\r\n\r\nhi\r\n")
    (root / "Maildir" / "dovecot-uidlist").write_bytes(b"3 V1 N2\n1 1.M1\n")
    (root / "Maildir" / "dovecot-uidlist").chmod(0o660)  # past a umask of 022
    for number, path in enumerate(sorted(root.rglob("*"), reverse=True)):
        os.utime(path, ns=(10**18 + number, 10**18 + 7 * number + 123))
    return root


def test_the_folder_comes_back_with_its_bytes_modes_and_times(maildir, tmp_path):
    copy = FolderCopy.read(maildir)
    assert copy is not None
    status = maildir.stat()
    copy.write(tmp_path / "again", status.st_uid, status.st_gid)
    assert tree(tmp_path / "again") == tree(maildir)


def test_the_copy_is_what_the_folder_held_when_read(maildir, tmp_path):
    copy = FolderCopy.read(maildir)
    before = tree(maildir)
    (maildir / "Maildir" / "dovecot-uidlist").write_bytes(b"changed")
    (maildir / "Maildir" / "new").mkdir()
    assert copy is not None
    copy.write(tmp_path / "again", os.getuid(), os.getgid())
    assert tree(tmp_path / "again") == before


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files away needs root")
def test_every_entry_written_belongs_to_the_owner_given(maildir, tmp_path):
    copy = FolderCopy.read(maildir)
    assert copy is not None
    copy.write(tmp_path / "again", 8, 8)
    written = [tmp_path / "again", *(tmp_path / "again").rglob("*")]
    assert {(path.stat().st_uid, path.stat().st_gid) for path in written} == {(8, 8)}


def test_a_folder_holding_a_symlink_cannot_be_copied(maildir):
    (maildir / "Maildir" / "link").symlink_to("dovecot-uidlist")
    assert FolderCopy.read(maildir) is None


def test_a_folder_that_cannot_be_listed_fails_the_copy_rather_than_leave_it_out(
    maildir, monkeypatch
):
    # As root every folder is readable: refuse one listing as a permission would.
    listed = os.scandir
    refused = maildir / "Maildir" / "cur"

    def scandir(path):
        if Path(path) == refused:
            raise PermissionError(13, "Permission denied", str(path))
        return listed(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(PermissionError):
        FolderCopy.read(maildir)
