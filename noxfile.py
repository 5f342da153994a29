"""Developer sessions: tests, lint, typecheck, codegen, codegen_check, bench, demo."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (the same command README.md gives)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, generated code included."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "okta_async")


def _spec_paths(session: nox.Session) -> tuple[str, str]:
    """The pinned specs (current, 2.4.0): $OKTA_SPEC_PATH / $OKTA_LEGACY_SPEC_PATH, else
    ../shared/spec beside the repo, else downloaded by codegen.fetch (hashes checked)."""
    import os
    from pathlib import Path

    shared = Path(__file__).resolve().parent.parent / "shared" / "spec"
    found = []
    for env, name, fetch in (
        ("OKTA_SPEC_PATH", "okta-management-2026.06.3-minimal.yaml", "fetch_spec"),
        ("OKTA_LEGACY_SPEC_PATH", "okta-openapi-2.4.0.yaml", "fetch_legacy_spec"),
    ):
        if os.environ.get(env):
            found.append(os.environ[env])
        elif (shared / name).exists():
            found.append(str(shared / name))
        else:
            code = f"from codegen.fetch import {fetch}; print({fetch}())"
            fetched = session.run("python", "-c", code, silent=True)
            found.append(str(fetched).strip().splitlines()[-1])
    return found[0], found[1]


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate okta_async/models, okta_async/resources and docs/api.md from the pinned specs."""
    session.install("-e", ".[dev]")
    spec, legacy = _spec_paths(session)
    session.run(
        "python", "-m", "codegen", "--spec", spec, "--legacy-spec", legacy, *session.posargs
    )


@nox.session
def codegen_check(session: nox.Session) -> None:
    """Fail when the committed generated code (or docs/api.md) differs from a fresh generation."""
    session.install("-e", ".[dev]")
    spec, legacy = _spec_paths(session)
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/codegen/test_generated_is_fresh.py",
        env={
            "OKTA_SPEC_PATH": spec,
            "OKTA_LEGACY_SPEC_PATH": legacy,
            "OKTA_CODEGEN_REQUIRE_SPEC": "1",
        },
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmarks/*.py (``_*.py`` are their helpers); each exits non-zero if a target fails.

    ``bench_pagination.py`` prints the pagination table (plain loop, raw, model; 10k/50k/100k
    users against pre-rendered pages, then the fake org as the realistic server). Arguments
    after ``--`` go to every benchmark, so use them only when all accept them (or run one file
    directly). ``--no-venv`` runs them in the current environment.
    """
    import pathlib
    import sys

    env = {}
    python = "python"
    if session.venv_backend == "none":  # `nox -s bench --no-venv`: nox's own interpreter
        env["PYTHONPATH"] = str(pathlib.Path.cwd())
        python = sys.executable
    else:
        session.install("-e", ".")
    scripts = sorted(p for p in pathlib.Path("benchmarks").glob("*.py") if p.name[0] != "_")
    if not scripts:
        session.error("no benchmarks/*.py found")
    for script in scripts:
        session.log(f"benchmark: {script}")
        session.run(python, str(script), *session.posargs, env=env)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: README's first command, a tour against the embedded fake org."""
    session.install("-e", ".")
    session.run("okta-async", "demo", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """Okta's official Python SDK (2.9.x) against the embedded fake org, in its own venv.

    Lists users, lists groups (Everyone included), creates a user, gets it and lists apps;
    prints a table and fails on any step that fails. Not part of the default test install.
    """
    session.install("okta==2.9.*", "-e", ".")
    session.run("python", "conformance/official_sdk.py", *session.posargs)
