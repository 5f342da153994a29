"""The command implementations behind ``okta-async``; imported only when a command runs.

The building blocks (``export_users``, ``import_users``, ``add_group_members``,
``assign_to_app``) take an open :class:`~okta_async.OktaClient` so that ``demo`` can reuse them
against its in-process fake org.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import hashlib
import logging
import re
import sys
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
)
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from okta_async.cli._csvio import (
    RowError,
    UserRow,
    open_text,
    read_refs,
    read_user_rows,
)
from okta_async.cli._errors import (
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_REJECTED,
    EXIT_UNREACHABLE,
    CliError,
    okta_error_summary,
)
from okta_async.cli._progress import Progress

if TYPE_CHECKING:
    from okta_async.client import OktaClient

_USER_ID = re.compile(r"^00u[0-9A-Za-z]{17}$")
_GROUP_ID = re.compile(r"^00g[0-9A-Za-z]{17}$")
_APP_ID = re.compile(r"^0oa[0-9A-Za-z]{17}$")
_CSV_BASE_COLUMNS = ("id", "status", "created", "lastUpdated", "lastLogin")
_CSV_DEFAULT_PROFILE = ("login", "email", "firstName", "lastName")


# --------------------------------------------------------------------------------------------
# Plumbing shared by every command


def run(args: argparse.Namespace) -> int:
    """Dispatch parsed arguments to the command's coroutine and return the exit code."""
    _configure_logging(args.verbose)
    handler = _HANDLERS[args.handler]
    return asyncio.run(handler(args))


class _CliLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``-v`` installs (one at most, however often main() runs in a process)."""

    previous_level = logging.NOTSET
    """The library logger's level before ``-v`` changed it, restored when the handler goes."""


def _configure_logging(verbosity: int) -> None:
    logger = logging.getLogger("okta_async")
    for old in [h for h in logger.handlers if isinstance(h, _CliLogHandler)]:
        logger.removeHandler(old)
        logger.setLevel(old.previous_level)  # what an earlier main(["-v", ...]) changed
    if not verbosity:
        return
    handler = _CliLogHandler(sys.stderr)
    handler.previous_level = logger.level
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def connect(args: argparse.Namespace) -> AsyncIterator[OktaClient]:
    """An OktaClient from ``--org-url``/``--token`` over the standard configuration.

    A connection failure is re-raised as a one-line :class:`CliError` naming the org.
    """
    from okta_async import OktaClient
    from okta_async._core.errors import APIConnectionError, APITimeoutError

    options: dict[str, Any] = {}
    if args.org_url:
        options["org_url"] = args.org_url
    if args.token:
        options["token"] = args.token
    okta = OktaClient(**options)
    try:
        async with okta:
            yield okta
    except APITimeoutError as exc:
        org = str(okta.org_url)
        raise CliError(
            f"the Okta org at {org} did not answer in time: {exc}", EXIT_UNREACHABLE
        ) from None
    except APIConnectionError as exc:
        org = str(okta.org_url)
        raise CliError(f"cannot reach the Okta org at {org}: {exc}", EXIT_UNREACHABLE) from None


def _progress(args: argparse.Namespace, label: str, **kwargs: Any) -> Progress:
    return Progress(label, enabled=not getattr(args, "no_progress", False), **kwargs)


@dataclass
class Tally:
    """Counts of a bulk command, printed as its last line."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    rejected: int = 0  # input rows refused before any request
    details: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 when some items or rows failed."""
        return EXIT_PARTIAL if (self.failed or self.rejected) else EXIT_OK


# --------------------------------------------------------------------------------------------
# users export


def _flatten_for_csv(user: dict[str, Any], profile_columns: Iterable[str]) -> list[str]:
    profile = user.get("profile") or {}
    row = [_cell(user.get(c)) for c in _CSV_BASE_COLUMNS]
    row.extend(_cell(profile.get(c)) for c in profile_columns)
    return row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return orjson.dumps(value).decode()


