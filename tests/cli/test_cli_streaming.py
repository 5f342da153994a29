"""``users export`` streams: memory does not grow with the number of users; the CLI loads lazily."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc

from okta_async import OktaClient
from okta_async.cli._commands import export_users
from okta_async.testing import FakeOrg


class _Sink(io.StringIO):
    """Counts what is written and keeps none of it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        return len(text)


async def _peak_while_exporting(users: int, fmt: str) -> int:
    async with FakeOrg(users=users) as org, OktaClient(org_url=org.url, token=org.token) as okta:
        sink = _Sink()
        tracemalloc.start()
        try:
            count = await export_users(okta, sink, fmt=fmt)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == users
    assert sink.lines == users + (1 if fmt == "csv" else 0)
    return peak


async def test_export_peak_memory_does_not_grow_with_the_user_count() -> None:
    # The fake org lives in the same process, so its store is allocated before tracing starts;
    # what is traced is the export's own working set (plus the server's per-page work).
    small = await _peak_while_exporting(3_000, "jsonl")
    large = await _peak_while_exporting(12_000, "jsonl")
    assert large < small * 1.5


async def test_csv_export_peak_memory_does_not_grow_with_the_user_count() -> None:
    small = await _peak_while_exporting(3_000, "csv")
    large = await _peak_while_exporting(12_000, "csv")
    assert large < small * 1.5


def test_importing_the_cli_loads_neither_aiohttp_nor_the_sdk() -> None:
    code = (
        "import sys, okta_async.cli as c; c.build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'okta_async.client', "
        "'okta_async.models', 'okta_async.testing'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
