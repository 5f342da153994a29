"""A small, dependency-free progress display for long CLI work, written to stderr.

On a terminal it redraws one line in place (``\\r``) at most ten times a second. When stderr is
not a terminal (CI logs, pipes, ``nohup``) it prints a plain status line every few seconds
(:data:`LOG_EVERY`) and a final one on :meth:`Progress.close`, so a log shows a long job moving
without being flooded with carriage returns.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

_BAR_WIDTH = 24
_REDRAW_EVERY = 0.1  # seconds between redraws on a terminal
LOG_EVERY = 5.0
"""Seconds between status lines when stderr is not a terminal."""


def _fmt_count(n: int) -> str:
    return f"{n:,}"


def _fmt_rate(rate: float) -> str:
    return f"{rate:,.0f}/s" if rate >= 10 else f"{rate:.1f}/s"


class Progress:
    """Counts finished work and renders it as a bar (known total) or a counter (unknown total).

    ``done`` counts every finished item; ``failed`` and ``skipped`` (input refused before any
    request) are the subsets that did not succeed. All only grow.
    Use it as a context manager so the final line is always printed.
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        unit: str = "items",
        stream: TextIO | None = None,
        enabled: bool = True,
        interactive: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.failed = 0
        self.skipped = 0
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = enabled
        if interactive is None:
            isatty = getattr(self._stream, "isatty", None)
            interactive = bool(isatty and isatty())
        self._interactive = interactive
        self._clock = clock
        self._started = clock()
        self._last_draw = 0.0
        self._last_log = self._started
        self._closed = False
        self._line_len = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()

    def abandon(self) -> None:
        """Stop without a final line (the work failed; its error message says why)."""
        if self._closed:
            return
        self._closed = True
        if self._interactive and self._line_len:
            self._stream.write("\r" + " " * self._line_len + "\r")
            self._stream.flush()

    @property
    def elapsed(self) -> float:
        """Seconds since the display was created."""
        return self._clock() - self._started

    @property
    def rate(self) -> float:
        """Finished items per second so far."""
        elapsed = self.elapsed
        return self.done / elapsed if elapsed > 0 else 0.0

    def advance(self, done: int = 1, *, failed: int = 0, skipped: int = 0) -> None:
        """Record ``done`` more finished items, ``failed`` or ``skipped`` of which did not work."""
        self.done += done
        self.failed += failed
        self.skipped += skipped
        self._maybe_draw()

    def update(self, *, done: int, failed: int = 0, total: int | None = None) -> None:
        """Set absolute counts (for callbacks that report totals rather than increments)."""
        self.done = done
        self.failed = failed
        if total is not None:
            self.total = total
        self._maybe_draw()

    def render(self) -> str:
        """The current status line, without any terminal control characters."""
        parts = [self.label]
        if self.total:
            frac = min(self.done / self.total, 1.0)
            filled = int(frac * _BAR_WIDTH)
            parts.append("[" + "#" * filled + "." * (_BAR_WIDTH - filled) + "]")
            parts.append(f"{_fmt_count(self.done)}/{_fmt_count(self.total)} {self.unit}")
            parts.append(f"{frac * 100:3.0f}%")
        else:
            parts.append(f"{_fmt_count(self.done)} {self.unit}")
        parts.append(_fmt_rate(self.rate))
        if self.failed:
            parts.append(f"{_fmt_count(self.failed)} failed")
        if self.skipped:
            parts.append(f"{_fmt_count(self.skipped)} bad input")
        return "  ".join(parts)

    def note(self, message: str) -> None:
        """Print a message line without garbling the bar (the bar is redrawn below it)."""
        if self._interactive and self._line_len:
            self._stream.write("\r" + " " * self._line_len + "\r")
            self._line_len = 0
        self._stream.write(message + "\n")
        self._stream.flush()
        self._last_draw = 0.0
        self._maybe_draw()

    def close(self) -> None:
        """Print the final line (once)."""
        if self._closed:
            return
        self._closed = True
        if not self._enabled:
            return
        line = self.render() + f"  in {self.elapsed:.1f}s"
        if self._interactive:
            self._stream.write("\r" + line.ljust(self._line_len) + "\n")
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def _maybe_draw(self) -> None:
        if not self._enabled or self._closed:
            return
        now = self._clock()
        if not self._interactive:
            self._maybe_log(now)
            return
        if now - self._last_draw < _REDRAW_EVERY:
            return
        self._last_draw = now
        line = self.render()
        self._stream.write("\r" + line.ljust(self._line_len))
        self._stream.flush()
        self._line_len = len(line)

    def _maybe_log(self, now: float) -> None:
        """A plain status line for logs, every :data:`LOG_EVERY` seconds."""
        if now - self._last_log >= LOG_EVERY:
            self._last_log = now
            self._stream.write(self.render() + "\n")
            self._stream.flush()
