"""Command line: ``agentls lsp|check|run|agents``; ``python -m agentls`` is the same.

Imports are lazy: ``check`` must not pay for pygls, lsprotocol or the anthropic SDK.
"""

from __future__ import annotations

import os
import sys

from agentls import __version__

# ``typing`` for the type checker only: the Claude Code hook starts this module after every
# Write and Edit, and ``import typing`` alone costs as much as the hook's own work on a file
# that is not an agent (bench/bench_hook.py). mypy reads any ``TYPE_CHECKING`` as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, NoReturn


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse  # not for the language server's start-up: see _lsp_options

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # status 2 for bad usage, as argparse
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog}: error: {message}\n")

    return _Parser


def build_parser(full: bool = True) -> argparse.ArgumentParser:
    """The argument parser; ``full=False`` skips the ``run`` options (they import more)."""
    _Parser = _parser_class()
    p = _Parser(
        prog="agentls",
        description="Language server and checker for AI agent "
        "definition files (Claude Code sub-agents and their kin).",
    )
    p.add_argument("--version", action="version", version=f"agentls {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    lsp = sub.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    lsp.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    lsp.add_argument("--log-file", help="write the server log to this file")
    lsp.add_argument("-v", "--verbose", action="count", default=0, help="more logging")

    chk = sub.add_parser("check", help="check agent files (for CI and pre-commit)")
    chk.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    chk.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text")
    chk.add_argument(
        "--fail-on",
        choices=["error", "warning", "never"],
        default="error",
        help="exit 1 when a finding of this severity or worse exists (default: error)",
    )
    from agentls.dialects.registry import ALL_DIALECTS

    chk.add_argument(
        "--dialect",
        choices=ALL_DIALECTS,
        help="treat every .md file given or found as this dialect",
    )
    chk.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule reported instead of the findings (text or json)",
    )
    chk.add_argument(
        "--show-suppressed",
        action="store_true",
        help="also show what the configuration or a suppression comment silenced, and why",
    )
    chk.add_argument("--fix", action="store_true", help="apply safe fixes to the files")
    chk.add_argument("--dry-run", action="store_true", help="with --fix: print a diff only")
    chk.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        help="worker processes (default: one per core for large trees)",
    )

    hook = sub.add_parser(
        "hook",
        help="Claude Code hook: check the file Claude just wrote (JSON on stdin; "
        "editors/claude-code)",
    )
    hook.add_argument("client", choices=["claude-code"])
    hook.add_argument("--level", choices=["error", "warning", "information", "hint"])

    ag = sub.add_parser("agents", help="list the agents, skills and commands agentls sees")
    ag.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    ag.add_argument("--format", choices=["text", "json"], default="text")
    ag.add_argument("--no-user", action="store_true", help="skip ~/.claude and $CLAUDE_CONFIG_DIR")

    if full:
        from agentls.runner.cli import add_run_parser

        add_run_parser(sub)
    else:
        sub.add_parser("run", help="run an agent on a piece of code")
        sub.add_parser("apply", help="apply a kept run's proposed changes")
        sub.add_parser("runs", help="list the recent agent runs")
    return p


def _exit_now(code: int) -> NoReturn:
    """End the process without tearing the interpreter down: freeing every module and
    the analyses of thousands of files one by one takes longer than the process's end.
    Output is flushed first; nothing else is pending (the worker pool has been joined)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (`| head`), or closed
        code = code or 1
    os._exit(code)


def _lsp_options(args: list[str]) -> dict[str, Any] | None:
    """``agentls lsp`` options read without argparse (whose import and set-up cost ~13 ms of
    the server's start-up); None when anything else is given (help, errors: argparse)."""
    opts: dict[str, Any] = {"tcp": None, "log_file": None, "verbose": 0}
    i = 0
    while i < len(args):
        a = args[i]
        name, eq, value = a.partition("=")
        if name in ("--tcp", "--log-file"):
            if not eq:
                if i + 1 >= len(args) or args[i + 1].startswith("-"):
                    return None
                i += 1
                value = args[i]
            opts["tcp" if name == "--tcp" else "log_file"] = value
        elif a == "--stdio":
            pass
        elif a == "--verbose":
            opts["verbose"] += 1
        elif len(a) > 1 and a[0] == "-" and a[1:] == "v" * (len(a) - 1):
            opts["verbose"] += len(a) - 1
        else:
            return None
        i += 1
    return opts


def _agents(paths: list[str], fmt: str, *, user: bool) -> int:
    """``agentls agents [PATH...] [--format text|json] [--no-user]``."""
    for p in paths:
        if not os.path.isdir(p):
            from agentls.terminal import escape

            sys.stderr.write(f"agentls agents: not a directory: {escape(p, multiline=False)}\n")
            return 2
    from agentls.indexing import build_index
    from agentls.render import render_agents_json, render_agents_text, say_skipped

    index = build_index([os.path.abspath(p) for p in paths], user=user)
    say_skipped(index.skipped, "agents")
    render = render_agents_json if fmt == "json" else render_agents_text
    render(index.all(), sys.stdout, index.skipped)
    return 0


def main(argv: list[str] | None = None) -> int:
    from_command_line = argv is None
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["lsp"] or (argv[:1] == ["check"] and from_command_line):
        # Start-up: importing lsprotocol and pygls (lsp) or PyYAML and jsonschema (check)
        # creates ~100,000 objects, and the collector's passes over them cost more than our
        # own imports. The collector is turned back on, with those objects frozen, once
        # `initialize` is answered (agentls.lsp.lifecycle) or the files are about to be
        # read (agentls.check.tune_gc). A check run inside another program (tests) leaves
        # that program's collector alone.
        import gc

        gc.disable()
    if argv[:1] == ["hook"] and argv[1:2] == ["claude-code"]:
        # Claude Code runs this after every Write/Edit: no argparse, nothing imported for a
        # file agentls does not check (agentls.claude_hook)
        from agentls.claude_hook import main as hook_main

        code = hook_main(argv[1:])
        if from_command_line:
            _exit_now(code)
        return code
    if argv[:1] == ["lsp"] and (fast := _lsp_options(argv[1:])) is not None:
        from agentls.lsp.server import start

        return start(**fast)
    light = bool(argv) and argv[0] in ("check", "lsp", "agents")
    parser = build_parser(full=not light)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "check":
        if args.fix:
            from agentls.fix import run_fix

            return run_fix(args.paths, args.dialect, dry_run=args.dry_run)
        if args.statistics and args.format not in ("text", "json"):
            parser.error("--statistics prints text or json, not " + args.format)
        from agentls.check import run_check, tune_gc

        if from_command_line:
            tune_gc()
        jobs = args.jobs or (os.cpu_count() or 1)
        try:
            rc = run_check(
                args.paths,
                args.format,
                args.fail_on,
                args.dialect,
                jobs=jobs,
                statistics=args.statistics,
                show_suppressed=args.show_suppressed,
            )
        except BrokenPipeError:  # `agentls check | head`: the reader has what it wanted
            if not from_command_line:
                raise
            _exit_now(1)
        if from_command_line:
            _exit_now(rc)
        return rc
    if args.command == "lsp":
        from agentls.lsp.server import start

        return start(tcp=args.tcp, log_file=args.log_file, verbose=args.verbose)
    if args.command == "agents":
        return _agents(args.paths, args.format, user=not args.no_user)
    if args.command in ("run", "apply", "runs"):
        status: int = args.func(args)  # agentls.runner.cli
        return status
    parser.print_help()
    return 2
