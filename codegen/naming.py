"""Python names for spec names: snake_case methods and attributes, enum members, namespaces.

Every function here is pure and deterministic; the generator's output depends on nothing else.
"""

from __future__ import annotations

import keyword
import re

# Spellings the generic camelCase splitter would cut in the wrong place ("OAuth" -> "o_auth",
# "SAMLmetadata" -> "sam_lmetadata").
_ACRONYMS = (("OAuth", "Oauth"), ("oAuth", "oauth"), ("SAMLmetadata", "SamlMetadata"))
# A plural acronym ("URIs", "AAGUIDs") is one word, not "ur_is".
_PLURAL_ACRONYM = re.compile(r"([A-Z]{2,})s(?=[A-Z0-9_]|$)")


def snake(name: str) -> str:
    """snake_case: ``listOAuth2Claims`` -> ``list_oauth2_claims``, ``_links`` -> ``links``,
    ``x5t#S256`` -> ``x5t_s256``, ``getAllWellKnownURIs`` -> ``get_all_well_known_uris``."""
    text = name
    for before, after in _ACRONYMS:
        text = text.replace(before, after)
    text = _PLURAL_ACRONYM.sub(lambda m: m[1].capitalize() + "s", text)
    text = re.sub(r"[^0-9A-Za-z]+", "_", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"_+", "_", text).strip("_").lower()
    return text or "value"


def identifier(name: str, reserved: frozenset[str] = frozenset()) -> str:
    """A safe snake_case Python identifier: keywords and reserved names get a trailing ``_``."""
    ident = snake(name)
    if ident[0].isdigit():
        ident = f"n{ident}"
    while keyword.iskeyword(ident) or ident in reserved:
        ident += "_"
    return ident


def pascal(name: str) -> str:
    """A PascalCase class name (spec definition names already are; this only cleans odd ones)."""
    parts = re.split(r"[^0-9A-Za-z]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not text or text[0].isdigit():
        text = f"Model{text}"
    return text


def enum_member(value: str) -> str:
    """``token:software:totp`` -> ``TOKEN_SOFTWARE_TOTP``; ``SHA-256`` -> ``SHA_256``."""
    member = snake(value).upper() if value else "EMPTY"
    if member[0].isdigit():
        member = f"V_{member}"
    if keyword.iskeyword(member.lower()) and member.lower() == member:
        member += "_"
    return member


def unique(names: list[str]) -> list[str]:
    """Make a list of names unique by suffixing ``_2``, ``_3``, ... to later duplicates."""
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


def namespace(path: str) -> str:
    """The client attribute an endpoint lives under, read from its path (what a user would guess).

    ``/api/v1/users/...`` -> ``users``; ``/attack-protection/api/v1/...`` -> ``attack_protection``;
    ``/oauth2/v1/clients/...`` -> ``oauth2_clients``; ``/.well-known/...`` -> ``well_known``.
    """
    parts = [p for p in path.partition("?")[0].split("/") if p]
    if parts[:2] == ["api", "v1"] and len(parts) > 2:
        name = parts[2]
    elif len(parts) > 2 and parts[1] == "v1":
        name = f"{parts[0]}_{parts[2]}"
    else:
        name = parts[0] if parts else "root"
    return identifier(name)
