"""Helpers shared by the bulk tests (plain functions, imported by the test modules)."""

from __future__ import annotations

from typing import Any


def user_row(i: int, **extra: Any) -> dict[str, Any]:
    """A create-user row with a unique login."""
    profile = {
        "login": f"bulk.user{i}@example.org",
        "email": f"bulk.user{i}@example.org",
        "firstName": "Bulk",
        "lastName": f"User{i}",
    }
    return {"profile": profile, **extra}


def users_with_login(org: Any, login: str) -> list[dict[str, Any]]:
    """Users in the fake org's store with ``login`` (case-insensitive)."""
    return [u for u in org.store.users.values() if u["profile"]["login"].lower() == login.lower()]


def posts_to(org: Any, path: str) -> int:
    """POST requests the fake org has seen on ``path``."""
    return sum(1 for r in org.requests if r["method"] == "POST" and r["path"] == path)
