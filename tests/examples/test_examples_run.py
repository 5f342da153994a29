"""Every example runs to completion against the embedded fake org."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Loader = Callable[[str], ModuleType]


async def test_quickstart_walks_through_the_everyday_calls(
    load_example: Loader, capsys: pytest.CaptureFixture[str]
) -> None:
    await load_example("quickstart").main()
    out = capsys.readouterr().out
    assert "first page: 5 users, more after: True" in out
    assert "created quickstart.okta-async@example.com" in out
    assert "title is now 'Example'" in out
    assert "not found, as expected: E0000007" in out
    assert "deleted the example user" in out


async def test_bulk_migration_second_pass_skips_everything_via_the_journal(
    load_example: Loader, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    journal = tmp_path / "migration.sqlite"
    await load_example("bulk_migration").main(
        ["--sample-size", "120", "--journal", str(journal), "--concurrency", "8"]
    )
    captured = capsys.readouterr()
    assert "'created': 120" in captured.out
    assert "120 rows skipped as already done" in captured.out
    assert "120/120 done" in captured.err
    assert journal.exists()


async def test_app_assignments_assigns_by_group_and_individually(
    load_example: Loader, capsys: pytest.CaptureFixture[str]
) -> None:
    await load_example("app_assignments").main()
    out = capsys.readouterr().out
    assert "group 'okta-async example' (00g" in out
    assert "): 10 members" in out
    assert "12 users can use the app" in out
    assert "after removing one direct assignment: 11 users" in out


async def test_system_log_tail_prints_events_as_they_happen(
    load_example: Loader, capsys: pytest.CaptureFixture[str]
) -> None:
    await load_example("system_log_tail").main(["--max-events", "6"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert any("user.lifecycle.create" in line for line in lines)


def test_quickstart_runs_as_a_script() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKTA_CLIENT_")}
    env["PYTHONPATH"] = str(EXAMPLES.parent) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", str(EXAMPLES / "quickstart.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "deleted the example user" in result.stdout
    assert "Unclosed" not in result.stderr


async def test_examples_use_the_configured_org_when_the_environment_names_one(
    load_example: Loader, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from okta_async.testing import FakeOrg

    module = load_example("quickstart")
    async with FakeOrg(users=8) as configured:  # stands in for a real org
        monkeypatch.setenv("OKTA_CLIENT_ORGURL", str(configured.url))
        monkeypatch.setenv("OKTA_CLIENT_TOKEN", configured.token)
        await module.main()
        created = [r for r in configured.requests if r["bucket"] == "POST /api/v1/users"]
        remaining = {u["profile"]["login"] for u in configured.store.users.values()}
    assert len(created) == 1
    assert "first page: 5 users, more after: True" in capsys.readouterr().out
    assert "quickstart.okta-async@example.com" not in remaining  # it cleaned up after itself
