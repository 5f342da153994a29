"""codegen_check: committed okta_async/models, /resources and docs/api.md equal a fresh run."""

from __future__ import annotations

from pathlib import Path

from codegen.generate import generate

REPO = Path(__file__).resolve().parents[2]


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def test_generated_code_is_fresh(
    okta_spec: Path, legacy_spec: Path, tmp_path: Path, ruff: str
) -> None:
    generate(okta_spec, tmp_path, legacy_spec, tmp_path / "api.md")
    for package in ("models", "resources"):
        fresh = _tree(tmp_path / package)
        committed = _tree(REPO / "okta_async" / package)
        missing = sorted(set(fresh) - set(committed))
        stale = sorted(set(committed) - set(fresh))
        changed = sorted(
            name for name in set(fresh) & set(committed) if fresh[name] != committed[name]
        )
        assert not (missing or stale or changed), (
            f"okta_async/{package} is out of date (run `nox -s codegen`): "
            f"missing={missing[:5]} stale={stale[:5]} changed={changed[:5]}"
        )
    assert (tmp_path / "api.md").read_bytes() == (REPO / "docs" / "api.md").read_bytes(), (
        "docs/api.md is out of date (run `nox -s codegen`)"
    )


def test_rerun_is_byte_identical(
    okta_spec: Path, legacy_spec: Path, tmp_path: Path, ruff: str
) -> None:
    generate(okta_spec, tmp_path / "a", legacy_spec, tmp_path / "a" / "api.md")
    generate(okta_spec, tmp_path / "b", legacy_spec, tmp_path / "b" / "api.md")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert (tmp_path / "a" / "api.md").read_bytes() == (tmp_path / "b" / "api.md").read_bytes()
