"""`tablefmt completion bash|zsh`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tablefmt.cli.main import build_parser
from tablefmt.connect import WAREHOUSE_ENV

EVERY_COMMAND = ["namespaces", "tables", "describe", "snapshots", "history", "refs", "files",
                 "manifests", "partitions", "diff", "health", "metadata", "sql", "rollback",
                 "tag", "branch", "fast-forward", "expire", "compact", "orphans", "completion"]


def _subcommands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)


def test_help_lists_every_command_of_the_api(cli):
    run = cli("--help")

    assert run.code == 0
    assert sorted(_subcommands()) == sorted(EVERY_COMMAND)
    for name in EVERY_COMMAND:
        assert f"\n    {name} " in run.out


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_needs_no_warehouse_and_names_every_command(cli, monkeypatch, shell):
    monkeypatch.delenv(WAREHOUSE_ENV, raising=False)

    text = cli("completion", shell)
    as_json = cli("--json", "completion", shell)

    assert (text.code, as_json.code) == (0, 0)
    assert as_json.json() == {"shell": shell, "script": text.out}
    for name in EVERY_COMMAND:
        assert name in text.out
    assert "--older-than" in text.out and "--retain-last" in text.out


def test_completion_of_an_unknown_shell_is_a_usage_error(cli):
    run = cli("completion", "fish")

    assert run.code == 2 and "invalid choice: 'fish'" in run.err


def _bash_complete(script: str, words: list[str], env: dict[str, str]) -> list[str]:
    """Load the script in bash, complete `words` (the last is being typed), print the
    candidates one per line."""
    program = (f'{script}\nCOMP_WORDS=({" ".join(repr(w) for w in words)})\n'
               f"COMP_CWORD={len(words) - 1}\n_tablefmt_complete\n"
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_commands_options_and_table_names(wh, cli):
    script = cli("completion", "bash").out
    # the table names come from running `tablefmt`; find the one next to this interpreter
    scripts = Path(sys.executable).parent
    if not (scripts / "tablefmt").exists():
        pytest.skip("the tablefmt console script is not installed next to this interpreter")
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}",
           WAREHOUSE_ENV: wh.path}

    assert _bash_complete(script, ["tablefmt", "ma"], env) == ["manifests"]
    assert _bash_complete(script, ["tablefmt", "--json", "exp"], env) == ["expire"]
    assert _bash_complete(script, ["tablefmt", "expire", "db.events", "--re"], env) == \
        ["--retain-last"]
    assert _bash_complete(script, ["tablefmt", "describe", "db."], env) == ["db.events"]
    assert _bash_complete(script, ["tablefmt", "diff", "db.events", "1"], env) == []


# zsh's completion builtins, stubbed to print their candidates (compadd filters by the
# typed prefix in a real shell; the stubs print everything offered).
_ZSH_STUBS = """
compdef() { :; }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_describe() { print -l -- ${(P)4}; }
_files() { print '<directories>'; }
"""


def _zsh_complete(script_path: Path, words: list[str], env: dict[str, str]) -> list[str]:
    program = (f"{_ZSH_STUBS}\nsource {script_path}\n"
               f"words=({' '.join(repr(w) for w in words)}); CURRENT={len(words)}; "
               f"PREFIX={words[-1]!r}\n_tablefmt\n")
    proc = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_the_zsh_script_is_valid_zsh_and_offers_commands_options_and_tables(wh, cli, tmp_path):
    path = tmp_path / "_tablefmt"
    path.write_text(cli("completion", "zsh").out)
    scripts = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}",
           WAREHOUSE_ENV: wh.path}

    syntax = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True,
                            timeout=60, check=False)

    assert syntax.returncode == 0, syntax.stderr
    described = _zsh_complete(path, ["tablefmt", "ma"], env)
    assert "manifests:list the manifests of a snapshot (default: the current)" in described
    assert len(described) == len(EVERY_COMMAND)
    assert "--retain-last" in _zsh_complete(path, ["tablefmt", "expire", "db.events", "--re"],
                                            env)
    assert _zsh_complete(path, ["tablefmt", "--warehouse", ""], env) == ["<directories>"]
    if (scripts / "tablefmt").exists():
        assert _zsh_complete(path, ["tablefmt", "describe", "db."], env) == ["db.events"]
