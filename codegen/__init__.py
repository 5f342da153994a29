"""okta_async's code generator: spec -> normalized IR -> emitters. Never imported at runtime.

Pipeline: ``fetch`` (npm pack, hashes from spec_lock.toml) -> ``overrides`` (JSON-pointer patches)
-> ``loader`` (Swagger 2.0 / OpenAPI 3.0 -> ``ir``) -> ``emit`` (source text) -> ``output`` (ruff).
"""
