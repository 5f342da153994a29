"""``users import`` under the conditions that used to lose rows or mislead: another org's journal,
an unclosed quote, repeated logins, an org that is down or refuses the token, unusable input."""

from __future__ import annotations

import contextlib
import io
import re
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from okta_async.cli import main

HEADER = "email,firstName,lastName\n"


def people(n: int, start: int = 0) -> str:
    return "".join(f"p{i}@example.com,P,{i}\n" for i in range(start, start + n))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def one_line(err: str) -> str:
    """The single line ``err`` holds (fails if there are more)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def imported_logins(org: Any) -> set[str]:
    """Logins of the users ``people()`` rows created (the seeded users have other names)."""
    found = (u["profile"]["login"] for u in org.org.store.users.values())
    return {login for login in found if re.fullmatch(r"p\d+@example\.com", login)}


def test_a_journal_of_another_org_is_refused_with_exit_2_until_started_over(
    org: Any, start_fake_org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write(tmp_path / "people.csv", HEADER + people(5))
    journal = str(tmp_path / "job.sqlite")
    assert main(["users", "import", str(csv_path), "--journal", journal, "--no-progress"]) == 0
    capsys.readouterr()
    other = start_fake_org()
    command = ["users", "import", str(csv_path), "--journal", journal, "--no-progress"]
    command += ["--org-url", other.url, "--token", other.token]
    assert main(command) == 2
    line = one_line(capsys.readouterr().err)
    assert (
        f"journal {journal}" in line
        and org.url.rstrip("/") in line
        and other.url.rstrip("/") in line
    )
    assert "--new-journal" in line
    assert not other.org.store.users
    assert main([*command, "--new-journal"]) == 0
    assert "5 created" in capsys.readouterr().out
    assert len(other.org.store.users) == 5


def test_a_journal_of_another_file_is_refused(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = str(tmp_path / "job.sqlite")
    first = write(tmp_path / "a.csv", HEADER + people(2))
    second = write(tmp_path / "b.csv", HEADER + people(2, start=10))
    assert main(["users", "import", str(first), "--journal", journal, "--no-progress"]) == 0
    assert main(["users", "import", str(second), "--journal", journal, "--no-progress"]) == 2
    assert "input sha256:" in one_line(capsys.readouterr().err)


def test_an_unclosed_quote_in_5000_rows_is_one_bad_row_and_every_other_row_is_imported(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = people(5000).splitlines(keepends=True)
    rows[4] = 'p4@example.com,"P,4\n'  # row 5 (line 6): the quote never closes
    csv_path = write(tmp_path / "people.csv", HEADER + "".join(rows))
    assert main(["users", "import", str(csv_path), "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert "4,999 rows valid, 1 rejected" in captured.out
    assert "line 6: unclosed quote" in captured.err
    code = main(["users", "import", str(csv_path), "--concurrency", "16", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "4,999 created" in captured.out and "1 bad rows" in captured.out
    assert "line 6: unclosed quote" in captured.err
    assert len(imported_logins(org)) == 4999


def test_a_repeated_login_is_a_bad_row_on_its_later_line_with_a_journal(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + people(3) + "P1@example.com,Again,Later\n"  # line 5 repeats line 3
    csv_path = write(tmp_path / "people.csv", text)
    assert main(["users", "import", str(csv_path), "--dry-run"]) == 1
    assert "line 5: login 'P1@example.com' repeats line 3" in capsys.readouterr().err
    journal = str(tmp_path / "job.sqlite")
    assert main(["users", "import", str(csv_path), "--journal", journal, "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "line 5: login 'P1@example.com' repeats line 3" in captured.err
    assert "3 created" in captured.out and "1 bad rows" in captured.out


def test_skip_existing_counts_taken_logins_as_existed(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write(tmp_path / "people.csv", HEADER + people(3))
    assert main(["users", "import", str(csv_path), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["users", "import", str(csv_path), "--no-progress"]) == 1  # taken: failed
    capsys.readouterr()
    more = write(tmp_path / "more.csv", HEADER + people(4))  # the 3 taken ones and a new one
    assert main(["users", "import", str(more), "--skip-existing", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "import: 1 created, 3 existed, 0 failed, 0 bad rows"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_import_to_an_org_that_is_down_stops_at_once_with_exit_3_and_one_line(
    isolated_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write(tmp_path / "people.csv", HEADER + people(300))
    journal = tmp_path / "job.sqlite"
    url = f"http://127.0.0.1:{closed_port()}"
    command = ["users", "import", str(csv_path), "--org-url", url, "--token", "t"]
    assert main([*command, "--journal", str(journal)]) == 3
    line = one_line(capsys.readouterr().err)
    assert line.startswith("okta-async: cannot reach the Okta org")
    from okta_async.bulk import read_entries

    entries = read_entries(journal, "create_users")
    assert len(entries) <= 16 and not any(e.in_doubt for e in entries)


def test_an_import_with_a_refused_token_stops_at_once_with_exit_4_and_one_line(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write(tmp_path / "people.csv", HEADER + people(300))
    assert main(["users", "import", str(csv_path), "--token", "wrong-token-123"]) == 4
    line = one_line(capsys.readouterr().err)
    assert "rejected the API token" in line and "wrong-token-123" not in line
    posts = [r for r in org.org.requests if r["method"] == "POST"]
    assert len(posts) <= 16  # at most the rows already in flight, not all 300


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("email,firstName\nann@example.com,Ann\n", "lacks required column(s): lastName"),
    ],
)
@pytest.mark.parametrize("from_stdin", [False, True])
def test_an_unusable_csv_is_exit_2_with_one_line(
    org: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: str,
    message: str,
    from_stdin: bool,
) -> None:
    path = write(tmp_path / "people.csv", content)
    if from_stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content.encode())))
    assert main(["users", "import", "-" if from_stdin else str(path)]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("okta-async: ") and message in line


def test_global_flags_work_before_the_command(org: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-v", "--no-progress", "users", "export", "--max", "3"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_configuration_errors_name_the_cli_flags(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "export"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "--org-url" in line and "org_url=" not in line


README = Path(__file__).resolve().parents[2] / "README.md"


async def test_the_readme_cli_examples_name_groups_and_apps_the_fake_org_seeds() -> None:
    from okta_async import OktaClient
    from okta_async.cli import build_parser
    from okta_async.cli._commands import resolve_app, resolve_group
    from okta_async.testing import FakeOrg

    text = README.read_text(encoding="utf-8")
    group = re.search(r'okta-async groups add-members "([^"]+)"', text)
    app = re.search(r'okta-async apps assign "([^"]+)"', text)
    assert group is not None and app is not None
    defaults = build_parser().parse_args(["fake-org"])  # what `okta-async fake-org` seeds
    seeded = FakeOrg(users=10, groups=defaults.groups, apps=defaults.apps, seed=defaults.seed)
    async with seeded as org, OktaClient(org_url=org.url, token=org.token) as okta:
        assert await resolve_group(okta, group.group(1))
        assert await resolve_app(okta, app.group(1))


def test_a_quiet_run_restores_the_library_log_level_a_verbose_run_changed(
    org: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    logger = logging.getLogger("okta_async")
    assert main(["--no-progress", "users", "export", "--max", "1"]) == 0  # undoes earlier -v runs
    before = logger.level
    assert main(["-v", "--no-progress", "users", "export", "--max", "1"]) == 0
    assert logger.level == logging.INFO
    assert main(["--no-progress", "users", "export", "--max", "1"]) == 0
    assert logger.level == before


@pytest.fixture
def stalled_org_url() -> Iterator[str]:
    """A server that accepts TCP connections and never answers (an org hung behind its LB)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept_forever() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in accepted:
            conn.close()


def test_an_import_to_a_stalled_org_ends_at_its_timeout_with_exit_3_and_rows_in_doubt(
    isolated_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stalled_org_url: str,
) -> None:
    monkeypatch.setenv("OKTA_CLIENT_REQUESTTIMEOUT", "0.5")
    csv_path = write(tmp_path / "people.csv", HEADER + people(40))
    journal = tmp_path / "job.sqlite"
    command = ["users", "import", str(csv_path), "--org-url", stalled_org_url, "--token", "t"]
    assert main([*command, "--journal", str(journal), "--concurrency", "4"]) == 3
    line = one_line(capsys.readouterr().err)
    assert line.startswith("okta-async: the Okta org at") and "did not answer in time" in line
    from okta_async.bulk import read_entries

    entries = read_entries(journal, "create_users")
    # Only the rows in flight were tried, and each may have reached Okta: a rerun looks them up.
    assert 1 <= len(entries) <= 4 and all(e.in_doubt and not e.done for e in entries)
