"""``okta-async fake-org``: serve the embedded fake org until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from okta_async.cli._errors import EXIT_OK, EXIT_USAGE, CliError

if TYPE_CHECKING:
    from okta_async.testing import FakeOrg


async def serve_fake_org(args: argparse.Namespace, *, ready: asyncio.Event | None = None) -> int:
    """Start the fake org on ``--host``/``--port``, print how to use it, wait until cancelled.

    The ``--rate-limit`` and ``--faults`` specs are checked before anything starts, so a typo is
    a one-line usage error rather than a traceback.
    """
    from okta_async.testing import parse_faults_spec, parse_rate_limit_spec, serve

    rate_limit = ";".join(args.rate_limit) if args.rate_limit else None
    try:
        if rate_limit:
            parse_rate_limit_spec(rate_limit)
        if args.faults:
            parse_faults_spec(args.faults)
    except ValueError as exc:
        raise CliError(f"bad fake-org option: {exc}", EXIT_USAGE) from None

    def announce(org: FakeOrg) -> None:
        print(f"fake Okta org listening at {org.url}")
        print("point the SDK, the examples or another okta-async command at it with:")
        print(f"  export OKTA_CLIENT_ORGURL={org.url}")
        print(f"  export OKTA_CLIENT_TOKEN={org.token}")
        print(
            f"{args.users:,} users, {args.groups:,} groups, {args.apps:,} apps; Ctrl-C to stop",
            flush=True,
        )
        if ready is not None:
            ready.set()

    try:
        await serve(
            args.port,
            args.users,
            args.groups,
            args.apps,
            rate_limit,
            args.faults,
            host=args.host,
            seed=args.seed,
            token=args.fake_token,
            on_ready=announce,
        )
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK  # pragma: no cover - serve() only ends by cancellation
