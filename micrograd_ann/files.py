"""Files: every file the library writes is written atomically, every user file read is bounded.

A file is written to a temporary file beside it (same directory, so the same file system),
flushed, fsynced and then renamed over the target with `os.replace`, which is atomic on POSIX and
Windows. A write that fails half-way (disk full, a file-size limit, an interrupt) leaves the
previous file exactly as it was and no temporary file behind.

Reads of user files stop at a stated limit, so a huge or endless file (`/dev/zero`) is refused
with a ValueError instead of filling memory.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Union

__all__ = ["write_atomic", "read_limited", "PathLike"]

PathLike = Union[str, "os.PathLike[str]"]


def write_atomic(path: PathLike, data: str | bytes) -> None:
    """Write `data` (text as UTF-8, or bytes) to `path` so that it is all there or not at all.

    Raises OSError (with the path in it) when the directory is missing or not writable, or
    when the write fails; the previous content of `path`, if any, is then untouched.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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
