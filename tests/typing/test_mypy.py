"""``mypy --strict`` over what users write: examples/, every Python block of README.md, the
``assert_type`` checks of ``common_paths.py``, and a file with a misspelled body key.

One mypy run checks them all (it is the slow part), sharing the project's ``.mypy_cache``; each
test then reads its own files' lines from that run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
COMMON_PATHS = ROOT / "tests" / "typing" / "common_paths.py"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)

# Names README's fragments take from their surroundings, declared with the types a user has.
PRELUDE = """\
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.responses import StreamingResponse

from okta_async import OktaClient

okta: OktaClient
people: list[tuple[str, str, str]]


def save_checkpoint(cursor: str | None) -> None: ...
"""

MISSPELLED = """\
from okta_async import OktaClient, models


async def create(okta: OktaClient) -> None:
    await okta.users.create_user({"profile": {"lgin": "ada@example.com"}})
    await okta.users.create_user({"profile": {"login": "a@example.com"}}, next_login="chngePasswd")
    profile: models.UserProfileDict = {"lgin": "ada@example.com"}
"""


def readme_module(index: int, source: str) -> str:
    """A README block as a module: the prelude, then the block inside a coroutine (blocks use
    top-level ``await`` and ``async with``, as in a notebook or ``python -m asyncio``)."""
    body = textwrap.indent(source, "    ")
    return f"{PRELUDE}\n\nasync def readme_block_{index}() -> None:\n{body}"


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, list[str]]:
    """Run mypy once over every checked file; its error lines, by file."""
    tmp = tmp_path_factory.mktemp("typing")
    readme_files = []
    for index, source in enumerate(BLOCKS):
        path = tmp / f"readme_block_{index}.py"
        path.write_text(readme_module(index, source), encoding="utf-8")
        readme_files.append(path)
    (tmp / "misspelled.py").write_text(MISSPELLED, encoding="utf-8")
    targets = [*EXAMPLES, COMMON_PATHS, *readme_files, tmp / "misspelled.py"]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *map(str, targets)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    by_name = {path.name: path for path in targets}  # every checked file's name is unique
    by_file: dict[Path, list[str]] = {path: [] for path in targets}
    for line in done.stdout.splitlines():
        by_file[by_name[Path(line.split(":", 1)[0]).name]].append(line)
    return by_file


def errors(output: dict[Path, list[str]], paths: list[Path]) -> list[str]:
    return [line for path in paths for line in output[path] if ": error:" in line]


def test_examples_pass_mypy_strict(mypy_output: dict[Path, list[str]]) -> None:
    assert errors(mypy_output, EXAMPLES) == []


def test_common_paths_have_the_types_users_see(mypy_output: dict[Path, list[str]]) -> None:
    assert errors(mypy_output, [COMMON_PATHS]) == []


def test_every_readme_python_block_passes_mypy_strict(
    mypy_output: dict[Path, list[str]],
) -> None:
    readme = [p for p in mypy_output if p.name.startswith("readme_block_")]
    assert len(readme) == len(BLOCKS) >= 6
    assert errors(mypy_output, readme) == []


def test_a_misspelled_body_key_and_enum_value_are_mypy_errors(
    mypy_output: dict[Path, list[str]],
) -> None:
    [path] = [p for p in mypy_output if p.name == "misspelled.py"]
    found = errors(mypy_output, [path])
    assert any(":5:" in line and "CreateUserRequestDict" in line for line in found), found
    assert any(":6:" in line and "chngePasswd" in line for line in found), found
    assert any(":7:" in line and '"lgin"' in line for line in found), found
    assert len(found) == 3, found


@pytest.mark.parametrize("escape", ["type: ignore", "cast(", "isinstance("])
def test_user_code_needs_no_escape_hatch(escape: str) -> None:
    """No ignore, cast or isinstance narrowing in README's blocks; none in examples/ but the
    error dispatch of the FastAPI example (``isinstance(exc, NotFoundError)``)."""
    assert not [b for b in BLOCKS if escape in b]
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        if escape == "isinstance(":
            text = re.sub(r"isinstance\(exc, \w+\)", "", text)
        assert escape not in text, path.name
