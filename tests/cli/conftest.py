"""Fixtures for driving ``okta-async`` in-process against a fake org running in a thread.

``main()`` calls ``asyncio.run()``, so the fake org cannot share the test's event loop: it runs
on its own loop in a background thread, over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from okta_async.testing import FakeOrg


class ThreadedFakeOrg:
    """A FakeOrg served from a private event loop in a daemon thread."""

    def __init__(self, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.org = FakeOrg(**options)
        self._call(self.org.__aenter__())

    def _call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=60)

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the fake org's loop (to seed or inspect it) and return its result."""
        return self._call(coro)

    @property
    def url(self) -> str:
        return str(self.org.url)

    @property
    def token(self) -> str:
        return str(self.org.token)

    def close(self) -> None:
        self._call(self.org.__aexit__(None, None, None))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@pytest.fixture
def isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OKTA_CLIENT_* variables and no okta.yaml in reach: only what a test sets counts."""
    for name in list(__import__("os").environ):
        if name.startswith("OKTA_CLIENT_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def org(isolated_config: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedFakeOrg]:
    """A fake org with 60 users, 3 groups and 2 apps; the environment points the CLI at it."""
    running = ThreadedFakeOrg(users=60, groups=3, apps=2, seed=1)
    monkeypatch.setenv("OKTA_CLIENT_ORGURL", running.url)
    monkeypatch.setenv("OKTA_CLIENT_TOKEN", running.token)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def start_fake_org() -> Iterator[Callable[..., ThreadedFakeOrg]]:
    """Start extra threaded fake orgs with any FakeOrg options; all are closed afterwards."""
    started: list[ThreadedFakeOrg] = []

    def start(**options: Any) -> ThreadedFakeOrg:
        running = ThreadedFakeOrg(**options)
        started.append(running)
        return running

    yield start
    for running in started:
        running.close()


@pytest.fixture(autouse=True)
def _undo_verbose_logging() -> Iterator[None]:
    """``main(["-v", ...])`` configures the library's logger; later tests get it back as it was."""
    yield
    from okta_async.cli._commands import _configure_logging

    _configure_logging(0)
