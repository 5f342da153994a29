"""User validation as Okta does it: required profile fields, login and email format, passwords.

Okta answers every failure with one 400 E0000001 whose ``errorSummary`` names the first field
that failed (``Api validation failed: login``) and whose ``errorCauses`` hold one
``"<field>: <message>"`` entry per failure, in profile order. The wording is Okta's own:

- ``login: Username must be in the form of an email address``
- ``email: Does not match required pattern``
- ``password: Password requirements: at least 8 characters, a lowercase letter, an uppercase
  letter, a number.`` (Okta's default password policy; see :class:`PasswordPolicy`)

Only plain-text passwords are checked: an imported hash cannot be, by Okta either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from okta_async.testing._util import ApiError, Json

REQUIRED_PROFILE = ("login", "email", "firstName", "lastName")
BLANK = "The field cannot be left blank"
BAD_LOGIN = "Username must be in the form of an email address"
BAD_EMAIL = "Does not match required pattern"
# local@domain.tld: no spaces, exactly one @, a dot inside the domain with text on both sides
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


@dataclass(frozen=True)
class PasswordPolicy:
    """The org's password complexity rule; the default is Okta's default policy."""

    min_length: int = 8
    lowercase: bool = True
    uppercase: bool = True
    number: bool = True

    def requirements(self) -> str:
        """Okta's sentence listing what a password needs."""
        parts = [f"at least {self.min_length} characters"]
        for needed, text in (
            (self.lowercase, "a lowercase letter"),
            (self.uppercase, "an uppercase letter"),
            (self.number, "a number"),
        ):
            if needed:
                parts.append(text)
        return "Password requirements: " + ", ".join(parts) + "."

    def accepts(self, password: str) -> bool:
        checks = (
            len(password) >= self.min_length,
            not self.lowercase or any(c.islower() for c in password),
            not self.uppercase or any(c.isupper() for c in password),
            not self.number or any(c.isdigit() for c in password),
        )
        return all(checks)


def is_email(value: Any) -> bool:
    """True for an email-shaped string (``name@example.com``), as Okta requires by default."""
    return isinstance(value, str) and _EMAIL.match(value) is not None


def profile_causes(profile: Json, *, full: bool) -> list[tuple[str, str]]:
    """(field, message) for each problem in a profile; ``full`` also requires every field."""
    causes: list[tuple[str, str]] = []
    for field in REQUIRED_PROFILE:
        present = field in profile
        value = profile.get(field)
        if (full or present) and not value:
            causes.append((field, BLANK))
        elif field == "login" and present and not is_email(value):
            causes.append((field, BAD_LOGIN))
        elif field == "email" and present and not is_email(value):
            causes.append((field, BAD_EMAIL))
    return causes


def password_causes(credentials: Any, policy: PasswordPolicy) -> list[tuple[str, str]]:
    """(field, message) when posted credentials carry a plain password the policy refuses."""
    if not isinstance(credentials, dict):
        return []
    password = credentials.get("password")
    if not isinstance(password, dict) or "value" not in password:
        return []
    value = password["value"]
    if isinstance(value, str) and policy.accepts(value):
        return []
    return [("password", policy.requirements())]


def raise_causes(causes: Iterable[tuple[str, str]]) -> None:
    """Raise Okta's E0000001 for the collected causes, if there are any."""
    found = list(causes)
    if found:
        raise ApiError(
            400,
            "E0000001",
            f"Api validation failed: {found[0][0]}",
            [f"{field}: {message}" for field, message in found],
        )
