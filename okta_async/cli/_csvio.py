"""Reading the CLI's input files: user CSVs and one-per-line reference lists.

Every problem with a single row is reported as a :class:`RowError` carrying the 1-based line
number where the row starts, and reading carries on with the next row; only a file that cannot
be used at all (missing, no header, no usable column) raises :class:`InputFileError`.

Two faults could otherwise make rows vanish without a word:

* a quote left open swallows the following lines into one field. A record that spans lines is
  accepted only if it closes within :data:`MAX_RECORD_LINES` lines with the header's number of
  fields; otherwise its first line is reported ("unclosed quote") and reading resumes on the
  line after it, so every later row is still read;
* a login repeated in the file is reported on its later line. Logins seen so far are kept in a
  temporary SQLite file, not in memory, so a file of millions of rows reads in flat memory.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

# Header spellings accepted for the default profile attributes (compared case-insensitively,
# ignoring spaces, dashes and underscores) -> Okta's attribute name.
_ALIASES = {
    "login": "login",
    "username": "login",
    "email": "email",
    "firstname": "firstName",
    "givenname": "firstName",
    "lastname": "lastName",
    "familyname": "lastName",
    "surname": "lastName",
    "secondemail": "secondEmail",
    "mobilephone": "mobilePhone",
    "department": "department",
    "title": "title",
    "displayname": "displayName",
    "employeenumber": "employeeNumber",
}
_PASSWORD = "password"
_GROUPS = "groups"
_REQUIRED = ("email", "firstName", "lastName")


class InputFileError(Exception):
    """The file as a whole cannot be used (not found, unreadable, no usable header)."""


@dataclass(frozen=True)
class RowError:
    """One row that was skipped, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class UserRow:
    """A valid user row: the Okta profile, an optional password and groups to join."""

    line: int
    profile: dict[str, str]
    password: str | None = None
    group_ids: tuple[str, ...] = field(default=())

    @property
    def login(self) -> str:
        """The Okta login (defaults to the email when the CSV has no login column)."""
        return self.profile["login"]


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def open_text(path: str | Path) -> TextIO:
    """Open an input file as UTF-8 text (a BOM is skipped; undecodable bytes become U+FFFD).

    ``-`` means standard input.
    """
    if str(path) == "-":
        import sys

        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace")
    try:
        return open(path, encoding="utf-8-sig", errors="replace", newline="")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputFileError(f"{path}: {exc.strerror or exc}") from None


MAX_RECORD_LINES = 20
"""Physical lines one quoted record may span before its opening quote counts as unclosed."""


class _Lines:
    """Physical lines of a text stream, numbered from 1, with lines that can be pushed back."""

    def __init__(self, stream: Iterable[str]) -> None:
        self._source = iter(stream)
        self._back: deque[str] = deque()
        self.number = 0

    def next(self) -> str | None:
        """The next line, or None at the end."""
        line = self._back.popleft() if self._back else next(self._source, None)
        if line is not None:
            self.number += 1
        return line

    def push_back(self, lines: list[str]) -> None:
        """Make ``lines`` the next ones read again."""
        self._back.extendleft(reversed(lines))
        self.number -= len(lines)


def _one_record(lines: _Lines, first: str) -> tuple[list[str] | None, list[str], str | None]:
    """Parse the record starting with ``first``: (fields or None, lines taken, csv error)."""
    taken = [first]

    def feed() -> Iterator[str]:
        yield first
        while len(taken) < MAX_RECORD_LINES and (line := lines.next()) is not None:
            taken.append(line)
            yield line

    try:
        return next(csv.reader(feed(), strict=True), []), taken, None
    except csv.Error as exc:
        return None, taken, str(exc)


def iter_csv(
    stream: Iterable[str], width: Callable[[], int | None] = lambda: None
) -> Iterator[tuple[int, list[str]] | RowError]:
    """Yield ``(line, fields)`` for each non-blank CSV record, or a RowError for a broken one.

    ``line`` is the 1-based line where the record starts (quoted fields may span lines).
    ``width()`` is the expected number of fields once known: a record spanning lines with
    another count is an unclosed quote, whose lines are read again as records of their own.
    """
    lines = _Lines(stream)
    while (first := lines.next()) is not None:
        start = lines.number
        fields, taken, error = _one_record(lines, first)
        spans = len(taken) > 1
        expected = width()
        if spans and (fields is None or (expected is not None and len(fields) != expected)):
            lines.push_back(taken[1:])
            yield RowError(start, "unclosed quote: a quoted field opened on this line never closes")
        elif fields is None:
            yield RowError(start, f"malformed CSV ({error})")
        elif fields and any(f.strip() for f in fields):
            yield start, fields


