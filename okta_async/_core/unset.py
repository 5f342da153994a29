"""The ``UNSET`` sentinel: "not given", as distinct from an explicit ``None`` (JSON null)."""

from __future__ import annotations

import enum
from typing import Final, Literal


class Unset(enum.Enum):
    """One-member enum so that ``x is UNSET`` narrows types for mypy."""

    UNSET = "UNSET"

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
