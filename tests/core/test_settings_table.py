"""Settings are declared once (``SETTINGS``): keywords, loader, OktaConfig and README follow it."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from okta_async import OktaClient, OktaConfig
from okta_async._core.config import SETTINGS, load_config, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"
KEYWORDS = [setting.name for setting in SETTINGS if setting.keyword]


def test_client_keywords_are_the_settings_then_the_seams() -> None:
    parameters = list(inspect.signature(OktaClient.__init__).parameters)[1:]
    assert parameters == [*KEYWORDS, "config", "auth", "session", "trace_configs"]


def test_load_config_keywords_are_the_settings_then_the_test_seams() -> None:
    assert list(inspect.signature(load_config).parameters) == [*KEYWORDS, "env", "cwd", "home"]


def test_okta_config_fields_and_defaults_match_the_table() -> None:
    fields = {
        field.name: None if field.default is attrs.NOTHING else field.default
        for field in attrs.fields(OktaConfig)
        if field.name != "sources"
    }
    table = {s.name: s.default for s in SETTINGS if s.keyword}
    assert fields == table


def test_readme_holds_the_generated_settings_table_and_every_variable() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- settings-table: start -->\n", "<!-- settings-table: end -->"
    assert text[text.index(start) + len(start) : text.index(end)] == settings_table()
    documented = set(re.findall(r"OKTA_CLIENT_[A-Z_]+", text))
    assert {name for s in SETTINGS for name in s.env} <= documented


def test_max_concurrency_and_rate_limit_wait_come_from_env_and_yaml(tmp_path: Path) -> None:
    (tmp_path / "okta.yaml").write_text(
        "okta:\n  client:\n    rateLimit:\n      maxWait: 7\n      maxConcurrent: 9\n"
    )
    env = {"OKTA_CLIENT_ORGURL": "https://acme.okta.com", "OKTA_CLIENT_TOKEN": "t"}
    from_yaml = load_config(env=env, cwd=tmp_path, home=tmp_path)
    assert (from_yaml.max_rate_limit_wait, from_yaml.max_concurrent_requests) == (7.0, 9)
    env |= {"OKTA_CLIENT_RATELIMIT_MAXWAIT": "3", "OKTA_CLIENT_RATELIMIT_MAXCONCURRENT": "4"}
    from_env = load_config(env=env, cwd=tmp_path, home=tmp_path)
    assert (from_env.max_rate_limit_wait, from_env.max_concurrent_requests) == (3.0, 4)


def test_an_unknown_client_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="request_timeout"):
        OktaClient("https://acme.okta.com", "t", request_timeout=5)  # type: ignore[call-arg]


def test_core_imports_no_generated_module() -> None:
    code = (
        "import importlib, pkgutil, sys, okta_async._core as core\n"
        "for m in pkgutil.iter_modules(core.__path__):\n"
        "    importlib.import_module('okta_async._core.' + m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('okta_async.models', "
        "'okta_async.resources'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