def read_user_rows(stream: Iterable[str]) -> Iterator[UserRow | RowError]:
    """Parse a user CSV with a header row into :class:`UserRow` s and :class:`RowError` s.

    Required columns: ``email``, ``firstName``, ``lastName`` (``login`` defaults to the email).
    Optional: ``password``, ``groups`` (group ids separated by ``;``); every other column is
    kept as a profile attribute under its header name. Header names are matched
    case-insensitively, so ``first_name`` and ``First Name`` work too.
    """
    header: list[str] | None = None
    records = iter_csv(stream, lambda: None if header is None else len(header))
    with _LoginRegistry() as seen:
        for item in records:
            if isinstance(item, RowError):
                if header is None:
                    raise InputFileError(f"the header row is not valid CSV: {item.message}")
                yield item
                continue
            line, fields = item
            if header is None:
                header = _read_header(fields)
            elif len(fields) != len(header):
                yield RowError(line, f"expected {len(header)} fields, found {len(fields)}")
            else:
                yield seen.check(_user_row(line, header, fields))
    if header is None:
        raise InputFileError("the file is empty (a header row is required)")


def _read_header(fields: list[str]) -> list[str]:
    """Okta attribute names for the header's columns (InputFileError if a required one lacks)."""
    header = [_ALIASES.get(_norm(h), h.strip()) for h in fields]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputFileError("the header row lacks required column(s): " + ", ".join(missing))
    return header


class _LoginRegistry:
    """Logins seen so far (lower-cased) and their lines, in a temporary on-disk SQLite table.

    SQLite keeps only a small page cache in memory, so a file's size does not show in memory.
    """

    def __init__(self) -> None:
        # "": a private temporary file, deleted on close. Only the one generator reading the
        # file uses it, but that generator may be closed (garbage-collected) on another thread
        # when a job stops early, so the connection must not be tied to the opening thread.
        self._conn = sqlite3.connect("", check_same_thread=False)
        self._conn.execute("CREATE TABLE seen (login TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def __enter__(self) -> _LoginRegistry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._conn.close()

    def check(self, row: UserRow | RowError) -> UserRow | RowError:
        """``row``, or a RowError naming the earlier line if its login was seen before."""
        if isinstance(row, RowError):
            return row
        login = row.login.lower()
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO seen (login, line) VALUES (?, ?)", (login, row.line)
        )
        if cursor.rowcount:
            return row
        (first,) = self._conn.execute("SELECT line FROM seen WHERE login = ?", (login,)).fetchone()
        return RowError(row.line, f"login {row.login!r} repeats line {first}")


def _user_row(line: int, header: list[str], fields: list[str]) -> UserRow | RowError:
    profile: dict[str, str] = {}
    password: str | None = None
    groups: tuple[str, ...] = ()
    for name, raw in zip(header, fields, strict=True):
        value = raw.strip()
        if "\ufffd" in value:
            return RowError(line, f"column {name!r} is not valid UTF-8")
        key = _norm(name)
        if key == _PASSWORD:
            password = raw or None  # passwords keep their spaces
        elif key == _GROUPS:
            groups = tuple(g.strip() for g in re.split(r"[;|]", value) if g.strip())
        elif value:
            profile[name] = value
    for required in _REQUIRED:
        if not profile.get(required):
            return RowError(line, f"missing value for required column {required!r}")
    if not _EMAIL.match(profile["email"]):
        return RowError(line, f"invalid email {profile['email']!r}")
    profile.setdefault("login", profile["email"])
    return UserRow(line=line, profile=profile, password=password, group_ids=groups)


def read_refs(stream: Iterable[str], *, columns: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """Yield ``(line, reference)`` from a list file: one id/login/name per line.

    Blank lines and lines starting with ``#`` are skipped. If the first line looks like a CSV
    header naming one of ``columns`` (for example the output of ``users export --format csv``),
    that column is used instead.
    """
    column: int | None = None
    first = True
    for item in iter_csv(stream):
        if isinstance(item, RowError):
            continue
        line, fields = item
        if fields[0].lstrip().startswith("#"):
            continue
        if first:
            first = False
            normalized = [_norm(f) for f in fields]
            for wanted in columns:
                if _norm(wanted) in normalized:
                    column = normalized.index(_norm(wanted))
                    break
            if column is not None:
                continue
        index = column if column is not None else 0
        if index < len(fields) and fields[index].strip():
            yield line, fields[index].strip()
