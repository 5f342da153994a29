"""Turning exceptions into one-line messages and exit codes (no tracebacks for expected errors).

Exit codes: 0 done; 1 some rows or items failed; 2 bad arguments, input file, journal or
configuration; 3 the org cannot be reached; 4 the org refused (bad token, other API errors);
130 interrupted; 70 only for a bug (an error nobody expected).
"""

from __future__ import annotations

import re

EXIT_OK = 0
EXIT_PARTIAL = 1  # the command ran, but some items failed
EXIT_USAGE = 2  # bad arguments, bad input file, bad configuration
EXIT_UNREACHABLE = 3  # the org could not be reached (connection refused, DNS, timeout)
EXIT_REJECTED = 4  # Okta answered with an error status
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """An expected failure with a ready-made message for the user."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def okta_error_summary(exc: BaseException) -> str:
    """``E0000007 Not found: Resource not found: 00u123 (User)``-style text for an Okta error.

    Falls back to ``str(exc)`` for anything that is not an API status error.
    """
    code = getattr(exc, "error_code", None)
    summary = getattr(exc, "error_summary", None)
    if summary:
        causes = getattr(exc, "error_causes", None) or []
        text = f"{code} {summary}" if code else str(summary)
        if causes:
            text += " (" + "; ".join(str(c) for c in causes) + ")"
        return text
    status = getattr(exc, "status", None)
    if status is not None:
        return f"HTTP {status}"
    return str(exc) or type(exc).__name__


_API_NAMES = re.compile(r"\b(org_url|token)=|^(org_url|token)(?= \(from )")


def cli_wording(message: str) -> str:
    """A library message in the CLI's terms: ``pass org_url=`` becomes ``pass --org-url``."""
    return _API_NAMES.sub(lambda m: "--" + (m.group(1) or m.group(2)).replace("_", "-"), message)


def describe(exc: BaseException) -> tuple[str, int] | None:
    """The message and exit code for an expected error, or None for a genuine bug."""
    if isinstance(exc, CliError):
        return exc.message, exc.exit_code
    from okta_async.cli._csvio import InputFileError

    if isinstance(exc, InputFileError):
        return str(exc), EXIT_USAGE
    from okta_async.bulk.journal import JournalError, JournalMismatchError

    if isinstance(exc, JournalMismatchError):
        return f"{exc}; use another journal, or --new-journal to start this one over", EXIT_USAGE
    if isinstance(exc, JournalError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}", EXIT_USAGE
    try:
        from okta_async._core import errors
    except ImportError:  # pragma: no cover - the core is part of the package
        return None
    if isinstance(exc, errors.ConfigError):
        return f"configuration error: {cli_wording(str(exc))}", EXIT_USAGE
    if isinstance(exc, errors.APITimeoutError):
        return f"the Okta org did not answer in time: {exc}", EXIT_UNREACHABLE
    if isinstance(exc, errors.APIConnectionError):
        return f"cannot reach the Okta org: {exc}", EXIT_UNREACHABLE
    if isinstance(exc, errors.AuthenticationError):
        return (
            "the Okta org rejected the API token (401 "
            f"{okta_error_summary(exc)}); check OKTA_CLIENT_TOKEN or --token",
            EXIT_REJECTED,
        )
    if isinstance(exc, errors.APIStatusError):
        where = f"{getattr(exc, 'method', '')} {getattr(exc, 'path', '')}".strip()
        prefix = f"{where}: " if where else ""
        return f"Okta error: {prefix}{okta_error_summary(exc)}", EXIT_REJECTED
    if isinstance(exc, errors.OktaError):
        return f"error: {exc}", EXIT_REJECTED
    return None
