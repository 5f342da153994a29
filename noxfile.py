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


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmarks/*.py against the embedded fake org; each exits non-zero if a target fails.

    Arguments after ``--`` go to every benchmark, so use them only when all accept them (or run
    one file directly). ``--no-venv`` runs them in the current environment.
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
    scripts = sorted(pathlib.Path("benchmarks").glob("*.py"))
    if not scripts:
        session.error("no benchmarks/*.py found")
    for script in scripts:
        session.log(f"benchmark: {script}")
        session.run(python, str(script), *session.posargs, env=env)
