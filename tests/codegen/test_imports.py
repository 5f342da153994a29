"""Import cost and laziness: models and resources load on use, and eager mode resolves all.

Each check runs in a fresh interpreter and reads its ``sys.modules`` afterwards, so earlier imports
of the test session cannot hide an eager import. (``-X importtime`` would not do: it only reports
``import`` statements, not the ``importlib.import_module`` calls the lazy packages load through.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _imported(code: str, env: dict[str, str] | None = None) -> list[str]:
    """Modules loaded once ``code`` has run in a fresh interpreter (its ``sys.modules``)."""
    report = "\nimport sys as _sys\nprint('\\n'.join(_sys.modules))\n"
    result = subprocess.run(
        [sys.executable, "-c", code + report],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def _generated(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith(("okta_async.models.", "okta_async.resources"))]


def test_import_okta_async_loads_no_model_or_resource() -> None:
    assert _generated(_imported("import okta_async")) == []


def test_from_okta_async_import_oktaclient_loads_no_model() -> None:
    modules = _imported("from okta_async import OktaClient")
    assert [m for m in modules if m.startswith("okta_async.models.")] == []


def test_an_api_token_client_loads_neither_cryptography_nor_yaml(tmp_path: Path) -> None:
    """Key signing (cryptography) and okta.yaml parsing load only when a setting needs them."""
    modules = _imported(
        "from okta_async import OktaClient\n"
        "OktaClient(org_url='https://acme.okta.com', token='t')\n",
        env={"HOME": str(tmp_path)},  # no ~/.okta/okta.yaml to read
    )
    heavy = [m for m in modules if m.startswith(("cryptography.hazmat", "yaml"))]
    assert heavy == []


def test_the_bulk_helpers_load_only_when_okta_bulk_is_first_used() -> None:
    assert "okta_async.bulk" not in _imported("from okta_async import OktaClient")
    used = _imported(
        "from okta_async import OktaClient\n"
        "OktaClient(org_url='https://acme.okta.com', token='t').bulk\n"
    )
    assert "okta_async.bulk" in used


def test_a_resource_loads_on_first_access_and_no_model_with_it() -> None:
    code = (
        "from okta_async.resources import ResourceAccessors\n"
        "class Client(ResourceAccessors):\n"
        "    _transport = None\n"
        "Client().users\n"
    )
    modules = _generated(_imported(code))
    resources = [m for m in modules if m.startswith("okta_async.resources")]
    assert sorted(resources) == ["okta_async.resources", "okta_async.resources.users"]
    assert [m for m in modules if m.startswith("okta_async.models.")] == []


def test_eager_mode_imports_every_model_and_resolves_every_hint() -> None:
    code = (
        "import sys, attrs, okta_async.models as m\n"
        "mods = [k for k in sys.modules if k.startswith('okta_async.models.')]\n"
        "assert len(mods) == len(set(m._MODULES.values())) > 1000, len(mods)\n"
        "unresolved = [n for n in m.__all__ if attrs.has(getattr(m, n))\n"
        "              and any(isinstance(f.type, str) for f in attrs.fields(getattr(m, n)))]\n"
        "assert not unresolved, unresolved\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "OKTA_ASYNC_EAGER": "1"},
        check=True,
    )


def test_every_generated_module_imports_in_a_fresh_interpreter() -> None:
    """No import cycles: each resource module on its own (models are covered by eager mode)."""
    names = sorted(p.stem for p in (REPO / "okta_async" / "resources").glob("*.py"))
    for name in names:
        module = "okta_async.resources" + ("" if name == "__init__" else f".{name}")
        subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=True,
        )
