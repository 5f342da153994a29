"""An exclusive, non-blocking OS file lock, dropped by the OS when its process dies (even ``-9``).

POSIX ``flock`` where available, ``msvcrt.locking`` on Windows. The lock file holds the holder's
pid, only to name it in the error a second process sees; the file stays behind (removing it while
another process waits to lock it would let two processes hold "the" lock).
"""

from __future__ import annotations

import os
import sys


class LockHeldError(Exception):
    """Another process holds the lock; ``holder`` is its pid when known."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"locked by {holder or 'another process'}")
        self.holder = holder


class FileLock:
    """A held lock on one file; :meth:`release` gives it up."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: str) -> FileLock:
        """Lock ``path`` (created if missing) or raise :class:`LockHeldError` at once."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeldError(holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        return cls(fd)

    def release(self) -> None:
        """Unlock and close (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the lock


def _read_holder(fd: int) -> str:
    """The pid the holder wrote, or "" when it cannot be read."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode(errors="replace").strip()
    except OSError:
        return ""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
