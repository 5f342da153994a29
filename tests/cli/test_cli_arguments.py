"""Argument parsing, help, and the one-line errors that need no Okta org."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from okta_async.cli import build_parser, main
from okta_async.cli._commands import format_event, parse_when
from okta_async.cli._errors import CliError


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "fake-org", "users", "groups", "apps", "logs"):
        assert command in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_apps_assign_requires_users_or_groups(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apps", "assign", "0oa1"]) == 2
    assert "--users" in capsys.readouterr().err


def test_concurrency_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "import", "x.csv", "--concurrency", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err


def test_connection_flags_are_accepted_after_the_subcommand() -> None:
    args = build_parser().parse_args(
        ["users", "export", "--format", "csv", "--org-url", "https://a.okta.com", "--token", "t"]
    )
    assert (args.org_url, args.token, args.format) == ("https://a.okta.com", "t", "csv")


def test_import_of_a_missing_file_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["users", "import", str(tmp_path / "nope.csv"), "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "no such file" in err
    assert "Traceback" not in err


def test_dry_run_reports_bad_rows_by_line_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "users.csv"
    path.write_text("email,firstName,lastName\na@x.io,A,L\nbroken,B,L\nc@x.io,C,L\n")
    code = main(["users", "import", str(path), "--dry-run"])
    captured = capsys.readouterr()
    assert code == 1
    assert "line 3: invalid email 'broken'" in captured.err
    assert "2 rows valid, 1 rejected" in captured.out


def test_relative_ages_and_iso_times_parse_to_utc() -> None:
    now = datetime(2026, 11, 29, 6, 0, tzinfo=timezone.utc)
    assert parse_when("15m", now=now) == now - timedelta(minutes=15)
    assert parse_when("2h", now=now) == now - timedelta(hours=2)
    assert parse_when("2026-11-29T05:00:00Z") == datetime(2026, 11, 29, 5, tzinfo=timezone.utc)
    assert parse_when("2026-11-29T06:00:00+01:00").hour == 5


def test_an_unreadable_time_is_a_cli_error() -> None:
    with pytest.raises(CliError, match="ISO 8601"):
        parse_when("yesterday-ish")


def test_log_events_render_as_one_line() -> None:
    event = {
        "published": "2026-11-29T05:00:00.000Z",
        "eventType": "group.user_membership.add",
        "actor": {"alternateId": "admin@example.com"},
        "target": [{"alternateId": "ada@example.com"}, {"displayName": "Engineering"}],
        "outcome": {"result": "SUCCESS"},
    }
    assert format_event(event) == (
        "2026-11-29T05:00:00.000Z  group.user_membership.add  admin@example.com"
        " -> ada@example.com, Engineering"
    )
