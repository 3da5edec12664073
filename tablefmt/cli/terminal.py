"""Terminal niceties that never reach a pipe: colour on stdout only when it is a terminal
and `NO_COLOR` is unset or empty (https://no-color.org), and a progress line on stderr
only when stderr is a terminal."""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
_FRAMES = "|/-\\"
_FIRST_FRAME_S = 0.3  # commands that finish sooner show no progress at all
_FRAME_S = 0.1


def colour_enabled(stream: TextIO | None = None) -> bool:
    """Whether text written to `stream` (default stdout) may carry ANSI colours."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(callable(isatty) and isatty())


class Painter:
    """Wraps text in ANSI colours, or returns it unchanged when colour is off.

    Example:
        >>> Painter(False).paint("ok", "green"), Painter(True).paint("ok", "green")
        ('ok', '\\x1b[32mok\\x1b[0m')
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stdout(cls) -> Painter:
        return cls(colour_enabled(sys.stdout))

    def paint(self, text: str, style: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\x1b[{_CODES[style]}m{text}\x1b[0m"


class Progress:
    """A one-line spinner with the elapsed time and the current step, redrawn on stderr
    from a background thread; `step()` changes the message."""

    def __init__(self, message: str, stream: TextIO) -> None:
        self.message, self.stream = message, stream
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, name="tablefmt-progress",
                                        daemon=True)
        self._start = time.monotonic()

    def step(self, message: str) -> None:
        self.message = message

    def _spin(self) -> None:
        if self._stop.wait(_FIRST_FRAME_S):
            return
        for frame in itertools.cycle(_FRAMES):
            elapsed = time.monotonic() - self._start
            self.stream.write(f"\r\x1b[K{frame} {self.message} ({elapsed:.1f}s)")
            self.stream.flush()
            if self._stop.wait(_FRAME_S):
                break
        self.stream.write("\r\x1b[K")
        self.stream.flush()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class _Silent:
    def step(self, message: str) -> None:
        pass


@contextmanager
def progress(message: str, stream: TextIO | None = None) -> Iterator[Progress | _Silent]:
    """Show `message` with a spinner on stderr while the block runs, if stderr is a
    terminal; otherwise do nothing (logs and pipes stay clean)."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if not (callable(isatty) and isatty()):
        yield _Silent()
        return
    bar = Progress(message, stream)
    bar.start()
    try:
        yield bar
    finally:
        bar.stop()
