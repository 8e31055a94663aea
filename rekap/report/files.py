"""Writing bytes safely: a temporary file beside the target, then a rename (no half-written file looks
complete); all of a buffer to a stream; the system's words for a failed write. Every renderer writes
through these."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from rekap.errors import UsageError, WriteError
from rekap.i18n import _


def reason(exc: BaseException) -> str:
    """The system's words for a failed write ("No space left on device"), also out of DuckDB's errors."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    import re

    text = str(exc)
    errno = re.search(r'"errno":\s*"?(\d+)', text)
    if errno and int(errno.group(1)) > 0:
        return os.strerror(int(errno.group(1)))
    return text.splitlines()[0][:200]


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _temp_beside(path: Path) -> Path:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        if directory.exists():
            raise UsageError(_("{path}: {folder} bukan folder", path=path, folder=directory))
        raise UsageError(_("{path}: folder {folder} tidak ada", path=path, folder=directory))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise write_error(path, str(exc.strerror), here=True) from None
    os.close(fd)
    # mkstemp makes the file private (0600); an output file should follow the umask like any other.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file beside the target, then rename: no half-written file looks complete."""
    tmp = _temp_beside(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise write_error(path, str(exc.strerror)) from None


def write_error(path: object, why: str, *, here: bool = False) -> WriteError:
    """The error of an output that could not be written (`here`: not even a file beside it)."""
    if here:
        return WriteError(_("{path}: tidak dapat menulis di sini ({reason})", path=path, reason=why), why)
    return WriteError(_("{path}: tidak dapat menulis ({reason})", path=path, reason=why), why)


def _stream(stdout: BinaryIO | None) -> BinaryIO:
    if stdout is None:
        raise ValueError("no output stream")  # a programming error, not for people
    return stdout


def _write_all(stdout: BinaryIO | None, data: bytes) -> None:
    if stdout is None:
        raise ValueError("no output stream")
    # An unbuffered stdout (PYTHONUNBUFFERED) may accept only part of a large write.
    view = memoryview(data)
    while view:
        written = stdout.write(view)
        view = view[written if written is not None else len(view) :]
    stdout.flush()
