"""``python -m okta_async.cli``: the same as the ``okta-async`` command."""

from __future__ import annotations

import sys

from okta_async.cli import main

sys.exit(main())
