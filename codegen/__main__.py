"""``python -m codegen [--spec PATH] [--out DIR]``: regenerate okta_async/models and /resources."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.fetch import fetch_spec
from codegen.generate import generate

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "okta_async"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--spec", type=Path, help="spec file (default: npm pack the locked version)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="package dir (default: okta_async)"
    )
    args = parser.parse_args(argv)
    spec = args.spec if args.spec is not None else fetch_spec()
    written = generate(spec, args.out)
    print(f"codegen: wrote {len(written)} files under {args.out} from {spec}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
