"""``python -m codegen [--spec PATH] [--legacy-spec PATH] [--out DIR] [--docs FILE]``.

Regenerates okta_async/models, okta_async/resources and docs/api.md from the current spec, with the
overlay's operations taken from the 2.4.0 spec. Without ``--spec``/``--legacy-spec`` the locked
files are downloaded (GitHub / ``npm pack``) and their hashes checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.fetch import fetch_legacy_spec, fetch_spec
from codegen.generate import generate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "okta_async"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--spec", type=Path, help="current spec (default: download the locked one)")
    parser.add_argument(
        "--legacy-spec", type=Path, help="2.4.0 spec for the overlay (default: npm pack)"
    )
    parser.add_argument(
        "--no-overlay", action="store_true", help="no 2.4.0 overlay (for specs other than Okta's)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="package dir (default: okta_async)"
    )
    parser.add_argument(
        "--docs", type=Path, help="reference page (default: docs/api.md beside the --out package)"
    )
    args = parser.parse_args(argv)
    spec = args.spec if args.spec is not None else fetch_spec()
    legacy = None
    if not args.no_overlay:
        legacy = args.legacy_spec if args.legacy_spec is not None else fetch_legacy_spec()
    docs = args.docs or args.out.resolve().parent / "docs" / "api.md"
    written = generate(spec, args.out, legacy, docs)
    print(f"codegen: wrote {len(written)} files under {args.out} from {spec}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
