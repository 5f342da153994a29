"""Both spec flavours on small hand-written fixtures: one IR, golden output, working code.

``zoo_swagger2.yaml`` and ``zoo_openapi3.yaml`` describe the same API. They must normalize to the
same IR, and the Swagger one must generate exactly the files under ``golden/`` (regenerate those
with ``UPDATE_GOLDEN=1 pytest tests/codegen/test_fixture_specs.py`` after an intended change).
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from codegen.generate import generate
from codegen.loader import load
from okta_async import UNSET
from okta_async._core import serde
from okta_async._core.resource import Resource
from tests.support.generated import imported_package

HERE = Path(__file__).parent
SWAGGER = HERE / "fixtures" / "zoo_swagger2.yaml"
OPENAPI = HERE / "fixtures" / "zoo_openapi3.yaml"
GOLDEN = HERE / "golden"
MYPY_CACHE = HERE.parents[1] / ".mypy_cache"  # shared with `mypy okta_async`: the core is cached


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))
    }


def test_both_flavours_load_into_the_same_ir() -> None:
    swagger, openapi = load(SWAGGER), load(OPENAPI)
    assert (swagger.flavour, openapi.flavour) == ("swagger2", "openapi3")
    same = {"sha256": "", "flavour": "swagger2"}
    assert attrs.evolve(swagger, **same) == attrs.evolve(openapi, **same)


def test_swagger_fixture_matches_golden_output(tmp_path: Path, ruff: str) -> None:
    generate(SWAGGER, tmp_path)
    produced = {f"{name}.golden": text for name, text in _tree(tmp_path).items()}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in produced.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    golden = {
        str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*.golden"))
    }
    assert produced == golden


def test_openapi_fixture_generates_the_same_code(tmp_path: Path, ruff: str) -> None:
    generate(SWAGGER, tmp_path / "a")
    generate(OPENAPI, tmp_path / "b")

    def without_hash(tree: dict[str, str]) -> dict[str, str]:
        return {k: "\n".join(v.splitlines()[2:]) for k, v in tree.items()}

    assert without_hash(_tree(tmp_path / "a")) == without_hash(_tree(tmp_path / "b"))


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The fixture spec's generated code, importable as package ``zoo``."""
    with imported_package(SWAGGER, tmp_path_factory.mktemp("zoo_pkg"), "zoo") as package:
        yield package


def test_generated_fixture_models_behave(zoo: ModuleType) -> None:
    models = importlib.import_module("zoo.models")
    cat = serde.structure({"kind": "CAT", "lives": 9, "keeper": {"email": "k@z"}}, models.Animal)
    assert type(cat) is models.Cat
    assert cat.keeper.email == "k@z"
    assert cat.name is UNSET  # decoding never fills the pinned default
    odd = serde.structure({"kind": "DRAGON", "wingspan": 3}, models.Animal)
    assert type(odd) is models.Animal
    assert odd.kind == "DRAGON"
    assert odd.additional_properties == {"wingspan": 3}
    assert serde.unstructure(odd) == {"kind": "DRAGON", "wingspan": 3}
    new_cat = models.Cat(lives=7)
    assert serde.request_body(new_cat) == {"kind": "CAT", "lives": 7, "name": "cat"}
    keeper = models.Keeper(password="hunter2", shifts={"mon": models.Shift(self_=True)})
    assert "hunter2" not in repr(keeper)
    assert serde.unstructure(keeper) == {"password": "hunter2", "shifts": {"mon": {"self": True}}}


async def test_generated_fixture_resources_pass_the_right_arguments(
    zoo: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = importlib.import_module("zoo.resources.animals")
    calls: list[tuple[Any, dict[str, Any]]] = []

    async def fake_call(self: Resource, op: Any, **kwargs: Any) -> None:
        calls.append((op, kwargs))

    monkeypatch.setattr(Resource, "_call", fake_call)
    animals = object.__new__(resources.AnimalsResource)
    await animals.feed_fish("a1")
    await animals.upload_png_photo("a1", b"\x89PNG")
    await animals.upload_base64_photo("a1", "aGk=")
    await animals.create_animal({"name": "x"}, activate=False, x_keeper_id="k9")
    (feed, feed_kw), (png, png_kw), (_, b64_kw), (_, create_kw) = calls
    assert (feed.method, feed.path, feed_kw["query"]) == (
        "POST",
        "/api/v1/animals/{animalId}/lifecycle/feed",
        {"kind": "fish"},
    )
    assert (png.id, png_kw["content_type"], png_kw["body"]) == (
        "uploadPngPhoto",
        "image/png",
        b"\x89PNG",
    )
    assert b64_kw["content_type"] == "text/plain"
    assert create_kw["query"] == {"activate": False}
    assert create_kw["headers"] == {"X-Keeper-Id": "k9"}
    assert "Enumerates the animals.\n\n        GET /api/v1/animals" in (
        resources.AnimalsResource.list_animals.__doc__ or ""
    )


def test_command_line_writes_both_packages_and_the_reference_page(
    tmp_path: Path, ruff: str
) -> None:
    from codegen.__main__ import main

    out = tmp_path / "zoo"
    assert main(["--spec", str(SWAGGER), "--no-overlay", "--out", str(out)]) == 0
    assert (out / "models" / "animal.py").exists()
    assert (out / "resources" / "__init__.py").exists()
    docs = (tmp_path / "docs" / "api.md").read_text(encoding="utf-8")
    assert "| GET | `/api/v1/animals` | `okta.animals.list_animals()` |" in docs
    first = (out / "models" / "animal.py").read_text(encoding="utf-8").splitlines()[:3]
    assert first[0].startswith("# Generated by okta_async's codegen. DO NOT EDIT")
    assert "Zoo API 0.1.0, sha256 " in first[1]
    assert "python -m codegen" in first[2]


def test_the_2_4_0_swagger_spec_generates_a_package_that_imports_and_type_checks(
    golden_package: Path, golden_models: ModuleType
) -> None:
    """The golden path: Swagger 2 input still yields importable, mypy --strict clean code."""
    names = golden_models.__all__
    schemas = [n for n in names if not n.endswith("Dict")]
    assert len(schemas) == 347
    assert len(names) - len(schemas) == 293  # a request TypedDict per model (enums have none)
    resources = importlib.import_module("okta_v240.resources.users")
    assert callable(resources.UsersResource.get_user)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(MYPY_CACHE),
            "-p",
            "okta_v240",
        ],
        cwd=golden_package,
        env={**os.environ, "MYPYPATH": str(golden_package)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
