"""`tablefmt completion bash|zsh`: a shell completion script generated from the argument
parser, so it lists every command and option. Table and namespace arguments complete
from the warehouse (`tablefmt tables` / `namespaces`, with the command line's
`--warehouse`/`--catalog`, else $TABLEFMT_WAREHOUSE). Needs no warehouse itself."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tablefmt.catalog import Catalog
from tablefmt.cli.commands import Result
from tablefmt.cli.options import Add

SHELLS = ("bash", "zsh")
_GLOBAL_WITH_VALUE = ("--warehouse", "--catalog")


def register(add: Add) -> None:
    p = add("completion", completion, "print a shell completion script, e.g. "
                                      "eval \"$(tablefmt completion bash)\"")
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(standalone=True)  # runs without a warehouse


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    summary: str
    options: tuple[str, ...]
    valued: tuple[str, ...]  # the options that take a value
    first_positional: str | None  # its dest: "table", "namespace", "shell", ...


def completion(cat: Catalog | None, args: argparse.Namespace) -> Result:
    from tablefmt.cli.main import build_parser  # main imports this module

    commands = command_infos(build_parser())
    script = bash_script(commands) if args.shell == "bash" else zsh_script(commands)
    return Result({"shell": args.shell, "script": script}, script.rstrip("\n"))


def command_infos(parser: argparse.ArgumentParser) -> list[CommandInfo]:
    """Every subcommand with its summary, options and first positional argument."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    summaries = {a.dest: a.help or "" for a in sub._choices_actions}
    out = []
    for name, p in sub.choices.items():
        options = tuple(o for a in p._actions for o in a.option_strings if o.startswith("--"))
        valued = tuple(o for a in p._actions if a.option_strings and a.nargs != 0
                       for o in a.option_strings if o.startswith("--"))
        positional = next((a.dest for a in p._actions if not a.option_strings), None)
        out.append(CommandInfo(name, summaries.get(name, ""), options, valued, positional))
    return out


def _valued_options(commands: list[CommandInfo]) -> list[str]:
    """Options whose next word is their value, not a positional argument."""
    return sorted(set(_GLOBAL_WITH_VALUE).union(*(c.valued for c in commands)))


def _names(commands: list[CommandInfo], positional: str) -> str:
    return "|".join(c.name for c in commands if c.first_positional == positional) or "_none_"


def bash_script(commands: list[CommandInfo]) -> str:
    valued = "|".join(_valued_options(commands))
    cases = "\n".join(f"            {c.name}) opts=\"{' '.join(c.options)}\" ;;" for c in commands)
    return f"""# tablefmt bash completion. Load it with:  eval "$(tablefmt completion bash)"
_tablefmt_complete() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local i cmd="" npos=0 opts
    local -a conn=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            --warehouse|--catalog) conn+=("${{COMP_WORDS[i]}}" "${{COMP_WORDS[i+1]}}"); ((i++)) ;;
            {valued}) ((i++)) ;;
            -*) ;;
            *) if [[ -z $cmd ]]; then cmd="${{COMP_WORDS[i]}}"; else ((npos++)); fi ;;
        esac
    done
    case "$prev" in
        --warehouse) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        {valued}) COMPREPLY=(); return ;;
    esac
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--warehouse --catalog --json --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "{' '.join(c.name for c in commands)}" -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        case "$cmd" in
{cases}
            *) opts="" ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    ((npos == 0)) || return
    case "$cmd" in
        {_names(commands, "table")}) COMPREPLY=($(compgen -W \\
            "$(tablefmt "${{conn[@]}}" tables 2>/dev/null | tail -n +2)" -- "$cur")) ;;
        {_names(commands, "namespace")}) COMPREPLY=($(compgen -W \\
            "$(tablefmt "${{conn[@]}}" namespaces 2>/dev/null | tail -n +2)" -- "$cur")) ;;
        completion) COMPREPLY=($(compgen -W "{' '.join(SHELLS)}" -- "$cur")) ;;
    esac
}}
complete -F _tablefmt_complete tablefmt
"""


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def zsh_script(commands: list[CommandInfo]) -> str:
    valued = "|".join(_valued_options(commands))
    described = "\n".join(f"    {_zsh_quote(c.name + ':' + c.summary)}" for c in commands)
    cases = "\n".join(f"      {c.name}) compadd -- {' '.join(c.options)} ;;" for c in commands)
    return f"""#compdef tablefmt
# tablefmt zsh completion. Save it as _tablefmt in a directory on $fpath, or load it
# after compinit with:  source <(tablefmt completion zsh)
_tablefmt() {{
  local i cmd= npos=0
  local -a conn commands
  commands=(
{described}
  )
  for ((i = 2; i < CURRENT; i++)); do
    case $words[i] in
      --warehouse|--catalog) conn+=($words[i] $words[i+1]); ((i++)) ;;
      {valued}) ((i++)) ;;
      -*) ;;
      *) if [[ -z $cmd ]]; then cmd=$words[i]; else ((npos++)); fi ;;
    esac
  done
  case $words[CURRENT-1] in
    --warehouse) _files -/; return ;;
    {valued}) return ;;
  esac
  if [[ -z $cmd ]]; then
    if [[ $PREFIX == -* ]]; then
      compadd -- --warehouse --catalog --json --help
    else
      _describe -t commands 'tablefmt command' commands
    fi
    return
  fi
  if [[ $PREFIX == -* ]]; then
    case $cmd in
{cases}
    esac
    return
  fi
  (( npos == 0 )) || return
  case $cmd in
    {_names(commands, "table")})
      compadd -- ${{(f)"$(tablefmt $conn tables 2>/dev/null | tail -n +2)"}} ;;
    {_names(commands, "namespace")})
      compadd -- ${{(f)"$(tablefmt $conn namespaces 2>/dev/null | tail -n +2)"}} ;;
    completion) compadd -- {' '.join(SHELLS)} ;;
  esac
}}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _tablefmt "$@"
else
  compdef _tablefmt tablefmt
fi
"""