async def export_users(
    okta: OktaClient,
    out: TextIO,
    *,
    fmt: str = "jsonl",
    search: str | None = None,
    filter: str | None = None,
    query: str | None = None,
    columns: tuple[str, ...] = _CSV_DEFAULT_PROFILE,
    max_items: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream users page by page into ``out`` as JSON lines or CSV; returns how many.

    Raw mode skips building models: each user is written as Okta sent it and then dropped,
    so memory stays flat however many users the org has.
    """
    from okta_async import UNSET

    paginator = okta.users.list_users(
        search=search if search else UNSET,
        filter=filter if filter else UNSET,
        q=query if query else UNSET,
        limit=200,
        max_items=max_items,
    ).raw()
    writer = None
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*_CSV_BASE_COLUMNS, *columns])
    count = 0
    async for user in paginator:
        if writer is not None:
            writer.writerow(_flatten_for_csv(user, columns))
        else:
            out.write(orjson.dumps(user).decode())
            out.write("\n")
        count += 1
        if progress is not None:
            progress.advance()
    out.flush()
    return count


async def _cmd_users_export(args: argparse.Namespace) -> int:
    columns = _CSV_DEFAULT_PROFILE
    if args.columns:
        columns = tuple(c.strip() for c in args.columns.split(",") if c.strip())
    async with connect(args) as okta:
        with contextlib.ExitStack() as stack:
            if args.output and args.output != "-":
                try:
                    out: TextIO = stack.enter_context(
                        open(args.output, "w", encoding="utf-8", newline="")
                    )
                except OSError as exc:
                    raise CliError(f"{args.output}: {exc.strerror or exc}") from None
            else:
                out = sys.stdout
            progress = stack.enter_context(_progress(args, "export users", unit="users"))
            count = await export_users(
                okta,
                out,
                fmt=args.format,
                search=args.search,
                filter=args.filter,
                query=args.query,
                columns=columns,
                max_items=args.max,
                progress=progress,
            )
    if args.output and args.output != "-":
        _err(f"exported {count:,} users to {args.output}")
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# users import


def _count_data_lines(path: str) -> int | None:
    """Lines after the header (an upper bound on rows, for the progress bar); None for stdin."""
    if path == "-":
        return None
    try:
        with open(path, "rb") as fh:
            return max(sum(1 for _ in fh) - 1, 0)
    except OSError:
        return None  # open_text() reports the problem in one line


def input_fingerprint(path: str) -> str | None:
    """``sha256:<hex>`` of the file's bytes, binding a journal to its input; None for stdin."""
    if path == "-":
        return None
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None  # open_text() reports the problem in one line
    return f"sha256:{digest.hexdigest()[:16]}"


class CsvItem(dict):  # type: ignore[type-arg]
    """A create-users item that remembers the CSV line it came from (for messages)."""

    __slots__ = ("line",)

    def __init__(self, line: int, item: dict[str, Any]) -> None:
        super().__init__(item)
        self.line = line


def _bulk_row(row: UserRow) -> CsvItem:
    """The create-users item for one CSV row, in the shape ``okta.bulk.create_users`` takes."""
    item: dict[str, Any] = {"profile": dict(row.profile)}
    if row.password is not None:
        item["credentials"] = {"password": {"value": row.password}}
    if row.group_ids:
        item["group_ids"] = list(row.group_ids)
    return CsvItem(row.line, item)


@dataclass(frozen=True)
class ImportOptions:
    """How ``import_users`` runs the bulk job (the ``users import`` flags)."""

    concurrency: int = 16
    journal: str | None = None
    fingerprint: str | None = None
    new_journal: bool = False
    activate: bool = True
    skip_existing: bool = False


async def import_users(
    okta: OktaClient,
    rows: Iterable[UserRow | RowError],
    options: ImportOptions,
    *,
    tally: Tally | None = None,
    progress: Progress | None = None,
    report: Callable[[str], None] = _err,
) -> Tally:
    """Create a user per valid row through ``okta.bulk.create_users``.

    Bad rows are reported (``line N: why``) as they are read and the rest carry on; rows that
    Okta rejects are reported with their line number too. With a journal, a rerun skips the
    rows already done. ``tally`` (updated as outcomes arrive) survives an interruption.
    """
    tally = tally if tally is not None else Tally()

    def valid_rows() -> Iterator[CsvItem]:
        for row in rows:
            if isinstance(row, RowError):
                tally.rejected += 1
                _note(progress, report, f"line {row.line}: {row.message} (row skipped)")
                if progress is not None:
                    progress.advance(skipped=1)
                continue
            yield _bulk_row(row)

    job = okta.bulk.create_users(
        valid_rows(),
        activate=options.activate,
        skip_existing=options.skip_existing,
        concurrency=options.concurrency,
        journal=options.journal,
        journal_fingerprint=options.fingerprint,
        new_journal=options.new_journal,
    )
    async for outcome in job:
        _count_outcome(tally, outcome, progress, report)
    return tally


def _count_outcome(
    tally: Tally, outcome: Any, progress: Progress | None, report: Callable[[str], None]
) -> None:
    """Add one create outcome to the tally, reporting a failure with its CSV line."""
    status = _outcome_status(outcome)
    if status == "failed":
        tally.failed += 1
        login = _outcome_login(outcome)
        line = getattr(outcome.item, "line", None)
        where = f"line {line}" if line else (login or "?")
        detail = "failed" if outcome.error is None else okta_error_summary(outcome.error)
        _note(progress, report, f"{where}: {login}: {detail}")
    elif status == "skipped":
        tally.skipped += 1
    else:
        tally.done += 1
        tally.details[status] = tally.details.get(status, 0) + 1
    if progress is not None:
        progress.advance(failed=1 if status == "failed" else 0)


def _note(progress: Progress | None, report: Callable[[str], None], message: str) -> None:
    if progress is not None and report is _err:
        progress.note(message)
    else:
        report(message)


def _outcome_status(outcome: Any) -> str:
    """``created``/``existed``/``skipped``/``failed``... for a bulk Outcome."""
    if getattr(outcome, "error", None) is not None:
        return "failed"
    status = getattr(outcome, "status", None)
    if status is None:
        return "done"
    return str(getattr(status, "value", status)).lower()


def _outcome_login(outcome: Any) -> str | None:
    item = getattr(outcome, "item", None)
    if isinstance(item, dict):
        profile = item.get("profile") or {}
        login = profile.get("login")
        return str(login) if login else None
    return None


def _dry_run(path: str) -> int:
    """Check every row as a real import would (CSV, required values, repeated logins)."""
    tally = Tally()
    with open_text(path) as stream:
        for row in read_user_rows(stream):
            if isinstance(row, RowError):
                tally.rejected += 1
                _err(f"line {row.line}: {row.message} (row skipped)")
            else:
                tally.done += 1
    print(
        f"dry run: {tally.done:,} rows valid, {tally.rejected:,} rejected; nothing was sent to Okta"
    )
    return tally.exit_code


async def _cmd_users_import(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _dry_run(args.file)
    options = ImportOptions(
        concurrency=args.concurrency,
        journal=args.journal,
        fingerprint=input_fingerprint(args.file) if args.journal else None,
        new_journal=args.new_journal,
        activate=args.activate,
        skip_existing=args.skip_existing,
    )
    total = _count_data_lines(args.file)
    tally = Tally()
    with open_text(args.file) as stream:
        rows = read_user_rows(stream)
        async with connect(args) as okta:
            with _progress(args, "import users", total=total, unit="rows") as progress:
                try:
                    await import_users(okta, rows, options, tally=tally, progress=progress)
                except (
                    asyncio.CancelledError
                ):  # Ctrl-C: say what was done before main() says how to resume
                    _err(f"{_import_summary(tally)} before the interruption")
                    raise
    print(_import_summary(tally))
    return tally.exit_code


def _import_summary(tally: Tally) -> str:
    """``import: N created, N existed, ...``: each finished row counted once, under its status."""
    parts = [f"{tally.details.get('created', 0):,} created"]
    for name, n in sorted(tally.details.items()):
        if name != "created":
            parts.append(f"{n:,} {name}")
    if tally.skipped:
        parts.append(f"{tally.skipped:,} already done (journal)")
    parts.append(f"{tally.failed:,} failed")
    parts.append(f"{tally.rejected:,} bad rows")
    return "import: " + ", ".join(parts)


# --------------------------------------------------------------------------------------------
# groups add-members / apps assign


async def resolve_group(okta: OktaClient, ref: str) -> str:
    """A group id from an id or an exact group name (CliError if none or several match)."""
    if _GROUP_ID.match(ref):
        return ref
    groups = okta.groups.list_groups(q=ref).raw()
    return await _one_named(ref, groups, _group_name, ("group", "groups", "named"))


async def resolve_app(okta: OktaClient, ref: str) -> str:
    """An application id from an id or an exact label (CliError if none or several match)."""
    if _APP_ID.match(ref):
        return ref
    apps = okta.apps.list_applications(q=ref).raw()
    return await _one_named(ref, apps, _app_label, ("application", "applications", "labelled"))


def _group_name(group: dict[str, Any]) -> Any:
    return (group.get("profile") or {}).get("name")


def _app_label(app: dict[str, Any]) -> Any:
    return app.get("label")


async def _one_named(
    ref: str,
    found: AsyncIterable[dict[str, Any]],
    name_of: Callable[[dict[str, Any]], Any],
    words: tuple[str, str, str],
) -> str:
    """The id of the one object of ``found`` whose name is exactly ``ref``, else a CliError.

    Okta's ``q`` search matches name prefixes, so its answers are filtered for the exact name.
    ``words`` is (singular, plural, verb) for the message, e.g. ("group", "groups", "named").
    """
    singular, plural, verb = words
    matches = [obj["id"] async for obj in found if name_of(obj) == ref]
    if len(matches) != 1:
        problem = f"no {singular}" if not matches else f"{len(matches)} {plural}"
        raise CliError(f"{problem} {verb} {ref!r}; pass the {singular} id instead")
    return str(matches[0])


def object_id(obj: Any) -> str:
    """The ``id`` of a model Okta returned (CliError if it came without one)."""
    ident = getattr(obj, "id", None)
    if not isinstance(ident, str) or not ident:
        raise CliError(f"Okta answered with a {type(obj).__name__} that has no id", EXIT_REJECTED)
    return ident


async def _user_id(okta: OktaClient, ref: str) -> str:
    if _USER_ID.match(ref):
        return ref
    return object_id(await okta.users.get_user(ref))  # Okta looks users up by id or login


async def run_per_item(
    okta: OktaClient,
    refs: Iterable[tuple[int, str]],
    action: Callable[[str], Awaitable[object]],
    *,
    concurrency: int,
    progress: Progress | None = None,
    report: Callable[[str], None] = _err,
) -> Tally:
    """Run ``action(ref)`` for each ``(line, ref)`` with bounded concurrency; report failures."""
    tally = Tally()

    async def one(item: tuple[int, str]) -> object:
        return await action(item[1])

    # Membership and assignment calls are idempotent, so transient failures may be retried.
    runs = okta.bulk.map(one, refs, concurrency=concurrency, max_attempts=3)
    async for outcome in runs:
        line, ref = outcome.item
        if outcome.error is not None:
            tally.failed += 1
            _note(progress, report, f"line {line}: {ref}: {okta_error_summary(outcome.error)}")
        else:
            tally.done += 1
        if progress is not None:
            progress.advance(failed=1 if outcome.error is not None else 0)
    return tally


async def add_group_members(
    okta: OktaClient,
    group_id: str,
    refs: Iterable[tuple[int, str]],
    *,
    concurrency: int = 16,
    progress: Progress | None = None,
) -> Tally:
    """Add each referenced user (id or login) to the group; membership is idempotent."""

    async def add(ref: str) -> None:
        await okta.groups.assign_user_to_group(group_id, await _user_id(okta, ref))

    return await run_per_item(okta, refs, add, concurrency=concurrency, progress=progress)


async def assign_to_app(
    okta: OktaClient,
    app_id: str,
    refs: Iterable[tuple[int, str]],
    *,
    kind: str,
    concurrency: int = 16,
    progress: Progress | None = None,
) -> Tally:
    """Assign each referenced user (id or login) or group (id or name) to the application."""

    async def assign_user(ref: str) -> None:
        await okta.apps.assign_user_to_application(
            app_id, {"id": await _user_id(okta, ref), "scope": "USER"}
        )

    async def assign_group(ref: str) -> None:
        group_id = await resolve_group(okta, ref)
        await okta.apps.assign_group_to_application(app_id, group_id, {})

    action = assign_user if kind == "users" else assign_group
    return await run_per_item(okta, refs, action, concurrency=concurrency, progress=progress)


def _read_ref_list(path: str, columns: tuple[str, ...]) -> tuple[list[tuple[int, str]], int]:
    with open_text(path) as stream:
        refs = list(read_refs(stream, columns=columns))
    return refs, len(refs)


def _tally_line(verb: str, tally: Tally) -> str:
    return f"{verb}: {tally.done:,} done, {tally.failed:,} failed"


async def _cmd_groups_add_members(args: argparse.Namespace) -> int:
    refs, total = _read_ref_list(args.file, ("id", "login", "email"))
    async with connect(args) as okta:
        group_id = await resolve_group(okta, args.group)
        with _progress(args, "add members", total=total, unit="users") as progress:
            tally = await add_group_members(
                okta, group_id, refs, concurrency=args.concurrency, progress=progress
            )
    print(_tally_line(f"group {group_id}", tally))
    return tally.exit_code


async def _cmd_apps_assign(args: argparse.Namespace) -> int:
    kind = "users" if args.users else "groups"
    path = args.users or args.groups
    columns = ("id", "login", "email") if kind == "users" else ("id", "name")
    refs, total = _read_ref_list(path, columns)
    async with connect(args) as okta:
        app_id = await resolve_app(okta, args.app)
        with _progress(args, f"assign {kind}", total=total, unit=kind) as progress:
            tally = await assign_to_app(
                okta, app_id, refs, kind=kind, concurrency=args.concurrency, progress=progress
            )
    print(_tally_line(f"app {app_id} ({kind})", tally))
    return tally.exit_code


# --------------------------------------------------------------------------------------------
# logs tail

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$", re.IGNORECASE)
_AGE_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 (``2026-11-29T05:00:00Z``) or an age (``15m``)."""
    match = _AGE.match(text)
    if match:
        seconds = float(match.group(1)) * _AGE_UNITS[match.group(2).lower()]
        return (now or datetime.now(timezone.utc)) - timedelta(seconds=seconds)
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(
            f"cannot read {text!r} as a time: use ISO 8601 (2026-01-31T08:00:00Z) "
            "or an age such as 30s, 15m, 2h, 7d"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def format_event(event: dict[str, Any]) -> str:
    """One human line for a System Log event (as Okta's JSON)."""
    actor = event.get("actor") or {}
    who = actor.get("alternateId") or actor.get("displayName") or actor.get("id") or "-"
    targets = ", ".join(
        str(t.get("alternateId") or t.get("displayName") or t.get("id"))
        for t in event.get("target") or []
    )
    outcome = (event.get("outcome") or {}).get("result") or ""
    text = f"{event.get('published', '')}  {event.get('eventType', '')}  {who}"
    if targets:
        text += f" -> {targets}"
    if outcome and outcome != "SUCCESS":
        text += f"  [{outcome}]"
    return text


async def _cmd_logs_tail(args: argparse.Namespace) -> int:
    from okta_async._core.serde import unstructure

    since = parse_when(args.since)
    until = parse_when(args.until) if args.until else None
    count = 0
    async with connect(args) as okta:
        # One plain request first: a bad token, a bad filter or an unreachable org fails here
        # with a one-line message, instead of inside the tail's patient retry loop.
        from okta_async import UNSET

        await okta.logs.list_log_events(
            since=since,
            filter=args.filter if args.filter else UNSET,
            q=args.query if args.query else UNSET,
            limit=1,
        )
        events = okta.logs.tail(
            since=since,
            until=until,
            filter=args.filter,
            q=args.query,
            poll_interval=args.poll_interval,
        )
        async for event in events:
            data = unstructure(event)
            if args.format == "jsonl":
                print(orjson.dumps(data).decode(), flush=True)
            else:
                print(format_event(data), flush=True)
            count += 1
            if args.max and count >= args.max:
                break
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# fake-org and demo


async def _cmd_fake_org(args: argparse.Namespace) -> int:
    from okta_async.cli._fakeorg import serve_fake_org

    return await serve_fake_org(args)


async def _cmd_demo(args: argparse.Namespace) -> int:
    from okta_async.cli._demo import run_demo

    return await run_demo(args)


_HANDLERS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "demo": _cmd_demo,
    "fake_org": _cmd_fake_org,
    "users_export": _cmd_users_export,
    "users_import": _cmd_users_import,
    "groups_add_members": _cmd_groups_add_members,
    "apps_assign": _cmd_apps_assign,
    "logs_tail": _cmd_logs_tail,
}

__all__ = [
    "CsvItem",
    "ImportOptions",
    "Tally",
    "add_group_members",
    "assign_to_app",
    "connect",
    "export_users",
    "format_event",
    "import_users",
    "input_fingerprint",
    "object_id",
    "parse_when",
    "resolve_app",
    "resolve_group",
    "run",
    "run_per_item",
]
