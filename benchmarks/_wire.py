"""A server whose per-request cost is negligible: Okta-shaped user pages rendered once to bytes.

Run as a child process by ``bench_pagination.py``. It seeds the users the way the fake org does
(same records, same ``_links``), renders every page of ``/api/v1/users?limit=200`` once as the
complete HTTP response (status line, Okta's headers: ``Link`` self/next, ``X-Rate-Limit-*``,
``X-Okta-Request-Id``, ``Date``; then the JSON body), and answers each request with a dict lookup
and one ``writelines``. One port per listing size, so that every listing ends with a page that
has no next link. It listens on 127.0.0.1 only and prints one JSON line ``{"ports": {...}}``
once it is ready; it runs until terminated.

    python benchmarks/_wire.py TOKEN 10000 50000 100000
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from okta_async.testing.seed import seed_org
from okta_async.testing.state import OrgState
from okta_async.testing.users import render_user

PAGE_SIZE = 200
FIRST_PAGE = f"/api/v1/users?limit={PAGE_SIZE}"
MAX_REQUEST_HEAD = 64 * 1024
Reply = tuple[bytes, bytes]


def render_bodies(users: int) -> tuple[list[bytes], list[str]]:
    """The JSON body of every page of ``users`` users, and the id of each page's last user."""
    state = OrgState(seed=0)
    seed_org(state, users=users)
    records = list(state.store.users.values())
    bodies: list[bytes] = []
    last_ids: list[str] = []
    for start in range(0, len(records), PAGE_SIZE):
        chunk = records[start : start + PAGE_SIZE]
        bodies.append(orjson.dumps([render_user(u, "https://bench.okta.example") for u in chunk]))
        last_ids.append(chunk[-1]["id"])
    return bodies, last_ids


def page_head(origin: str, target: str, next_target: str | None, index: int, size: int) -> bytes:
    """The status line and headers of one page, as Okta sends them."""
    lines = [
        "HTTP/1.1 200 OK",
        f"Date: {email.utils.formatdate(usegmt=True)}",
        "Content-Type: application/json",
        f"Content-Length: {size}",
        "Connection: keep-alive",
        "Server: nginx",
        "Vary: Accept-Encoding",
        f"X-Okta-Request-Id: bench{index:015d}",
        "X-Rate-Limit-Limit: 1000000",
        f"X-Rate-Limit-Remaining: {999_999 - index}",
        f"X-Rate-Limit-Reset: {int(time.time()) + 60}",
        "Cache-Control: no-cache, no-store",
        "Pragma: no-cache",
        "Expires: 0",
        "Strict-Transport-Security: max-age=315360000; includeSubDomains",
        f'Link: <{origin}{target}>; rel="self"',
    ]
    if next_target is not None:
        lines.append(f'Link: <{origin}{next_target}>; rel="next"')
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def render_listing(
    port: int, users: int, bodies: list[bytes], last_ids: list[str]
) -> dict[bytes, Reply]:
    """Every page of a ``users``-user listing on ``port``, keyed by request target."""
    origin = f"http://127.0.0.1:{port}"
    pages = users // PAGE_SIZE
    replies: dict[bytes, Reply] = {}
    target = FIRST_PAGE
    for index in range(pages):
        next_target = None
        if index + 1 < pages:
            next_target = f"{FIRST_PAGE}&after={last_ids[index]}"
        body = bodies[index]
        replies[target.encode()] = (page_head(origin, target, next_target, index, len(body)), body)
        target = next_target or ""
    return replies


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"
_UNAUTHORIZED = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"


class PageProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive for body-less GETs: look the target up, write the pre-built reply."""

    def __init__(self, replies: dict[bytes, Reply], credential: bytes) -> None:
        self._replies = replies
        self._credential = credential
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            target = head.split(b" ", 2)[1]
            if self._credential not in head:
                self._transport.write(_UNAUTHORIZED)
                continue
            reply = self._replies.get(target)
            self._transport.writelines(reply if reply is not None else (_NOT_FOUND,))
        if len(self._buffer) > MAX_REQUEST_HEAD:
            self._transport.close()


async def listen(size: int, bodies: list[bytes], last_ids: list[str], token: str) -> asyncio.Server:
    """Serve the first ``size`` users' pages on a new loopback port (``server.sockets[0]``)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    replies = render_listing(sock.getsockname()[1], size, bodies, last_ids)
    credential = f"SSWS {token}".encode()
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: PageProtocol(replies, credential), sock=sock)


async def serve(token: str, sizes: list[int]) -> None:
    """Listen on one loopback port per size, announce the ports, serve until cancelled."""
    bodies, last_ids = render_bodies(max(sizes))
    ports = {}
    for size in sizes:
        server = await listen(size, bodies, last_ids, token)
        ports[size] = server.sockets[0].getsockname()[1]
    print(orjson.dumps({"ports": ports}, option=orjson.OPT_NON_STR_KEYS).decode(), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], [int(n) for n in sys.argv[2:]]))
