"""Every ``okta-async`` command against the fake org, called in-process through ``main(argv)``."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from okta_async import OktaClient
from okta_async.cli import build_parser, main


def ask(org: Any, fn: Callable[[OktaClient], Awaitable[Any]]) -> Any:
    """Run ``fn(okta)`` with a client of its own against the org (to check what commands did)."""

    async def go() -> Any:
        async with OktaClient(org_url=org.url, token=org.token) as okta:
            return await fn(okta)

    return org.run(go())


def logins(org: Any, **query: Any) -> set[str]:
    async def fetch(okta: OktaClient) -> set[str]:
        return {u["profile"]["login"] async for u in okta.users.list_users(**query).raw()}

    return ask(org, fetch)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------- export


def test_export_jsonl_streams_every_user_to_stdout(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "export", "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    users = [json.loads(line) for line in captured.out.splitlines()]
    assert {u["profile"]["login"] for u in users} == logins(org)
    assert len(users) == 60
    assert "60 users" in captured.err  # the progress counter's final line


def test_export_csv_with_a_search_writes_only_matching_users_to_a_file(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "active.csv"
    code = main(
        ["users", "export", "--format", "csv", "--search", 'status eq "ACTIVE"', "-o", str(out)]
    )
    assert code == 0
    header, *rows = out.read_text().splitlines()
    assert header == "id,status,created,lastUpdated,lastLogin,login,email,firstName,lastName"
    assert rows and all(",ACTIVE," in row for row in rows)
    assert len(rows) == len(logins(org, search='status eq "ACTIVE"'))
    assert f"to {out}" in capsys.readouterr().err


def test_export_max_stops_early(org: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "export", "--max", "7", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 7
    assert captured.err == ""


# ---------------------------------------------------------------------------------- import

GOOD_AND_BAD = (
    "login,email,firstName,lastName,department\n"
    "ann@example.com,ann@example.com,Ann,Lee,Eng\n"  # line 2
    "bob,not-an-email,Bob,Ray,Eng\n"  # line 3: bad email
    "cid@example.com,cid@example.com,Cid,Moe,Ops\n"  # line 4
    "dee@example.com,dee@example.com,Dee\n"  # line 5: too few fields
    "eve@example.com,eve@example.com,Eve,,Ops\n"  # line 6: missing lastName
    "fay@example.com,fay@example.com,Fay,Ng,Ops\n"  # line 7
)


def test_import_reports_bad_rows_by_line_and_creates_the_others(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write(tmp_path / "people.csv", GOOD_AND_BAD)
    code = main(["users", "import", str(csv_path), "--concurrency", "4"])
    captured = capsys.readouterr()
    assert code == 1  # some rows failed
    assert "line 3: invalid email 'not-an-email'" in captured.err
    assert "line 5: expected 5 fields, found 3" in captured.err
    assert "line 6: missing value for required column 'lastName'" in captured.err
    assert "Traceback" not in captured.err
    assert "3 created" in captured.out and "3 bad rows" in captured.out
    assert {"ann@example.com", "cid@example.com", "fay@example.com"} <= logins(org)


def test_import_reports_rows_okta_rejects_with_their_line_number(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = sorted(logins(org))[0]
    csv_path = write(
        tmp_path / "dupes.csv",
        "email,firstName,lastName,login\n"
        "new1@example.com,New,One,new1@example.com\n"
        f"x@example.com,Taken,Login,{taken}\n"
        "new2@example.com,New,Two,new2@example.com\n",
    )
    code = main(["users", "import", str(csv_path), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert {"new1@example.com", "new2@example.com"} <= logins(org)
    assert f"line 3: {taken}: E0000001" in captured.err
    assert "2 created" in captured.out and "1 failed" in captured.out


def test_import_rerun_with_the_same_journal_skips_rows_already_done(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write(tmp_path / "people.csv", GOOD_AND_BAD)
    journal = str(tmp_path / "job.sqlite")
    main(["users", "import", str(csv_path), "--journal", journal, "--no-progress"])
    first = capsys.readouterr().out
    assert "3 created" in first
    main(["users", "import", str(csv_path), "--journal", journal, "--no-progress"])
    second = capsys.readouterr().out
    assert "0 created" in second
    assert "3 already done (journal)" in second
    assert len(logins(org)) == 63


def test_import_dry_run_sends_nothing(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write(tmp_path / "people.csv", GOOD_AND_BAD)
    assert main(["users", "import", str(csv_path), "--dry-run"]) == 1
    assert "3 rows valid, 3 rejected" in capsys.readouterr().out
    assert len(logins(org)) == 60


# ------------------------------------------------------------------- groups and apps


def _first_group(okta: OktaClient) -> Awaitable[Any]:
    return okta.groups.list_groups().first()


def test_add_members_by_group_name_with_logins_and_ids(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def setup(okta: OktaClient) -> tuple[str, list[Any]]:
        group = await okta.groups.add_group({"profile": {"name": "Readers"}})
        users = await okta.users.list_users(max_items=4).collect()
        return group.id, users

    group_id, users = ask(org, setup)
    listing = write(
        tmp_path / "members.txt",
        f"# readers\n{users[0].profile.login}\n{users[1].id}\n{users[2].profile.login}\n"
        "nobody@example.com\n",
    )
    code = main(["groups", "add-members", "Readers", str(listing)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"group {group_id}: 3 done, 1 failed" in captured.out
    assert "line 5: nobody@example.com: E0000007" in captured.err

    async def members(okta: OktaClient) -> set[str]:
        return {u.id async for u in okta.groups.list_group_users(group_id)}

    assert ask(org, members) == {u.id for u in users[:3]}


def test_add_members_to_an_unknown_group_name_is_a_one_line_error(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = write(tmp_path / "members.txt", "someone@example.com\n")
    assert main(["groups", "add-members", "No Such Group", str(listing)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("okta-async: no group named 'No Such Group'; pass the group id instead")


def test_apps_assign_users_and_groups(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def setup(okta: OktaClient) -> tuple[str, str, list[Any]]:
        app = await okta.apps.create_application(
            {
                "name": "bookmark",
                "label": "Team Wiki",
                "signOnMode": "BOOKMARK",
                "settings": {"app": {"url": "https://wiki.example.com"}},
            }
        )
        group = await okta.groups.add_group({"profile": {"name": "Wiki editors"}})
        users = await okta.users.list_users(max_items=3).collect()
        return app.id, group.id, users

    app_id, group_id, users = ask(org, setup)
    users_file = write(tmp_path / "users.txt", "\n".join(u.profile.login for u in users) + "\n")
    groups_file = write(tmp_path / "groups.txt", "name\nWiki editors\n")

    assert main(["apps", "assign", "Team Wiki", "--users", str(users_file)]) == 0
    assert main(["apps", "assign", app_id, "--groups", str(groups_file)]) == 0
    out = capsys.readouterr().out
    assert f"app {app_id} (users): 3 done, 0 failed" in out
    assert f"app {app_id} (groups): 1 done, 0 failed" in out

    async def assigned(okta: OktaClient) -> tuple[set[str], set[str]]:
        app_users = {u.id async for u in okta.apps.list_application_users(app_id)}
        app_groups = {g.id async for g in okta.apps.list_application_group_assignments(app_id)}
        return app_users, app_groups

    app_users, app_groups = ask(org, assigned)
    assert {u.id for u in users} <= app_users
    assert app_groups == {group_id}


# ---------------------------------------------------------------------------------- logs


def test_logs_tail_prints_events_and_stops_after_max(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    async def make_events(okta: OktaClient) -> None:
        group = await okta.groups.add_group({"profile": {"name": "Tail"}})
        user = await okta.users.list_users().first()
        await okta.groups.assign_user_to_group(group.id, user.id)

    ask(org, make_events)
    code = main(["logs", "tail", "--since", "1h", "--max", "2", "--poll-interval", "0.05"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert all("  " in line and "." in line.split()[1] for line in lines)


def test_logs_tail_jsonl_until_now_ends_by_itself(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(org, lambda okta: okta.groups.add_group({"profile": {"name": "Bounded"}}))
    code = main(["logs", "tail", "--since", "1h", "--until", "0s", "--format", "jsonl"])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert any(e["eventType"] == "group.lifecycle.create" for e in events)


def test_logs_tail_with_an_unreadable_since_is_a_one_line_error(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["logs", "tail", "--since", "last tuesday"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# ------------------------------------------------------------------------------ fake-org


async def test_fake_org_command_serves_until_cancelled_and_prints_url_and_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from okta_async.cli._fakeorg import serve_fake_org

    args = build_parser().parse_args(
        ["fake-org", "--port", "0", "--users", "25", "--groups", "2", "--apps", "1"]
    )
    ready = asyncio.Event()
    task = asyncio.create_task(serve_fake_org(args, ready=ready))
    await asyncio.wait_for(ready.wait(), timeout=30)
    out = capsys.readouterr().out
    url = out.split("OKTA_CLIENT_ORGURL=")[1].split()[0]
    token = out.split("OKTA_CLIENT_TOKEN=")[1].split()[0]
    import aiohttp

    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as http:
        counts = []
        for path in ("users?limit=200", "groups", "apps"):
            async with http.get(f"{url}/api/v1/{path}") as response:
                counts.append(len(await response.json()))
    users, groups, apps = counts
    assert (users, groups, apps) == (25, 3, 1)  # the 2 seeded groups and Everyone
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_fake_org_command_rejects_a_bad_fault_spec_in_one_line(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fake-org", "--port", "0", "--faults", "explode=yes please"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("okta-async: bad fake-org option:")
    assert err.count("\n") == 1


# ---------------------------------------------------------------------------------- demo


def test_demo_runs_the_whole_tour_and_prints_a_summary(
    isolated_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workdir = tmp_path / "demo"
    code = main(["demo", "--users", "250", "--workdir", str(workdir)])
    captured = capsys.readouterr()
    assert code == 0
    for step in range(1, 8):
        assert f"[{step}/7]" in captured.out
    for label, value in [
        ("users created", "250"),
        ("bad CSV rows reported", "2"),
        ("users failed at Okta", "0"),
        ("rerun skipped via journal", "250"),
        ("groups created", "5"),
        ("memberships added", "250"),
        ("app assignments", "2 groups, 50 users"),
        ("users exported", "250"),
    ]:
        assert re.search(rf"^  {label} +{value}\b", captured.out, re.MULTILINE), label
    assert "demo finished in" in captured.out
    exported = (workdir / "users.jsonl").read_text().splitlines()
    assert len(exported) == 250
    assert "line " in captured.err and "invalid email" in captured.err


# ----------------------------------------------------------------- bad config / bad org


def test_missing_configuration_is_one_line_and_exit_2(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "export"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("okta-async: configuration error:")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_malformed_okta_yaml_is_one_line_and_exit_2(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated_config / "okta.yaml").write_text("okta: [client\n")
    assert main(["users", "export"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("okta-async: configuration error:")
    assert err.count("\n") == 1


def test_an_unreachable_org_is_one_line_and_exit_3(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = main(["users", "export", "--org-url", f"http://127.0.0.1:{port}", "--token", "nope"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith(f"okta-async: cannot reach the Okta org at http://127.0.0.1:{port}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "nope" not in err


def test_a_rejected_token_is_one_line_and_exit_4_without_echoing_it(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["users", "export", "--token", "wrong-token-123"])
    err = capsys.readouterr().err
    assert code == 4
    assert "rejected the API token" in err
    assert "wrong-token-123" not in err
    assert err.count("\n") == 1


def test_logs_tail_against_an_unreachable_org_fails_in_one_line_instead_of_waiting(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = main(["logs", "tail", "--org-url", f"http://127.0.0.1:{port}", "--token", "t"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("okta-async: cannot reach the Okta org")


def test_logs_tail_with_a_bad_filter_is_an_okta_error_in_one_line(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["logs", "tail", "--filter", "eventType is ( broken"])
    err = capsys.readouterr().err
    assert code == 4
    assert err.startswith("okta-async: Okta error: GET /api/v1/logs: E0000")
    assert err.count("\n") == 1


def test_import_groups_column_adds_each_new_user_to_its_groups(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group_id = ask(org, lambda okta: okta.groups.add_group({"profile": {"name": "Newbies"}})).id
    csv_path = write(
        tmp_path / "people.csv",
        "email,firstName,lastName,groups\n"
        f"gia@example.com,Gia,Po,{group_id}\n"
        "hal@example.com,Hal,Qu,\n",
    )
    assert main(["users", "import", str(csv_path), "--no-progress"]) == 0
    assert "2 created" in capsys.readouterr().out

    async def members(okta: OktaClient) -> set[str]:
        return {u.profile.login async for u in okta.groups.list_group_users(group_id)}

    assert ask(org, members) == {"gia@example.com"}


def test_import_reads_csv_from_stdin(
    org: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    data = b"email,firstName,lastName\nian@example.com,Ian,Ro\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["users", "import", "-", "--no-progress"]) == 0
    assert "1 created" in capsys.readouterr().out
    assert "ian@example.com" in logins(org)


def test_fake_org_command_stops_cleanly_on_ctrl_c(isolated_config: Path) -> None:
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "okta_async.cli", "fake-org", "--port", "0", "--users", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("fake Okta org listening at http://127.0.0.1:")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "fake org stopped" in err
    assert "Traceback" not in err


def test_export_into_a_closed_pipe_ends_quietly(
    org: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    class ClosedAfterTwoLines(io.StringIO):
        def write(self, text: str) -> int:
            if self.getvalue().count("\n") >= 2:
                raise BrokenPipeError(32, "Broken pipe")
            return super().write(text)

    monkeypatch.setattr(sys, "stdout", ClosedAfterTwoLines())
    assert main(["users", "export", "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


def test_an_import_interrupted_with_ctrl_c_resumes_from_its_journal_exactly_once(
    isolated_config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    start_fake_org: Callable[..., Any],
) -> None:
    import signal
    import subprocess
    import sys
    import time

    rows = 600
    csv_path = write(
        tmp_path / "many.csv",
        "email,firstName,lastName\n"
        + "".join(f"user{i:04d}@example.com,U,{i}\n" for i in range(rows)),
    )
    journal = tmp_path / "many.sqlite"
    # A slow create bucket, so that Ctrl-C lands in the middle of the job.
    running = start_fake_org(rate_limits="POST /api/v1/users=150/s")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("OKTA_")}
    env.update(OKTA_CLIENT_ORGURL=running.url, OKTA_CLIENT_TOKEN=running.token)
    command = [sys.executable, "-m", "okta_async.cli", "users", "import", str(csv_path)]
    command += ["--journal", str(journal), "--concurrency", "8"]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        deadline = time.monotonic() + 60  # a safety net, not a measurement
        while len(running.org.store.users) < 50 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert f"run the same command again to resume from the journal {journal}" in err
    assert re.search(r"import: [\d,]+ created, 0 failed, 0 bad rows before the interruption", err)
    done_before = len(running.org.store.users)
    assert 0 < done_before < rows

    monkeypatch.setenv("OKTA_CLIENT_ORGURL", running.url)
    monkeypatch.setenv("OKTA_CLIENT_TOKEN", running.token)
    assert main(["users", "import", str(csv_path), "--journal", str(journal)]) == 0
    logins_now = [u["profile"]["login"] for u in running.org.store.users.values()]
    assert len(logins_now) == rows == len(set(logins_now))


def test_an_okta_yaml_that_is_not_utf8_is_a_configuration_error_in_one_line(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated_config / "okta.yaml").write_bytes(b"\xff\xfeo\x00k\x00t\x00a\x00")
    code = main(["users", "export", "--org-url", "https://acme.okta.com", "--token", "t"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("okta-async: configuration error: okta.yaml (from ./okta.yaml)")
    assert "not UTF-8 text" in err and err.count("\n") == 1


def test_a_token_with_a_line_break_inside_is_refused_in_one_line_without_echoing_it(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["users", "export", "--org-url", "https://acme.okta.com", "--token", "00ab\ncd99"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("okta-async: configuration error: --token (from argument)")
    assert "whitespace" in err and "00ab" not in err and err.count("\n") == 1


def test_a_token_from_a_yaml_block_with_a_trailing_newline_still_authenticates(
    org: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OKTA_CLIENT_TOKEN")
    Path("okta.yaml").write_text(f"okta:\n  client:\n    token: |\n      {org.token}\n")
    assert main(["users", "export", "--max", "1", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["id"].startswith("00u")
