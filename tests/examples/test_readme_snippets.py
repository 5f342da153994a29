"""README's Python snippets compile, and the ones that can run do run against the fake org."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from okta_async import OktaClient
from okta_async.testing import FakeOrg

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def block(marker: str) -> str:
    """The one README snippet containing ``marker``."""
    [found] = [b for b in BLOCKS if marker in b]
    return found


async def run(source: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Execute a snippet that may use top-level ``await``/``async for``."""
    code = compile(source, str(README), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if inspect.iscoroutine(result):
        await result
    return namespace


def test_readme_has_python_snippets() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_every_snippet_compiles(source: str) -> None:
    compile(source, str(README), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


async def test_pagination_snippet_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoints: list[str | None] = []
    async with FakeOrg(users=450, groups=3, apps=2) as org:
        monkeypatch.setenv("OKTA_CLIENT_ORGURL", str(org.url))
        monkeypatch.setenv("OKTA_CLIENT_TOKEN", org.token)
        ns = await run(block(".pages()"), {"save_checkpoint": checkpoints.append, "print": _quiet})
    assert len(checkpoints) == 3 and checkpoints[-1] is None
    assert ns["first"] is not None


async def test_bulk_snippet_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    people = [(f"p{i}@example.com", "P", str(i)) for i in range(40)]
    async with FakeOrg() as org, OktaClient(org_url=org.url, token=org.token) as okta:
        ns = await run(
            block("okta.bulk.create_users("), {"okta": okta, "people": people, "print": _quiet}
        )
    assert ns["report"].counts == {"created": 40}
    assert (tmp_path / "migration.sqlite").exists()


async def test_errors_snippet_catches_a_taken_login() -> None:
    printed: list[tuple[Any, ...]] = []
    profile = {"login": "ada@example.com", "email": "ada@example.com"}
    async with FakeOrg() as org, OktaClient(org_url=org.url, token=org.token) as okta:
        await okta.users.create_user({"profile": {**profile, "firstName": "Ada", "lastName": "L"}})
        await run(block("except BadRequestError"), {"okta": okta, "print": _collect(printed)})
    [(code, summary, causes)] = printed
    assert code == "E0000001" and summary and causes


async def test_escape_hatches_snippet_runs_against_the_fake_org() -> None:
    printed: list[tuple[Any, ...]] = []
    async with FakeOrg(users=2) as org, OktaClient(org_url=org.url, token=org.token) as okta:
        user_id = next(iter(org.store.users.values()))["id"]
        ns = await run(block("with_raw_response"), {"print": _collect(printed)})
        await ns["escape_hatches"](okta, user_id)
    raw_line, model_line = printed
    assert raw_line[0] == 200 and raw_line[1] == org.requests[1]["request_id"]
    assert int(raw_line[2]) >= 0 and isinstance(raw_line[3], list)
    assert model_line[0] == 200 and model_line[1] == org.requests[2]["request_id"]
    assert model_line[2] == org.store.users.get(user_id)["profile"]["login"]


def test_the_pytest_snippet_passes_verbatim_in_a_new_project(tmp_path: Path) -> None:
    """No conftest and no pytest configuration: only the installed plugin and pytest-asyncio."""
    (tmp_path / "test_offboarding.py").write_text(block("async def test_offboarding"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_offboarding.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def _quiet(*args: Any, **kwargs: Any) -> None:
    """print() stand-in: snippets may print, the tests need not see it."""


def _collect(into: list[tuple[Any, ...]]) -> Any:
    def fake_print(*args: Any, **kwargs: Any) -> None:
        into.append(args)

    return fake_print
