"""Colour only on a terminal and never with NO_COLOR; progress only on a terminal."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time

import pytest

from tablefmt.cli.terminal import Painter, colour_enabled, progress

ANSI = "\x1b["


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def plain_env(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def test_colour_is_on_for_a_terminal_and_off_for_a_pipe(plain_env):
    assert colour_enabled(FakeTerminal())
    assert not colour_enabled(io.StringIO())


@pytest.mark.parametrize(("name", "value"), [("NO_COLOR", "1"), ("NO_COLOR", "yes"),
                                             ("TERM", "dumb")])
def test_no_color_or_a_dumb_terminal_turns_colour_off_even_on_a_terminal(plain_env, monkeypatch,
                                                                         name, value):
    monkeypatch.setenv(name, value)

    assert not colour_enabled(FakeTerminal())


def test_an_empty_no_color_does_not_count_as_set(plain_env, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "")  # https://no-color.org: "present and not empty"

    assert colour_enabled(FakeTerminal())


def test_painter_wraps_text_only_when_enabled():
    assert Painter(False).paint("ok", "green") == "ok"
    assert Painter(True).paint("ok", "green") == "\x1b[32mok\x1b[0m"


def test_progress_writes_nothing_when_stderr_is_not_a_terminal():
    stream = io.StringIO()

    with progress("Working", stream) as bar:
        bar.step("Still working")
        time.sleep(0.45)

    assert stream.getvalue() == ""


def test_progress_on_a_terminal_shows_the_step_and_clears_its_line():
    stream = FakeTerminal()

    with progress("Planning", stream) as bar:
        bar.step("Rewriting 2 files")
        time.sleep(0.45)

    out = stream.getvalue()
    assert "Rewriting 2 files (0." in out
    assert out.endswith("\r\x1b[K")


def test_progress_of_a_quick_command_shows_nothing_even_on_a_terminal():
    stream = FakeTerminal()

    with progress("Planning", stream):
        pass

    assert stream.getvalue() == ""


# -- the real process on a pseudo-terminal ------------------------------------------------

def _run_on_a_terminal(argv: list[str], **env: str) -> tuple[int, str]:
    """Run the CLI with stdout on a pseudo-terminal; return its status and output."""
    main_fd, child_fd = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    proc = subprocess.Popen([sys.executable, "-m", "tablefmt.cli", *argv], stdout=child_fd,
                            stderr=subprocess.PIPE, env={**environ, "TERM": "xterm", **env})
    os.close(child_fd)
    chunks = []
    while True:
        try:
            data = os.read(main_fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main_fd)
    proc.stderr.close()
    return proc.wait(timeout=120), b"".join(chunks).decode()


def test_a_terminal_gets_colour_unless_no_color_is_set_and_a_pipe_never_does(wh, cli):
    argv = ["--warehouse", wh.path, "health", "db.events"]

    code, coloured = _run_on_a_terminal(argv)
    no_color_code, plain = _run_on_a_terminal(argv, NO_COLOR="1")
    piped = cli(*argv)  # captured: not a terminal

    assert (code, no_color_code, piped.code) == (0, 0, 0)
    assert "\x1b[33mWARNING" in coloured
    assert ANSI not in plain and "WARNING small_files" in plain
    assert ANSI not in piped.out and ANSI not in piped.err
    assert plain.replace("\r\n", "\n") == piped.out
