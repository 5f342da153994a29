"""The ``okta-async`` command: a demo, a local fake org, and bulk user/group/app chores.

Usage overview (``okta-async COMMAND --help`` for each)::

    okta-async demo
    okta-async fake-org --port 8080 --users 10000 --groups 50 --apps 20
    okta-async users export --format jsonl|csv [--search EXPR] [--filter EXPR] [--output FILE]
    okta-async users import FILE.csv --concurrency 16 --journal import.sqlite [--dry-run]
    okta-async groups add-members GROUP FILE
    okta-async apps assign APP (--users FILE | --groups FILE)
    okta-async logs tail --since 15m

Connection settings come from the standard configuration (``OKTA_CLIENT_ORGURL`` and
``OKTA_CLIENT_TOKEN``, ``./okta.yaml``, ``~/.okta/okta.yaml``) and can be overridden per command
with ``--org-url`` and ``--token``.

This module only imports argparse at load time; the SDK, aiohttp and the fake org are
imported when a command runs, so ``okta-async --help`` is instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _global_flags(*, inherited: bool) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """Parents holding the output flags and output + connection flags.

    The same flags are accepted before and after the subcommand: the top level sets defaults,
    and a subcommand's copies (``inherited``) leave a flag alone unless it is given there.
    """
    default = argparse.SUPPRESS if inherited else None
    output = argparse.ArgumentParser(add_help=False)
    out = output.add_argument_group("output")
    out.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS if inherited else 0,
        help="log retries and rate-limit waits to stderr (-vv: every request too)",
    )
    out.add_argument(
        "--no-progress",
        action="store_true",
        default=argparse.SUPPRESS if inherited else False,
        help="do not print progress on stderr",
    )
    out.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if inherited else False,
        help="show full tracebacks for unexpected errors",
    )

    common = argparse.ArgumentParser(add_help=False, parents=[output])
    conn = common.add_argument_group("connection")
    conn.add_argument(
        "--org-url",
        metavar="URL",
        default=default,
        help="Okta org URL, e.g. https://acme.okta.com (default: OKTA_CLIENT_ORGURL / okta.yaml)",
    )
    conn.add_argument(
        "--token",
        metavar="TOKEN",
        default=default,
        help="API token (default: OKTA_CLIENT_TOKEN / okta.yaml; prefer those over this flag, "
        "which other users of the machine can see in the process list)",
    )
    return output, common


def build_parser() -> argparse.ArgumentParser:
    """The complete argument parser (exposed for tests and documentation)."""
    _, top_flags = _global_flags(inherited=False)
    output, common = _global_flags(inherited=True)
    parser = argparse.ArgumentParser(
        prog="okta-async",
        description="Async Okta Management API toolkit: demo, local fake org, bulk chores. "
        "Output and connection flags go before or after the command.",
        parents=[top_flags],
    )
    from okta_async._version import __version__

    parser.add_argument("--version", action="version", version=f"okta-async {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        parents=[output],
        help="run a self-contained tour against an in-process fake org",
        description="Start a fake Okta org in this process, import users from a generated CSV, "
        "create groups and memberships, assign an app, export the users and print a summary.",
    )
    demo.add_argument("--users", type=_count, default=3000, help="users to import (default 3000)")
    demo.add_argument(
        "--concurrency", type=_positive_int, default=32, help="parallel requests (default 32)"
    )
    demo.add_argument(
        "--workdir", metavar="DIR", help="keep the generated CSV, journal and export here"
    )
    demo.set_defaults(handler="demo")

    fake = commands.add_parser(
        "fake-org",
        parents=[output],
        help="serve a fake Okta org over HTTP until Ctrl-C",
        description="Serve the embedded fake Okta org on 127.0.0.1 and print its URL and token.",
    )
    fake.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    fake.add_argument("--port", type=int, default=8080, help="TCP port (default 8080; 0 = any)")
    fake.add_argument("--users", type=_count, default=1000, help="seeded users (default 1000)")
    fake.add_argument("--groups", type=_count, default=10, help="seeded groups (default 10)")
    fake.add_argument("--apps", type=_count, default=5, help="seeded apps (default 5)")
    fake.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fake.add_argument(
        "--token",
        dest="fake_token",
        metavar="TOKEN",
        help="the API token the fake org accepts (default: a random one, printed)",
    )
    fake.add_argument(
        "--rate-limit",
        metavar="SPEC",
        action="append",
        default=[],
        help="rate limits, e.g. 'POST /api/v1/users=100/s;*=600/min;concurrent=75' or 'okta' "
        "for Okta's defaults (repeatable; default: effectively unlimited)",
    )
    fake.add_argument(
        "--faults",
        metavar="SPEC",
        help="injected faults, e.g. 'latency=5ms-20ms,error_rate=0.02;"
        "POST /api/v1/users:reset_after=0.1' (seeded by --seed)",
    )
    fake.set_defaults(handler="fake_org")

    users = commands.add_parser("users", help="export or import users")
    users_cmds = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    export = users_cmds.add_parser(
        "export",
        parents=[common],
        help="stream every user (or a search) to JSON lines or CSV",
        description="Stream users page by page (constant memory) to a file or stdout.",
    )
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--search", metavar="EXPR", help="e.g. 'profile.department eq \"Eng\"'")
    export.add_argument("--filter", metavar="EXPR", help="e.g. 'status eq \"ACTIVE\"'")
    export.add_argument("-q", "--query", metavar="TEXT", help="prefix match on name and email")
    export.add_argument(
        "--columns",
        metavar="ATTRS",
        help="comma-separated profile attributes for CSV (default: login,email,firstName,lastName)",
    )
    export.add_argument("--max", type=_positive_int, metavar="N", help="stop after N users")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(handler="users_export")

    imp = users_cmds.add_parser(
        "import",
        parents=[common],
        help="create users from a CSV file (resumable with --journal)",
        description="Create one user per CSV row. Columns: email, firstName, lastName (required), "
        "login (defaults to email), password, groups (ids separated by ';'), and any other "
        "profile attribute. Bad rows are reported with their line number and skipped.",
    )
    imp.add_argument("file", metavar="FILE.csv", help="the CSV file ('-' for stdin)")
    imp.add_argument(
        "--concurrency", type=_positive_int, default=16, help="parallel requests (default 16)"
    )
    imp.add_argument(
        "--journal",
        metavar="J",
        help="SQLite journal: a rerun with the same journal skips rows already done",
    )
    imp.add_argument(
        "--new-journal",
        action="store_true",
        help="start the journal over (it refuses to be reused for another org or file)",
    )
    imp.add_argument(
        "--skip-existing",
        action="store_true",
        help="count a row whose login is already taken as existed, not as failed",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="check every row as a real run would, send nothing"
    )
    imp.add_argument(
        "--no-activate", dest="activate", action="store_false", help="create users STAGED"
    )
    imp.set_defaults(handler="users_import")

    groups = commands.add_parser("groups", help="group chores")
    groups_cmds = groups.add_subparsers(dest="groups_command", metavar="ACTION", required=True)
    add = groups_cmds.add_parser(
        "add-members",
        parents=[common],
        help="add the users listed in FILE to GROUP",
        description="FILE has one user id or login per line (or a CSV with an id or login "
        "column, such as the output of 'users export --format csv').",
    )
    add.add_argument("group", metavar="GROUP", help="group id or exact group name")
    add.add_argument("file", metavar="FILE", help="users, one id or login per line")
    add.add_argument("--concurrency", type=_positive_int, default=16)
    add.set_defaults(handler="groups_add_members")

    apps = commands.add_parser("apps", help="application chores")
    apps_cmds = apps.add_subparsers(dest="apps_command", metavar="ACTION", required=True)
    assign = apps_cmds.add_parser(
        "assign",
        parents=[common],
        help="assign the users or groups listed in a file to APP",
    )
    assign.add_argument("app", metavar="APP", help="application id or exact label")
    who = assign.add_mutually_exclusive_group(required=True)
    who.add_argument("--users", metavar="FILE", help="users, one id or login per line")
    who.add_argument("--groups", metavar="FILE", help="groups, one id or exact name per line")
    assign.add_argument("--concurrency", type=_positive_int, default=16)
    assign.set_defaults(handler="apps_assign")

    logs = commands.add_parser("logs", help="System Log")
    logs_cmds = logs.add_subparsers(dest="logs_command", metavar="ACTION", required=True)
    tail = logs_cmds.add_parser(
        "tail",
        parents=[common],
        help="follow the System Log (until Ctrl-C, or --until / --max)",
    )
    tail.add_argument(
        "--since",
        default="15m",
        metavar="WHEN",
        help="ISO 8601 time or a relative age such as 30s, 15m, 2h, 7d (default 15m)",
    )
    tail.add_argument("--until", metavar="WHEN", help="stop at this time instead of following")
    tail.add_argument("--filter", metavar="EXPR", help="e.g. 'eventType eq \"user.session.start\"'")
    tail.add_argument("-q", "--query", metavar="TEXT", help="keyword search")
    tail.add_argument("--format", choices=("text", "jsonl"), default="text")
    tail.add_argument("--max", type=_positive_int, metavar="N", help="stop after N events")
    tail.add_argument(
        "--poll-interval", type=float, default=5.0, metavar="SECONDS", help="default 5"
    )
    tail.set_defaults(handler="logs_tail")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code.

    Expected failures (bad input, bad configuration, an unreachable org, an Okta error) are
    printed as one line on stderr with a non-zero exit code; ``--debug`` shows tracebacks.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    from okta_async.cli import _errors

    try:
        from okta_async.cli import _commands

        return _commands.run(args)
    except BrokenPipeError:  # e.g. `okta-async users export | head`: the reader has enough
        _silence_stdout()
        return _errors.EXIT_OK
    except KeyboardInterrupt:
        if args.handler == "fake_org":  # Ctrl-C is how a fake org is meant to stop
            print("fake org stopped", file=sys.stderr)
            return _errors.EXIT_OK
        print(f"interrupted{_resume_hint(args)}", file=sys.stderr)
        return _errors.EXIT_INTERRUPTED
    except Exception as exc:
        described = _errors.describe(exc)
        if args.debug:
            raise
        if described is None:
            print(
                f"okta-async: unexpected error: {type(exc).__name__}: {exc} "
                "(rerun with --debug for a traceback)",
                file=sys.stderr,
            )
            return 70
        message, code = described
        print(f"okta-async: {message}", file=sys.stderr)
        return code


def _resume_hint(args: argparse.Namespace) -> str:
    """How to carry on after Ctrl-C (for ``users import``; other commands can simply rerun)."""
    if args.handler != "users_import":
        return ""
    if args.journal:
        return f"; run the same command again to resume from the journal {args.journal}"
    return "; rerun with --skip-existing (users already created count as existed) to carry on"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
