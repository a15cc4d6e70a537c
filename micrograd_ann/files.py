"""Files: every file the library writes is written atomically, every user file read is bounded.

A file is written to a temporary file beside it (same directory, so the same file system),
flushed, fsynced and then renamed over the target with `os.replace`, which is atomic on POSIX and
Windows. A write that fails half-way (disk full, a file-size limit, an interrupt) leaves the
previous file exactly as it was and no temporary file behind. What the rename replaces:

- only a regular file, or nothing: a directory, a named pipe, a device (`/dev/null`) or a socket
  is refused with `NotARegularFileError` (renaming over it would put a plain file in its place);
- through a symbolic link, the file it points to: the link stays a link, its target is
  replaced atomically (and a link to a missing file creates that file, as `open()` does);
- with its mode kept (an existing 0600 file stays 0600; its owner and group too, where the
  process may set them); a new file gets the mode `open()` would give it, 0666 less the umask.

The temporary name is short whatever the target's (`.` + at most 32 characters of its name + 8
random hex digits + `.tmp`), so every name the file system accepts can be written.

Reads of user files stop at a stated limit, so a huge or endless file (`/dev/zero`) is refused
with a ValueError instead of filling memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from typing import Union

__all__ = ["write_atomic", "read_limited", "NotARegularFileError", "PathLike"]

PathLike = Union[str, "os.PathLike[str]"]

TEMPORARY_NAME_PART = 32
"""How many characters of the target's name its temporary file's name repeats (to tell whose it
is, should a crash leave it behind): ".", those, ".", 8 hex digits, ".tmp"."""


class NotARegularFileError(OSError):
    """The path to write names something a plain file must not replace: a directory, a named
    pipe (FIFO), a device or a socket. `filename` is the path, `strerror` the whole message."""

    def __init__(self, path: PathLike, kind: str) -> None:
        super().__init__(
            errno.EEXIST,
            f"{os.fspath(path)!r} is {kind}, not a regular file, and writing would replace it "
            "with a plain file; name a regular file (or a new one) instead",
            os.fspath(path),
        )

    def __str__(self) -> str:
        return str(self.strerror)


def write_atomic(path: PathLike, data: str | bytes) -> None:
    """Write `data` (text as UTF-8, or bytes) to `path` so that it is all there or not at all.

    A symbolic link is followed (its target is written); see the module's docstring for what is
    refused (`NotARegularFileError`) and which mode the file gets. Raises OSError (with the path
    in it) when the directory is missing or not writable, or when the write fails; the previous
    content of `path`, if any, is then untouched.
    """
    target = Path(os.path.realpath(path))  # through symbolic links, to the file they name
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    previous = _regular_file_status(target, path)
    descriptor, temporary = _create_temporary(target)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        if previous is not None:
            _copy_owner_and_mode(previous, temporary)
        _regular_file_status(target, path)  # checked again just before the rename
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _regular_file_status(target: Path, named: PathLike) -> os.stat_result | None:
    """The status of `target` if it is a regular file, None if there is nothing there; a
    `NotARegularFileError` (naming the path as given) for anything else."""
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISREG(status.st_mode):
        return status
    raise NotARegularFileError(named, _kind(status.st_mode))


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _create_temporary(target: Path) -> tuple[int, str]:
    """A new, empty file beside `target`, opened for writing: (its descriptor, its path).

    Created as `open()` creates a file (mode 0666, less the umask and as a default ACL says),
    with O_EXCL, so that it can be neither an existing file nor a link planted there.
    """
    folder = target.parent
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = f".{target.name[:TEMPORARY_NAME_PART]}.{secrets.token_hex(4)}.tmp"
        temporary = os.path.join(folder, name)
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(folder))


def _copy_owner_and_mode(previous: os.stat_result, temporary: str) -> None:
    """Give the new file the old one's owner and group (where allowed), then its mode."""
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.chown(temporary, previous.st_uid, previous.st_gid)
    os.chmod(temporary, stat.S_IMODE(previous.st_mode))


def read_limited(path: PathLike, limit: int, what: str) -> bytes:
    """The bytes of `path`, refusing with ValueError a file longer than `limit` bytes.

    `what` names the file in the message (`"model file"`). Reading stops at `limit + 1` bytes,
    so the check works on pipes and devices whose size is unknown in advance.
    """
    with open(path, "rb") as stream:
        content = stream.read(limit + 1)
    if len(content) > limit:
        raise ValueError(
            f"{what} {str(path)!r} is larger than the limit of {limit:,} bytes; "
            "is it the right file?"
        )
    return content
